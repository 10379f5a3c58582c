package version

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pflicht/pflicht/internal/testdata"
)

// readOpLines reads lines of the form "a <op> b" where op is one of
// "<", "=", ">"; blank lines and lines starting with "#" or "//" are
// comments.
func readOpLines(t *testing.T, path, eco string) []vector {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []vector
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "//") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 || opResult[f[1]] == 0 && f[1] != "=" {
			t.Fatalf("%s:%d: malformed line %q", path, n, line)
		}
		out = append(out, vector{eco: eco, a: f[0], op: f[1], b: f[2], from: fmt.Sprintf("%s:%d", filepath.Base(path), n)})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestScalibrVectors checks the comparison lists that osv-scalibr keeps per
// ecosystem, produced by each ecosystem's own tool (dpkg, apk, rpm, pip,
// Maven, PHP, gem, ...).
func TestScalibrVectors(t *testing.T) {
	dir := testdata.Shared(t, "osv-scalibr-semantic/semantic/testdata")
	files := []struct {
		file string
		ecos []string
	}{
		{"semver-versions.txt", []string{"Go", "npm", "crates.io", "Hex", "SwiftURL", "SEMVER"}},
		{"pub-versions.txt", []string{"Pub"}},
		{"rubygems-versions.txt", []string{"RubyGems"}},
		{"rubygems-versions-generated.txt", []string{"RubyGems"}},
		{"nuget-versions.txt", []string{"NuGet"}},
		{"packagist-versions.txt", []string{"Packagist"}},
		{"packagist-versions-generated.txt", []string{"Packagist"}},
		{"maven-versions.txt", []string{"Maven"}},
		{"maven-versions-generated.txt", []string{"Maven"}},
		{"pypi-versions.txt", []string{"PyPI"}},
		{"pypi-versions-generated.txt", []string{"PyPI"}},
		{"debian-versions.txt", []string{"Debian", "Ubuntu"}},
		{"debian-versions-generated.txt", []string{"Debian"}},
		{"cran-versions.txt", []string{"CRAN"}},
		{"cran-versions-generated.txt", []string{"CRAN"}},
		{"alpine-versions.txt", []string{"Alpine"}},
		{"alpine-versions-generated.txt", []string{"Alpine"}},
		{"redhat-versions.txt", []string{"Red Hat", "AlmaLinux", "Rocky Linux", "SUSE", "openSUSE", "Mageia"}},
		{"hackage-versions.txt", []string{"Hackage"}},
	}
	var vs []vector
	for _, f := range files {
		for _, eco := range f.ecos {
			vs = append(vs, readOpLines(t, filepath.Join(dir, f.file), eco)...)
		}
	}
	runVectors(t, "scalibr", vs)
}

// readSchemeJSON reads the tests of schemes with an ordering of ours
// (versEcosystems); alpm, conan, gentoo, openssl and lexicographic have none.
//
// readSchemeJSON reads the comparison and equality tests of the vers-spec
// test schema (also used by univers): a "comparison" lists versions and
// expects them sorted ascending, an "equality" expects true or false.
func readSchemeJSON(t *testing.T, path string) []vector {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	type test struct {
		TestType string `json:"test_type"`
		Input    struct {
			Scheme   string   `json:"input_scheme"`
			Versions []string `json:"versions"`
		} `json:"input"`
		Expected json.RawMessage `json:"expected_output"`
	}
	var doc struct{ Tests []test }
	if err := json.Unmarshal(raw, &doc.Tests); err != nil {
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	var out []vector
	for i, tc := range doc.Tests {
		eco, ok := versEcosystems[tc.Input.Scheme]
		if !ok {
			continue
		}
		from := fmt.Sprintf("%s test %d", filepath.Base(path), i)
		switch tc.TestType {
		case "comparison":
			var sorted []string
			if err := json.Unmarshal(tc.Expected, &sorted); err != nil {
				t.Fatalf("%s: %v", from, err)
			}
			for j := 1; j < len(sorted); j++ {
				out = append(out, vector{eco: eco, a: sorted[j-1], op: "<", b: sorted[j], from: from})
			}
		case "equality":
			var equal bool
			if err := json.Unmarshal(tc.Expected, &equal); err != nil || len(tc.Input.Versions) != 2 {
				t.Fatalf("%s: malformed equality test", from)
			}
			op := "="
			if !equal {
				op = "!="
			}
			out = append(out, vector{eco: eco, a: tc.Input.Versions[0], op: op, b: tc.Input.Versions[1], from: from})
		}
	}
	return out
}

// rpmvercmpLine matches the test lines of rpm's own test suite:
// RPMVERCMP(a, b, result).
var rpmvercmpLine = regexp.MustCompile(`^RPMVERCMP\(([^,]*), ([^,]*), (-?1|0)\)$`)

// TestUniversVectors checks the version tests of aboutcode's univers:
// apk's and rpm's own test data and the per-scheme JSON files.
func TestUniversVectors(t *testing.T) {
	dir := testdata.Shared(t, "univers/tests/data")
	vs := readOpLines(t, filepath.Join(dir, "alpine_test.txt"), "Alpine")

	raw, err := os.ReadFile(filepath.Join(dir, "rpmvercmp.at"))
	if err != nil {
		t.Fatal(err)
	}
	for n, line := range strings.Split(string(raw), "\n") {
		m := rpmvercmpLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		op := map[string]string{"-1": "<", "0": "=", "1": ">"}[m[3]]
		vs = append(vs, vector{eco: "Red Hat", a: m[1], op: op, b: m[2], from: fmt.Sprintf("rpmvercmp.at:%d", n+1)})
	}

	files, err := filepath.Glob(filepath.Join(dir, "schema", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		vs = append(vs, readSchemeJSON(t, f)...)
	}
	runVectors(t, "univers", vs)
}

// TestVersSpecVectors checks the comparison and equality tests of the vers
// specification's test suite.
func TestVersSpecVectors(t *testing.T) {
	dir := testdata.Shared(t, "vers-spec/tests")
	files, err := filepath.Glob(filepath.Join(dir, "*_cmp_test.json"))
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	for _, f := range files {
		vs = append(vs, readSchemeJSON(t, f)...)
	}
	runVectors(t, "vers-spec", vs)
}

// readNodeSemver reads a node-semver fixture: a JSON array of arrays whose
// first elements are strings.
func readNodeSemver(t *testing.T, dir, name string) [][]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]any
	if err := json.Unmarshal(raw, &rows); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return rows
}

// TestNodeSemverVectors checks npm's ordering against node-semver's own
// fixtures (see FIXTURE-SEMANTICS.txt): comparisons.json holds pairs whose
// first is greater, equality.json pairs that are equal, and increments.json
// inc(version, type) results, each of which must order after its version;
// valid-versions.json and invalid-versions.json say what must parse.
func TestNodeSemverVectors(t *testing.T) {
	dir := testdata.Shared(t, "node-semver/test/fixtures")
	var vs []vector
	pairs := []struct{ file, op string }{{"comparisons.json", ">"}, {"equality.json", "="}}
	for _, p := range pairs {
		for i, row := range readNodeSemver(t, dir, p.file) {
			a, _ := row[0].(string)
			b, _ := row[1].(string)
			vs = append(vs, vector{eco: "npm", a: a, op: p.op, b: b, from: fmt.Sprintf("%s[%d]", p.file, i)})
		}
	}
	for i, row := range readNodeSemver(t, dir, "increments.json") {
		v, _ := row[0].(string)
		result, ok := row[2].(string)
		if !ok {
			continue // null: node-semver refuses the increment
		}
		vs = append(vs, vector{eco: "npm", a: result, op: ">", b: v, from: fmt.Sprintf("increments.json[%d]", i)})
	}
	for i, row := range readNodeSemver(t, dir, "valid-versions.json") {
		v, _ := row[0].(string)
		vs = append(vs, vector{eco: "npm", a: v, op: "valid", from: fmt.Sprintf("valid-versions.json[%d]", i)})
	}
	for i, row := range readNodeSemver(t, dir, "invalid-versions.json") {
		v, ok := row[0].(string)
		if !ok {
			continue // not a string at all: a JavaScript type check
		}
		vs = append(vs, vector{eco: "npm", a: v, op: "invalid", from: fmt.Sprintf("invalid-versions.json[%d]", i)})
	}
	runVectors(t, "node-semver", vs)
}
