package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/findings"
	"github.com/pflicht/pflicht/internal/osv"
	"github.com/pflicht/pflicht/internal/sbom"
	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/testdata"
	"github.com/pflicht/pflicht/internal/vex"
)

const gateway = "testdata/sbom_gateway.cdx.json"

func TestSBOMScanGolden(t *testing.T) {
	dir := fixtureDB(t)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"sbom_scan_en", []string{"--lang", "en", gateway}},
		{"sbom_scan_de", []string{"--lang", "de", gateway}},
		{"sbom_scan_vex_en", []string{"--lang", "en", "--vex", "testdata/sbom_triage.openvex.json", gateway}},
		{"sbom_scan_json", []string{"--json", "--vex", "testdata/sbom_triage.openvex.json", gateway}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dirGolden(t, tc.name, dir, ExitOK, append([]string{"sbom", "scan", "--data", dir}, tc.args...)...)
		})
	}
}

// writeSBOM writes a CycloneDX SBOM with the given purls.
func writeSBOM(t *testing.T, purls ...string) string {
	t.Helper()
	var comps []string
	for _, p := range purls {
		comps = append(comps, `{"type": "library", "name": "c", "purl": "`+p+`"}`)
	}
	path := filepath.Join(t.TempDir(), "bom.cdx.json")
	data := `{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [` + strings.Join(comps, ",") + `]}`
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSBOMScanFailOn(t *testing.T) {
	dir := fixtureDB(t)
	triage := "testdata/sbom_triage.openvex.json"
	medium := writeSBOM(t, "pkg:pypi/example-lib@2.2") // MEDIUM, on the EU list
	clean := writeSBOM(t, "pkg:golang/example.com/web@v1.4.2", "pkg:cargo/oldcrate@0.1.0")
	unrated := writeSBOM(t, "pkg:cargo/tinyparse@0.2.0") // no rating; VEX: not affected
	for _, tc := range []struct {
		failOn string
		file   string
		vex    bool
		want   int
	}{
		{"", gateway, false, ExitOK},
		{"critical", gateway, false, ExitFindings},
		{"kev", gateway, false, ExitFindings},
		{"low", clean, false, ExitOK},
		{"kev", clean, false, ExitOK},
		{"medium", medium, false, ExitFindings},
		{"high", medium, false, ExitOK},
		{"kev", medium, false, ExitFindings},
		// A finding without a rating cannot be shown to be below a threshold.
		{"critical", unrated, false, ExitFindings},
		// ... unless VEX says the product is not affected.
		{"low", unrated, true, ExitOK},
	} {
		args := []string{"sbom", "scan", "--data", dir, "--fail-on", tc.failOn, tc.file}
		if tc.vex {
			args = append(args, "--vex", triage)
		}
		stdout, stderr, code := runCLI(t, "", args...)
		if code != tc.want {
			t.Errorf("--fail-on %q %s (vex %v): exit %d, want %d\n%s%s", tc.failOn, tc.file, tc.vex, code, tc.want, stdout, stderr)
		}
	}
}

// TestSBOMScanBadInput: exit 2 and a message naming the file and the place.
func TestSBOMScanBadInput(t *testing.T) {
	dir := fixtureDB(t)
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"missing file", []string{"testdata/nope.json"}, []string{"testdata/nope.json", "cannot read"}},
		{"broken JSON", []string{"testdata/sbom_broken.cdx.json"}, []string{"testdata/sbom_broken.cdx.json", "line 2"}},
		{"not an SBOM", []string{"testdata/sbom_unknown.txt"}, []string{"testdata/sbom_unknown.txt"}},
		{"bad VEX", []string{"--vex", "testdata/sbom_unknown.txt", gateway}, []string{"testdata/sbom_unknown.txt:"}},
		{"fail-on", []string{"--fail-on", "severe", gateway}, []string{"--fail-on", "severe"}},
		{"output-vex", []string{"--output-vex", "spdx=x.json", gateway}, []string{"--output-vex", "cyclonedx=FILE"}},
		{"csaf publisher", []string{"--output-vex", "csaf=x.json", gateway}, []string{"--publisher"}},
		{"no file", nil, []string{"arg"}},
	} {
		_, stderr, code := runCLI(t, "", append([]string{"sbom", "scan", "--data", dir}, tc.args...)...)
		if code != ExitInput {
			t.Errorf("%s: exit %d, want %d; %s", tc.name, code, ExitInput, stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%s: stderr %q does not name %q", tc.name, stderr, w)
			}
		}
	}
}

// TestSBOMScanEmptyDatabase: no data is an error saying how to get some,
// never "no findings".
func TestSBOMScanEmptyDatabase(t *testing.T) {
	stdout, stderr, code := runCLI(t, "", "sbom", "scan", "--data", t.TempDir(), gateway)
	if code != ExitFailure || stdout != "" || !strings.Contains(stderr, "pflicht vulndb import") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestSBOMScanOutputVEX(t *testing.T) {
	dir := fixtureDB(t)
	for _, format := range []string{"cyclonedx", "csaf"} {
		out := filepath.Join(t.TempDir(), "out.json")
		_, stderr, code := runCLI(t, "", "sbom", "scan", "--data", dir, "--vex", "testdata/sbom_triage.openvex.json",
			"--output-vex", format+"="+out, "--publisher", "ACME Networks GmbH", "--namespace", "https://example.com", gateway)
		if code != ExitOK {
			t.Fatalf("%s: exit %d: %s", format, code, stderr)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		stmts, err := vex.Parse(data)
		if err != nil {
			t.Fatalf("%s: written VEX does not parse: %v", format, err)
		}
		status := map[string]vex.Status{}
		for _, s := range stmts {
			status[s.VulnID] = s.Status
		}
		if status["RUSTSEC-2025-0301"] != vex.NotAffected || status["GO-2025-9001"] == "" && status["CVE-2025-10001"] == "" {
			t.Errorf("%s: statements %v", format, status)
		}
	}
}

// scanFixture is a matcher over the fixture database, for the fuzz target.
func scanFixture(tb testing.TB) *findings.Matcher {
	tb.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(tb.TempDir(), "pflicht.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	var recs []osv.Record
	if _, err := osv.Walk([]string{"testdata/vulndb_osv"}, osv.Options{}, func(r osv.Record) error {
		recs = append(recs, r)
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
	if _, err := s.ImportVulns(ctx, "testdata", recs); err != nil {
		tb.Fatal(err)
	}
	m, err := findings.NewMatcher(ctx, s)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// FuzzScanDocument: whatever an SBOM holds, the scan accounts for every
// component (scanned or listed as not scanned) and does not panic.
func FuzzScanDocument(f *testing.F) {
	for _, p := range []string{gateway, "testdata/sbom_broken.cdx.json"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"spdxVersion": "SPDX-2.3", "packages": [{"SPDXID": "SPDXRef-a", "name": "x", "externalRefs": [{"referenceType": "purl", "referenceLocator": "pkg:pypi/Example.Lib"}]}]}`))
	m := scanFixture(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := sbom.Parse(data, sbom.Limits{MaxComponents: 1000})
		if err != nil {
			return
		}
		ds, err := scan(context.Background(), m, scanDoc{file: "fuzz", data: data, doc: doc})
		if err != nil {
			t.Fatal(err)
		}
		if ds.Scanned+len(ds.Unscanned) != len(doc.Components) {
			t.Fatalf("%d components, %d scanned + %d not scanned", len(doc.Components), ds.Scanned, len(ds.Unscanned))
		}
	})
}

// sharedDataDir imports every OSV record under shared/data and the CISA
// KEV catalogue into a new data directory.
func sharedDataDir(b *testing.B) string {
	b.Helper()
	var paths []string
	for _, d := range []string{"golang-vulndb", "pypa-advisory-database", "rustsec-advisory-db-osv", "psf-advisory-database",
		"drupal-advisory-database", "r-advisory-database", "homebrew-advisory-database", "cisa-kev/known_exploited_vulnerabilities.json"} {
		paths = append(paths, testdata.Shared(b, d))
	}
	dir := b.TempDir()
	var out strings.Builder
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &out, now: func() time.Time { return fixedNow }, getenv: func(string) string { return "" }}
	if code := run(append([]string{"vulndb", "import", "--data", dir}, paths...), e); code != ExitOK {
		b.Fatalf("import: exit %d\n%s", code, out.String())
	}
	return dir
}

// benchSBOMs are bom-shelter's container SBOMs with the most packages
// (3,952, mostly npm) and with the most findings (1,120 packages, about 600
// findings).
var benchSBOMs = []struct{ name, path string }{
	{"newrelic-3952", "bom-shelter/in-the-lab/spdx-popular-containers/data/spdx-trivy-newrelic_synthetics-minion-runner-sha256:cbfa244c7d31e471944398f7f22119ea2a7491887591a3ebd78ebf12869611d9.json"},
	{"datadog-1120", "bom-shelter/in-the-lab/spdx-popular-containers/data/spdx-syft-datadog_agent-dev-sha256:62822eb0f1e3b6ee7a0bfc8be7622ba4c992c4df19e05d4a5c285211f73957ec.json"},
}

// BenchmarkScan measures the in-process scan of an SBOM against the whole
// shared database, warm: parse, load the records it needs, match.
func BenchmarkScan(b *testing.B) {
	dir := sharedDataDir(b)
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(dir, "pflicht.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for _, bs := range benchSBOMs {
		b.Run(bs.name, func(b *testing.B) {
			data, err := os.ReadFile(testdata.Shared(b, bs.path))
			if err != nil {
				b.Fatal(err)
			}
			var ds docScan
			for b.Loop() {
				doc, err := sbom.Parse(data, sbom.Limits{})
				if err != nil {
					b.Fatal(err)
				}
				m, err := findings.NewMatcher(ctx, s)
				if err != nil {
					b.Fatal(err)
				}
				if ds, err = scan(ctx, m, scanDoc{file: bs.path, data: data, doc: doc}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(ds.Components)*float64(b.N)/b.Elapsed().Seconds(), "components/s")
			b.Logf("%d components: %d scanned, %d findings, %d not evaluable, %d not scanned",
				ds.Components, ds.Scanned, len(ds.Findings), len(ds.NotEvaluable), len(ds.Unscanned))
		})
	}
}
