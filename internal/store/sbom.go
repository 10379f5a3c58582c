package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pflicht/pflicht/internal/vuln"
)

// SBOMFile is an SBOM uploaded for a product version. The newest upload of a
// version is its current SBOM, whose components are matched; older ones are
// kept for the record.
type SBOMFile struct {
	ID         string `json:"id"`
	OrgID      string `json:"org_id"`
	VersionID  string `json:"version_id"`
	Name       string `json:"name"`
	Format     string `json:"format"` // "CycloneDX 1.6 JSON", "SPDX 2.3 tag-value", …
	SHA256     string `json:"sha256"`
	Size       int64  `json:"size"`
	Components int    `json:"components"`
	// Unscanned are the components not checked, or not against every
	// advisory naming them, with the reason, as of the upload; re-matching
	// after an import brings its no_advisories entries up to date.
	Unscanned []Unscanned `json:"unscanned"`
	// Problems are the deviations from the format the parser found in an
	// SBOM it could read in part, in document order.
	Problems   []SBOMProblem `json:"problems"`
	UploadedAt time.Time     `json:"uploaded_at"`
	UploadedBy string        `json:"uploaded_by"`
	Current    bool          `json:"current"`
}

// SBOMProblem is a deviation from the SBOM's format that did not stop
// parsing (sbom.Problem): where (a JSON pointer, component path or "line
// N") and what.
type SBOMProblem struct {
	Where  string `json:"where"`
	Reason string `json:"reason"`
}

// Unscanned is a component that could not be checked, and why.
type Unscanned struct {
	Component string `json:"component"`
	Reason    string `json:"reason"`
	// Code is the kind of reason for machines and translations (an
	// sbom.Code, a vuln.Reason, or not_evaluable for an advisory whose
	// ranges could not be evaluated); empty in rows stored before it.
	Code string `json:"code,omitempty"`
	// Ecosystem and PURL are the coordinates the matcher had (empty where
	// the component has none, and in rows stored before them), so a
	// "no advisories" entry can be checked again after an import.
	Ecosystem string `json:"ecosystem,omitempty"`
	PURL      string `json:"purl,omitempty"`
}

// SBOMComponent is a checkable component in OSV coordinates: what is
// matched, and what re-matching after an import loads again.
type SBOMComponent struct {
	Ecosystem string `json:"ecosystem"` // may carry a release suffix ("Debian:12")
	Name      string `json:"name"`
	Version   string `json:"version"`
	PURL      string `json:"purl"`
	Label     string `json:"label"` // the component as the SBOM names it
}

// StoredComponent is a component of a current SBOM.
type StoredComponent struct {
	SBOMComponent
	OrgID, VersionID, SBOMID string
}

// SBOMUpload is a parsed SBOM to store as the current one of a version.
type SBOMUpload struct {
	VersionID string
	Name      string // file name, for people
	Format    string
	Data      []byte
	// Components counts every component of the document; Packages are the
	// checkable ones, Unscanned the others.
	Components int
	Packages   []SBOMComponent
	Unscanned  []Unscanned
	Problems   []SBOMProblem
}

// MaxSBOMName bounds an SBOM's file name.
const MaxSBOMName = 255

// AddSBOM stores up as the current SBOM of its version, the previous one
// staying for the record, and records found as the version's findings:
// findings not found again are gone. Content, components and findings
// commit together.
func (s *Store) AddSBOM(ctx context.Context, a Actor, up SBOMUpload, found []Finding) (SBOMFile, FindingChanges, error) {
	switch {
	case strings.TrimSpace(up.Name) == "":
		return SBOMFile{}, FindingChanges{}, fmt.Errorf("store: sbom: name must not be empty: %w", ErrInvalid)
	case len(up.Name) > MaxSBOMName || !utf8.ValidString(up.Name):
		return SBOMFile{}, FindingChanges{}, fmt.Errorf("store: sbom: name must be UTF-8 of at most %d bytes: %w", MaxSBOMName, ErrInvalid)
	case up.Format == "":
		return SBOMFile{}, FindingChanges{}, fmt.Errorf("store: sbom: format must not be empty: %w", ErrInvalid)
	}
	sum := sha256.Sum256(up.Data)
	f := SBOMFile{VersionID: up.VersionID, Name: up.Name, Format: up.Format, SHA256: hex.EncodeToString(sum[:]),
		Size: int64(len(up.Data)), Components: up.Components, Unscanned: up.Unscanned, Problems: up.Problems, UploadedBy: a.String(), Current: true}
	if f.Unscanned == nil {
		f.Unscanned = []Unscanned{}
	}
	if f.Problems == nil {
		f.Problems = []SBOMProblem{}
	}
	unscanned, err := json.Marshal(f.Unscanned)
	if err != nil {
		return SBOMFile{}, FindingChanges{}, fmt.Errorf("store: sbom: %w", err)
	}
	problems, err := json.Marshal(f.Problems)
	if err != nil {
		return SBOMFile{}, FindingChanges{}, fmt.Errorf("store: sbom: %w", err)
	}
	var ch FindingChanges
	err = s.Tx(ctx, func(tx *Tx) error {
		err := tx.QueryRow(ctx, "SELECT org_id FROM product_versions WHERE id = ? AND "+orgFilter("org_id", write),
			append([]any{up.VersionID}, a.args(write)...)...).Scan(&f.OrgID)
		if err != nil {
			return fmt.Errorf("store: product version %q: %w", up.VersionID, notFound(err))
		}
		f.ID, f.UploadedAt = newID(), dbTime(tx.Now())
		if _, err := tx.Exec(ctx, "INSERT INTO blobs (sha256, size, data) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING", f.SHA256, f.Size, up.Data); err != nil {
			return fmt.Errorf("store: sbom %s: %w", f.Name, err)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM sbom_components WHERE version_id = ?", f.VersionID); err != nil {
			return fmt.Errorf("store: sbom %s: %w", f.Name, err)
		}
		if _, err := tx.Exec(ctx, "UPDATE sbom_files SET current = FALSE WHERE version_id = ? AND current", f.VersionID); err != nil {
			return fmt.Errorf("store: sbom %s: %w", f.Name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO sbom_files (id, org_id, version_id, name, format, sha256, size, components, unscanned, problems, uploaded_at, uploaded_by, current)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, TRUE)`, f.ID, f.OrgID, f.VersionID, f.Name, f.Format, f.SHA256, f.Size, f.Components,
			string(unscanned), string(problems), f.UploadedAt, f.UploadedBy); err != nil {
			return fmt.Errorf("store: sbom %s: %w", f.Name, err)
		}
		if err := tx.insertComponents(ctx, f, up.Packages); err != nil {
			return err
		}
		tx.Audit(AuditEntry{Actor: a.String(), OrgID: f.OrgID, Action: "upload", Entity: "sbom", EntityID: f.ID, After: f})
		ch, err = tx.recordFindings(ctx, a, FindingSet{VersionID: f.VersionID, SBOMID: f.ID, Findings: found}, f.OrgID)
		return err
	})
	if err != nil {
		return SBOMFile{}, FindingChanges{}, err
	}
	return f, ch, nil
}

// componentRows is how many components one INSERT carries: one statement
// per row cost more than the rows.
const componentRows = 100

func (tx *Tx) insertComponents(ctx context.Context, f SBOMFile, pkgs []SBOMComponent) error {
	// A package listed twice (a nested copy, a duplicate entry) is matched
	// once.
	seen := make(map[SBOMComponent]bool, len(pkgs))
	var args []any
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		q := "INSERT INTO sbom_components (sbom_id, org_id, version_id, key_ecosystem, key_name, ecosystem, name, version, purl, label) VALUES " +
			strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?), ", n-1) + "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		_, err := tx.Exec(ctx, q, args...)
		args, n = args[:0], 0
		if err != nil {
			return fmt.Errorf("store: sbom %s: components: %w", f.Name, err)
		}
		return nil
	}
	for _, p := range pkgs {
		id := p
		id.Label = ""
		if seen[id] {
			continue
		}
		seen[id] = true
		k := vuln.KeyOf(p.Ecosystem, p.Name)
		args = append(args, f.ID, f.OrgID, f.VersionID, k.Ecosystem, k.Name, p.Ecosystem, p.Name, p.Version, p.PURL, p.Label)
		if n++; n == componentRows {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

const sbomColumns = "id, org_id, version_id, name, format, sha256, size, components, unscanned, problems, uploaded_at, uploaded_by, current"

func scanSBOM(sc interface{ Scan(...any) error }) (SBOMFile, error) {
	var f SBOMFile
	var unscanned, problems string
	if err := sc.Scan(&f.ID, &f.OrgID, &f.VersionID, &f.Name, &f.Format, &f.SHA256, &f.Size, &f.Components, &unscanned, &problems,
		&f.UploadedAt, &f.UploadedBy, &f.Current); err != nil {
		return f, err
	}
	f.UploadedAt = f.UploadedAt.UTC()
	if err := json.Unmarshal([]byte(unscanned), &f.Unscanned); err != nil {
		return f, err
	}
	return f, json.Unmarshal([]byte(problems), &f.Problems)
}

// SBOMs lists the SBOMs uploaded for a version, newest (the current one)
// first.
func (s *Store) SBOMs(ctx context.Context, a Actor, versionID string) ([]SBOMFile, error) {
	if _, err := s.versionOrg(ctx, a, versionID); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, "SELECT "+sbomColumns+" FROM sbom_files WHERE version_id = ? ORDER BY uploaded_at DESC, id", versionID)
	if err != nil {
		return nil, fmt.Errorf("store: sboms: %w", err)
	}
	return collect(rows, scanSBOM, "sboms")
}

// SBOMContent returns one uploaded SBOM with its content, as uploaded.
func (s *Store) SBOMContent(ctx context.Context, a Actor, id string) (SBOMFile, []byte, error) {
	var data []byte
	row := s.queryRow(ctx, "SELECT "+prefixed("f.", sbomColumns)+", b.data FROM sbom_files f JOIN blobs b ON b.sha256 = f.sha256 WHERE f.id = ? AND "+orgFilter("f.org_id", read),
		append([]any{id}, a.args(read)...)...)
	f, err := scanSBOM(rowWith{row, &data})
	if err != nil {
		return SBOMFile{}, nil, fmt.Errorf("store: sbom %q: %w", id, notFound(err))
	}
	return f, data, nil
}

// versionOrg returns the organisation of a product version a reads.
func (s *Store) versionOrg(ctx context.Context, a Actor, versionID string) (string, error) {
	var orgID string
	err := s.queryRow(ctx, "SELECT org_id FROM product_versions WHERE id = ? AND "+orgFilter("org_id", read),
		append([]any{versionID}, a.args(read)...)...).Scan(&orgID)
	if err != nil {
		return "", fmt.Errorf("store: product version %q: %w", versionID, notFound(err))
	}
	return orgID, nil
}

// CurrentComponents returns the components of every current SBOM whose key
// is one of keys, or all when keys is nil, sorted by version. It reaches
// across organisations, so it is for the system (re-matching after an
// import) only.
func (s *Store) CurrentComponents(ctx context.Context, a Actor, keys []vuln.Key) ([]StoredComponent, error) {
	if err := a.requireAdmin("components of every sbom"); err != nil {
		return nil, err
	}
	var out []StoredComponent
	scan := func(rows *sql.Rows) error {
		var c StoredComponent
		if err := rows.Scan(&c.OrgID, &c.VersionID, &c.SBOMID, &c.Ecosystem, &c.Name, &c.Version, &c.PURL, &c.Label); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	}
	const cols = "SELECT org_id, version_id, sbom_id, ecosystem, name, version, purl, label FROM sbom_components"
	if keys == nil {
		rows, err := s.query(ctx, cols)
		if err != nil {
			return nil, fmt.Errorf("store: components: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return nil, fmt.Errorf("store: components: %w", err)
			}
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: components: %w", err)
		}
	} else {
		byEco := map[string][]string{}
		for _, k := range keys {
			byEco[k.Ecosystem] = append(byEco[k.Ecosystem], k.Name)
		}
		for _, eco := range slices.Sorted(maps.Keys(byEco)) {
			names := slices.Compact(slices.Sorted(slices.Values(byEco[eco])))
			if err := s.inQuery(ctx, cols+" WHERE key_ecosystem = ? AND key_name IN (?*)", []any{eco}, names, scan); err != nil {
				return nil, fmt.Errorf("store: components: %w", err)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b StoredComponent) int { return strings.Compare(a.VersionID, b.VersionID) })
	return out, nil
}

// noAdvisoriesLike finds, in the stored JSON, an unscanned list with a
// no_advisories entry (the marshalled form of Unscanned.Code).
const noAdvisoriesLike = `%"code":"` + string(vuln.NoAdvisories) + `"%`

// NoAdvisorySBOMs returns the current SBOMs whose unscanned list has
// entries for want of advisories (code no_advisories), which an import may
// have made stale. It reaches across organisations, so it is for the system
// (re-matching after an import) only.
func (s *Store) NoAdvisorySBOMs(ctx context.Context, a Actor) ([]SBOMFile, error) {
	if err := a.requireAdmin("sboms without advisories"); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, "SELECT "+sbomColumns+" FROM sbom_files WHERE current AND unscanned LIKE ? ORDER BY id", noAdvisoriesLike)
	if err != nil {
		return nil, fmt.Errorf("store: sboms without advisories: %w", err)
	}
	return collect(rows, scanSBOM, "sboms without advisories")
}

// SBOMComponents returns the checkable components of a current SBOM; none
// for one that is not (or no longer) current. It ignores organisations, so
// it is for the system only.
func (s *Store) SBOMComponents(ctx context.Context, a Actor, sbomID string) ([]StoredComponent, error) {
	if err := a.requireAdmin("components of an sbom"); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, "SELECT org_id, version_id, sbom_id, ecosystem, name, version, purl, label FROM sbom_components WHERE sbom_id = ? ORDER BY purl, version", sbomID)
	if err != nil {
		return nil, fmt.Errorf("store: components of sbom %q: %w", sbomID, err)
	}
	return collect(rows, func(sc interface{ Scan(...any) error }) (StoredComponent, error) {
		var c StoredComponent
		err := sc.Scan(&c.OrgID, &c.VersionID, &c.SBOMID, &c.Ecosystem, &c.Name, &c.Version, &c.PURL, &c.Label)
		return c, err
	}, "components of sbom "+sbomID)
}

// RefreshUnscanned replaces the unscanned list of the current SBOM id with
// list, when the stored one is still before (an SBOM replaced or refreshed
// meanwhile is left alone: false). Re-matching after an import uses it for
// entries the database now covers; audited as a system change.
func (s *Store) RefreshUnscanned(ctx context.Context, a Actor, id string, before, list []Unscanned) (bool, error) {
	if err := a.requireAdmin("refresh unscanned"); err != nil {
		return false, err
	}
	if list == nil {
		list = []Unscanned{}
	}
	old, err := json.Marshal(before)
	if err != nil {
		return false, fmt.Errorf("store: sbom %q: %w", id, err)
	}
	data, err := json.Marshal(list)
	if err != nil {
		return false, fmt.Errorf("store: sbom %q: %w", id, err)
	}
	var done bool
	err = s.Tx(ctx, func(tx *Tx) error {
		done = false
		var orgID, raw string
		var current bool
		if err := tx.QueryRow(ctx, "SELECT org_id, current, unscanned FROM sbom_files WHERE id = ?", id).Scan(&orgID, &current, &raw); err != nil {
			return fmt.Errorf("store: sbom %q: %w", id, notFound(err))
		}
		var stored []Unscanned
		if err := json.Unmarshal([]byte(raw), &stored); err != nil {
			return fmt.Errorf("store: sbom %q: %w", id, err)
		}
		if cur, err := json.Marshal(stored); err != nil || !current || string(cur) != string(old) {
			return err
		}
		// Conditional on the row read, so a concurrent refresh or upload
		// is not overwritten.
		r, err := tx.Exec(ctx, "UPDATE sbom_files SET unscanned = ? WHERE id = ? AND current AND unscanned = ?", string(data), id, raw)
		if err != nil {
			return fmt.Errorf("store: sbom %q: %w", id, err)
		}
		if n, err := r.RowsAffected(); err != nil || n != 1 {
			return err
		}
		tx.Audit(AuditEntry{Actor: a.String(), OrgID: orgID, Action: "refresh_unscanned", Entity: "sbom", EntityID: id,
			Before: map[string]any{"unscanned": stored}, After: map[string]any{"unscanned": list}})
		done = true
		return nil
	})
	return done, err
}
