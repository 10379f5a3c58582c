package store

import (
	"context"
	"database/sql"
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

const incidentColumns = "id, org_id, regime, title, aware_at, created_at, status"

func scanIncident(sc interface{ Scan(...any) error }) (Incident, error) {
	var i Incident
	err := sc.Scan(&i.ID, &i.OrgID, &i.Regime, &i.Title, &i.AwareAt, &i.CreatedAt, &i.Status)
	return i, err
}

// CreateIncident records a new open incident of in.OrgID; ID, CreatedAt and
// Status are set here.
func (s *Store) CreateIncident(ctx context.Context, a Actor, in Incident) (Incident, error) {
	switch {
	case !in.Regime.valid():
		return Incident{}, fmt.Errorf("store: incident: regime %q is not bsig, cra-incident or cra-vulnerability: %w", in.Regime, ErrInvalid)
	case strings.TrimSpace(in.Title) == "":
		return Incident{}, fmt.Errorf("store: incident: title must not be empty: %w", ErrInvalid)
	case in.AwareAt.IsZero():
		return Incident{}, fmt.Errorf("store: incident: aware_at is missing: %w", ErrInvalid)
	}
	err := s.Tx(ctx, func(tx *Tx) error {
		if err := tx.checkOrg(ctx, a, in.OrgID, write); err != nil {
			return err
		}
		in.ID, in.CreatedAt, in.Status, in.AwareAt = newID(), dbTime(tx.Now()), "open", dbTime(in.AwareAt)
		if _, err := tx.Exec(ctx, "INSERT INTO incidents ("+incidentColumns+") VALUES (?, ?, ?, ?, ?, ?, ?)",
			in.ID, in.OrgID, in.Regime, in.Title, in.AwareAt, in.CreatedAt, in.Status); err != nil {
			return fmt.Errorf("store: create incident: %w", err)
		}
		tx.Audit(AuditEntry{Actor: a.String(), OrgID: in.OrgID, Action: "create", Entity: "incident", EntityID: in.ID, After: in})
		return nil
	})
	return in, err
}

// Incident returns one incident.
func (s *Store) Incident(ctx context.Context, a Actor, id string) (Incident, error) {
	i, err := scanIncident(s.queryRow(ctx, "SELECT "+incidentColumns+" FROM incidents WHERE id = ? AND "+orgFilter("org_id", read),
		append([]any{id}, a.args(read)...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return i, fmt.Errorf("store: incident %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return i, fmt.Errorf("store: incident %q: %w", id, err)
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

// SetIncidentStatus opens or closes an incident.
func (s *Store) SetIncidentStatus(ctx context.Context, a Actor, id, status string) error {
	if status != "open" && status != "closed" {
		return fmt.Errorf("store: incident: status %q is not open or closed: %w", status, ErrInvalid)
	}
	return s.Tx(ctx, func(tx *Tx) error {
		before, err := scanIncident(tx.QueryRow(ctx, "SELECT "+incidentColumns+" FROM incidents WHERE id = ? AND "+orgFilter("org_id", write),
			append([]any{id}, a.args(write)...)...))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: incident %q: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: incident %q: %w", id, err)
		}
		if _, err := tx.Exec(ctx, "UPDATE incidents SET status = ? WHERE id = ?", status, id); err != nil {
			return fmt.Errorf("store: incident %q: %w", id, err)
		}
		after := before
		after.Status = status
		tx.Audit(AuditEntry{Actor: a.String(), OrgID: before.OrgID, Action: "update", Entity: "incident", EntityID: id, Before: before, After: after})
		return nil
	})
}

// insertReport adds a report to an incident the actor may write, in one
// statement: the organisation filter is part of the INSERT.
var insertReport = `INSERT INTO incident_reports (id, incident_id, org_id, stage, content, submitted_at, submitted_by)
	SELECT ?, id, org_id, ?, ?, ?, ? FROM incidents WHERE id = ? AND ` + orgFilter("org_id", write) + `
	RETURNING org_id`

// SubmitReport submits one stage of an incident's reporting, stamped with
// the commit time. content must be a JSON object. This is the hot path of
// the portal: one transaction of two statements plus the audit append.
func (s *Store) SubmitReport(ctx context.Context, a Actor, incidentID, stage string, content json.RawMessage) (Report, error) {
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
	r := Report{ID: newID(), IncidentID: incidentID, Stage: stage, Content: content, SubmittedBy: a.String()}
	err := s.Tx(ctx, func(tx *Tx) error {
		r.SubmittedAt = dbTime(tx.Now())
		args := append([]any{r.ID, r.Stage, string(r.Content), r.SubmittedAt, r.SubmittedBy, incidentID}, a.args(write)...)
		err := tx.QueryRow(ctx, insertReport, args...).Scan(&r.OrgID)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: incident %q: %w", incidentID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: submit report: %w", err)
		}
		tx.Audit(AuditEntry{Actor: r.SubmittedBy, OrgID: r.OrgID, Action: "submit", Entity: "incident_report", EntityID: r.ID, After: r})
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
	if _, err := s.Incident(ctx, a, incidentID); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT id, incident_id, org_id, stage, content, submitted_at, submitted_by
		FROM incident_reports WHERE incident_id = ? ORDER BY submitted_at, id`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("store: reports: %w", err)
	}
	return collect(rows, func(sc interface{ Scan(...any) error }) (Report, error) {
		var r Report
		var content string
		err := sc.Scan(&r.ID, &r.IncidentID, &r.OrgID, &r.Stage, &content, &r.SubmittedAt, &r.SubmittedBy)
		r.Content = json.RawMessage(content)
		return r, err
	}, "reports")
}
