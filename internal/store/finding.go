package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
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

// KEVTrack returns the open CRA Art. 14 incident pflicht opened for a
// product and an exploited CVE, or "" if there is none.
func (s *Store) KEVTrack(ctx context.Context, a Actor, productID, cve string) (string, error) {
	var id string
	err := s.queryRow(ctx, `SELECT t.incident_id FROM kev_tracks t JOIN incidents i ON i.id = t.incident_id
		WHERE t.product_id = ? AND t.cve = ? AND i.status = 'open' AND `+orgFilter("t.org_id", read)+` ORDER BY t.opened_at LIMIT 1`,
		append([]any{productID, cve}, a.args(read)...)...).Scan(&id)
	if err != nil && !errNoRows(err) {
		return "", fmt.Errorf("store: track of %s: %w", cve, err)
	}
	return id, nil
}

// LinkKEVTrack makes incidentID the track of a product and exploited CVE
// and links the findings to it. If another open track was linked for them
// meanwhile, the findings are linked to that one, which is returned.
func (s *Store) LinkKEVTrack(ctx context.Context, a Actor, incidentID, productID, cve string, findingIDs []string) (string, error) {
	linked := incidentID
	err := s.Tx(ctx, func(tx *Tx) error {
		var orgID, regime string
		err := tx.QueryRow(ctx, "SELECT org_id, regime FROM incidents WHERE id = ? AND "+orgFilter("org_id", write),
			append([]any{incidentID}, a.args(write)...)...).Scan(&orgID, &regime)
		if err != nil {
			return fmt.Errorf("store: incident %q: %w", incidentID, notFound(err))
		}
		if Regime(regime) != RegimeCRAVulnerability {
			return fmt.Errorf("store: incident %q: regime %s is not cra-vulnerability: %w", incidentID, regime, ErrInvalid)
		}
		var other string
		err = tx.QueryRow(ctx, `SELECT t.incident_id FROM kev_tracks t JOIN incidents i ON i.id = t.incident_id
			WHERE t.product_id = ? AND t.cve = ? AND i.status = 'open' AND t.org_id = ? ORDER BY t.opened_at LIMIT 1`, productID, cve, orgID).Scan(&other)
		switch {
		case err == nil:
			linked = other
		case !errNoRows(err):
			return fmt.Errorf("store: track of %s: %w", cve, err)
		default:
			if _, err := tx.Exec(ctx, "INSERT INTO kev_tracks (incident_id, org_id, product_id, cve, opened_at) SELECT ?, org_id, id, ?, ? FROM products WHERE id = ? AND org_id = ?",
				incidentID, cve, tx.Now(), productID, orgID); err != nil {
				return fmt.Errorf("store: track of %s: %w", cve, err)
			}
		}
		var linkedIDs []string
		for _, id := range slices.Sorted(slices.Values(findingIDs)) {
			res, err := tx.Exec(ctx, "UPDATE findings SET incident_id = ? WHERE id = ? AND org_id = ? AND incident_id IS NULL", linked, id, orgID)
			if err != nil {
				return fmt.Errorf("store: finding %q: %w", id, err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				linkedIDs = append(linkedIDs, id)
			}
		}
		tx.Audit(AuditEntry{Actor: a.String(), OrgID: orgID, Action: "link", Entity: "kev_track", EntityID: linked,
			After: map[string]any{"product_id": productID, "cve": cve, "findings": linkedIDs}})
		return nil
	})
	return linked, err
}
