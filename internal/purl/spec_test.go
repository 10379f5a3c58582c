package purl

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pflicht/pflicht/internal/testdata"
)

// specComponents is the decoded-components object of the purl-spec tests.
type specComponents struct {
	Type       *string           `json:"type"`
	Namespace  *string           `json:"namespace"`
	Name       *string           `json:"name"`
	Version    *string           `json:"version"`
	Qualifiers map[string]string `json:"qualifiers"`
	Subpath    *string           `json:"subpath"`
}

func (c specComponents) purl() PURL {
	s := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	p := PURL{Type: s(c.Type), Namespace: s(c.Namespace), Name: s(c.Name), Version: s(c.Version), Subpath: s(c.Subpath)}
	for _, k := range slices.Sorted(maps.Keys(c.Qualifiers)) {
		p.Qualifiers = append(p.Qualifiers, Qualifier{strings.ToLower(k), c.Qualifiers[k]})
	}
	return p
}

type specTest struct {
	Description     string          `json:"description"`
	TestType        string          `json:"test_type"`
	Input           json.RawMessage `json:"input"`
	ExpectedOutput  json.RawMessage `json:"expected_output"`
	ExpectedFailure bool            `json:"expected_failure"`
}

// build turns decoded components into a canonical purl the way the spec's
// build tests mean it: encode, then parse, which applies the type rules.
func build(c specComponents) (string, error) {
	if c.Type == nil || c.Name == nil || *c.Name == "" {
		return "", os.ErrInvalid
	}
	p, err := Parse(c.purl().String())
	if err != nil {
		return "", err
	}
	return p.String(), nil
}

// TestSpecSuite runs every test of purl-spec/tests/** and reports the pass
// count per test type.
func TestSpecSuite(t *testing.T) {
	dir := testdata.Shared(t, "purl-spec/tests")
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	if len(files) == 0 {
		t.Fatalf("no test files under %s", dir)
	}
	// Two "required" parse tests reject upper-case qualifier keys while the
	// maven tests and the spec's parse algorithm lowercase them; Parse
	// lowercases, so that such a component stays checkable.
	deviations := map[string]bool{
		"pkg:gem/jruby-launcher@1.1.2?Platform=java":                   true,
		"pkg:Rpm/fedora/curl@7.50.3-1.fc25?Arch=i386&Distro=fedora-25": true,
	}
	pass, total := map[string]int{}, map[string]int{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct{ Tests []specTest }
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for i, tc := range doc.Tests {
			key := tc.TestType
			if tc.ExpectedFailure {
				key += "-failure"
			}
			total[key]++
			if err := runSpecTest(tc); err != "" {
				var in string
				if json.Unmarshal(tc.Input, &in) == nil && deviations[in] && tc.ExpectedFailure {
					t.Logf("deliberate deviation: %s: %s", filepath.Base(f), err)
					continue
				}
				t.Errorf("%s test %d (%s, %s): %s", filepath.Base(f), i, tc.TestType, tc.Description, err)
				continue
			}
			pass[key]++
		}
	}
	for _, k := range slices.Sorted(maps.Keys(total)) {
		t.Logf("purl-spec %-16s %d/%d pass", k, pass[k], total[k])
	}
}

func runSpecTest(tc specTest) string {
	switch tc.TestType {
	case "parse", "validate":
		var in string
		if err := json.Unmarshal(tc.Input, &in); err != nil {
			return "bad input: " + err.Error()
		}
		p, err := Parse(in)
		if tc.ExpectedFailure {
			if err == nil {
				return "parsed " + in + " as " + p.String() + ", want failure"
			}
			return ""
		}
		if err != nil {
			return err.Error()
		}
		if tc.TestType == "validate" {
			var want string
			_ = json.Unmarshal(tc.ExpectedOutput, &want)
			if got := p.String(); got != want {
				return "String() = " + got + ", want " + want
			}
			return ""
		}
		var want specComponents
		_ = json.Unmarshal(tc.ExpectedOutput, &want)
		if w := want.purl(); !equal(p, w) {
			return "got " + dump(p) + ", want " + dump(w)
		}
		// Parse must be stable on its own output.
		if q, err := Parse(p.String()); err != nil || !equal(p, q) {
			return "round trip of " + p.String() + " changed it"
		}
	case "build":
		var in specComponents
		if err := json.Unmarshal(tc.Input, &in); err != nil {
			return "bad input: " + err.Error()
		}
		got, err := build(in)
		if tc.ExpectedFailure {
			if err == nil {
				return "built " + got + ", want failure"
			}
			return ""
		}
		if err != nil {
			return err.Error()
		}
		var want string
		_ = json.Unmarshal(tc.ExpectedOutput, &want)
		if got != want {
			return "built " + got + ", want " + want
		}
	default:
		return "unknown test type " + tc.TestType
	}
	return ""
}

func equal(a, b PURL) bool {
	return a.Type == b.Type && a.Namespace == b.Namespace && a.Name == b.Name &&
		a.Version == b.Version && a.Subpath == b.Subpath && slices.Equal(a.Qualifiers, b.Qualifiers)
}

func dump(p PURL) string {
	b, _ := json.Marshal(p)
	return string(b)
}

// TestLegacySuite runs the test-suite-data.json of the purl-spec before it
// was split per type (kept because tools in the wild were built against it).
func TestLegacySuite(t *testing.T) {
	data, err := os.ReadFile(testdata.Shared(t, "purl-spec/test-suite-data.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Description  string  `json:"description"`
		PURL         string  `json:"purl"`
		CanonicalURL *string `json:"canonical_purl"`
		specComponents
		IsInvalid bool `json:"is_invalid"`
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	// Where the current per-type definitions overrule the old suite.
	outdated := map[string]string{
		"pkg:GOLANG/google.golang.org/genproto@abcdedf#/googleapis/%2E%2E/api/annotations/": "the spec now drops '.' and '..' subpath segments",
		"pkg:GOLANG/google.golang.org/genproto@abcdedf#/googleapis/%2E/api/annotations/":    "the spec now drops '.' and '..' subpath segments",
		"pkg:conan/bincrafters/cctz@2.3":           "conan namespace is now the vendor, no channel needed",
		"pkg:conan/cctz@2.3?channel=stable":        "conan namespace is now the vendor, no channel needed",
		"pkg:cran/A3":                              "the cran definition makes the version optional",
		"pkg:swift/github.com/Alamofire/Alamofire": "the swift definition makes the version optional",
		"pkg:huggingface/distilbert-base-uncased@043235d6088ecd3dd5fb5ca3592b6913fd516027": "the huggingface definition requires a namespace",
		"pkg:cpan/URI::PackageURL@2.11": "the cpan definition names distributions, with '-'",
		"pkg:cpan/Perl-Version@1.013":   "the cpan definition names distributions, with '-'",
	}
	pass, invalid, skipped := 0, 0, 0
	for _, tc := range cases {
		if why, ok := outdated[tc.PURL]; ok {
			t.Logf("not run: %s: %s", tc.PURL, why)
			skipped++
			continue
		}
		p, err := Parse(tc.PURL)
		switch {
		case tc.IsInvalid:
			invalid++
			if err == nil {
				t.Errorf("%s: Parse(%q) = %s, want error", tc.Description, tc.PURL, p)
				continue
			}
		case err != nil:
			t.Errorf("%s: Parse(%q): %v", tc.Description, tc.PURL, err)
			continue
		case !equal(p, tc.purl()):
			t.Errorf("%s: Parse(%q) = %s, want %s", tc.Description, tc.PURL, dump(p), dump(tc.purl()))
			continue
		case tc.CanonicalURL != nil && p.String() != *tc.CanonicalURL:
			// The old suite left '/' in qualifier values unencoded; the
			// current one encodes it. Both must denote the same purl.
			if c, err := Parse(*tc.CanonicalURL); err != nil || !equal(c, p) {
				t.Errorf("%s: String() = %s, want %s", tc.Description, p, *tc.CanonicalURL)
				continue
			}
		}
		pass++
	}
	t.Logf("test-suite-data.json: %d/%d pass (%d expected failures), %d not run as outdated", pass, len(cases), invalid, skipped)
}
