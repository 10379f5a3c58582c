package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pflicht/pflicht/internal/osv"
	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
	"github.com/pflicht/pflicht/internal/testdata"
	"github.com/pflicht/pflicht/internal/vuln"
)

var day = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// rec builds a record affecting each "ecosystem/name" in pkgs up to 2.0.0.
func rec(id string, modified int, aliases []string, pkgs ...[2]string) osv.Record {
	r := osv.Record{ID: id, Modified: day.AddDate(0, 0, modified), Aliases: aliases, Summary: id + " summary",
		Details: "long text that is not stored", References: []osv.Reference{{Type: "WEB", URL: "https://example.org"}},
		DatabaseSpecific: osv.Specific{"severity": "HIGH", "url": "https://example.org"}}
	for _, p := range pkgs {
		r.Affected = append(r.Affected, osv.Affected{
			Package: osv.Package{Ecosystem: p[0], Name: p[1]},
			Ranges:  []osv.Range{{Type: osv.RangeEcosystem, Events: []osv.Event{{Introduced: "0"}, {Fixed: "2.0.0"}}}},
		})
	}
	return r
}

func key(eco, name string) vuln.Key { return vuln.Key{Ecosystem: eco, Name: name} }

func ids(recs []osv.Record) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.ID)
	}
	return out
}

func TestImportVulnsIsIncremental(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		first := []osv.Record{
			rec("PYSEC-1", 0, []string{"CVE-1"}, [2]string{"PyPI", "Foo_Bar"}),
			rec("GHSA-1", 0, []string{"CVE-1"}, [2]string{"PyPI", "foo-bar"}),
			rec("GO-1", 0, nil, [2]string{"Go", "example.org/a"}, [2]string{"Go", "example.org/b"}),
			rec("RUSTSEC-1", 0, nil, [2]string{"crates.io", "gone"}),
		}
		first[3].Withdrawn = day
		for _, tc := range []struct {
			name string
			recs []osv.Record
			want store.VulnImport
		}{
			{"first", first, store.VulnImport{New: 3, Withdrawn: 1, Keys: []vuln.Key{
				key("Go", "example.org/a"), key("Go", "example.org/b"), key("PyPI", "foo-bar")}}},
			{"again", first, store.VulnImport{Unchanged: 4}},
			{"older", []osv.Record{rec("GO-1", -1, nil, [2]string{"Go", "example.org/c"})}, store.VulnImport{Unchanged: 1}},
			// Twice in one batch: the newer copy counts, whatever the order.
			{"twice", []osv.Record{rec("GO-2", 5, nil, [2]string{"Go", "example.org/d"}), rec("GO-2", 4, nil, [2]string{"Go", "example.org/e"})},
				store.VulnImport{New: 1, Unchanged: 1, Keys: []vuln.Key{key("Go", "example.org/d")}}},
			// GO-1 moves from a, b to c: all three change; it joins CVE-1's
			// group, so the PyPI findings (their aliases) change too.
			{"newer", []osv.Record{rec("GO-1", 1, []string{"CVE-1"}, [2]string{"Go", "example.org/c"})}, store.VulnImport{Updated: 1, Keys: []vuln.Key{
				key("Go", "example.org/a"), key("Go", "example.org/b"), key("Go", "example.org/c"), key("PyPI", "foo-bar")}}},
			{"withdrawn", []osv.Record{func() osv.Record {
				r := rec("GHSA-1", 2, []string{"CVE-1"}, [2]string{"PyPI", "foo-bar"})
				r.Withdrawn = day.AddDate(0, 0, 2)
				return r
			}()}, store.VulnImport{Withdrawn: 1, Keys: []vuln.Key{key("Go", "example.org/c"), key("PyPI", "foo-bar")}}},
		} {
			got, err := s.ImportVulns(ctx, "test/"+tc.name, tc.recs)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s: ImportVulns (-want +got):\n%s", tc.name, diff)
			}
		}
		recs, err := s.VulnRecords(ctx, []vuln.Key{key("PyPI", "foo-bar")})
		if err != nil {
			t.Fatal(err)
		}
		// GO-1 comes with the PyPI record through CVE-1; the withdrawn GHSA-1
		// does not come at all.
		if got, want := ids(recs), []string{"GO-1", "PYSEC-1"}; !slices.Equal(got, want) {
			t.Errorf("VulnRecords = %v, want %v", got, want)
		}
		for _, r := range recs {
			if r.Details != "" || r.References != nil || r.DatabaseSpecific.String("url") != "" || r.DatabaseSpecific.String("severity") != "HIGH" {
				t.Errorf("%s stored as %+v, want compact with the severity label", r.ID, r)
			}
		}
		ecos, err := s.VulnEcosystems(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"Go", "PyPI"}; !slices.Equal(ecos, want) {
			t.Errorf("VulnEcosystems = %v, want %v", ecos, want)
		}
	})
}

// TestVulnEcosystemsKeepReleases: the store lists the ecosystems as the
// advisories name them, with the release, so a scan can tell Debian:13 from
// Debian:12; a database imported before migration 0010 lists them too,
// from the stored records, and the next import writes their rows.
func TestVulnEcosystemsKeepReleases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		recs := []osv.Record{
			rec("DSA-1", 0, nil, [2]string{"Debian:12", "zlib"}, [2]string{"Debian:11", "zlib"}),
			rec("USN-1", 0, nil, [2]string{"Ubuntu:22.04:LTS", "zlib"}),
			rec("ALSA-1", 0, nil, [2]string{"AlmaLinux:9", "zlib"}),
			rec("GO-1", 0, nil, [2]string{"Go", "example.org/a"}),
			rec("GO-2", 0, nil, [2]string{"Go", "example.org/b"}),
			rec("GHSA-9", 0, nil, [2]string{"npm", "gone"}),
		}
		recs[5].Withdrawn = day
		want := []string{"AlmaLinux:9", "Debian:11", "Debian:12", "Go", "Ubuntu:22.04:LTS"}
		ecosystems := func(when string) {
			t.Helper()
			got, err := s.VulnEcosystems(ctx)
			if err != nil || !slices.Equal(got, want) {
				t.Fatalf("%s: VulnEcosystems = %v, %v; want %v", when, got, err, want)
			}
		}
		if _, err := s.ImportVulns(ctx, "first", recs); err != nil {
			t.Fatal(err)
		}
		ecosystems("after the import")

		// As migration 0010 leaves a database imported before it.
		count := func(table string) int {
			var n int
			if err := s.Tx(ctx, func(tx *store.Tx) error {
				return tx.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n)
			}); err != nil {
				t.Fatal(err)
			}
			return n
		}
		migrated := func() {
			t.Helper()
			err := s.Tx(ctx, func(tx *store.Tx) error {
				if _, err := tx.Exec(ctx, "DELETE FROM vuln_ecosystems"); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, "INSERT INTO vuln_ecosystems_pending (record_id) SELECT id FROM vuln_records WHERE withdrawn IS NULL")
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		derived := func(when string) {
			t.Helper()
			if n, m := count("vuln_ecosystems_pending"), count("vuln_ecosystems"); n != 0 || m != 6 {
				t.Errorf("%s: %d records pending, %d ecosystem rows; want 0 and 6", when, n, m)
			}
		}
		// The first scan derives the rows from the stored records.
		migrated()
		ecosystems("first scan after the migration")
		derived("after the scan")
		// So does the first import, before the records it replaces.
		migrated()
		gone := rec("GO-2", 1, nil, [2]string{"Go", "example.org/b"})
		gone.Withdrawn = day.AddDate(0, 0, 1)
		if _, err := s.ImportVulns(ctx, "next", []osv.Record{gone, rec("ALSA-1", 1, nil, [2]string{"AlmaLinux:8", "zlib"})}); err != nil {
			t.Fatal(err)
		}
		if count("vuln_ecosystems_pending") != 0 {
			t.Error("records still pending after the import")
		}
		want = []string{"AlmaLinux:8", "Debian:11", "Debian:12", "Go", "Ubuntu:22.04:LTS"}
		ecosystems("after the import")
		mustVerify(t, s)
	})
}

// TestVulnRecordsLoadsOnlyWhatIsAsked: a scan must not read the database.
func TestVulnRecordsLoadsOnlyWhatIsAsked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var recs []osv.Record
		for i := range 1200 { // more than one IN chunk
			recs = append(recs, rec(fmt.Sprintf("GO-%04d", i), 0, nil, [2]string{"Go", fmt.Sprintf("example.org/m%d", i)}))
		}
		if _, err := s.ImportVulns(ctx, "go", recs); err != nil {
			t.Fatal(err)
		}
		var keys []vuln.Key
		var want []string
		for i := 0; i < 1200; i += 2 {
			keys = append(keys, key("Go", fmt.Sprintf("example.org/m%d", i)))
			want = append(want, fmt.Sprintf("GO-%04d", i))
		}
		keys = append(keys, key("Go", "example.org/none"), key("npm", "left-pad"))
		got, err := s.VulnRecords(ctx, keys)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids(got), want) {
			t.Errorf("VulnRecords returned %d records, want %d", len(got), len(want))
		}
		if got, err := s.VulnRecords(ctx, nil); err != nil || len(got) != 0 {
			t.Errorf("VulnRecords(nil) = %d records, %v", len(got), err)
		}
	})
}

func TestImportKEV(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		deb := rec("DSA-1", 0, nil, [2]string{"Debian:12", "c"})
		deb.Upstream = []string{"CVE-1"}
		if _, err := s.ImportVulns(ctx, "osv", []osv.Record{
			rec("GO-1", 0, []string{"CVE-1"}, [2]string{"Go", "a"}),
			rec("GO-2", 0, []string{"CVE-2"}, [2]string{"Go", "b"}),
			deb,
		}); err != nil {
			t.Fatal(err)
		}
		cisa := &osv.KEV{Catalog: osv.CatalogCISA, Version: "2025.08.25", Released: day, Entries: []osv.KEVEntry{
			{CVE: "CVE-1", VendorProject: "V", Product: "P", Name: "N", DateAdded: "2025-01-02", DueDate: "2025-01-23", RansomwareUse: "Known"},
			{CVE: "CVE-9", DateAdded: "2025-02-01"},
		}}
		keys, err := s.ImportKEV(ctx, "kev.json", cisa)
		if err != nil {
			t.Fatal(err)
		}
		// The Debian record derives from CVE-1 (upstream): it is marked too.
		if want := []vuln.Key{key("Debian", "c"), key("Go", "a")}; !slices.Equal(keys, want) {
			t.Errorf("first ImportKEV keys = %v, want %v", keys, want)
		}
		if keys, err = s.ImportKEV(ctx, "kev.json", cisa); err != nil || len(keys) != 0 {
			t.Errorf("same catalogue again: keys %v, %v", keys, err)
		}
		eu := &osv.KEV{Catalog: osv.CatalogEU, Entries: []osv.KEVEntry{{CVE: "CVE-2"}}}
		if keys, err = s.ImportKEV(ctx, "eu.csv", eu); err != nil || !slices.Equal(keys, []vuln.Key{key("Go", "b")}) {
			t.Errorf("EU ImportKEV keys = %v, %v", keys, err)
		}
		got, err := s.KEVCatalogs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []*osv.KEV{cisa, eu}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("KEVCatalogs (-want +got):\n%s", diff)
		}
		if _, err := s.ImportKEV(ctx, "x", &osv.KEV{}); err == nil {
			t.Error("ImportKEV accepted a catalogue without a name")
		}
	})
}

func TestVulnStatus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		st, err := s.VulnStatus(ctx)
		if err != nil || st.Records != 0 || st.LastImport != nil {
			t.Fatalf("empty database: %+v, %v", st, err)
		}
		gone := rec("PYSEC-2", 0, nil, [2]string{"PyPI", "x"})
		gone.Withdrawn = day
		if _, err := s.ImportVulns(ctx, "pypa", []osv.Record{rec("PYSEC-1", 0, nil, [2]string{"PyPI", "x"}), gone}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ImportVulns(ctx, "go", []osv.Record{rec("GO-1", 0, nil, [2]string{"Go", "a"}, [2]string{"PyPI", "y"})}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ImportKEV(ctx, "kev.json", &osv.KEV{Catalog: osv.CatalogCISA, Version: "v1", Entries: []osv.KEVEntry{{CVE: "CVE-1"}}}); err != nil {
			t.Fatal(err)
		}
		log := store.VulnImportLog{Source: "go", StartedAt: day, FinishedAt: day.Add(time.Second), New: 1, Failed: 2}
		if err := s.LogVulnImport(ctx, "cli", log); err != nil {
			t.Fatal(err)
		}
		st, err = s.VulnStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Records != 2 || st.Withdrawn != 1 {
			t.Errorf("records %d, withdrawn %d; want 2, 1", st.Records, st.Withdrawn)
		}
		if want := []store.Count{{"Go", 1}, {"PyPI", 2}}; !slices.Equal(st.Ecosystems, want) {
			t.Errorf("ecosystems %v, want %v", st.Ecosystems, want)
		}
		if want := []store.Count{{"go", 1}, {"pypa", 1}}; !slices.Equal(st.Sources, want) {
			t.Errorf("sources %v, want %v", st.Sources, want)
		}
		if len(st.KEV) != 1 || st.KEV[0].Version != "v1" || st.KEV[0].Entries != 1 || st.KEV[0].Source != "kev.json" {
			t.Errorf("kev %+v", st.KEV)
		}
		if st.LastImport == nil || *st.LastImport != log {
			t.Errorf("last import %+v, want %+v", st.LastImport, log)
		}
		if broken, err := s.VerifyAudit(ctx); broken != nil || err != nil {
			t.Errorf("audit chain: %v %v", broken, err)
		}
	})
}

// TestSharedRoundTrip imports the shared OSV databases and checks that an
// index of what VulnRecords loads matches like an index of all records.
func TestSharedRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 9,000 records")
	}
	recs := sharedRecords(t)
	s := storetest.Open(t, t.TempDir()+"/pflicht.db")
	ctx := context.Background()
	importAll(t, s, recs)
	full := vuln.New(recs)
	var pkgs []vuln.Package
	var keys []vuln.Key
	for i, r := range recs {
		if i%7 != 0 || len(r.Affected) == 0 || r.Affected[0].Package.Name == "" {
			continue
		}
		a := r.Affected[0]
		pkgs = append(pkgs, vuln.Package{Ref: r.ID, Ecosystem: a.Package.Ecosystem, Name: a.Package.Name, Version: "0.0.1"})
		keys = append(keys, vuln.KeyOf(a.Package.Ecosystem, a.Package.Name))
	}
	loaded, err := s.VulnRecords(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	part := vuln.New(loaded)
	t.Logf("%d records stored, %d loaded for %d packages", len(recs), len(loaded), len(pkgs))
	if diff := cmp.Diff(full.Match(pkgs), part.Match(pkgs)); diff != "" {
		t.Errorf("matching against the loaded records differs (-all +loaded):\n%s", diff)
	}
}

var shared struct {
	once sync.Once
	recs []osv.Record
	err  error
}

// sharedRecords reads the OSV databases under shared/data once per run.
func sharedRecords(tb testing.TB) []osv.Record {
	tb.Helper()
	var dirs []string
	for _, d := range []string{"golang-vulndb", "pypa-advisory-database", "rustsec-advisory-db-osv", "psf-advisory-database",
		"drupal-advisory-database", "r-advisory-database", "homebrew-advisory-database"} {
		dirs = append(dirs, testdata.Shared(tb, d))
	}
	shared.once.Do(func() {
		_, shared.err = osv.Walk(dirs, osv.Options{}, func(r osv.Record) error {
			shared.recs = append(shared.recs, r)
			return nil
		})
	})
	if shared.err != nil {
		tb.Fatal(shared.err)
	}
	return shared.recs
}

// importBatch is the CLI's batch size: one transaction per batch.
const importBatch = 1000

func importAll(tb testing.TB, s *store.Store, recs []osv.Record) {
	tb.Helper()
	for i := 0; i < len(recs); i += importBatch {
		if _, err := s.ImportVulns(context.Background(), "shared", recs[i:min(i+importBatch, len(recs))]); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkImportShared stores the ~9,000 shared records into a new SQLite
// database (parsing is osv's and not measured here).
func BenchmarkImportShared(b *testing.B) {
	recs := sharedRecords(b)
	for b.Loop() {
		b.StopTimer()
		s := storetest.Open(b, b.TempDir()+"/pflicht.db")
		b.StartTimer()
		importAll(b, s, recs)
	}
	b.ReportMetric(float64(len(recs))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkVulnRecords loads the records for 2,000 keys with advisories and
// 2,000 without, as a scan of a 4,000-component SBOM does.
func BenchmarkVulnRecords(b *testing.B) {
	recs := sharedRecords(b)
	storetest.EachB(b, func(b *testing.B, s *store.Store) {
		importAll(b, s, recs)
		var keys []vuln.Key
		seen := map[vuln.Key]bool{}
		for _, r := range recs {
			for _, a := range r.Affected {
				if k := vuln.KeyOf(a.Package.Ecosystem, a.Package.Name); a.Package.Name != "" && !seen[k] && len(keys) < 2000 {
					seen[k] = true
					keys = append(keys, k)
				}
			}
		}
		for i := range 2000 {
			keys = append(keys, key("Go", fmt.Sprintf("example.org/clean-%d", i)))
		}
		var n int
		for b.Loop() {
			got, err := s.VulnRecords(context.Background(), keys)
			if err != nil {
				b.Fatal(err)
			}
			n = len(got)
		}
		b.ReportMetric(float64(n), "records")
	})
}
