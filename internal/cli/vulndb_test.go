package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pflicht/pflicht/internal/findings"
	"github.com/pflicht/pflicht/internal/store"
)

// fixtureArgs import the test database: OSV records (JSON and YAML, one
// withdrawn), a CISA KEV catalogue and an EU KEV list.
var fixtureArgs = []string{"testdata/vulndb_osv", "testdata/vulndb_kev.json", "testdata/vulndb_eu.csv"}

// fixtureDB imports the fixtures into a new data directory and returns it.
func fixtureDB(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	stdout, stderr, code := runCLI(t, "", append([]string{"vulndb", "import", "--data", dir}, fixtureArgs...)...)
	if code != ExitOK {
		t.Fatalf("import: exit %d\n%s%s", code, stdout, stderr)
	}
	return dir
}

// importedAt masks the instants the store takes from the real clock.
var importedAt = regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d CES?T|\d\d\.\d\d\.\d{4} \d\d:\d\d CES?T`)

// dirGolden runs pflicht and compares its output with a golden file, with
// the data directory dir written as $DATA.
func dirGolden(t *testing.T, name, dir string, wantCode int, args ...string) {
	t.Helper()
	stdout, stderr, code := runCLI(t, "", args...)
	if code != wantCode {
		t.Fatalf("exit %d, want %d; stderr %q", code, wantCode, stderr)
	}
	out := "$ pflicht " + strings.Join(args, " ") + "\n" + stdout
	golden(t, name, strings.ReplaceAll(out, dir, "$DATA"))
}

func TestVulnDBImportGolden(t *testing.T) {
	dir := t.TempDir()
	args := append([]string{"vulndb", "import", "--lang", "en", "--data", dir}, fixtureArgs...)
	dirGolden(t, "vulndb_import_en", dir, ExitOK, args...)
	// Again: everything is unchanged, the catalogues are replaced.
	dirGolden(t, "vulndb_import_again_de", dir, ExitOK, append([]string{"vulndb", "import", "--lang", "de", "--data", dir}, fixtureArgs...)...)

	stdout, _, code := runCLI(t, "", append([]string{"vulndb", "import", "--json", "--data", dir}, fixtureArgs...)...)
	var rep importReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || code != ExitOK {
		t.Fatalf("import --json: exit %d, %v\n%s", code, err, stdout)
	}
	if len(rep.Sources) != 3 || rep.Total.Unchanged != 6 || rep.Sources[1].KEVVersion != "2025.08.25" || len(rep.Failures) != 0 {
		t.Errorf("import --json: %+v", rep)
	}

	stdout, _, code = runCLI(t, "", "vulndb", "status", "--lang", "en", "--data", dir)
	if code != ExitOK {
		t.Fatalf("status: exit %d", code)
	}
	golden(t, "vulndb_status_en", importedAt.ReplaceAllString(stdout, "TIME"))

	stdout, _, code = runCLI(t, "", "vulndb", "status", "--json", "--data", dir)
	if code != ExitOK {
		t.Fatalf("status --json: exit %d", code)
	}
	var st struct {
		Records    int `json:"records"`
		Withdrawn  int `json:"withdrawn"`
		Ecosystems []struct {
			Name    string `json:"name"`
			Records int    `json:"records"`
		} `json:"ecosystems"`
		KEV []struct {
			Catalog string `json:"catalog"`
			Version string `json:"version"`
		} `json:"kev"`
		LastImport struct {
			Source string `json:"source"`
		} `json:"last_import"`
	}
	if err := json.Unmarshal([]byte(stdout), &st); err != nil {
		t.Fatal(err)
	}
	if st.Records != 5 || st.Withdrawn != 1 || len(st.Ecosystems) != 3 || len(st.KEV) != 2 || st.KEV[0].Version != "2025.08.25" || st.LastImport.Source != "testdata/vulndb_eu.csv" {
		t.Errorf("status --json: %+v", st)
	}
}

// TestVulnDBImportFailures: every rejected file is listed with its reason,
// the rest is committed, and the exit code says input was rejected.
func TestVulnDBImportFailures(t *testing.T) {
	dir := t.TempDir()
	dirGolden(t, "vulndb_import_failures_en", dir, ExitInput,
		"vulndb", "import", "--lang", "en", "--data", dir, "testdata/vulndb_bad", "testdata/missing", "--eu-kev", "testdata/vulndb_osv/README.md")
	stdout, _, _ := runCLI(t, "", "vulndb", "status", "--json", "--data", dir)
	if !strings.Contains(stdout, `"records": 1`) {
		t.Errorf("the good record of a partly bad directory was not kept:\n%s", stdout)
	}
}

// TestVulnDBImportNothing: when every path fails, the report does not
// claim that "everything else" was imported.
func TestVulnDBImportNothing(t *testing.T) {
	stdout, _, code := runCLI(t, "", "vulndb", "import", "--lang", "en", "--data", t.TempDir(), "testdata/missing")
	if code != ExitInput || !strings.Contains(stdout, "Not imported: testdata/missing") || strings.Contains(stdout, "Everything else") {
		t.Errorf("exit %d:\n%s", code, stdout)
	}
}

func TestVulnDBImportUsage(t *testing.T) {
	_, stderr, code := runCLI(t, "", "vulndb", "import", "--data", t.TempDir())
	if code != ExitInput || !strings.Contains(stderr, "PATH") {
		t.Errorf("no paths: exit %d, %q", code, stderr)
	}
}

func TestVulnDBStatusEmpty(t *testing.T) {
	_, stderr, code := runCLI(t, "", "vulndb", "status", "--data", t.TempDir())
	if code != ExitFailure || !strings.Contains(stderr, "pflicht vulndb import") {
		t.Errorf("empty database: exit %d, %q", code, stderr)
	}
}

func TestKindOf(t *testing.T) {
	for _, tc := range []struct {
		path string
		want inputKind
	}{
		{"testdata/vulndb_kev.json", cisaKEVInput},
		{"testdata/vulndb_eu.csv", euKEVInput},
		{"testdata/vulndb_osv", osvInput},
		{"testdata/vulndb_osv/go/GO-2025-9001.json", osvInput},
		{"testdata/vulndb_osv/pypi/PYSEC-2025-77.yaml", osvInput},
		{"testdata/euvd-exploited.json", euKEVInput}, // missing, named like the EU list
		{"all.zip", osvInput},
	} {
		if got := kindOf(tc.path); got != tc.want {
			t.Errorf("kindOf(%s) = %d, want %d", tc.path, got, tc.want)
		}
	}
}

// TestVulnDBImportRematches stores an SBOM for a product version while the
// database is empty; the import then finds its vulnerabilities and opens a
// CRA Art. 14 track per known-exploited CVE, once.
func TestVulnDBImportRematches(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(dir, "pflicht.db"))
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.CreateUser(ctx, store.System("test"), "member@maker.example", "$argon2id$test", "")
	if err != nil {
		t.Fatal(err)
	}
	a := store.Actor{UserID: u.ID}
	org, err := s.CreateOrganisation(ctx, a, store.Profile{Name: "Maker"}, "")
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.CreateProduct(ctx, a, org.ID, "Gateway")
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.AddProductVersion(ctx, a, store.ProductVersion{ProductID: p.ID, Version: "3.2"})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/sbom_gateway.cdx.json")
	if err != nil {
		t.Fatal(err)
	}
	if res, err := findings.Upload(ctx, s, a, v.ID, "gateway.cdx.json", bytes.NewReader(data), fixedNow); err != nil || res.Findings != 0 {
		t.Fatalf("Upload into the empty database = %+v, %v", res, err)
	}
	s.Close()

	args := append([]string{"vulndb", "import", "--lang", "en", "--data", dir}, fixtureArgs...)
	dirGolden(t, "vulndb_import_rematch_en", dir, ExitOK, args...)
	stdout, _, code := runCLI(t, "", append([]string{"vulndb", "import", "--json", "--data", dir}, fixtureArgs...)...)
	var rep importReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || code != ExitOK || rep.Rematch != (findings.RematchResult{}) {
		t.Fatalf("import again: exit %d, %v, re-match %+v", code, err, rep.Rematch)
	}

	s, err = store.Open(ctx, filepath.Join(dir, "pflicht.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	incs, err := s.Incidents(ctx, a, org.ID)
	if err != nil || len(incs) != 2 {
		t.Fatalf("Incidents = %+v, %v", incs, err)
	}
	for _, inc := range incs {
		if inc.Regime != store.RegimeCRAVulnerability || !inc.AwareAt.Equal(fixedNow) {
			t.Errorf("incident %+v", inc)
		}
	}
	notes, err := s.Notifications(ctx, a, org.ID)
	if err != nil || len(notes) != 2 || notes[0].Kind != findings.NotificationKind {
		t.Fatalf("Notifications = %+v, %v", notes, err)
	}
}
