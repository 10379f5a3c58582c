package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/pflicht/pflicht/internal/osv"
	"github.com/pflicht/pflicht/internal/vuln"
)

// VulnImport counts what ImportVulns did with a batch of records.
type VulnImport struct {
	New     int `json:"new"`
	Updated int `json:"updated"`
	// Unchanged counts records skipped because the stored copy was modified
	// at the same time or later.
	Unchanged int `json:"unchanged"`
	// Withdrawn counts records stored as withdrawn: newly withdrawn ones and
	// withdrawn ones seen for the first time.
	Withdrawn int `json:"withdrawn"`
	// Keys are the packages whose findings may differ now, sorted: those the
	// changed records name before and after, and those of every stored
	// record sharing an id or alias with them.
	Keys []vuln.Key `json:"keys,omitempty"`
}

// vulnStmts are the statements an import runs per record, prepared once per
// batch: parsing them for every call cost more than running them.
type vulnStmts struct {
	tx                                                   *Tx
	lookup, aliases, group                               *sql.Stmt
	deleteRec, insertRec, insertPkg, insertAli, insertUp *sql.Stmt
	insertEco                                            *sql.Stmt
}

func prepareVulnStmts(ctx context.Context, tx *Tx) (*vulnStmts, error) {
	st := &vulnStmts{tx: tx}
	for _, p := range []struct {
		st *(*sql.Stmt)
		q  string
	}{
		{&st.lookup, "SELECT modified FROM vuln_records WHERE id = ?"},
		{&st.aliases, "SELECT alias FROM vuln_aliases WHERE record_id = ?"},
		{&st.group, groupQuery},
		{&st.deleteRec, "DELETE FROM vuln_records WHERE id = ?"},
		{&st.insertRec, "INSERT INTO vuln_records (id, modified, withdrawn, source, data) VALUES (?, ?, ?, ?, ?)"},
		{&st.insertPkg, "INSERT INTO vuln_packages (ecosystem, name, record_id) VALUES (?, ?, ?)"},
		{&st.insertAli, "INSERT INTO vuln_aliases (alias, record_id) VALUES (?, ?)"},
		{&st.insertUp, "INSERT INTO vuln_upstream (upstream, record_id) VALUES (?, ?)"},
		// A concurrent derivation (derivePending) may have written the row.
		{&st.insertEco, "INSERT INTO vuln_ecosystems (ecosystem, record_id) VALUES (?, ?) ON CONFLICT (ecosystem, record_id) DO NOTHING"},
	} {
		var err error
		if *p.st, err = tx.Prepare(ctx, p.q); err != nil {
			st.close()
			return nil, fmt.Errorf("store: prepare: %w", err)
		}
	}
	return st, nil
}

func (st *vulnStmts) close() {
	for _, s := range []*sql.Stmt{st.lookup, st.aliases, st.group, st.deleteRec, st.insertRec, st.insertPkg, st.insertAli, st.insertUp, st.insertEco} {
		if s != nil {
			s.Close()
		}
	}
}

func (st *vulnStmts) exec(ctx context.Context, s *sql.Stmt, args ...any) error {
	_, err := s.ExecContext(ctx, st.tx.s.d.args(args)...)
	return err
}

// ImportVulns stores a batch of records in one transaction. A record
// replaces the stored one of the same id only if its modified time is later;
// a withdrawn record keeps its row but is no longer loaded by VulnRecords.
// source names where the records came from (the imported path).
func (s *Store) ImportVulns(ctx context.Context, source string, recs []osv.Record) (VulnImport, error) {
	var res VulnImport
	err := s.Tx(ctx, func(tx *Tx) error {
		st, err := prepareVulnStmts(ctx, tx)
		if err != nil {
			return err
		}
		defer st.close()
		if _, err := st.derivePending(ctx); err != nil {
			return err
		}
		// A record listed twice in the batch counts once, in its newest
		// version; the other copy is unchanged.
		newest := make(map[string]int, len(recs)) // id → index in batch
		batch := make([]*osv.Record, 0, len(recs))
		for i := range recs {
			r := &recs[i]
			j, seen := newest[r.ID]
			switch {
			case !seen:
				newest[r.ID] = len(batch)
				batch = append(batch, r)
				continue
			case r.Modified.After(batch[j].Modified):
				batch[j] = r
			}
			res.Unchanged++
		}
		var changed []*osv.Record
		ids := map[string]bool{} // ids and aliases of changed records, old and new
		for _, r := range batch {
			var modified time.Time
			err := st.lookup.QueryRowContext(ctx, r.ID).Scan(&modified)
			exists := err == nil
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("store: vulnerability %s: %w", r.ID, err)
			}
			if exists && !dbTime(r.Modified).After(modified) {
				res.Unchanged++
				continue
			}
			switch {
			case !r.Withdrawn.IsZero():
				res.Withdrawn++
			case exists:
				res.Updated++
			default:
				res.New++
			}
			if exists {
				rows, err := st.aliases.QueryContext(ctx, r.ID)
				if err != nil {
					return fmt.Errorf("store: vulnerability %s: %w", r.ID, err)
				}
				old, err := scanStrings(rows)
				if err != nil {
					return fmt.Errorf("store: vulnerability %s: %w", r.ID, err)
				}
				for _, a := range old {
					ids[a] = true
				}
			}
			ids[r.ID] = true
			for _, a := range r.Aliases {
				ids[a] = true
			}
			changed = append(changed, r)
		}
		if len(changed) == 0 {
			return nil
		}
		keys := map[vuln.Key]bool{}
		// The groups before the change: a record leaving a group changes
		// the findings of those that stay.
		if err := groupKeys(ctx, st.group, ids, keys); err != nil {
			return err
		}
		for _, r := range changed {
			if err := st.put(ctx, source, r, keys); err != nil {
				return err
			}
		}
		if err := groupKeys(ctx, st.group, ids, keys); err != nil {
			return err
		}
		res.Keys = sortedKeys(keys)
		return nil
	})
	if err != nil {
		return VulnImport{}, err
	}
	return res, nil
}

// put replaces the stored record r.ID by r and adds the keys r names.
func (st *vulnStmts) put(ctx context.Context, source string, r *osv.Record, keys map[vuln.Key]bool) error {
	data, err := json.Marshal(compact(r))
	if err != nil {
		return fmt.Errorf("store: vulnerability %s: %w", r.ID, err)
	}
	var withdrawn *time.Time
	if !r.Withdrawn.IsZero() {
		withdrawn = &r.Withdrawn
	}
	// Deleting the row cascades to its package and alias rows.
	if err := st.exec(ctx, st.deleteRec, r.ID); err != nil {
		return fmt.Errorf("store: vulnerability %s: %w", r.ID, err)
	}
	if err := st.exec(ctx, st.insertRec, r.ID, r.Modified, withdrawn, source, data); err != nil {
		return fmt.Errorf("store: vulnerability %s: %w", r.ID, err)
	}
	if withdrawn != nil {
		return nil
	}
	for _, k := range recordKeys(r) {
		keys[k] = true
		if err := st.exec(ctx, st.insertPkg, k.Ecosystem, k.Name, r.ID); err != nil {
			return fmt.Errorf("store: vulnerability %s: package %s/%s: %w", r.ID, k.Ecosystem, k.Name, err)
		}
	}
	if err := st.putEcosystems(ctx, r); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, a := range append([]string{r.ID}, r.Aliases...) {
		if a == "" || seen[a] {
			continue
		}
		seen[a] = true
		if err := st.exec(ctx, st.insertAli, a, r.ID); err != nil {
			return fmt.Errorf("store: vulnerability %s: alias %s: %w", r.ID, a, err)
		}
	}
	for _, u := range slices.Compact(slices.Sorted(slices.Values(r.Upstream))) {
		if err := st.exec(ctx, st.insertUp, u, r.ID); err != nil {
			return fmt.Errorf("store: vulnerability %s: upstream %s: %w", r.ID, u, err)
		}
	}
	return nil
}

// recordKeys returns the distinct keys of the packages r names. Entries
// without a package name (PSF's GIT-only ones) name no component.
func recordKeys(r *osv.Record) []vuln.Key {
	var keys []vuln.Key
	for _, a := range r.Affected {
		if a.Package.Name == "" {
			continue
		}
		if k := vuln.KeyOf(a.Package.Ecosystem, a.Package.Name); !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

func (st *vulnStmts) putEcosystems(ctx context.Context, r *osv.Record) error {
	for _, e := range recordEcosystems(r) {
		if err := st.exec(ctx, st.insertEco, e, r.ID); err != nil {
			return fmt.Errorf("store: vulnerability %s: ecosystem %s: %w", r.ID, e, err)
		}
	}
	return nil
}

// recordEcosystems returns the distinct ecosystems, with their release,
// of the packages r names.
func recordEcosystems(r *osv.Record) []string {
	var ecos []string
	for _, a := range r.Affected {
		if a.Package.Name != "" && a.Package.Ecosystem != "" && !slices.Contains(ecos, a.Package.Ecosystem) {
			ecos = append(ecos, a.Package.Ecosystem)
		}
	}
	return ecos
}

// derivePending writes the vuln_ecosystems rows of the records migration
// 0010 listed as pending, from their stored data, and returns how many
// records it read: once, in the first import or scan after the migration.
func (st *vulnStmts) derivePending(ctx context.Context) (int, error) {
	rows, err := st.tx.Query(ctx, `SELECT r.id, r.data FROM vuln_ecosystems_pending p
		JOIN vuln_records r ON r.id = p.record_id WHERE r.withdrawn IS NULL`)
	if err != nil {
		return 0, fmt.Errorf("store: vulnerability ecosystems: %w", err)
	}
	// Read first: the transaction's one connection cannot read and write at
	// once.
	var recs []osv.Record
	for rows.Next() {
		var id string
		var data []byte
		if err := rows.Scan(&id, &data); err != nil {
			rows.Close()
			return 0, fmt.Errorf("store: vulnerability ecosystems: %w", err)
		}
		var r osv.Record
		if err := json.Unmarshal(data, &r); err != nil {
			rows.Close()
			return 0, fmt.Errorf("store: vulnerability ecosystems: record %s: %w", id, err)
		}
		r.ID = id
		recs = append(recs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("store: vulnerability ecosystems: %w", err)
	}
	for i := range recs {
		if err := st.putEcosystems(ctx, &recs[i]); err != nil {
			return 0, err
		}
	}
	if _, err := st.tx.Exec(ctx, "DELETE FROM vuln_ecosystems_pending"); err != nil {
		return 0, fmt.Errorf("store: vulnerability ecosystems: %w", err)
	}
	if len(recs) > 0 {
		st.tx.Audit(AuditEntry{Actor: System("vulndb").String(), Action: "derive", Entity: "vulndb", EntityID: "ecosystems",
			After: map[string]int{"records": len(recs)}})
	}
	return len(recs), nil
}

// compact is the stored form of r: what the matcher and findings use.
// Details and references stay in the source files; of database_specific
// only the severity label is kept.
func compact(r *osv.Record) osv.Record {
	c := osv.Record{
		ID: r.ID, Modified: r.Modified, Withdrawn: r.Withdrawn, Aliases: r.Aliases, Upstream: r.Upstream,
		Summary: r.Summary, Severity: r.Severity,
	}
	if sev := r.DatabaseSpecific.String("severity"); sev != "" {
		c.DatabaseSpecific = osv.Specific{"severity": sev}
	}
	c.Affected = make([]osv.Affected, len(r.Affected))
	for i, a := range r.Affected {
		c.Affected[i] = osv.Affected{Package: a.Package, Severity: a.Severity, Versions: a.Versions}
		for _, rg := range a.Ranges {
			c.Affected[i].Ranges = append(c.Affected[i].Ranges, osv.Range{Type: rg.Type, Repo: rg.Repo, Events: rg.Events})
		}
	}
	return c
}

const groupQuery = `SELECT DISTINCT p.ecosystem, p.name FROM vuln_aliases a
	JOIN vuln_packages p ON p.record_id = a.record_id WHERE a.alias = ?`

// kevQuery finds the packages of the records a catalogued CVE marks: by id,
// alias or upstream, as the matcher does.
const kevQuery = `WITH c (id) AS (SELECT CAST(? AS TEXT))
	SELECT DISTINCT p.ecosystem, p.name FROM vuln_packages p WHERE p.record_id IN (
		SELECT a.record_id FROM vuln_aliases a, c WHERE a.alias = c.id
		UNION SELECT u.record_id FROM vuln_upstream u, c WHERE u.upstream = c.id)`

// groupKeys runs query, prepared from groupQuery or kevQuery, for each of
// ids and adds the packages it returns to keys.
func groupKeys(ctx context.Context, query *sql.Stmt, ids map[string]bool, keys map[vuln.Key]bool) error {
	for _, id := range slices.Sorted(maps.Keys(ids)) {
		rows, err := query.QueryContext(ctx, id)
		if err != nil {
			return fmt.Errorf("store: alias group of %s: %w", id, err)
		}
		for rows.Next() {
			var k vuln.Key
			if err := rows.Scan(&k.Ecosystem, &k.Name); err != nil {
				rows.Close()
				return fmt.Errorf("store: alias group of %s: %w", id, err)
			}
			keys[k] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: alias group of %s: %w", id, err)
		}
	}
	return nil
}

func sortedKeys(keys map[vuln.Key]bool) []vuln.Key {
	return slices.SortedFunc(maps.Keys(keys), func(a, b vuln.Key) int {
		return cmp.Or(strings.Compare(a.Ecosystem, b.Ecosystem), strings.Compare(a.Name, b.Name))
	})
}

func scanStrings(rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// maxParams bounds the placeholders of one IN list: far below SQLite's
// 32,766 and PostgreSQL's 65,535.
const maxParams = 500

// inQuery runs query, whose one "(?*)" stands for an IN list, once per chunk
// of vals (after the fixed leading args), calling fn for each row.
func (s *Store) inQuery(ctx context.Context, query string, lead []any, vals []string, fn func(*sql.Rows) error) error {
	for len(vals) > 0 {
		n := min(len(vals), maxParams)
		args := append(slices.Clip(lead), make([]any, 0, n)...)
		for _, v := range vals[:n] {
			args = append(args, v)
		}
		vals = vals[n:]
		q := strings.Replace(query, "(?*)", "(?"+strings.Repeat(", ?", n-1)+")", 1)
		rows, err := s.query(ctx, q, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := fn(rows); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// VulnRecords returns the records that name one of keys, together with
// every record of their alias groups (those sharing an id or alias with
// them, transitively), so that aliases and known-exploited CVEs come out as
// an index of the whole database would give them. Withdrawn records are
// left out. Records come sorted by id.
func (s *Store) VulnRecords(ctx context.Context, keys []vuln.Key) ([]osv.Record, error) {
	byEco := map[string][]string{}
	for _, k := range keys {
		byEco[k.Ecosystem] = append(byEco[k.Ecosystem], k.Name)
	}
	ids := map[string]bool{}
	var frontier []string
	add := func(rows *sql.Rows) error {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		if !ids[id] {
			ids[id] = true
			frontier = append(frontier, id)
		}
		return nil
	}
	for _, eco := range slices.Sorted(maps.Keys(byEco)) {
		names := slices.Compact(slices.Sorted(slices.Values(byEco[eco])))
		if err := s.inQuery(ctx, "SELECT record_id FROM vuln_packages WHERE ecosystem = ? AND name IN (?*)", []any{eco}, names, add); err != nil {
			return nil, fmt.Errorf("store: vulnerability records: %w", err)
		}
	}
	for len(frontier) > 0 {
		next := frontier
		frontier = nil
		if err := s.inQuery(ctx, `SELECT DISTINCT b.record_id FROM vuln_aliases a
			JOIN vuln_aliases b ON b.alias = a.alias WHERE a.record_id IN (?*)`, nil, next, add); err != nil {
			return nil, fmt.Errorf("store: vulnerability alias groups: %w", err)
		}
	}
	recs := make([]osv.Record, 0, len(ids))
	err := s.inQuery(ctx, "SELECT id, data FROM vuln_records WHERE withdrawn IS NULL AND id IN (?*)", nil, slices.Sorted(maps.Keys(ids)), func(rows *sql.Rows) error {
		var id string
		var data []byte
		if err := rows.Scan(&id, &data); err != nil {
			return err
		}
		var r osv.Record
		if err := json.Unmarshal(data, &r); err != nil {
			return fmt.Errorf("record %s: %w", id, err)
		}
		recs = append(recs, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: vulnerability records: %w", err)
	}
	slices.SortFunc(recs, func(a, b osv.Record) int { return strings.Compare(a.ID, b.ID) })
	return recs, nil
}

// VulnEcosystems returns the ecosystems that have advisories as the
// advisories name them, with the release ("Debian:12", "Go"), sorted. On a
// database imported before migration 0010 the first call derives them from
// the stored records.
func (s *Store) VulnEcosystems(ctx context.Context) ([]string, error) {
	var pending bool
	if err := s.queryRow(ctx, "SELECT EXISTS (SELECT 1 FROM vuln_ecosystems_pending)").Scan(&pending); err != nil {
		return nil, fmt.Errorf("store: vulnerability ecosystems: %w", err)
	}
	if pending {
		err := s.Tx(ctx, func(tx *Tx) error {
			st, err := prepareVulnStmts(ctx, tx)
			if err != nil {
				return err
			}
			defer st.close()
			_, err = st.derivePending(ctx)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	rows, err := s.query(ctx, "SELECT DISTINCT ecosystem FROM vuln_ecosystems")
	if err != nil {
		return nil, fmt.Errorf("store: vulnerability ecosystems: %w", err)
	}
	ecos, err := scanStrings(rows)
	if err != nil {
		return nil, fmt.Errorf("store: vulnerability ecosystems: %w", err)
	}
	slices.Sort(ecos) // byte order, whatever the database's collation
	return ecos, nil
}

// ImportKEV replaces the stored entries of k's catalogue by k's and returns
// the packages of the records that name an added, changed or removed CVE as
// their id, alias or upstream.
func (s *Store) ImportKEV(ctx context.Context, source string, k *osv.KEV) ([]vuln.Key, error) {
	if k.Catalog == "" {
		return nil, fmt.Errorf("store: known-exploited catalogue without a name: %w", ErrInvalid)
	}
	var keys []vuln.Key
	err := s.Tx(ctx, func(tx *Tx) error {
		old := map[string]osv.KEVEntry{}
		rows, err := tx.Query(ctx, "SELECT "+kevColumns+" FROM kev_entries WHERE catalog = ?", k.Catalog)
		if err != nil {
			return fmt.Errorf("store: %s: %w", k.Catalog, err)
		}
		for rows.Next() {
			e, err := scanKEV(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("store: %s: %w", k.Catalog, err)
			}
			old[e.CVE] = e
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: %s: %w", k.Catalog, err)
		}
		changed := map[string]bool{}
		for _, e := range k.Entries {
			if o, ok := old[e.CVE]; !ok || o != e {
				changed[e.CVE] = true
			}
			delete(old, e.CVE)
		}
		for cve := range old {
			changed[cve] = true
		}
		if _, err := tx.Exec(ctx, "DELETE FROM kev_catalogs WHERE catalog = ?", k.Catalog); err != nil {
			return fmt.Errorf("store: %s: %w", k.Catalog, err)
		}
		var released *time.Time
		if !k.Released.IsZero() {
			released = &k.Released
		}
		if _, err := tx.Exec(ctx, "INSERT INTO kev_catalogs (catalog, version, released, source, imported_at) VALUES (?, ?, ?, ?, ?)",
			k.Catalog, k.Version, released, source, tx.Now()); err != nil {
			return fmt.Errorf("store: %s: %w", k.Catalog, err)
		}
		for _, e := range k.Entries {
			if _, err := tx.Exec(ctx, `INSERT INTO kev_entries (catalog, cve, vendor_project, product, name, date_added, due_date, ransomware_use)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				k.Catalog, e.CVE, e.VendorProject, e.Product, e.Name, e.DateAdded, e.DueDate, e.RansomwareUse); err != nil {
				return fmt.Errorf("store: %s %s: %w", k.Catalog, e.CVE, err)
			}
		}
		marked, err := tx.Prepare(ctx, kevQuery)
		if err != nil {
			return fmt.Errorf("store: prepare: %w", err)
		}
		defer marked.Close()
		set := map[vuln.Key]bool{}
		if err := groupKeys(ctx, marked, changed, set); err != nil {
			return err
		}
		keys = sortedKeys(set)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return keys, nil
}

const kevColumns = "cve, vendor_project, product, name, date_added, due_date, ransomware_use"

func scanKEV(rows *sql.Rows) (osv.KEVEntry, error) {
	var e osv.KEVEntry
	err := rows.Scan(&e.CVE, &e.VendorProject, &e.Product, &e.Name, &e.DateAdded, &e.DueDate, &e.RansomwareUse)
	return e, err
}

// KEVCatalogs returns the stored known-exploited catalogues with their
// entries, sorted by catalogue and CVE.
func (s *Store) KEVCatalogs(ctx context.Context) ([]*osv.KEV, error) {
	cats, err := s.kevCatalogs(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*osv.KEV, len(cats))
	for i, c := range cats {
		k := &osv.KEV{Catalog: c.Catalog, Version: c.Version, Released: c.Released}
		rows, err := s.query(ctx, "SELECT "+kevColumns+" FROM kev_entries WHERE catalog = ? ORDER BY cve", c.Catalog)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", c.Catalog, err)
		}
		for rows.Next() {
			e, err := scanKEV(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: %s: %w", c.Catalog, err)
			}
			k.Entries = append(k.Entries, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: %s: %w", c.Catalog, err)
		}
		out[i] = k
	}
	return out, nil
}

// KEVCatalog describes a stored known-exploited catalogue.
type KEVCatalog struct {
	Catalog    string    `json:"catalog"`
	Version    string    `json:"version,omitempty"`
	Released   time.Time `json:"released,omitzero"`
	Entries    int       `json:"entries"`
	Source     string    `json:"source"`
	ImportedAt time.Time `json:"imported_at"`
}

func (s *Store) kevCatalogs(ctx context.Context) ([]KEVCatalog, error) {
	rows, err := s.query(ctx, `SELECT c.catalog, c.version, c.released, c.source, c.imported_at,
		(SELECT count(*) FROM kev_entries e WHERE e.catalog = c.catalog)
		FROM kev_catalogs c ORDER BY c.catalog`)
	if err != nil {
		return nil, fmt.Errorf("store: known-exploited catalogues: %w", err)
	}
	defer rows.Close()
	var out []KEVCatalog
	for rows.Next() {
		var c KEVCatalog
		var released sql.NullTime
		if err := rows.Scan(&c.Catalog, &c.Version, &released, &c.Source, &c.ImportedAt, &c.Entries); err != nil {
			return nil, fmt.Errorf("store: known-exploited catalogues: %w", err)
		}
		c.Released, c.ImportedAt = utc(released.Time), c.ImportedAt.UTC()
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: known-exploited catalogues: %w", err)
	}
	return out, nil
}

// VulnImportLog is the bookkeeping of one imported path.
type VulnImportLog struct {
	Source     string    `json:"source"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	New        int       `json:"new"`
	Updated    int       `json:"updated"`
	Unchanged  int       `json:"unchanged"`
	Withdrawn  int       `json:"withdrawn"`
	Failed     int       `json:"failed"`
	KEVCatalog string    `json:"kev_catalog,omitempty"`
	KEVVersion string    `json:"kev_version,omitempty"`
	KEVEntries int       `json:"kev_entries,omitempty"`
}

// LogVulnImport records an import of one path, with its audit record.
func (s *Store) LogVulnImport(ctx context.Context, actor string, l VulnImportLog) error {
	return s.Tx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO vuln_imports (source, started_at, finished_at, new_records, updated, unchanged, withdrawn, failed, kev_catalog, kev_version, kev_entries)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			l.Source, l.StartedAt, l.FinishedAt, l.New, l.Updated, l.Unchanged, l.Withdrawn, l.Failed, l.KEVCatalog, l.KEVVersion, l.KEVEntries)
		if err != nil {
			return fmt.Errorf("store: log import of %s: %w", l.Source, err)
		}
		tx.Audit(AuditEntry{Actor: actor, Action: "import", Entity: "vulndb", EntityID: l.Source, After: l})
		return nil
	})
}

// VulnStatus summarises the vulnerability database.
type VulnStatus struct {
	Records    int            `json:"records"` // not withdrawn
	Withdrawn  int            `json:"withdrawn"`
	Ecosystems []Count        `json:"ecosystems"`
	Sources    []Count        `json:"sources"`
	KEV        []KEVCatalog   `json:"kev"`
	LastImport *VulnImportLog `json:"last_import,omitempty"`
}

// Count is a number of records under a name.
type Count struct {
	Name    string `json:"name"`
	Records int    `json:"records"`
}

// VulnStatus counts the stored records per ecosystem and source, and
// describes the catalogues and the last import.
func (s *Store) VulnStatus(ctx context.Context) (VulnStatus, error) {
	var st VulnStatus
	err := s.queryRow(ctx, `SELECT
		(SELECT count(*) FROM vuln_records WHERE withdrawn IS NULL),
		(SELECT count(*) FROM vuln_records WHERE withdrawn IS NOT NULL)`).Scan(&st.Records, &st.Withdrawn)
	if err != nil {
		return st, fmt.Errorf("store: vulnerability status: %w", err)
	}
	if st.Ecosystems, err = s.counts(ctx, "SELECT ecosystem, count(DISTINCT record_id) FROM vuln_packages GROUP BY ecosystem ORDER BY ecosystem"); err != nil {
		return st, err
	}
	if st.Sources, err = s.counts(ctx, "SELECT source, count(*) FROM vuln_records WHERE withdrawn IS NULL GROUP BY source ORDER BY source"); err != nil {
		return st, err
	}
	if st.KEV, err = s.kevCatalogs(ctx); err != nil {
		return st, err
	}
	var l VulnImportLog
	err = s.queryRow(ctx, `SELECT source, started_at, finished_at, new_records, updated, unchanged, withdrawn, failed, kev_catalog, kev_version, kev_entries
		FROM vuln_imports ORDER BY id DESC LIMIT 1`).Scan(&l.Source, &l.StartedAt, &l.FinishedAt, &l.New, &l.Updated, &l.Unchanged, &l.Withdrawn, &l.Failed, &l.KEVCatalog, &l.KEVVersion, &l.KEVEntries)
	switch {
	case err == nil:
		l.StartedAt, l.FinishedAt = l.StartedAt.UTC(), l.FinishedAt.UTC()
		st.LastImport = &l
	case !errors.Is(err, sql.ErrNoRows):
		return st, fmt.Errorf("store: vulnerability status: %w", err)
	}
	return st, nil
}

// utc is t in UTC, leaving the zero time zero.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

func (s *Store) counts(ctx context.Context, query string) ([]Count, error) {
	rows, err := s.query(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("store: vulnerability status: %w", err)
	}
	defer rows.Close()
	out := []Count{}
	for rows.Next() {
		var c Count
		if err := rows.Scan(&c.Name, &c.Records); err != nil {
			return nil, fmt.Errorf("store: vulnerability status: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: vulnerability status: %w", err)
	}
	return out, nil
}
