package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pflicht/pflicht/internal/vex"
	"github.com/pflicht/pflicht/internal/vuln"
)

// Finding is one vulnerability in one component of a product version, with
// the manufacturer's VEX decision on it.
type Finding struct {
	ID        string `json:"id"`
	OrgID     string `json:"org_id"`
	VersionID string `json:"version_id"`
	SBOMID    string `json:"sbom_id"` // the SBOM it was last found in
	// PURL, Component and ComponentVersion name the component as the SBOM
	// does; Ecosystem and Package are the OSV coordinates matched.
	PURL             string `json:"purl"`
	Component        string `json:"component"`
	ComponentVersion string `json:"component_version"`
	Ecosystem        string `json:"ecosystem"`
	Package          string `json:"package"`
	// VulnID is the primary id (ecosystem database over GHSA over CVE);
	// Aliases the other ids of the same vulnerability.
	VulnID   string   `json:"vuln_id"`
	Aliases  []string `json:"aliases"`
	Severity string   `json:"severity"` // CVSS rating or the database's label, UNKNOWN without
	Summary  string   `json:"summary"`
	Fixed    []string `json:"fixed"` // versions that fix it; empty when none is known
	// KnownExploited: a known-exploited catalogue lists KEVCVE, a CVE of
	// the vulnerability.
	KnownExploited bool      `json:"known_exploited"`
	KEVCVE         string    `json:"kev_cve,omitempty"`
	FirstSeen      time.Time `json:"first_seen"`
	LastSeen       time.Time `json:"last_seen"`
	// Gone: no longer matched (a newer SBOM, newer advisories); kept for
	// the record with its decisions.
	Gone bool `json:"gone"`
	// Status is the VEX status: under_investigation until decided.
	Status        string     `json:"status"`
	Justification string     `json:"justification,omitempty"`
	Note          string     `json:"note,omitempty"`
	DecidedBy     string     `json:"decided_by,omitempty"`
	DecidedAt     *time.Time `json:"decided_at,omitempty"`
	// IncidentID is the CRA Art. 14 track opened for it, "" if none.
	IncidentID string `json:"incident_id,omitempty"`
}

// ids is the vulnerability's id with its aliases.
func (f *Finding) ids() []string { return append([]string{f.VulnID}, f.Aliases...) }

// FindingFilter selects an organisation's findings. Zero fields select all;
// gone findings only with IncludeGone.
type FindingFilter struct {
	VersionID   string
	KEVOnly     bool
	Status      string
	IncludeGone bool
}

// FindingDecision is one VEX decision on a finding.
type FindingDecision struct {
	FindingID     string    `json:"finding_id"`
	Status        string    `json:"status"`
	Justification string    `json:"justification,omitempty"`
	Note          string    `json:"note,omitempty"`
	DecidedBy     string    `json:"decided_by"`
	DecidedAt     time.Time `json:"decided_at"`
}

// MaxDecisionNote bounds the free text of a decision.
const MaxDecisionNote = 4000

// FindingSet is the result of matching the components of one version's
// current SBOM. With Keys nil every component was matched, otherwise only
// those of Keys (a re-match after an import), and findings of other keys are
// left as they are.
type FindingSet struct {
	VersionID, SBOMID string
	Keys              []vuln.Key
	Findings          []Finding
}

// FindingChanges counts what recording findings changed.
type FindingChanges struct {
	New     int `json:"new"`
	Updated int `json:"updated"` // matched again with other details, or back after being gone
	Gone    int `json:"gone"`
	// Versions lists the versions with a known-exploited finding that has
	// no CRA Art. 14 track yet.
	Untracked []string `json:"untracked,omitempty"`
}

func (c *FindingChanges) add(o FindingChanges) {
	c.New += o.New
	c.Updated += o.Updated
	c.Gone += o.Gone
	for _, v := range o.Untracked {
		if !slices.Contains(c.Untracked, v) {
			c.Untracked = append(c.Untracked, v)
		}
	}
}

// RecordFindings records the results of re-matching, one transaction for
// all sets. It reaches across organisations, so it is for the system only.
func (s *Store) RecordFindings(ctx context.Context, a Actor, sets []FindingSet) (FindingChanges, error) {
	if err := a.requireAdmin("record findings"); err != nil {
		return FindingChanges{}, err
	}
	var ch FindingChanges
	err := s.Tx(ctx, func(tx *Tx) error {
		ch = FindingChanges{}
		for _, set := range sets {
			var orgID, current string
			err := tx.QueryRow(ctx, "SELECT org_id, id FROM sbom_files WHERE version_id = ? AND current", set.VersionID).Scan(&orgID, &current)
			if err != nil {
				return fmt.Errorf("store: findings of version %q: %w", set.VersionID, notFound(err))
			}
			if current != set.SBOMID {
				// A new SBOM came in since the components were loaded: its
				// upload matched it against the same data.
				continue
			}
			c, err := tx.recordFindings(ctx, a, set, orgID)
			if err != nil {
				return err
			}
			ch.add(c)
		}
		return nil
	})
	return ch, err
}

const findingColumns = `id, org_id, version_id, sbom_id, purl, component, component_version, ecosystem, package, vuln_id, aliases, severity, summary, fixed,
	known_exploited, kev_cve, first_seen, last_seen, gone, status, justification, note, decided_by, decided_at, incident_id`

func scanFinding(sc interface{ Scan(...any) error }) (Finding, error) {
	var f Finding
	var aliases, fixed string
	var decided sql.NullTime
	var incident sql.NullString
	if err := sc.Scan(&f.ID, &f.OrgID, &f.VersionID, &f.SBOMID, &f.PURL, &f.Component, &f.ComponentVersion, &f.Ecosystem, &f.Package,
		&f.VulnID, &aliases, &f.Severity, &f.Summary, &fixed, &f.KnownExploited, &f.KEVCVE, &f.FirstSeen, &f.LastSeen, &f.Gone,
		&f.Status, &f.Justification, &f.Note, &f.DecidedBy, &decided, &incident); err != nil {
		return f, err
	}
	f.FirstSeen, f.LastSeen, f.IncidentID = f.FirstSeen.UTC(), f.LastSeen.UTC(), incident.String
	if decided.Valid {
		t := decided.Time.UTC()
		f.DecidedAt = &t
	}
	if err := json.Unmarshal([]byte(aliases), &f.Aliases); err != nil {
		return f, err
	}
	return f, json.Unmarshal([]byte(fixed), &f.Fixed)
}

// material is what a re-match may change about a finding.
func material(f Finding) string {
	b, _ := json.Marshal([]any{f.Component, f.ComponentVersion, f.Ecosystem, f.Package, f.VulnID, f.Aliases, f.Severity, f.Summary, f.Fixed, f.KnownExploited, f.KEVCVE, f.Gone})
	return string(b)
}

// recordFindings stores the findings of one set in orgID. A finding that is
// stored already (same version and component, same vulnerability by id or
// alias) is updated, keeping its decision and track; stored findings in the
// set's scope not found again are gone.
func (tx *Tx) recordFindings(ctx context.Context, a Actor, set FindingSet, orgID string) (FindingChanges, error) {
	var ch FindingChanges
	now := dbTime(tx.Now())
	scope := "version_id = ?"
	args := []any{set.VersionID}
	if set.Keys != nil {
		if len(set.Keys) == 0 {
			return ch, nil
		}
		var conds []string
		for _, k := range set.Keys {
			conds = append(conds, "(key_ecosystem = ? AND key_name = ?)")
			args = append(args, k.Ecosystem, k.Name)
		}
		scope += " AND (" + strings.Join(conds, " OR ") + ")"
	}
	rows, err := tx.Query(ctx, "SELECT "+findingColumns+" FROM findings WHERE "+scope+" ORDER BY first_seen, id", args...)
	if err != nil {
		return ch, fmt.Errorf("store: findings of version %q: %w", set.VersionID, err)
	}
	stored, err := collect(rows, scanFinding, "findings")
	if err != nil {
		return ch, err
	}
	byPURL := map[string][]int{}
	for i, f := range stored {
		byPURL[f.PURL] = append(byPURL[f.PURL], i)
	}
	claimed := make([]bool, len(stored))
	// claim finds the stored finding of f: the same id first, else one
	// sharing an id or alias (the primary id moved within the group).
	claim := func(f *Finding) int {
		best := -1
		for _, i := range byPURL[f.PURL] {
			switch {
			case claimed[i]:
			case stored[i].VulnID == f.VulnID:
				return i
			case best < 0 && sharesID(stored[i].ids(), f.ids()):
				best = i
			}
		}
		return best
	}
	untracked := false
	var created, changed, gone []string
	seen := map[[2]string]bool{}
	for _, f := range set.Findings {
		if seen[[2]string{f.PURL, f.VulnID}] {
			continue
		}
		seen[[2]string{f.PURL, f.VulnID}] = true
		f.OrgID, f.VersionID, f.SBOMID, f.LastSeen, f.Gone = orgID, set.VersionID, set.SBOMID, now, false
		if f.Aliases == nil {
			f.Aliases = []string{}
		}
		if f.Fixed == nil {
			f.Fixed = []string{}
		}
		aliases, _ := json.Marshal(f.Aliases)
		fixed, _ := json.Marshal(f.Fixed)
		k := vuln.KeyOf(f.Ecosystem, f.Package)
		i := claim(&f)
		if i < 0 {
			f.ID, f.FirstSeen, f.Status = newID(), now, string(vex.UnderInvestigation)
			if _, err := tx.Exec(ctx, "INSERT INTO findings ("+findingColumns+", key_ecosystem, key_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', '', NULL, NULL, ?, ?)",
				f.ID, f.OrgID, f.VersionID, f.SBOMID, f.PURL, f.Component, f.ComponentVersion, f.Ecosystem, f.Package, f.VulnID, string(aliases),
				f.Severity, f.Summary, string(fixed), f.KnownExploited, f.KEVCVE, f.FirstSeen, f.LastSeen, false, f.Status, k.Ecosystem, k.Name); err != nil {
				return ch, fmt.Errorf("store: finding %s in %s: %w", f.VulnID, f.PURL, err)
			}
			ch.New++
			created = append(created, f.ID)
			untracked = untracked || f.KnownExploited
			continue
		}
		claimed[i] = true
		old := stored[i]
		if material(old) != material(f) {
			ch.Updated++
			changed = append(changed, old.ID)
		}
		if _, err := tx.Exec(ctx, `UPDATE findings SET sbom_id = ?, component = ?, component_version = ?, ecosystem = ?, package = ?, vuln_id = ?, aliases = ?,
			severity = ?, summary = ?, fixed = ?, known_exploited = ?, kev_cve = ?, last_seen = ?, gone = FALSE WHERE id = ?`,
			f.SBOMID, f.Component, f.ComponentVersion, f.Ecosystem, f.Package, f.VulnID, string(aliases), f.Severity, f.Summary, string(fixed),
			f.KnownExploited, f.KEVCVE, f.LastSeen, old.ID); err != nil {
			return ch, fmt.Errorf("store: finding %s: %w", old.ID, err)
		}
		untracked = untracked || f.KnownExploited && old.IncidentID == ""
	}
	for i, f := range stored {
		if claimed[i] || f.Gone {
			continue
		}
		if _, err := tx.Exec(ctx, "UPDATE findings SET gone = TRUE WHERE id = ?", f.ID); err != nil {
			return ch, fmt.Errorf("store: finding %s: %w", f.ID, err)
		}
		ch.Gone++
		gone = append(gone, f.ID)
	}
	if untracked {
		ch.Untracked = []string{set.VersionID}
	}
	if ch.New+ch.Updated+ch.Gone > 0 {
		tx.Audit(AuditEntry{Actor: a.String(), OrgID: orgID, Action: "match", Entity: "findings", EntityID: set.VersionID, After: map[string]any{
			"sbom_id": set.SBOMID, "keys": set.Keys, "new": created, "updated": changed, "gone": gone}})
	}
	return ch, nil
}

func sharesID(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// Findings lists an organisation's findings: by product version, known
// exploited first, then by vulnerability and component.
func (s *Store) Findings(ctx context.Context, a Actor, orgID string, f FindingFilter) ([]Finding, error) {
	if err := s.checkOrg(ctx, a, orgID); err != nil {
		return nil, err
	}
	q := "SELECT " + findingColumns + " FROM findings WHERE org_id = ?"
	args := []any{orgID}
	if f.VersionID != "" {
		q += " AND version_id = ?"
		args = append(args, f.VersionID)
	}
	if f.KEVOnly {
		q += " AND known_exploited"
	}
	if f.Status != "" {
		st, err := vex.ParseStatus(f.Status)
		if err != nil {
			return nil, fmt.Errorf("store: findings: status: %s: %w", err, ErrInvalid)
		}
		q += " AND status = ?"
		args = append(args, string(st))
	}
	if !f.IncludeGone {
		q += " AND NOT gone"
	}
	rows, err := s.query(ctx, q+" ORDER BY version_id, gone, known_exploited DESC, vuln_id, purl", args...)
	if err != nil {
		return nil, fmt.Errorf("store: findings: %w", err)
	}
	return collect(rows, scanFinding, "findings")
}

// Finding returns one finding.
func (s *Store) Finding(ctx context.Context, a Actor, id string) (Finding, error) {
	f, err := scanFinding(s.queryRow(ctx, "SELECT "+findingColumns+" FROM findings WHERE id = ? AND "+orgFilter("org_id", read),
		append([]any{id}, a.args(read)...)...))
	if err != nil {
		return Finding{}, fmt.Errorf("store: finding %q: %w", id, notFound(err))
	}
	return f, nil
}

// validDecision checks d and returns it normalised: status and
// justification as the OpenVEX/CSAF labels (CycloneDX values are accepted).
func validDecision(d FindingDecision) (FindingDecision, error) {
	bad := func(field, msg string) error {
		return fmt.Errorf("store: decision: %s: %s: %w", field, msg, ErrInvalid)
	}
	st, err := vex.ParseStatus(d.Status)
	if err != nil {
		return d, bad("status", "must be one of under_investigation, affected, not_affected, fixed")
	}
	d.Status = string(st)
	switch {
	case st == vex.NotAffected && strings.TrimSpace(d.Justification) == "":
		return d, bad("justification", "not_affected needs a justification")
	case st != vex.NotAffected && d.Justification != "":
		return d, bad("justification", "is given only with not_affected")
	case len(d.Note) > MaxDecisionNote || !utf8.ValidString(d.Note):
		return d, bad("note", fmt.Sprintf("must be UTF-8 of at most %d bytes", MaxDecisionNote))
	}
	if st == vex.NotAffected {
		j, err := vex.ParseJustification(d.Justification)
		if err != nil {
			return d, bad("justification", "must be one of component_not_present, vulnerable_code_not_present, vulnerable_code_not_in_execute_path, vulnerable_code_cannot_be_controlled_by_adversary, inline_mitigations_already_exist")
		}
		d.Justification = string(j)
	}
	return d, nil
}

// DecideFinding records a VEX decision on a finding: the finding carries it
// and the history keeps it. DecidedBy is the actor and DecidedAt the
// commit time, whatever d says.
func (s *Store) DecideFinding(ctx context.Context, a Actor, id string, d FindingDecision) (Finding, error) {
	d, err := validDecision(d)
	if err != nil {
		return Finding{}, err
	}
	var after Finding
	err = s.Tx(ctx, func(tx *Tx) error {
		before, err := scanFinding(tx.QueryRow(ctx, "SELECT "+findingColumns+" FROM findings WHERE id = ? AND "+orgFilter("org_id", write),
			append([]any{id}, a.args(write)...)...))
		if err != nil {
			return fmt.Errorf("store: finding %q: %w", id, notFound(err))
		}
		d.FindingID, d.DecidedBy, d.DecidedAt = id, a.String(), dbTime(tx.Now())
		if _, err := tx.Exec(ctx, "UPDATE findings SET status = ?, justification = ?, note = ?, decided_by = ?, decided_at = ? WHERE id = ?",
			d.Status, d.Justification, d.Note, d.DecidedBy, d.DecidedAt, id); err != nil {
			return fmt.Errorf("store: finding %q: %w", id, err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO finding_decisions (finding_id, org_id, status, justification, note, decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			id, before.OrgID, d.Status, d.Justification, d.Note, d.DecidedBy, d.DecidedAt); err != nil {
			return fmt.Errorf("store: finding %q: %w", id, err)
		}
		after = before
		after.Status, after.Justification, after.Note, after.DecidedBy, after.DecidedAt = d.Status, d.Justification, d.Note, d.DecidedBy, &d.DecidedAt
		tx.Audit(AuditEntry{Actor: a.String(), OrgID: before.OrgID, Action: "decide", Entity: "finding", EntityID: id, Before: before, After: after})
		return nil
	})
	if err != nil {
		return Finding{}, err
	}
	return after, nil
}

// FindingDecisions lists the decisions taken on a finding, oldest first.
func (s *Store) FindingDecisions(ctx context.Context, a Actor, findingID string) ([]FindingDecision, error) {
	if _, err := s.Finding(ctx, a, findingID); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, "SELECT finding_id, status, justification, note, decided_by, decided_at FROM finding_decisions WHERE finding_id = ? ORDER BY id", findingID)
	if err != nil {
		return nil, fmt.Errorf("store: decisions: %w", err)
	}
	return collect(rows, func(sc interface{ Scan(...any) error }) (FindingDecision, error) {
		var d FindingDecision
		err := sc.Scan(&d.FindingID, &d.Status, &d.Justification, &d.Note, &d.DecidedBy, &d.DecidedAt)
		d.DecidedAt = d.DecidedAt.UTC()
		return d, err
	}, "decisions")
}

// KEVCandidate is a known-exploited finding without a CRA Art. 14 track,
// with what deciding and naming the track needs.
type KEVCandidate struct {
	Finding
	ProductID, Product, Version string
	SupportStart, SupportEnd    string // YYYY-MM-DD, "" if not set
}

// UntrackedKEV returns the known-exploited findings of the versions that
// are not gone, not decided not_affected or fixed, and have no track. It
// reaches across organisations, so it is for the system only.
func (s *Store) UntrackedKEV(ctx context.Context, a Actor, versionIDs []string) ([]KEVCandidate, error) {
	if err := a.requireAdmin("untracked known-exploited findings"); err != nil {
		return nil, err
	}
	var out []KEVCandidate
	q := `SELECT ` + prefixed("f.", findingColumns) + `, p.id, p.name, v.version, v.support_start, v.support_end
		FROM findings f JOIN product_versions v ON v.id = f.version_id JOIN products p ON p.id = v.product_id
		WHERE f.known_exploited AND NOT f.gone AND f.incident_id IS NULL AND f.status IN ('under_investigation', 'affected')
		AND f.version_id IN (?*)`
	err := s.inQuery(ctx, q, nil, slices.Compact(slices.Sorted(slices.Values(versionIDs))), func(rows *sql.Rows) error {
		var c KEVCandidate
		var rest [5]string
		f, err := scanFinding(scanTail{rows, rest[:]})
		if err != nil {
			return err
		}
		c.Finding = f
		c.ProductID, c.Product, c.Version, c.SupportStart, c.SupportEnd = rest[0], rest[1], rest[2], rest[3], rest[4]
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: untracked known-exploited findings: %w", err)
	}
	// By product and CVE, so each track's findings come together.
	slices.SortFunc(out, func(a, b KEVCandidate) int {
		return cmp.Or(strings.Compare(a.ProductID, b.ProductID), strings.Compare(a.KEVCVE, b.KEVCVE),
			strings.Compare(a.VersionID, b.VersionID), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// scanTail scans a row into a scanner's columns followed by extra strings.
type scanTail struct {
	rows  *sql.Rows
	extra []string
}

func (t scanTail) Scan(dest ...any) error {
	for i := range t.extra {
		dest = append(dest, &t.extra[i])
	}
	return t.rows.Scan(dest...)
}

// KEVTrackOpen is what OpenKEVTrack needs to open the CRA Art. 14 track
// of a product and an exploited CVE, or to link findings to the open one.
type KEVTrackOpen struct {
	// Incident is the track to open if the product has none open for the
	// CVE: OrgID (the product's organisation), Regime (cra-vulnerability),
	// Title and AwareAt, as CreateIncident takes them.
	Incident   Incident
	ProductID  string
	CVE        string
	FindingIDs []string // of the organisation; those linked already are left
	// Notification builds the notification of a track opened from its
	// incident as stored (the text names its id); it runs inside the
	// transaction, and its OrgID is set to the incident's.
	Notification func(Incident) Notification
}

// errTrackRaced: another transaction opened the track after this one
// looked for it.
var errTrackRaced = errors.New("store: track opened concurrently")

// OpenKEVTrack opens the CRA Art. 14 track of t.ProductID and t.CVE in one
// transaction: if the product has an open track for the CVE, the findings
// are linked to it (opened false); otherwise the incident is created (with
// opts, as CreateIncident), recorded as the track, the findings linked and
// the notification queued on every channel, or nothing is stored.
//
// The unique index kev_tracks_open settles a race between processes: the
// track of the transaction that loses is not inserted, the transaction is
// rolled back, and it is run again, now linking to the winner's track.
func (s *Store) OpenKEVTrack(ctx context.Context, a Actor, t KEVTrackOpen, opts ...IncidentOption) (inc Incident, opened bool, err error) {
	switch {
	case t.Incident.Regime != RegimeCRAVulnerability:
		return Incident{}, false, fmt.Errorf("store: track of %s: regime %q is not cra-vulnerability: %w", t.CVE, t.Incident.Regime, ErrInvalid)
	case strings.TrimSpace(t.CVE) == "":
		return Incident{}, false, fmt.Errorf("store: track: cve must not be empty: %w", ErrInvalid)
	case t.ProductID == "":
		return Incident{}, false, fmt.Errorf("store: track of %s: product_id must not be empty: %w", t.CVE, ErrInvalid)
	case t.Notification == nil:
		return Incident{}, false, fmt.Errorf("store: track of %s: no notification: %w", t.CVE, ErrInvalid)
	}
	o := incidentOpts(opts)
	// The second attempt links to the track that won the race; a third
	// is needed only if that one was closed and another opened meanwhile.
	for range 3 {
		err = s.Tx(ctx, func(tx *Tx) error {
			var err error
			inc, opened, err = tx.openKEVTrack(ctx, a, t, o)
			return err
		})
		if !errors.Is(err, errTrackRaced) {
			return inc, opened, err
		}
	}
	return Incident{}, false, fmt.Errorf("store: track of %s: opened and closed concurrently, try again: %w", t.CVE, ErrConflict)
}

func (tx *Tx) openKEVTrack(ctx context.Context, a Actor, t KEVTrackOpen, o incidentOptions) (Incident, bool, error) {
	orgID := t.Incident.OrgID
	if err := tx.checkOrg(ctx, a, orgID, write); err != nil {
		return Incident{}, false, err
	}
	var one int
	if err := tx.QueryRow(ctx, "SELECT 1 FROM products WHERE id = ? AND org_id = ?", t.ProductID, orgID).Scan(&one); err != nil {
		return Incident{}, false, fmt.Errorf("store: track of %s: product %q: %w", t.CVE, t.ProductID, notFound(err))
	}
	inc, err := scanIncident(tx.QueryRow(ctx, "SELECT "+prefixed("i.", incidentColumns)+` FROM kev_tracks t JOIN incidents i ON i.id = t.incident_id
		WHERE t.org_id = ? AND t.product_id = ? AND t.cve = ? AND t.is_open`, orgID, t.ProductID, t.CVE))
	if err == nil {
		return inc, false, tx.linkKEVFindings(ctx, a, inc.ID, t)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return Incident{}, false, fmt.Errorf("store: track of %s: %w", t.CVE, err)
	}
	if inc, err = tx.createIncident(ctx, a, t.Incident, o); err != nil {
		return Incident{}, false, err
	}
	// DO NOTHING instead of an error: on PostgreSQL an error would abort
	// the transaction; this waits for a concurrent insert to commit and
	// then reports no row.
	res, err := tx.Exec(ctx, `INSERT INTO kev_tracks (incident_id, org_id, product_id, cve, opened_at, is_open) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (org_id, product_id, cve) WHERE is_open DO NOTHING`, inc.ID, orgID, t.ProductID, t.CVE, tx.Now(), true)
	if err != nil {
		return Incident{}, false, fmt.Errorf("store: track of %s: %w", t.CVE, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return Incident{}, false, fmt.Errorf("store: track of %s: %w", t.CVE, err)
	} else if n == 0 {
		return Incident{}, false, errTrackRaced
	}
	if err := tx.linkKEVFindings(ctx, a, inc.ID, t); err != nil {
		return Incident{}, false, err
	}
	n := t.Notification(inc)
	n.OrgID = orgID
	if _, err := tx.notify(ctx, a, n); err != nil {
		return Incident{}, false, err
	}
	return inc, true, nil
}

// linkKEVFindings links the findings of t not linked yet to the track
// incidentID.
func (tx *Tx) linkKEVFindings(ctx context.Context, a Actor, incidentID string, t KEVTrackOpen) error {
	orgID := t.Incident.OrgID
	var linked []string
	for _, id := range slices.Sorted(slices.Values(t.FindingIDs)) {
		res, err := tx.Exec(ctx, "UPDATE findings SET incident_id = ? WHERE id = ? AND org_id = ? AND incident_id IS NULL", incidentID, id, orgID)
		if err != nil {
			return fmt.Errorf("store: finding %q: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			linked = append(linked, id)
		}
	}
	tx.Audit(AuditEntry{Actor: a.String(), OrgID: orgID, Action: "link", Entity: "kev_track", EntityID: incidentID,
		After: map[string]any{"product_id": t.ProductID, "cve": t.CVE, "findings": linked}})
	return nil
}

// setKEVTrackOpen opens or closes the track of incident id with its
// incident, if it is one.
func (tx *Tx) setKEVTrackOpen(ctx context.Context, id string, open bool) error {
	if open {
		var other string
		err := tx.QueryRow(ctx, `SELECT o.incident_id FROM kev_tracks t JOIN kev_tracks o ON o.org_id = t.org_id AND o.product_id = t.product_id AND o.cve = t.cve
			WHERE t.incident_id = ? AND o.is_open AND o.incident_id <> t.incident_id`, id).Scan(&other)
		if err == nil {
			return fmt.Errorf("store: incident %q: its product has another open track for the CVE, incident %s; close that one first: %w", id, other, ErrConflict)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: incident %q: track: %w", id, err)
		}
	}
	if _, err := tx.Exec(ctx, "UPDATE kev_tracks SET is_open = ? WHERE incident_id = ?", open, id); err != nil {
		return fmt.Errorf("store: incident %q: track: %w", id, err)
	}
	return nil
}
