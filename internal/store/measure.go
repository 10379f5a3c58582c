package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MeasureIDs are the ten risk-management measures of §30(2) sentence 2 BSIG,
// numbered by their item: "30.2.1" (Konzepte für Risikoanalyse und
// Sicherheit) to "30.2.10" (Multi-Faktor-Authentifizierung).
var MeasureIDs = []string{"30.2.1", "30.2.2", "30.2.3", "30.2.4", "30.2.5", "30.2.6", "30.2.7", "30.2.8", "30.2.9", "30.2.10"}

// Measure is an organisation's state of one §30(2) measure.
type Measure struct {
	MeasureID  string    `json:"measure_id"`
	Status     string    `json:"status"` // open, in_progress, implemented, not_applicable
	Owner      string    `json:"owner"`
	ReviewDate string    `json:"review_date"` // YYYY-MM-DD, "" if none
	Notes      string    `json:"notes"`
	UpdatedAt  time.Time `json:"updated_at"` // zero while never set
	UpdatedBy  string    `json:"updated_by"`
}

func (m Measure) validate() error {
	bad := func(field, msg string) error {
		return fmt.Errorf("store: measure %s: %s: %s: %w", m.MeasureID, field, msg, ErrInvalid)
	}
	known := false
	for _, id := range MeasureIDs {
		known = known || id == m.MeasureID
	}
	if !known {
		return bad("measure_id", "not one of 30.2.1 … 30.2.10")
	}
	switch m.Status {
	case "open", "in_progress", "implemented", "not_applicable":
	default:
		return bad("status", fmt.Sprintf("%q is not open, in_progress, implemented or not_applicable", m.Status))
	}
	if m.ReviewDate != "" {
		if _, err := time.Parse(time.DateOnly, m.ReviewDate); err != nil {
			return bad("review_date", fmt.Sprintf("%q is not a date YYYY-MM-DD", m.ReviewDate))
		}
	}
	return nil
}

// Measures returns the ten measures of an organisation in order; those never
// set are "open".
func (s *Store) Measures(ctx context.Context, a Actor, orgID string) ([]Measure, error) {
	if err := s.checkOrg(ctx, a, orgID); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, "SELECT measure_id, status, owner, review_date, notes, updated_at, updated_by FROM measures WHERE org_id = ?", orgID)
	if err != nil {
		return nil, fmt.Errorf("store: measures: %w", err)
	}
	set, err := collect(rows, func(sc interface{ Scan(...any) error }) (Measure, error) {
		var m Measure
		err := sc.Scan(&m.MeasureID, &m.Status, &m.Owner, &m.ReviewDate, &m.Notes, &m.UpdatedAt, &m.UpdatedBy)
		return m, err
	}, "measures")
	if err != nil {
		return nil, err
	}
	byID := map[string]Measure{}
	for _, m := range set {
		byID[m.MeasureID] = m
	}
	out := make([]Measure, len(MeasureIDs))
	for i, id := range MeasureIDs {
		m, ok := byID[id]
		if !ok {
			m = Measure{MeasureID: id, Status: "open"}
		}
		out[i] = m
	}
	return out, nil
}

// SetMeasure records the state of one measure.
func (s *Store) SetMeasure(ctx context.Context, a Actor, orgID string, m Measure) (Measure, error) {
	if err := m.validate(); err != nil {
		return Measure{}, err
	}
	err := s.Tx(ctx, func(tx *Tx) error {
		if err := tx.checkOrg(ctx, a, orgID, write); err != nil {
			return err
		}
		var before *Measure
		var b Measure
		err := tx.QueryRow(ctx, "SELECT measure_id, status, owner, review_date, notes, updated_at, updated_by FROM measures WHERE org_id = ? AND measure_id = ?",
			orgID, m.MeasureID).Scan(&b.MeasureID, &b.Status, &b.Owner, &b.ReviewDate, &b.Notes, &b.UpdatedAt, &b.UpdatedBy)
		switch {
		case err == nil:
			before = &b
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("store: measure %s: %w", m.MeasureID, err)
		}
		m.UpdatedAt, m.UpdatedBy = dbTime(tx.Now()), a.String()
		if _, err := tx.Exec(ctx, `INSERT INTO measures (org_id, measure_id, status, owner, review_date, notes, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (org_id, measure_id) DO UPDATE SET status = excluded.status, owner = excluded.owner,
				review_date = excluded.review_date, notes = excluded.notes, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			orgID, m.MeasureID, m.Status, m.Owner, m.ReviewDate, m.Notes, m.UpdatedAt, m.UpdatedBy); err != nil {
			return fmt.Errorf("store: measure %s: %w", m.MeasureID, err)
		}
		tx.Audit(AuditEntry{Actor: a.String(), OrgID: orgID, Action: "update", Entity: "measure", EntityID: m.MeasureID, Before: before, After: m})
		return nil
	})
	return m, err
}

// Evidence is an uploaded file documenting a measure (or the organisation
// generally, MeasureID ""). Its content is stored once per SHA-256.
type Evidence struct {
	ID          string    `json:"id"`
	OrgID       string    `json:"org_id"`
	MeasureID   string    `json:"measure_id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	SHA256      string    `json:"sha256"`
	Size        int64     `json:"size"`
	CreatedAt   time.Time `json:"created_at"`
	CreatedBy   string    `json:"created_by"`
	// CreatedByEmail is the uploading user's e-mail address, "" if the
	// system uploaded it.
	CreatedByEmail string `json:"created_by_email,omitempty"`
}

// MaxEvidenceSize bounds one evidence file.
const MaxEvidenceSize = 32 << 20

// maxEvidenceName bounds a file name in bytes, as most file systems do.
const maxEvidenceName = 255

// validate checks what the row will hold; the content is checked by size
// only (the portal checks its type before).
func (e Evidence) validate() error {
	bad := func(field, msg string) error {
		return fmt.Errorf("store: evidence: %s: %s: %w", field, msg, ErrInvalid)
	}
	if e.MeasureID != "" && !slices.Contains(MeasureIDs, e.MeasureID) {
		return bad("measure_id", fmt.Sprintf("%q is not one of 30.2.1 … 30.2.10", e.MeasureID))
	}
	switch {
	case strings.TrimSpace(e.Name) == "":
		return bad("name", "must not be empty")
	case len(e.Name) > maxEvidenceName:
		return bad("name", fmt.Sprintf("longer than %d bytes", maxEvidenceName))
	case !utf8.ValidString(e.Name):
		return bad("name", "not valid UTF-8")
	case e.Name == "." || e.Name == "..":
		return bad("name", fmt.Sprintf("%q is not a file name", e.Name))
	}
	// A name is shown on pages and sent back in Content-Disposition: no
	// directories, no control characters.
	for _, r := range e.Name {
		if r == '/' || r == '\\' || unicode.IsControl(r) {
			return bad("name", fmt.Sprintf("%q holds a path separator or control character", e.Name))
		}
	}
	return nil
}

// AddEvidence stores content (read up to MaxEvidenceSize) as evidence. The
// content is read completely before the transaction starts, so a read that
// fails half-way stores nothing; the blob and the row that refers to it
// commit together.
func (s *Store) AddEvidence(ctx context.Context, a Actor, e Evidence, content io.Reader) (Evidence, error) {
	if err := e.validate(); err != nil {
		return Evidence{}, err
	}
	data, err := io.ReadAll(io.LimitReader(content, MaxEvidenceSize+1))
	if err != nil {
		return Evidence{}, fmt.Errorf("store: evidence %s: %w", e.Name, err)
	}
	if len(data) > MaxEvidenceSize {
		return Evidence{}, fmt.Errorf("store: evidence %s: larger than %d bytes: %w", e.Name, MaxEvidenceSize, ErrInvalid)
	}
	sum := sha256.Sum256(data)
	e.SHA256, e.Size = hex.EncodeToString(sum[:]), int64(len(data))
	if e.ContentType == "" {
		e.ContentType = "application/octet-stream"
	}
	err = s.Tx(ctx, func(tx *Tx) error {
		if err := tx.checkOrg(ctx, a, e.OrgID, write); err != nil {
			return err
		}
		e.ID, e.CreatedAt, e.CreatedBy = newID(), dbTime(tx.Now()), a.String()
		if _, err := tx.Exec(ctx, "INSERT INTO blobs (sha256, size, data) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING", e.SHA256, e.Size, data); err != nil {
			return fmt.Errorf("store: evidence %s: %w", e.Name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO evidence (id, org_id, measure_id, name, content_type, sha256, size, created_at, created_by, created_by_user)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, e.OrgID, e.MeasureID, e.Name, e.ContentType, e.SHA256, e.Size, e.CreatedAt, e.CreatedBy, a.UserID); err != nil {
			return fmt.Errorf("store: evidence %s: %w", e.Name, err)
		}
		tx.Audit(AuditEntry{Actor: a.String(), OrgID: e.OrgID, Action: "create", Entity: "evidence", EntityID: e.ID, After: e})
		return nil
	})
	return e, err
}

// evidenceFrom selects evidence e with the uploader's address.
const (
	evidenceColumns = "e.id, e.org_id, e.measure_id, e.name, e.content_type, e.sha256, e.size, e.created_at, e.created_by, COALESCE(u.email, '')"
	evidenceFrom    = " FROM evidence e LEFT JOIN users u ON u.id = e.created_by_user"
)

func scanEvidence(sc interface{ Scan(...any) error }) (Evidence, error) {
	var e Evidence
	err := sc.Scan(&e.ID, &e.OrgID, &e.MeasureID, &e.Name, &e.ContentType, &e.SHA256, &e.Size, &e.CreatedAt, &e.CreatedBy, &e.CreatedByEmail)
	return e, err
}

// EvidenceList lists an organisation's evidence, newest first.
func (s *Store) EvidenceList(ctx context.Context, a Actor, orgID string) ([]Evidence, error) {
	if err := s.checkOrg(ctx, a, orgID); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, "SELECT "+evidenceColumns+evidenceFrom+" WHERE e.org_id = ? ORDER BY e.created_at DESC, e.id", orgID)
	if err != nil {
		return nil, fmt.Errorf("store: evidence: %w", err)
	}
	return collect(rows, scanEvidence, "evidence")
}

// EvidenceContent returns one evidence file with its content.
func (s *Store) EvidenceContent(ctx context.Context, a Actor, id string) (Evidence, io.Reader, error) {
	var data []byte
	row := s.queryRow(ctx, "SELECT "+evidenceColumns+", b.data"+evidenceFrom+" JOIN blobs b ON b.sha256 = e.sha256 WHERE e.id = ? AND "+orgFilter("e.org_id", read),
		append([]any{id}, a.args(read)...)...)
	var e Evidence
	err := row.Scan(&e.ID, &e.OrgID, &e.MeasureID, &e.Name, &e.ContentType, &e.SHA256, &e.Size, &e.CreatedAt, &e.CreatedBy, &e.CreatedByEmail, &data)
	if err != nil {
		return e, nil, fmt.Errorf("store: evidence %q: %w", id, notFound(err))
	}
	return e, bytes.NewReader(data), nil
}

// ManagementRecord documents what §38 BSIG asks of the management body:
// implementing and supervising the measures (§38(1), kind "supervision")
// and regular training (§38(3), kind "training").
type ManagementRecord struct {
	ID     string `json:"id"`
	OrgID  string `json:"org_id"`
	Kind   string `json:"kind"`
	HeldOn string `json:"held_on"` // YYYY-MM-DD
	Title  string `json:"title"`
	// Participants names the members of the management body who took part.
	Participants string    `json:"participants"`
	Notes        string    `json:"notes"`
	CreatedAt    time.Time `json:"created_at"`
	CreatedBy    string    `json:"created_by"`
	// CreatedByEmail is the recording user's e-mail address, "" for the system.
	CreatedByEmail string `json:"created_by_email,omitempty"`
}

// AddManagementRecord records a §38 training or supervision.
func (s *Store) AddManagementRecord(ctx context.Context, a Actor, r ManagementRecord) (ManagementRecord, error) {
	if r.Kind != "training" && r.Kind != "supervision" {
		return r, fmt.Errorf("store: management record: kind %q is not training or supervision: %w", r.Kind, ErrInvalid)
	}
	if _, err := time.Parse(time.DateOnly, r.HeldOn); err != nil {
		return r, fmt.Errorf("store: management record: held_on %q is not a date YYYY-MM-DD: %w", r.HeldOn, ErrInvalid)
	}
	if strings.TrimSpace(r.Title) == "" {
		return r, fmt.Errorf("store: management record: title must not be empty: %w", ErrInvalid)
	}
	err := s.Tx(ctx, func(tx *Tx) error {
		if err := tx.checkOrg(ctx, a, r.OrgID, write); err != nil {
			return err
		}
		r.ID, r.CreatedAt, r.CreatedBy = newID(), dbTime(tx.Now()), a.String()
		if _, err := tx.Exec(ctx, `INSERT INTO management_records (id, org_id, kind, held_on, title, participants, notes, created_at, created_by, created_by_user)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, r.OrgID, r.Kind, r.HeldOn, r.Title, r.Participants, r.Notes, r.CreatedAt, r.CreatedBy, a.UserID); err != nil {
			return fmt.Errorf("store: management record: %w", err)
		}
		tx.Audit(AuditEntry{Actor: a.String(), OrgID: r.OrgID, Action: "create", Entity: "management_record", EntityID: r.ID, After: r})
		return nil
	})
	return r, err
}

// ManagementRecords lists an organisation's §38 records, latest first.
func (s *Store) ManagementRecords(ctx context.Context, a Actor, orgID string) ([]ManagementRecord, error) {
	if err := s.checkOrg(ctx, a, orgID); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT m.id, m.org_id, m.kind, m.held_on, m.title, m.participants, m.notes, m.created_at, m.created_by, COALESCE(u.email, '')
		FROM management_records m LEFT JOIN users u ON u.id = m.created_by_user
		WHERE m.org_id = ? ORDER BY m.held_on DESC, m.created_at DESC, m.id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("store: management records: %w", err)
	}
	return collect(rows, func(sc interface{ Scan(...any) error }) (ManagementRecord, error) {
		var r ManagementRecord
		err := sc.Scan(&r.ID, &r.OrgID, &r.Kind, &r.HeldOn, &r.Title, &r.Participants, &r.Notes, &r.CreatedAt, &r.CreatedBy, &r.CreatedByEmail)
		return r, err
	}, "management records")
}
