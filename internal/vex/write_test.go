package vex

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

var testMeta = DocMeta{
	Publisher:      "ACME Networks GmbH",
	Namespace:      "https://acme.example",
	DocumentID:     "ACME-VEX-2026-0001",
	Title:          "VEX for ACME Router firmware 4.2.0",
	Now:            ts("2026-03-10T12:00:00+01:00"),
	ProductName:    "ACME Router firmware",
	ProductVersion: "4.2.0",
}

// testFindings covers every status, a justification, a missing one, shared
// CVEs under different ids, an undecided finding and one known exploited.
func testFindings() []Finding {
	decided := ts("2026-03-05T08:00:00Z")
	return []Finding{
		{
			ComponentRef: "comp-openssl", ComponentPURL: "pkg:generic/openssl@3.0.7", ComponentName: "openssl", ComponentVersion: "3.0.7",
			VulnID: "CVE-2023-0286", Summary: "X.400 address type confusion in X.509 GeneralName", Severity: "HIGH",
			FixedVersions: []string{"3.0.8"}, Status: Affected, Detail: "Update to firmware 4.2.1.",
			DecidedBy: "psirt@acme.example", DecidedAt: decided,
		},
		{
			ComponentRef: "comp-openssl", ComponentPURL: "pkg:generic/openssl@3.0.7", ComponentName: "openssl", ComponentVersion: "3.0.7",
			VulnID: "CVE-2024-0727", Summary: "PKCS12 NULL dereference", Severity: "MODERATE",
			Status: Affected, DecidedAt: decided,
		},
		{
			ComponentRef: "comp-log4j", ComponentPURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", ComponentName: "log4j-core", ComponentVersion: "2.14.1",
			VulnID: "CVE-2021-44228", Aliases: []string{"GHSA-jfh8-c2jp-5v3q"}, Summary: "Log4Shell", Severity: "CRITICAL",
			FixedVersions: []string{"2.15.0"}, KnownExploited: true,
			Status: NotAffected, Justification: InlineMitigationsAlreadyExist, Detail: "JNDI lookups are disabled.",
			DecidedAt: decided,
		},
		{
			ComponentRef: "comp-lodash", ComponentPURL: "pkg:npm/lodash@4.17.20", ComponentName: "lodash", ComponentVersion: "4.17.20",
			VulnID: "GHSA-35jh-r3h4-6jhm", Aliases: []string{"CVE-2021-23337"}, Summary: "Command injection in lodash", Severity: "HIGH",
			FixedVersions: []string{"4.17.21"},
		},
		{
			ComponentRef: "comp-lodash-es", ComponentPURL: "pkg:npm/lodash-es@4.17.20", ComponentName: "lodash-es", ComponentVersion: "4.17.20",
			VulnID: "CVE-2021-23337", Status: NotAffected, Justification: VulnerableCodeNotPresent, DecidedAt: decided,
		},
		{
			ComponentRef: "comp-xnet", ComponentPURL: "pkg:golang/golang.org/x/net@v0.17.0", ComponentName: "golang.org/x/net", ComponentVersion: "v0.17.0",
			VulnID: "GO-2024-2687", Aliases: []string{"CVE-2023-45288", "GHSA-4v7x-pqxf-cx7m"}, Severity: "MODERATE",
			FixedVersions: []string{"v0.23.0"}, Status: Fixed, Detail: "Shipped with firmware 4.2.0.", DecidedAt: decided,
		},
		{
			ComponentRef: "comp-requests", ComponentPURL: "pkg:pypi/requests@2.31.0", ComponentName: "requests", ComponentVersion: "2.31.0",
			VulnID: "CVE-2024-35195", Summary: "Session verify=False persists", Severity: "MEDIUM",
			Status: NotAffected, Detail: "The firmware never disables certificate verification.", DecidedAt: decided,
		},
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s differs (-want +got; go test -update rewrites it):\n%s", path, d)
	}
}

// write runs a writer on the findings in two orders and insists on the same
// bytes, so that golden files can work.
func write(t *testing.T, fn func(*bytes.Buffer, DocMeta, []Finding) error, meta DocMeta, fs []Finding) []byte {
	t.Helper()
	var a, b bytes.Buffer
	if err := fn(&a, meta, fs); err != nil {
		t.Fatal(err)
	}
	rev := slices.Clone(fs)
	slices.Reverse(rev)
	if err := fn(&b, meta, rev); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("output depends on the order of the findings")
	}
	return a.Bytes()
}

func writeCycloneDX(b *bytes.Buffer, m DocMeta, fs []Finding) error { return WriteCycloneDX(b, m, fs) }
func writeCSAF(b *bytes.Buffer, m DocMeta, fs []Finding) error      { return WriteCSAF(b, m, fs) }

func TestWriteCycloneDXGolden(t *testing.T) {
	golden(t, "cyclonedx.json", write(t, writeCycloneDX, testMeta, testFindings()))
}

func TestWriteCSAFGolden(t *testing.T) {
	out := write(t, writeCSAF, testMeta, testFindings())
	golden(t, "csaf.json", out)
	checkCSAF(t, out)

	// Without a product, statuses refer to the components themselves.
	meta := testMeta
	meta.ProductName, meta.ProductVersion = "", ""
	out = write(t, writeCSAF, meta, testFindings())
	golden(t, "csaf-components.json", out)
	checkCSAF(t, out)
}

// undecided strips the decisions from findings.
func undecided(fs []Finding) []Finding {
	out := slices.Clone(fs)
	for i := range out {
		out[i].Status, out[i].Justification, out[i].Detail, out[i].DecidedBy, out[i].DecidedAt = "", "", "", "", time.Time{}
	}
	return out
}

// TestRoundTrip writes findings, parses the document and applies its
// statements to the same findings without decisions: the decisions must
// come back.
func TestRoundTrip(t *testing.T) {
	fs := testFindings()
	for _, tc := range []struct {
		name       string
		fn         func(*bytes.Buffer, DocMeta, []Finding) error
		withDetail bool
	}{
		{"cyclonedx", writeCycloneDX, true},
		{"csaf", writeCSAF, false}, // CSAF words details as threats and remediations
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tc.fn(&buf, testMeta, fs); err != nil {
				t.Fatal(err)
			}
			stmts, err := Parse(buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range stmts {
				if s.Author != testMeta.Publisher || !strings.HasPrefix(s.Origin, tc.name+" ") {
					t.Errorf("statement %+v: want author %q and origin %s", s, testMeta.Publisher, tc.name)
				}
			}
			got := Apply(undecided(fs), stmts)
			for i, f := range fs {
				want := f.Status
				if want == "" {
					want = UnderInvestigation
				}
				g := got[i]
				if g.Status != want || g.Justification != f.Justification || (tc.withDetail && g.Detail != f.Detail) {
					t.Errorf("%s %s: got %s/%s/%q, want %s/%s/%q", f.VulnID, f.ComponentPURL,
						g.Status, g.Justification, g.Detail, want, f.Justification, f.Detail)
				}
				if tc.withDetail && !f.DecidedAt.IsZero() && !g.DecidedAt.Equal(f.DecidedAt) {
					t.Errorf("%s %s: DecidedAt %v, want %v", f.VulnID, f.ComponentPURL, g.DecidedAt, f.DecidedAt)
				}
			}
		})
	}
}

// TestRoundTripStatements checks the parsed CycloneDX statements themselves.
func TestRoundTripStatements(t *testing.T) {
	var buf bytes.Buffer
	fs := testFindings()[2:3] // log4j
	if err := WriteCycloneDX(&buf, testMeta, fs); err != nil {
		t.Fatal(err)
	}
	got, err := Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want := []Statement{{
		VulnID:          "CVE-2021-44228",
		Aliases:         []string{"GHSA-jfh8-c2jp-5v3q"},
		Products:        []string{"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
		Status:          NotAffected,
		Justification:   InlineMitigationsAlreadyExist,
		ImpactStatement: "JNDI lookups are disabled.",
		Timestamp:       fs[0].DecidedAt,
		Author:          testMeta.Publisher,
		Origin:          "cyclonedx " + serialNumber(testMeta) + " vulnerabilities[0]",
	}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("statements differ (-want +got):\n%s", d)
	}
}

func TestWriteErrors(t *testing.T) {
	ok := testFindings()[:1]
	for _, tc := range []struct {
		name string
		meta DocMeta
		fs   []Finding
		csaf string // error of WriteCSAF, "" when it must succeed
		cdx  string // error of WriteCycloneDX
	}{
		{name: "no publisher", meta: DocMeta{Namespace: "https://x", DocumentID: "1", Title: "t", Now: testMeta.Now}, fs: ok, csaf: "meta.Publisher: missing"},
		{name: "no namespace", meta: DocMeta{Publisher: "p", DocumentID: "1", Title: "t", Now: testMeta.Now}, fs: ok, csaf: "meta.Namespace: missing"},
		{name: "no title", meta: DocMeta{Publisher: "p", Namespace: "https://x", DocumentID: "1", Now: testMeta.Now}, fs: ok, csaf: "meta.Title: missing"},
		{name: "no id", meta: DocMeta{Publisher: "p", Namespace: "https://x", Title: "t", Now: testMeta.Now}, fs: ok, csaf: "meta.DocumentID: missing", cdx: "meta.DocumentID: missing"},
		{name: "no time", meta: DocMeta{Publisher: "p", Namespace: "https://x", DocumentID: "1", Title: "t"}, fs: ok, csaf: "meta.Now: missing", cdx: "meta.Now: missing"},
		{name: "no vuln id", meta: testMeta, fs: []Finding{{ComponentPURL: "pkg:npm/a@1"}}, csaf: "findings[0].VulnID: missing", cdx: "findings[0].VulnID: missing"},
		{name: "no component", meta: testMeta, fs: []Finding{{VulnID: "CVE-1"}}, csaf: "findings[0]: no ComponentRef", cdx: "findings[0]: no ComponentRef"},
		{name: "bad status", meta: testMeta, fs: []Finding{{VulnID: "CVE-1", ComponentName: "a", Status: "exploitable"}}, csaf: "findings[0].Status", cdx: "findings[0].Status"},
		{name: "bad justification", meta: testMeta, fs: []Finding{{VulnID: "CVE-1", ComponentName: "a", Status: NotAffected, Justification: "x"}}, csaf: "findings[0].Justification", cdx: "findings[0].Justification"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, w := range []struct {
				format, want string
				fn           func(*bytes.Buffer, DocMeta, []Finding) error
			}{{"csaf", tc.csaf, writeCSAF}, {"cyclonedx", tc.cdx, writeCycloneDX}} {
				err := w.fn(new(bytes.Buffer), tc.meta, tc.fs)
				switch {
				case w.want == "" && err != nil:
					t.Errorf("%s: unexpected error %v", w.format, err)
				case w.want != "" && (err == nil || !strings.Contains(err.Error(), w.want) || !strings.HasPrefix(err.Error(), "vex: "+w.format+": ")):
					t.Errorf("%s: error %v, want one containing %q", w.format, err, w.want)
				}
			}
		})
	}
}

func TestSerialNumber(t *testing.T) {
	for _, tc := range []struct{ id, want string }{
		{"urn:uuid:3E671687-395B-41F5-A30F-A58921A69B79", "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"},
		{"3e671687-395b-41f5-a30f-a58921a69b79", "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"},
		// Python: uuid.uuid5(uuid.NAMESPACE_URL, "https://www.example.com/doc-1")
		{"doc-1", "urn:uuid:84b64542-6f26-538d-a9d9-b745199a96c4"},
	} {
		if got := serialNumber(DocMeta{Namespace: "https://www.example.com/", DocumentID: tc.id}); got != tc.want {
			t.Errorf("serialNumber(%q) = %q, want %q", tc.id, got, tc.want)
		}
	}
}
