package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Regime is the law an incident is reported under.
type Regime string

const (
	RegimeBSIG             Regime = "bsig"              // §32 BSIG, significant security incident
	RegimeCRAIncident      Regime = "cra-incident"      // Art. 14(3) CRA, severe incident
	RegimeCRAVulnerability Regime = "cra-vulnerability" // Art. 14(1) CRA, actively exploited vulnerability
)

func (r Regime) valid() bool {
	return r == RegimeBSIG || r == RegimeCRAIncident || r == RegimeCRAVulnerability
}

// Incident is a reportable event of one organisation.
type Incident struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"org_id"`
	Regime    Regime    `json:"regime"`
	Title     string    `json:"title"`
	AwareAt   time.Time `json:"aware_at"` // when the organisation became aware: the reporting clocks start here
	CreatedAt time.Time `json:"created_at"`
	Status    string    `json:"status"` // "open" or "closed"
	IncidentEvents
	// NextDueAt is the earliest due instant of a stage not yet reported, as
	// the clock engine computed it at the last write (nil: none due). It is
	// kept for the supervisor's overdue feed; pages compute the clock anew.
	NextDueAt *time.Time `json:"next_due_at,omitempty"`
}

// IncidentEvents are the events besides awareness and the reports that the
// reporting clocks run from. The *By fields name the actor who recorded
// the event (as in the audit trail).
type IncidentEvents struct {
	// FixAvailableAt: a corrective or mitigating measure is available; the
	// final report of an actively exploited vulnerability is due 14 days
	// later (Art. 14(2)(c) CRA).
	FixAvailableAt *time.Time `json:"fix_available_at,omitempty"`
	FixAvailableBy string     `json:"fix_available_by,omitempty"`
	// InterimRequestedAt: the authority asked for an interim report (§32(1)
	// Nr. 3 BSIG; Art. 14(6) CRA), by InterimDueAt if it set a date.
	InterimRequestedAt *time.Time `json:"interim_requested_at,omitempty"`
	InterimDueAt       *time.Time `json:"interim_due_at,omitempty"`
	InterimRequestedBy string     `json:"interim_requested_by,omitempty"`
	// Ongoing: the BSIG incident is still ongoing when the final report
	// falls due, so a progress report replaces it (§32(2) S. 1 BSIG).
	Ongoing bool `json:"incident_ongoing"`
	// HandlingCompletedAt: final handling of an ongoing BSIG incident; the
	// final report follows it (§32(2) S. 2 BSIG).
	HandlingCompletedAt *time.Time `json:"handling_completed_at,omitempty"`
	HandlingCompletedBy string     `json:"handling_completed_by,omitempty"`
}

// EventUpdate records incident events; nil fields leave what is stored.
// A recorded time may be corrected by recording it again; it cannot be
// removed (the audit trail keeps every value).
type EventUpdate struct {
	FixAvailableAt *time.Time
	// InterimRequestedAt records a request of the authority; InterimDueAt,
	// the date it set, is given with it (nil: no date set). A new request
	// replaces the stored one and its date.
	InterimRequestedAt, InterimDueAt *time.Time
	Ongoing                          *bool
	HandlingCompletedAt              *time.Time
}

func (u EventUpdate) empty() bool {
	return u.FixAvailableAt == nil && u.InterimRequestedAt == nil && u.InterimDueAt == nil && u.Ongoing == nil && u.HandlingCompletedAt == nil
}

// byEntity reports whether u records events only the organisation knows.
func (u EventUpdate) byEntity() bool {
	return u.FixAvailableAt != nil || u.Ongoing != nil || u.HandlingCompletedAt != nil
}

// Report is one stage of an incident's reporting (early warning,
// notification, intermediate, final, …), as submitted.
type Report struct {
	ID          string          `json:"id"`
	IncidentID  string          `json:"incident_id"`
	OrgID       string          `json:"org_id"`
	Stage       string          `json:"stage"`
	Content     json.RawMessage `json:"content"`
	SubmittedAt time.Time       `json:"submitted_at"`
	SubmittedBy string          `json:"submitted_by"`
}

// MaxReportContent bounds a report's JSON content.
const MaxReportContent = 1 << 20

// NextDueFunc computes an incident's next due instant (nil: none due) from
// what is stored, at now. The reports it gets carry no Content. An error
// means the stored events contradict each other; the write is refused with
// it (wrapped with ErrInvalid).
type NextDueFunc func(inc Incident, reports []Report, now time.Time) (*time.Time, error)

// IncidentOption changes how an incident write is done.
type IncidentOption func(*incidentOptions)

type incidentOptions struct{ nextDue NextDueFunc }

// WithNextDue makes the write keep Incident.NextDueAt: f runs inside the
// write transaction, after the incident's row is locked and the write is
// done, on the incident and reports as they will be committed, so two
// writes to one incident can never leave a value computed without the
// other. The portal and the API pass it with every write; without it
// NextDueAt is left as it is.
func WithNextDue(f NextDueFunc) IncidentOption {
	return func(o *incidentOptions) { o.nextDue = f }
}

func incidentOpts(opts []IncidentOption) incidentOptions {
	var o incidentOptions
	for _, f := range opts {
		f(&o)
	}
	return o
}

// incidentColumns is one line with ", " between names, as prefixed needs.
const incidentColumns = "id, org_id, regime, title, aware_at, created_at, status, " +
	"fix_available_at, fix_available_by, interim_requested_at, interim_due_at, interim_requested_by, " +
	"ongoing, handling_completed_at, handling_completed_by, next_due_at"

func scanIncident(sc interface{ Scan(...any) error }) (Incident, error) {
	var i Incident
	var fix, req, due, done, next sql.NullTime
	err := sc.Scan(&i.ID, &i.OrgID, &i.Regime, &i.Title, &i.AwareAt, &i.CreatedAt, &i.Status,
		&fix, &i.FixAvailableBy, &req, &due, &i.InterimRequestedBy,
		&i.Ongoing, &done, &i.HandlingCompletedBy, &next)
	i.FixAvailableAt, i.InterimRequestedAt, i.InterimDueAt = nullTime(fix), nullTime(req), nullTime(due)
	i.HandlingCompletedAt, i.NextDueAt = nullTime(done), nullTime(next)
	return i, err
}

func dbTimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := dbTime(*t)
	return &u
}

// CreateIncident records a new open incident of in.OrgID; ID, CreatedAt and
// Status are set here, and events are recorded with SetIncidentEvents.
func (s *Store) CreateIncident(ctx context.Context, a Actor, in Incident, opts ...IncidentOption) (Incident, error) {
	var out Incident
	err := s.Tx(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.createIncident(ctx, a, in, incidentOpts(opts))
		return err
	})
	return out, err
}

// createIncident is CreateIncident inside tx.
func (tx *Tx) createIncident(ctx context.Context, a Actor, in Incident, o incidentOptions) (Incident, error) {
	switch {
	case !in.Regime.valid():
		return Incident{}, fmt.Errorf("store: incident: regime %q is not bsig, cra-incident or cra-vulnerability: %w", in.Regime, ErrInvalid)
	case strings.TrimSpace(in.Title) == "":
		return Incident{}, fmt.Errorf("store: incident: title must not be empty: %w", ErrInvalid)
	case in.AwareAt.IsZero():
		return Incident{}, fmt.Errorf("store: incident: aware_at is missing: %w", ErrInvalid)
	}
	if err := tx.checkOrg(ctx, a, in.OrgID, write); err != nil {
		return Incident{}, err
	}
	out := Incident{ID: newID(), OrgID: in.OrgID, Regime: in.Regime, Title: in.Title, AwareAt: dbTime(in.AwareAt),
		CreatedAt: dbTime(tx.Now()), Status: "open"}
	if o.nextDue != nil {
		next, err := o.nextDue(out, nil, tx.Now())
		if err != nil {
			return Incident{}, fmt.Errorf("store: incident: %w: %w", err, ErrInvalid)
		}
		out.NextDueAt = dbTimePtr(next)
	}
	if _, err := tx.Exec(ctx, "INSERT INTO incidents (id, org_id, regime, title, aware_at, created_at, status, next_due_at, next_due_computed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		out.ID, out.OrgID, out.Regime, out.Title, out.AwareAt, out.CreatedAt, out.Status, out.NextDueAt, o.nextDue != nil); err != nil {
		return Incident{}, fmt.Errorf("store: create incident: %w", err)
	}
	tx.Audit(AuditEntry{Actor: a.String(), OrgID: out.OrgID, Action: "create", Entity: "incident", EntityID: out.ID, After: out})
	return out, nil
}

// Incident returns one incident.
func (s *Store) Incident(ctx context.Context, a Actor, id string) (Incident, error) {
	i, err := scanIncident(s.queryRow(ctx, "SELECT "+incidentColumns+" FROM incidents WHERE id = ? AND "+orgFilter("org_id", read),
		append([]any{id}, a.args(read)...)...))
	if err != nil {
		return i, fmt.Errorf("store: incident %q: %w", id, notFound(err))
	}
	return i, nil
}

// Incidents lists an organisation's incidents, newest first.
func (s *Store) Incidents(ctx context.Context, a Actor, orgID string) ([]Incident, error) {
	if err := s.checkOrg(ctx, a, orgID); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, "SELECT "+incidentColumns+" FROM incidents WHERE org_id = ? ORDER BY created_at DESC, id", orgID)
	if err != nil {
		return nil, fmt.Errorf("store: incidents: %w", err)
	}
	return collect(rows, scanIncident, "incidents")
}

// IncidentsPage is one page of an organisation's incidents in the order of
// Incidents, read by key: limit items after the cursor (the next cursor of
// the previous page, "" for the first) and the cursor of the next page, ""
// on the last. A cursor that is not one is ErrInvalid.
func (s *Store) IncidentsPage(ctx context.Context, a Actor, orgID string, limit int, cursor string) ([]Incident, string, error) {
	if err := s.checkOrg(ctx, a, orgID); err != nil {
		return nil, "", err
	}
	q, args := "SELECT "+incidentColumns+" FROM incidents WHERE org_id = ?", []any{orgID}
	if cursor != "" {
		after, id, err := decodeFeedCursor(cursor)
		if err != nil {
			return nil, "", err
		}
		q += " AND (created_at < ? OR (created_at = ? AND id > ?))"
		args = append(args, after, after, id)
	}
	rows, err := s.query(ctx, q+" ORDER BY created_at DESC, id LIMIT ?", append(args, limit+1)...)
	if err != nil {
		return nil, "", fmt.Errorf("store: incidents: %w", err)
	}
	items, err := collect(rows, scanIncident, "incidents")
	if err != nil || len(items) <= limit {
		return items, "", err
	}
	last := items[limit-1]
	return items[:limit], encodeFeedCursor(last.CreatedAt, last.ID), nil
}

// OpenIncidents lists the open incidents of every organisation a reaches
// (as Organisations does), newest first, with their reports (without
// content), in two queries: the dashboard shows them for all of a user's
// organisations at once.
func (s *Store) OpenIncidents(ctx context.Context, a Actor) ([]FeedItem, error) {
	rows, err := s.query(ctx, "SELECT "+prefixed("i.", incidentColumns)+", o.name FROM incidents i JOIN organisations o ON o.id = i.org_id WHERE i.status = 'open' AND "+
		orgFilter("i.org_id", read)+" ORDER BY i.created_at DESC, i.id", a.args(read)...)
	if err != nil {
		return nil, fmt.Errorf("store: open incidents: %w", err)
	}
	items, err := collect(rows, scanFeedItem, "open incidents")
	if err != nil {
		return nil, err
	}
	if err := s.attachReports(ctx, items); err != nil {
		return nil, err
	}
	return items, nil
}

// lockIncident reads the incident a reaches with acc and locks its row
// until the transaction ends: the no-op update takes the row lock on
// PostgreSQL, so writes to one incident from several app servers follow
// each other and each reads what the one before committed (on SQLite the
// single writer already orders them).
func (tx *Tx) lockIncident(ctx context.Context, a Actor, id string, acc access) (Incident, error) {
	inc, err := scanIncident(tx.QueryRow(ctx, "UPDATE incidents SET next_due_at = next_due_at WHERE id = ? AND "+orgFilter("org_id", acc)+" RETURNING "+incidentColumns,
		append([]any{id}, a.args(acc)...)...))
	if err != nil {
		return inc, fmt.Errorf("store: incident %q: %w", id, notFound(err))
	}
	return inc, nil
}

// refreshNextDue recomputes inc.NextDueAt with f from the incident's
// reports as the transaction sees them, and stores it marked computed. It
// writes even an unchanged value: the row was written by lockIncident
// already, and the mark may be missing.
func (tx *Tx) refreshNextDue(ctx context.Context, inc *Incident, f NextDueFunc) error {
	if f == nil {
		return nil
	}
	reports, err := tx.reportHeads(ctx, inc.ID)
	if err != nil {
		return err
	}
	return tx.storeNextDue(ctx, inc, f, reports)
}

// reportHeads reads an incident's reports, without their content, in the
// order submitted.
func (tx *Tx) reportHeads(ctx context.Context, incidentID string) ([]Report, error) {
	rows, err := tx.Query(ctx, "SELECT id, incident_id, org_id, stage, submitted_at, submitted_by FROM incident_reports WHERE incident_id = ? ORDER BY submitted_at, id", incidentID)
	if err != nil {
		return nil, fmt.Errorf("store: incident %q: reports: %w", incidentID, err)
	}
	return collect(rows, scanReportHead, "reports")
}

// storeNextDue computes inc.NextDueAt with f from reports (all of the
// incident's, as the transaction sees them) and stores it marked computed.
func (tx *Tx) storeNextDue(ctx context.Context, inc *Incident, f NextDueFunc, reports []Report) error {
	if f == nil {
		return nil
	}
	if err := tx.computeNextDue(inc, f, reports); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, setNextDue, inc.NextDueAt, true, inc.ID); err != nil {
		return fmt.Errorf("store: incident %q: %w", inc.ID, err)
	}
	return nil
}

const setNextDue = "UPDATE incidents SET next_due_at = ?, next_due_computed = ? WHERE id = ?"

// computeNextDue sets inc.NextDueAt with f from reports (all of the
// incident's, as the transaction sees them).
func (tx *Tx) computeNextDue(inc *Incident, f NextDueFunc, reports []Report) error {
	next, err := f(*inc, reports, tx.Now())
	if err != nil {
		return fmt.Errorf("store: incident %q: %w: %w", inc.ID, err, ErrInvalid)
	}
	inc.NextDueAt = dbTimePtr(next)
	return nil
}

// backfillBatch bounds the incidents one BackfillNextDue transaction
// locks: the transaction shares its commit with others (group commit) and
// delays them while it runs.
const backfillBatch = 50

// BackfillNextDue computes Incident.NextDueAt with f for the incidents
// whose value was never computed: those stored before migration 0004 and
// those written without WithNextDue. Open and closed incidents alike,
// since closing changes no duty and a closed incident stays in the overdue
// feed. f runs as in WithNextDue, with each incident's row locked, so a
// write racing the backfill, or several app servers starting at once,
// leave the value one of them computed from what was committed: an
// incident found computed once locked is left alone. Each value set is
// audited like every write; an incident with nothing due is only marked
// computed (next_due_computed), which changes nothing it shows.
//
// An incident whose stored events f refuses is left as it is, named in the
// error and read again at the next call; the others are still done. set
// counts the incidents given a value.
func (s *Store) BackfillNextDue(ctx context.Context, a Actor, f NextDueFunc) (set int, err error) {
	if err := a.requireAdmin("backfill next due"); err != nil {
		return 0, err
	}
	if f == nil {
		return 0, fmt.Errorf("store: backfill next due: no function: %w", ErrInvalid)
	}
	var refused []error
	for after := ""; ; {
		// Keyset pages on the partial index incidents_next_due_uncomputed.
		rows, err := s.query(ctx, "SELECT id FROM incidents WHERE NOT next_due_computed AND id > ? ORDER BY id LIMIT ?", after, backfillBatch)
		if err != nil {
			return set, fmt.Errorf("store: backfill next due: %w", err)
		}
		ids, err := collect(rows, func(sc interface{ Scan(...any) error }) (string, error) {
			var id string
			return id, sc.Scan(&id)
		}, "backfill next due")
		if err != nil || len(ids) == 0 {
			return set, errors.Join(append(refused, err)...)
		}
		after = ids[len(ids)-1]
		var n int
		var bad []error
		err = s.Tx(ctx, func(tx *Tx) error {
			n, bad = 0, nil
			// Ascending ids: two servers lock in the same order, so they
			// wait for each other instead of deadlocking.
			for _, id := range ids {
				inc, err := tx.lockIncident(ctx, a, id, write)
				if errors.Is(err, ErrNotFound) {
					continue // removed meanwhile
				}
				if err != nil {
					return err
				}
				var computed bool
				if err := tx.QueryRow(ctx, "SELECT next_due_computed FROM incidents WHERE id = ?", id).Scan(&computed); err != nil {
					return fmt.Errorf("store: incident %q: %w", id, err)
				}
				if computed {
					continue // by a write or another server meanwhile
				}
				before := inc
				if err := tx.refreshNextDue(ctx, &inc, f); errors.Is(err, ErrInvalid) {
					bad = append(bad, err)
					continue
				} else if err != nil {
					return err
				}
				if inc.NextDueAt != nil {
					n++
					tx.Audit(AuditEntry{Actor: a.String(), OrgID: inc.OrgID, Action: "update", Entity: "incident", EntityID: id, Before: before, After: inc})
				}
			}
			return nil
		})
		if err != nil {
			return set, fmt.Errorf("store: backfill next due: %w", err)
		}
		set, refused = set+n, append(refused, bad...)
	}
}

// SetIncidentStatus opens or closes an incident. Closing changes no
// reporting duty, so the next due instant stays. A CRA Art. 14 track
// (kev_tracks) opens and closes with its incident; reopening one while
// its product has another open track for the CVE is ErrConflict.
func (s *Store) SetIncidentStatus(ctx context.Context, a Actor, id, status string) error {
	if status != "open" && status != "closed" {
		return fmt.Errorf("store: incident: status %q is not open or closed: %w", status, ErrInvalid)
	}
	return s.Tx(ctx, func(tx *Tx) error {
		before, err := tx.lockIncident(ctx, a, id, write)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE incidents SET status = ? WHERE id = ?", status, id); err != nil {
			return fmt.Errorf("store: incident %q: %w", id, err)
		}
		if status != before.Status {
			if err := tx.setKEVTrackOpen(ctx, id, status == "open"); err != nil {
				return err
			}
		}
		after := before
		after.Status = status
		tx.Audit(AuditEntry{Actor: a.String(), OrgID: before.OrgID, Action: "update", Entity: "incident", EntityID: id, Before: before, After: after})
		return nil
	})
}

// SetIncidentEvents records events of an incident (see EventUpdate).
//
// Who may record what follows who the law has act: the request for an
// interim report is the act of the authority (the BSI under §32(1) Nr. 3
// BSIG, the coordinator CSIRT under Art. 14(6) CRA), so only a supervisor
// records it, and the organisation cannot make or withdraw one. That a
// corrective measure is available, that the incident is still ongoing and
// that its handling is completed are facts of the organisation's own
// sphere, which it reports on (Art. 14(2)(c) CRA, §32(2) BSIG): only those
// who may write the organisation's records (members, org admins, admins)
// record them, and a supervisor, who writes none, cannot. A refused event
// is ErrNotFound, as every write beyond the actor's reach.
func (s *Store) SetIncidentEvents(ctx context.Context, a Actor, id string, u EventUpdate, opts ...IncidentOption) (Incident, error) {
	if u.empty() {
		return Incident{}, fmt.Errorf("store: incident events: nothing to record: %w", ErrInvalid)
	}
	if u.InterimDueAt != nil && u.InterimRequestedAt == nil {
		return Incident{}, fmt.Errorf("store: incident events: interim_due_at: give it with interim_requested_at: %w", ErrInvalid)
	}
	if u.InterimDueAt != nil && !u.InterimDueAt.After(*u.InterimRequestedAt) {
		return Incident{}, fmt.Errorf("store: incident events: interim_due_at: must lie after interim_requested_at: %w", ErrInvalid)
	}
	requests := u.InterimRequestedAt != nil
	if requests && (a.Role != RoleSupervisor || a.ReadOnly) {
		return Incident{}, fmt.Errorf("store: incident events: interim_requested_at: only the authority (a supervisor) requests an interim report: %w", ErrNotFound)
	}
	o := incidentOpts(opts)
	var after Incident
	err := s.Tx(ctx, func(tx *Tx) error {
		acc := write
		if requests && !u.byEntity() {
			acc = read // supervisors reach every organisation to read; the role was checked above
		}
		before, err := tx.lockIncident(ctx, a, id, acc)
		if err != nil {
			return err
		}
		// One read of the reports serves the interim check and the next
		// due instant.
		var reports []Report
		if requests || o.nextDue != nil {
			if reports, err = tx.reportHeads(ctx, id); err != nil {
				return err
			}
		}
		after = before
		who := a.String()
		if u.FixAvailableAt != nil {
			after.FixAvailableAt, after.FixAvailableBy = dbTimePtr(u.FixAvailableAt), who
		}
		if requests {
			for _, r := range reports {
				if r.Stage == "interim" {
					return fmt.Errorf("store: incident %q: interim_requested_at: the interim report was submitted already: %w", id, ErrConflict)
				}
			}
			after.InterimRequestedAt, after.InterimDueAt, after.InterimRequestedBy = dbTimePtr(u.InterimRequestedAt), dbTimePtr(u.InterimDueAt), who
		}
		if u.Ongoing != nil {
			after.Ongoing = *u.Ongoing
		}
		if u.HandlingCompletedAt != nil {
			after.HandlingCompletedAt, after.HandlingCompletedBy = dbTimePtr(u.HandlingCompletedAt), who
		}
		if err := tx.storeNextDue(ctx, &after, o.nextDue, reports); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE incidents SET fix_available_at = ?, fix_available_by = ?, interim_requested_at = ?, interim_due_at = ?,
				interim_requested_by = ?, ongoing = ?, handling_completed_at = ?, handling_completed_by = ? WHERE id = ?`,
			after.FixAvailableAt, after.FixAvailableBy, after.InterimRequestedAt, after.InterimDueAt,
			after.InterimRequestedBy, after.Ongoing, after.HandlingCompletedAt, after.HandlingCompletedBy, id); err != nil {
			return fmt.Errorf("store: incident %q: events: %w", id, err)
		}
		tx.Audit(AuditEntry{Actor: who, OrgID: before.OrgID, Action: "update", Entity: "incident", EntityID: id, Before: before, After: after})
		return nil
	})
	if err != nil {
		return Incident{}, err
	}
	return after, nil
}

// SubmitReport submits one stage of an incident's reporting, stamped with
// the commit time. content must be a JSON object. A stage is reported once:
// a second report of it is ErrConflict. This is the hot path of the
// portal: one short transaction with the audit append.
func (s *Store) SubmitReport(ctx context.Context, a Actor, incidentID, stage string, content json.RawMessage, opts ...IncidentOption) (Report, error) {
	if err := validStage(stage); err != nil {
		return Report{}, err
	}
	if len(content) > MaxReportContent {
		return Report{}, fmt.Errorf("store: report: content larger than %d bytes: %w", MaxReportContent, ErrInvalid)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(content, &obj); err != nil || obj == nil {
		return Report{}, fmt.Errorf("store: report: content is not a JSON object: %w", ErrInvalid)
	}
	o := incidentOpts(opts)
	r := Report{ID: newID(), IncidentID: incidentID, Stage: stage, Content: content, SubmittedBy: a.String()}
	err := s.Tx(ctx, func(tx *Tx) error {
		inc, err := tx.lockIncident(ctx, a, incidentID, write)
		if err != nil {
			return err
		}
		// The row lock orders reports of one incident, so these are all
		// committed before, any report of the stage among them; the unique
		// index incident_reports_one_per_stage stands behind the check.
		// Read once, they also feed the next due instant: one round trip
		// fewer on the hottest write.
		reports, err := tx.reportHeads(ctx, incidentID)
		if err != nil {
			return err
		}
		for _, x := range reports {
			if x.Stage == stage {
				return fmt.Errorf("store: incident %q: the %s stage was reported already: %w", incidentID, stage, ErrConflict)
			}
		}
		r.OrgID, r.SubmittedAt = inc.OrgID, dbTime(tx.Now())
		const insert = `INSERT INTO incident_reports (id, incident_id, org_id, stage, content, submitted_at, submitted_by)
			VALUES (?, ?, ?, ?, ?, ?, ?)`
		args := []any{r.ID, r.IncidentID, r.OrgID, r.Stage, string(r.Content), r.SubmittedAt, r.SubmittedBy}
		tx.Audit(AuditEntry{Actor: r.SubmittedBy, OrgID: r.OrgID, Action: "submit", Entity: "incident_report", EntityID: r.ID, After: r})
		if o.nextDue == nil {
			if _, err := tx.Exec(ctx, insert, args...); err != nil {
				return fmt.Errorf("store: submit report: %w", err)
			}
			return nil
		}
		head := r
		head.Content = nil
		if err := tx.computeNextDue(&inc, o.nextDue, append(reports, head)); err != nil {
			return err
		}
		args = append(args, inc.NextDueAt, true, inc.ID)
		if tx.s.d == postgresDialect {
			// One round trip for both: the commit of every batch waits
			// on these statements.
			_, err = tx.Exec(ctx, "WITH ins AS ("+insert+") "+setNextDue, args...)
		} else if _, err = tx.Exec(ctx, insert, args[:7]...); err == nil {
			_, err = tx.Exec(ctx, setNextDue, args[7:]...)
		}
		if err != nil {
			return fmt.Errorf("store: submit report: %w", err)
		}
		return nil
	})
	return r, err
}

// validStage accepts a lower-case identifier ("early_warning", "final"):
// which stages a regime has is the clock engine's business.
func validStage(stage string) error {
	ok := stage != "" && len(stage) <= 64
	for _, c := range stage {
		ok = ok && (c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-')
	}
	if !ok {
		return fmt.Errorf("store: report: stage %q is not a lower-case identifier: %w", stage, ErrInvalid)
	}
	return nil
}

// Reports lists an incident's reports in the order submitted.
func (s *Store) Reports(ctx context.Context, a Actor, incidentID string) ([]Report, error) {
	_, reports, err := s.IncidentRecord(ctx, a, incidentID)
	return reports, err
}

// IncidentRecord returns an incident with its reports in the order
// submitted: what a page or a report submission reads, in two queries.
func (s *Store) IncidentRecord(ctx context.Context, a Actor, incidentID string) (Incident, []Report, error) {
	inc, err := s.Incident(ctx, a, incidentID)
	if err != nil {
		return inc, nil, err
	}
	rows, err := s.query(ctx, `SELECT id, incident_id, org_id, stage, content, submitted_at, submitted_by
		FROM incident_reports WHERE incident_id = ? ORDER BY submitted_at, id`, incidentID)
	if err != nil {
		return inc, nil, fmt.Errorf("store: reports: %w", err)
	}
	reports, err := collect(rows, func(sc interface{ Scan(...any) error }) (Report, error) {
		var r Report
		var content string
		err := sc.Scan(&r.ID, &r.IncidentID, &r.OrgID, &r.Stage, &content, &r.SubmittedAt, &r.SubmittedBy)
		r.Content = json.RawMessage(content)
		return r, err
	}, "reports")
	return inc, reports, err
}

// scanReportHead reads a report without its content.
func scanReportHead(sc interface{ Scan(...any) error }) (Report, error) {
	var r Report
	err := sc.Scan(&r.ID, &r.IncidentID, &r.OrgID, &r.Stage, &r.SubmittedAt, &r.SubmittedBy)
	return r, err
}

// FeedQuery selects a page of the incident feed.
type FeedQuery struct {
	Regime Regime // "" for every regime
	// Overdue keeps only incidents with a stage overdue at Now, longest
	// overdue first; otherwise the feed is newest first. A stage is overdue
	// from its due instant on (NextDueAt not after Now), as the clock engine
	// counts it, so the feed and the incident page agree at every instant.
	Overdue bool
	Now     time.Time
	Limit   int    // 1 to 500
	Cursor  string // FeedPage.NextCursor of the previous page; "" for the first
}

// FeedItem is an incident with its organisation's name and its reports
// (without content), enough for the clock engine.
type FeedItem struct {
	Incident
	OrgName string   `json:"org_name"`
	Reports []Report `json:"reports"`
}

// FeedPage is one page of the feed.
type FeedPage struct {
	Items      []FeedItem `json:"items"`
	NextCursor string     `json:"next_cursor,omitempty"`
	// Overdue counts the incidents of the regime asked for that are overdue
	// at Now, over all pages.
	Overdue int `json:"overdue"`
}

// MaxFeedLimit bounds a feed page.
const MaxFeedLimit = 500

// IncidentFeed lists the incidents of every organisation a reaches (for
// supervisors and admins: all), by keyset pages on an index: newest first
// (incidents_by_created, incidents_by_regime) or, overdue only, by next
// due instant (incidents_by_next_due).
func (s *Store) IncidentFeed(ctx context.Context, a Actor, q FeedQuery) (FeedPage, error) {
	if q.Limit < 1 || q.Limit > MaxFeedLimit {
		return FeedPage{}, fmt.Errorf("store: incident feed: limit %d is not from 1 to %d: %w", q.Limit, MaxFeedLimit, ErrInvalid)
	}
	if q.Regime != "" && !q.Regime.valid() {
		return FeedPage{}, fmt.Errorf("store: incident feed: regime %q is not bsig, cra-incident or cra-vulnerability: %w", q.Regime, ErrInvalid)
	}
	if q.Now.IsZero() {
		return FeedPage{}, fmt.Errorf("store: incident feed: now is missing: %w", ErrInvalid)
	}
	keyCol, order, cmp := "i.created_at", "i.created_at DESC, i.id DESC", "<"
	if q.Overdue {
		keyCol, order, cmp = "i.next_due_at", "i.next_due_at, i.id", ">"
	}
	where := []string{orgFilter("i.org_id", read)}
	args := a.args(read)
	if q.Regime != "" {
		where, args = append(where, "i.regime = ?"), append(args, q.Regime)
	}
	// The overdue count and the overdue filter are the same condition.
	where, args = append(where, "i.next_due_at <= ?"), append(args, q.Now)
	var page FeedPage
	if err := s.queryRow(ctx, "SELECT count(*) FROM incidents i WHERE "+strings.Join(where, " AND "), args...).Scan(&page.Overdue); err != nil {
		return FeedPage{}, fmt.Errorf("store: incident feed: %w", err)
	}
	if !q.Overdue {
		where, args = where[:len(where)-1], args[:len(args)-1]
	}
	if q.Cursor != "" {
		key, id, err := decodeFeedCursor(q.Cursor)
		if err != nil {
			return FeedPage{}, err
		}
		where = append(where, "("+keyCol+" "+cmp+" ? OR ("+keyCol+" = ? AND i.id "+cmp+" ?))")
		args = append(args, key, key, id)
	}
	rows, err := s.query(ctx, "SELECT "+prefixed("i.", incidentColumns)+", o.name FROM incidents i JOIN organisations o ON o.id = i.org_id WHERE "+
		strings.Join(where, " AND ")+" ORDER BY "+order+" LIMIT ?", append(args, q.Limit+1)...)
	if err != nil {
		return FeedPage{}, fmt.Errorf("store: incident feed: %w", err)
	}
	items, err := collect(rows, scanFeedItem, "incident feed")
	if err != nil {
		return FeedPage{}, err
	}
	if len(items) > q.Limit {
		items = items[:q.Limit]
		last := items[len(items)-1]
		key := last.CreatedAt
		if q.Overdue {
			key = *last.NextDueAt
		}
		page.NextCursor = encodeFeedCursor(key, last.ID)
	}
	if err := s.attachReports(ctx, items); err != nil {
		return FeedPage{}, err
	}
	page.Items = items
	if page.Items == nil {
		page.Items = []FeedItem{}
	}
	return page, nil
}

// scanFeedItem reads incidentColumns followed by the organisation's name.
func scanFeedItem(sc interface{ Scan(...any) error }) (FeedItem, error) {
	var it FeedItem
	inc, err := scanIncident(rowWith{sc, &it.OrgName})
	it.Incident = inc
	return it, err
}

// attachReports reads the reports of the items' incidents, one query per
// MaxFeedLimit incidents (which keeps the parameter list well within both
// databases' limits).
func (s *Store) attachReports(ctx context.Context, items []FeedItem) error {
	at := make(map[string]int, len(items))
	for i, it := range items {
		at[it.ID] = i
	}
	for start := 0; start < len(items); start += MaxFeedLimit {
		chunk := items[start:min(start+MaxFeedLimit, len(items))]
		ids := make([]any, len(chunk))
		for i, it := range chunk {
			ids[i] = it.ID
		}
		rows, err := s.query(ctx, "SELECT id, incident_id, org_id, stage, submitted_at, submitted_by FROM incident_reports WHERE incident_id IN (?"+
			strings.Repeat(", ?", len(ids)-1)+") ORDER BY submitted_at, id", ids...)
		if err != nil {
			return fmt.Errorf("store: incident reports: %w", err)
		}
		reports, err := collect(rows, scanReportHead, "incident reports")
		if err != nil {
			return err
		}
		for _, r := range reports {
			it := &items[at[r.IncidentID]]
			it.Reports = append(it.Reports, r)
		}
	}
	return nil
}

// rowWith scans a row's leading columns with sc's target list and the
// trailing ones into extra.
type rowWith struct {
	sc    interface{ Scan(...any) error }
	extra any
}

func (r rowWith) Scan(dest ...any) error { return r.sc.Scan(append(dest, r.extra)...) }

// Feed cursors are the sort key and id of a page's last item; opaque to
// clients.
func encodeFeedCursor(key time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(key.UTC().Format(time.RFC3339Nano) + " " + id))
}

func decodeFeedCursor(c string) (time.Time, string, error) {
	bad := fmt.Errorf("store: incident feed: cursor: not a cursor of this feed; use next_cursor of the previous page: %w", ErrInvalid)
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", bad
	}
	ts, id, ok := strings.Cut(string(b), " ")
	t, err := time.Parse(time.RFC3339Nano, ts)
	if !ok || err != nil || id == "" {
		return time.Time{}, "", bad
	}
	return t, id, nil
}

// prefixed qualifies each column of a column list with p.
func prefixed(p, columns string) string {
	return p + strings.ReplaceAll(columns, ", ", ", "+p)
}
