package vuln

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pflicht/pflicht/internal/osv"
	"github.com/pflicht/pflicht/internal/purl"
	"github.com/pflicht/pflicht/internal/testdata"
)

// sharedDatabases are the OSV databases under shared/data.
var sharedDatabases = []string{
	"golang-vulndb", "pypa-advisory-database", "rustsec-advisory-db-osv", "psf-advisory-database",
	"drupal-advisory-database", "r-advisory-database", "homebrew-advisory-database",
}

var shared struct {
	once sync.Once
	recs []osv.Record
	err  error
}

// sharedRecords reads every record of the shared databases once per run.
func sharedRecords(tb testing.TB) []osv.Record {
	tb.Helper()
	var dirs []string
	for _, d := range sharedDatabases {
		dirs = append(dirs, testdata.Shared(tb, d))
	}
	shared.once.Do(func() {
		var rep osv.Report
		rep, shared.err = osv.Walk(dirs, osv.Options{}, func(r osv.Record) error {
			shared.recs = append(shared.recs, r)
			return nil
		})
		if shared.err == nil && len(rep.Problems) > 0 {
			shared.err = rep.Problems[0]
		}
	})
	if shared.err != nil {
		tb.Fatal(shared.err)
	}
	return shared.recs
}

func TestSharedIndex(t *testing.T) {
	recs := sharedRecords(t)
	ix := New(recs)
	t.Logf("%d records, %d indexed, ecosystems %v", len(recs), ix.Len(), ix.Ecosystems())
	withdrawn := 0
	for _, r := range recs {
		if !r.Withdrawn.IsZero() {
			withdrawn++
		}
	}
	if ix.Len() != len(recs)-withdrawn {
		t.Errorf("indexed %d of %d records with %d withdrawn", ix.Len(), len(recs), withdrawn)
	}
	// Every CVSS v3 vector in the data must score; a failure would show
	// as a note on the severity.
	for _, r := range ix.records {
		if strings.Contains(r.severity.Note, "cvss:") {
			t.Errorf("%s: %s", r.id, r.severity.Note)
		}
	}
	// Every event of every SEMVER/ECOSYSTEM range must parse, except where
	// internal/version has no ordering for the ecosystem (Homebrew).
	var git, unordered int
	for _, es := range ix.byKey {
		for _, e := range es {
			for _, u := range e.unknown {
				switch u.code {
				case GitRange:
					git++
				case NoRangeOrdering:
					unordered++
				default:
					t.Errorf("%s: %s: %s", e.rec.id, u.code, u.text)
				}
			}
		}
	}
	t.Logf("ranges not evaluable: %d GIT, %d in ecosystems without ordering", git, unordered)
}

// cdxComponent is the part of a CycloneDX component the comparison needs.
type cdxComponent struct {
	Ref        string         `xml:"bom-ref,attr" json:"bom-ref"`
	PURL       string         `xml:"purl" json:"purl"`
	Components []cdxComponent `xml:"components>component" json:"components"`
}

// readCycloneDX returns an SBOM's components as packages, by purl.
func readCycloneDX(t *testing.T, path string) []Package {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var bom struct {
		Components []cdxComponent `xml:"components>component" json:"components"`
	}
	if strings.HasSuffix(path, ".json") {
		err = json.Unmarshal(data, &bom)
	} else {
		err = xml.Unmarshal(data, &bom)
	}
	if err != nil {
		t.Fatal(err)
	}
	var pkgs []Package
	var walk func([]cdxComponent)
	walk = func(cs []cdxComponent) {
		for _, c := range cs {
			p := Package{Ref: c.Ref, PURL: c.PURL}
			if u, err := purl.Parse(c.PURL); err == nil {
				p.Ecosystem, p.Name, _ = u.OSVPackage()
				p.Version = u.Version
			}
			pkgs = append(pkgs, p)
			walk(c.Components)
		}
	}
	walk(bom.Components)
	return pkgs
}

// expected is one row of osv-scanner's table: a vulnerability (with the
// alias rows under it) of a package in an SBOM.
type expected struct {
	ids                                []string
	cvss, ecosystem, pkg, ver, fix, in string
}

// snapshotRows reads the table of one osv-scanner snapshot.
func snapshotRows(t *testing.T, snap, name string) []expected {
	data, err := os.ReadFile(snap)
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "["+name+" - 1]\n")
	if !ok {
		t.Fatalf("snapshot %s not found", name)
	}
	section, _, _ = strings.Cut(section, "\n---\n")
	var rows []expected
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) != 9 || !strings.Contains(cells[1], "https://osv.dev/") {
			continue
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		id := strings.TrimPrefix(cells[1], "https://osv.dev/")
		if cells[3] == "" { // an alias of the row above
			rows[len(rows)-1].ids = append(rows[len(rows)-1].ids, id)
			continue
		}
		src, _, _ := strings.Cut(cells[7], ":")
		src = filepath.Base(src)
		rows = append(rows, expected{ids: []string{id}, cvss: cells[2], ecosystem: cells[3], pkg: cells[4], ver: cells[5], fix: cells[6], in: src})
	}
	return rows
}

// TestOSVScannerSBOMs matches the SBOMs of osv-scanner's
// "folder of supported sbom with vulns" case against the shared databases
// and compares with osv-scanner's recorded table. osv-scanner queried
// osv.dev (all ecosystems); we hold Go, PyPI, crates.io, Packagist (Drupal),
// CRAN and Homebrew advisories only. So every row must be either one of our
// findings, with the same fixed version, or a component we report as
// unscanned for want of advisories: never a silent miss.
func TestOSVScannerSBOMs(t *testing.T) {
	ix := New(sharedRecords(t))
	base := testdata.Shared(t, "osv-scanner/cmd/osv-scanner/scan/source")
	rows := snapshotRows(t, filepath.Join(base, "__snapshots__/command_test.snap"), "TestCommand/folder_of_supported_sbom_with_vulns")
	if len(rows) != 26 {
		t.Fatalf("read %d snapshot rows, want 26", len(rows))
	}
	results := map[string]Result{}
	for _, f := range []string{"alpine-zlib-16.cdx.json", "alpine.cdx.xml", "bad-purls.cdx.xml", "postgres-stretch.cdx.xml", "with-duplicates.cdx.xml"} {
		res := ix.Match(readCycloneDX(t, filepath.Join(base, "testdata/sbom-insecure", f)))
		results[f] = res
		reasons := map[Reason]int{}
		for _, u := range res.Unscanned {
			reasons[u.Reason]++
		}
		t.Logf("%s: %d components, %d scanned, %d findings, %d not evaluable, unscanned %v",
			f, res.Components, res.Scanned, len(res.Findings), len(res.NotEvaluable), reasons)
	}
	for _, row := range rows {
		res := results[row.in]
		i := slices.IndexFunc(res.Findings, func(f Finding) bool {
			return f.Name == row.pkg && f.Version == row.ver &&
				slices.ContainsFunc(row.ids, func(id string) bool { return id == f.ID || slices.Contains(f.Aliases, id) })
		})
		if i >= 0 {
			f := res.Findings[i]
			if f.FixedIn != row.fix {
				t.Errorf("%s %s %s: fixed in %q, osv-scanner says %q", row.in, row.ids[0], row.pkg, f.FixedIn, row.fix)
			}
			t.Logf("same: %s %s %s %s fixed in %s; severity %s (%s), osv-scanner shows CVSS %q",
				row.in, f.ID, f.Name, f.Version, f.FixedIn, f.Severity.Rating, f.Severity.Source, row.cvss)
			continue
		}
		j := slices.IndexFunc(res.Unscanned, func(u Unscanned) bool {
			return u.Name == row.pkg && u.Version == row.ver && u.Reason == NoAdvisories
		})
		if j < 0 {
			t.Errorf("%s: %s %s %s: osv-scanner finds %v, we neither find it nor report the component unscanned", row.in, row.ecosystem, row.pkg, row.ver, row.ids)
			continue
		}
		t.Logf("difference: %s %v on %s %s: no %s advisories loaded (%s)", row.in, row.ids, row.pkg, row.ver, row.ecosystem, res.Unscanned[j].Detail)
	}
	// Findings osv-scanner does not list: the databases differ in date.
	for f, res := range results {
		for _, fd := range res.Findings {
			if !slices.ContainsFunc(rows, func(r expected) bool {
				return r.in == f && r.pkg == fd.Name && slices.ContainsFunc(r.ids, func(id string) bool { return id == fd.ID || slices.Contains(fd.Aliases, id) })
			}) {
				t.Logf("difference: %s: we also find %s on %s %s (fixed in %q)", f, fd.ID, fd.Name, fd.Version, fd.FixedIn)
			}
		}
	}
}

// TestSharedKEVJoin joins the shared databases with CISA's catalogue:
// Drupalgeddon 2 (CVE-2018-7600) and the libwebp heap overflow
// (CVE-2023-4863) are known exploited, the latter through a Rust binding.
func TestSharedKEVJoin(t *testing.T) {
	data, err := os.ReadFile(testdata.Shared(t, "cisa-kev/known_exploited_vulnerabilities.json"))
	if err != nil {
		t.Fatal(err)
	}
	cisa, err := osv.ParseCISAKEV(data)
	if err != nil {
		t.Fatal(err)
	}
	ix := New(sharedRecords(t))
	changed := ix.SetKEV(cisa)
	t.Logf("%d package keys carry a known-exploited CVE: %v", len(changed), changed)
	res := ix.Match([]Package{
		{Ref: "drupal", Ecosystem: "Packagist", Name: "drupal/core", Version: "8.3.0"},
		{Ref: "webp", Ecosystem: "crates.io", Name: "libwebp-sys", Version: "0.9.2"},
	})
	want := map[string]Exploited{
		"DRUPAL-CORE-2018-002": {Catalog: osv.CatalogCISA, CVE: "CVE-2018-7600", Via: "alias", DateAdded: "2021-11-03", DueDate: "2022-05-03", RansomwareUse: "Known"},
		"RUSTSEC-2023-0061":    {Catalog: osv.CatalogCISA, CVE: "CVE-2023-4863", Via: "alias", DateAdded: "2023-09-13", DueDate: "2023-10-04", RansomwareUse: "Unknown"},
	}
	got := map[string]Exploited{}
	for _, f := range res.Findings {
		for _, x := range f.KnownExploited {
			got[f.ID] = x
		}
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: known exploited %+v, want %+v", id, got[id], w)
		}
	}
}
