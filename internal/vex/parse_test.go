package vex

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pflicht/pflicht/internal/testdata"
)

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseOpenVEX(t *testing.T) {
	got, err := Parse(readFile(t, "testdata/openvex.json"))
	if err != nil {
		t.Fatal(err)
	}
	const doc = "openvex https://example.com/vex/acme-router-2026-001 "
	want := []Statement{{
		VulnID:          "CVE-2023-45288",
		Aliases:         []string{"GHSA-4v7x-pqxf-cx7m", "GO-2024-2687"},
		Products:        []string{"pkg:generic/acme/router-firmware@4.2.0"},
		Subcomponents:   []string{"pkg:golang/golang.org/x/net@v0.17.0"},
		Status:          NotAffected,
		Justification:   VulnerableCodeNotInExecutePath,
		ImpactStatement: "The firmware does not run an HTTP/2 server.",
		Timestamp:       ts("2026-03-01T09:00:00Z"),
		Author:          "ACME Networks GmbH",
		Origin:          doc + "statements[0]",
	}, {
		VulnID:          "CVE-2024-24790",
		Products:        []string{"pkg:golang/stdlib"},
		Status:          Affected,
		ActionStatement: "Update to firmware 4.2.1.",
		Timestamp:       ts("2026-03-02T10:30:00Z"),
		Author:          "ACME Networks GmbH",
		Origin:          doc + "statements[1]",
	}, {
		VulnID:    "GHSA-m425-mq94-257g",
		Products:  []string{"pkg:golang/google.golang.org/grpc@v1.58.2", "pkg:golang/google.golang.org/grpc@v1.58.3"},
		Status:    Fixed,
		Timestamp: ts("2026-03-01T09:00:00Z"),
		Author:    "ACME Networks GmbH",
		Origin:    doc + "statements[2]",
	}, {
		VulnID:          "CVE-2025-0001",
		Products:        []string{"pkg:npm/%40acme/ui"},
		Status:          UnderInvestigation,
		ImpactStatement: "Assessment due by 2026-03-15.",
		Timestamp:       ts("2026-03-01T09:00:00Z"),
		Author:          "ACME Networks GmbH",
		Origin:          doc + "statements[3]",
	}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Parse mismatch (-want +got):\n%s", d)
	}
}

func TestParseCycloneDX(t *testing.T) {
	got, err := Parse(readFile(t, "testdata/cyclonedx-vex.json"))
	if err != nil {
		t.Fatal(err)
	}
	const doc = "cyclonedx urn:uuid:0b0e1b52-5bd0-4f7e-9d1e-6f3a0c1d2e3f "
	log4j := Statement{
		VulnID:          "CVE-2021-44228",
		Aliases:         []string{"GHSA-jfh8-c2jp-5v3q"},
		Products:        []string{"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
		Status:          NotAffected,
		Justification:   InlineMitigationsAlreadyExist,
		ImpactStatement: "JNDI lookups are disabled (log4j2.formatMsgNoLookups=true).",
		Timestamp:       ts("2026-02-03T12:00:00Z"),
		Author:          "ACME Networks GmbH",
		Origin:          doc + "vulnerabilities[0]",
	}
	want := []Statement{log4j, {
		VulnID:          "CVE-2023-0286",
		Products:        []string{"pkg:generic/openssl@3.0.7", "router"},
		Status:          Affected,
		ActionStatement: "Update to firmware 4.2.1.",
		Timestamp:       ts("2026-02-01T08:00:00Z"),
		Author:          "ACME Networks GmbH",
		Origin:          doc + "vulnerabilities[1]",
	}, {
		VulnID:    "CVE-2022-3602",
		Products:  []string{"pkg:generic/openssl@3.0.7"},
		Status:    Fixed,
		Timestamp: ts("2026-02-01T08:00:00Z"),
		Author:    "ACME Networks GmbH",
		Origin:    doc + "vulnerabilities[2]",
	}, {
		VulnID:    "CVE-2024-0727",
		Products:  []string{"pkg:generic/openssl@3.0.7"},
		Status:    UnderInvestigation,
		Timestamp: ts("2026-02-01T23:00:00Z"),
		Author:    "ACME Networks GmbH",
		Origin:    doc + "vulnerabilities[3]",
	}, {
		VulnID:          "CVE-2023-5678",
		Products:        []string{"pkg:generic/openssl@3.0.7"},
		Status:          NotAffected,
		ImpactStatement: "CycloneDX analysis: false_positive",
		Timestamp:       ts("2026-02-01T08:00:00Z"),
		Author:          "ACME Networks GmbH",
		Origin:          doc + "vulnerabilities[4]",
	}}
	if d := cmp.Diff(want, got, cmp.Comparer(time.Time.Equal)); d != "" {
		t.Errorf("Parse mismatch (-want +got):\n%s", d)
	}

	xml, err := Parse(readFile(t, "testdata/cyclonedx-vex.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]Statement{log4j}, xml); d != "" {
		t.Errorf("Parse XML mismatch (-want +got):\n%s", d)
	}
}

func TestParseErrors(t *testing.T) {
	const ov = `{"@context":"https://openvex.dev/ns/v0.2.0","timestamp":"2026-01-01T00:00:00Z","statements":[%s]}`
	const cdx = `{"bomFormat":"CycloneDX","specVersion":"1.6","vulnerabilities":[%s]}`
	for _, tc := range []struct{ name, doc, want string }{
		{"empty", "  ", "empty document"},
		{"not json", "{", "invalid JSON"},
		{"unknown format", `{"foo":1}`, "unknown format"},
		{"type error", `{"bomFormat":"CycloneDX","vulnerabilities":[{"id":5}]}`, "vulnerabilities.id"},
		{"openvex version", `{"@context":"https://openvex.dev/ns/v0.0.1"}`, "@context"},
		{"openvex status", sprintf(ov, `{"vulnerability":{"name":"CVE-1"},"status":"bogus"}`), "statements[0].status: unknown status"},
		{"openvex missing status", sprintf(ov, `{"vulnerability":{"name":"CVE-1"}}`), "statements[0].status: missing"},
		{"openvex no name", sprintf(ov, `{"vulnerability":{},"status":"fixed"}`), "statements[0].vulnerability.name: missing"},
		{"openvex justification", sprintf(ov, `{"vulnerability":{"name":"CVE-1"},"status":"not_affected","justification":"nope"}`), "statements[0].justification"},
		{"openvex not_affected without reason", sprintf(ov, `{"vulnerability":{"name":"CVE-1"},"status":"not_affected"}`), "statements[0]: not_affected needs"},
		{"openvex product without id", sprintf(ov, `{"vulnerability":{"name":"CVE-1"},"status":"fixed","products":[{}]}`), "statements[0].products[0]"},
		{"openvex timestamp", sprintf(ov, `{"vulnerability":{"name":"CVE-1"},"status":"fixed","timestamp":"yesterday"}`), "statements[0].timestamp"},
		{"cdx state", sprintf(cdx, `{"id":"CVE-1","analysis":{"state":"maybe"}}`), "vulnerabilities[0].analysis.state: unknown state"},
		{"cdx our status is no state", sprintf(cdx, `{"id":"CVE-1","analysis":{"state":"affected"}}`), "vulnerabilities[0].analysis.state"},
		{"cdx justification", sprintf(cdx, `{"id":"CVE-1","analysis":{"state":"not_affected","justification":"because"}}`), "vulnerabilities[0].analysis.justification"},
		{"cdx no id", sprintf(cdx, `{"analysis":{"state":"in_triage"}}`), "vulnerabilities[0].id: missing"},
		{"cdx affects ref", sprintf(cdx, `{"id":"CVE-1","analysis":{"state":"in_triage"},"affects":[{"ref":""}]}`), "vulnerabilities[0].affects[0].ref: missing"},
		{"cdx time", sprintf(cdx, `{"id":"CVE-1","analysis":{"state":"in_triage","lastUpdated":"2026"}}`), "vulnerabilities[0].analysis.lastUpdated"},
		{"cdx xml", `<bom><vulnerabilities><vulnerability><id>X</id><analysis><state>nope</state></analysis></vulnerability></vulnerabilities></bom>`, "cyclonedx xml: vulnerabilities[0].analysis.state"},
		{"csaf category", `{"document":{"csaf_version":"2.0","category":"csaf_base"}}`, "document.category"},
		{"csaf id", `{"document":{"csaf_version":"2.0","category":"csaf_vex"},"vulnerabilities":[{}]}`, "vulnerabilities[0]: neither cve nor ids"},
		{"csaf flag", `{"document":{"csaf_version":"2.0","category":"csaf_vex"},"vulnerabilities":[{"cve":"CVE-1","product_status":{},"flags":[{"label":"x"}]}]}`, "vulnerabilities[0].flags[0].label"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "vex: ") {
				t.Errorf("Parse error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func sprintf(format, arg string) string { return strings.Replace(format, "%s", arg, 1) }

func TestParseLimits(t *testing.T) {
	big := make([]byte, MaxDocumentSize+1)
	if _, err := Parse(big); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("oversized document: err = %v", err)
	}
	var b strings.Builder
	b.WriteString(`{"bomFormat":"CycloneDX","vulnerabilities":[`)
	for i := range MaxStatements + 1 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"id":"X","analysis":{"state":"in_triage"}}`)
	}
	b.WriteString(`]}`)
	if _, err := Parse([]byte(b.String())); err == nil || !strings.Contains(err.Error(), "statements") {
		t.Errorf("too many statements: err = %v", err)
	}
}

// TestParseSharedExamples reads the VEX examples of CycloneDX's bom-examples
// and the vulnerability test BOMs of the CycloneDX specification.
func TestParseSharedExamples(t *testing.T) {
	vexDir := testdata.Shared(t, "cyclonedx-bom-examples/VEX")
	var files []string
	err := filepath.WalkDir(vexDir, func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), "vex") && strings.HasSuffix(path, ".json") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	spec := testdata.Shared(t, "cyclonedx-specification/tools/src/test/resources")
	for _, v := range []string{"1.4", "1.5", "1.6", "1.7"} {
		for _, ext := range []string{"json", "xml"} {
			files = append(files, filepath.Join(spec, v, "valid-vulnerability-"+v+"."+ext))
		}
	}
	if len(files) < 25 {
		t.Fatalf("found only %d example files", len(files))
	}
	for _, f := range files {
		stmts, err := Parse(readFile(t, f))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if len(stmts) == 0 {
			t.Errorf("%s: no statements", f)
		}
		for i, s := range stmts {
			if s.VulnID == "" || s.Status == "" {
				t.Errorf("%s: statement %d lacks id or status: %+v", f, i, s)
			}
		}
	}
}

// TestParseSharedBOMLink checks one example closely: a BOM-Link whose
// fragment is a purl resolves to that purl.
func TestParseSharedBOMLink(t *testing.T) {
	stmts, err := Parse(readFile(t, testdata.Shared(t, "cyclonedx-bom-examples/VEX/vex.json")))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar"}
	if len(stmts) != 1 || !cmp.Equal(stmts[0].Products, want) || stmts[0].Justification != VulnerableCodeNotInExecutePath {
		t.Errorf("got %+v", stmts)
	}
}

// TestParseSharedCSAF reads Red Hat's CSAF advisories kept with the OSV
// schema's converter tests: each product in "fixed" becomes a fixed purl.
func TestParseSharedCSAF(t *testing.T) {
	dir := testdata.Shared(t, "osv-schema/tools/redhat/testdata/CSAF")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no CSAF files in %s (%v)", dir, err)
	}
	for _, f := range files {
		stmts, err := Parse(readFile(t, f))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if len(stmts) == 0 {
			t.Errorf("%s: no statements", f)
		}
		for _, s := range stmts {
			if !strings.HasPrefix(s.VulnID, "CVE-") || s.Status != Fixed || s.Author != "Red Hat Product Security" || s.Timestamp.IsZero() {
				t.Errorf("%s: unexpected statement %s %s by %q at %v", f, s.VulnID, s.Status, s.Author, s.Timestamp)
			}
			for _, p := range s.Products {
				if !isPURL(p) {
					t.Errorf("%s: product %q is no purl", f, p)
				}
			}
		}
	}
}
