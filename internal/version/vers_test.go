package version

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pflicht/pflicht/internal/testdata"
)

// TestVersSpecRanges runs the parse, validate and containment tests of the
// vers specification's suite. Its from_native tests (npm "^1.2.3", nginx,
// conan … syntax to vers) need a parser per native range syntax, which
// pflicht does not have: OSV ranges are events, not native syntax.
func TestVersSpecRanges(t *testing.T) {
	dir := testdata.Shared(t, "vers-spec/tests")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	type test struct {
		Description string          `json:"description"`
		Type        string          `json:"test_type"`
		Input       json.RawMessage `json:"input"`
		Expected    json.RawMessage `json:"expected_output"`
		Failure     bool            `json:"expected_failure"`
	}
	counts := map[string]int{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct{ Tests []test }
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for i, tc := range doc.Tests {
			from := fmt.Sprintf("%s test %d (%s)", filepath.Base(f), i, tc.Description)
			var got any
			var err error
			switch tc.Type {
			case "parse":
				var in string
				mustJSON(t, from, tc.Input, &in)
				var r Vers
				if r, err = ParseVers(in); err == nil {
					cs := [][2]string{}
					for _, c := range r.Constraints {
						cs = append(cs, [2]string{c.Comparator, c.Version})
					}
					got = map[string]any{"scheme": r.Scheme, "version_constraints": cs}
				}
			case "validate":
				var in string
				mustJSON(t, from, tc.Input, &in)
				var r Vers
				if r, err = NormalizeVers(in); err == nil {
					got = r.String()
				}
			case "containment":
				var in struct{ Vers, Version string }
				mustJSON(t, from, tc.Input, &in)
				var r Vers
				if r, err = NormalizeVers(in.Vers); err == nil {
					got, err = r.Contains(in.Version)
				}
			default:
				continue
			}
			counts[tc.Type]++
			switch {
			case tc.Failure && err == nil:
				t.Errorf("%s: %s gives %v, want an error", from, tc.Input, got)
			case tc.Failure:
			case err != nil:
				t.Errorf("%s: %s: %v", from, tc.Input, err)
			default:
				want, gotJSON := normJSON(t, tc.Expected), normJSON(t, mustMarshal(t, got))
				if want != gotJSON {
					t.Errorf("%s: %s = %s, want %s", from, tc.Input, gotJSON, want)
				}
			}
		}
	}
	if counts["parse"] == 0 || counts["validate"] == 0 || counts["containment"] == 0 {
		t.Fatalf("tests read: %v", counts)
	}
	t.Logf("vers-spec ranges: %v", counts)
}

func mustJSON(t *testing.T, from string, raw json.RawMessage, v any) {
	t.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", from, err)
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// normJSON re-encodes JSON so that formatting does not matter.
func normJSON(t *testing.T, raw []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return string(mustMarshal(t, v))
}

func TestVers(t *testing.T) {
	for _, tc := range []struct {
		vers      string
		canonical bool   // ParseVers accepts it
		norm      string // NormalizeVers(vers).String(), "" for an error
		in, out   []string
	}{
		{"vers:npm/>=1.0.0|<2.0.0", true, "vers:npm/>=1.0.0|<2.0.0", []string{"1.0.0", "1.9.9"}, []string{"0.9.0", "2.0.0"}},
		{"VERS:NPM/ <2.0.0 | >=1.0.0", false, "vers:npm/>=1.0.0|<2.0.0", []string{"1.2.3"}, []string{"2.0.1"}},
		{"vers:pypi/<1.0|>=2.0|!=2.5", true, "vers:pypi/<1.0|>=2.0|!=2.5", []string{"0.1", "2.0", "3"}, []string{"1.0", "1.5", "2.5"}},
		{"vers:pypi/=1.0", false, "vers:pypi/1.0", []string{"1.0", "1.0.0"}, []string{"1.1"}},
		{"vers:pypi/!=1.0", true, "vers:pypi/!=1.0", []string{"0.9", "2"}, []string{"1.0"}},
		{"vers:deb/>=1:1.0-1|<=1:1.0-5", true, "vers:deb/>=1:1.0-1|<=1:1.0-5", []string{"1:1.0-5"}, []string{"1.0-3", "1:1.0-6"}},
		{"vers:semver/>1.0.0-rc.1|<1.0.0", true, "vers:semver/>1.0.0-rc.1|<1.0.0", []string{"1.0.0-rc.2"}, []string{"1.0.0"}},
		{"vers:golang/*", true, "vers:golang/*", []string{"v0.0.1"}, nil},
		{"vers:npm/1.0.0|*", false, "", nil, nil},
		{"vers:npm/<", false, "", nil, nil},
		{"vers:npm/>=x|<2", false, "", nil, nil},
		{"vers:nosuch/1", true, "vers:nosuch/1", nil, nil},
		{"vers:npm", false, "", nil, nil},
		{"pkg:npm/x", false, "", nil, nil},
		{"vers:npm/1.0.0%", false, "", nil, nil},
		{"vers:npm/1.0.0%7c", false, "vers:npm/1.0.0%7C", nil, nil},
		{"vers:npm/>=1.0.0|<1.0.0%7C", false, "", nil, nil},
		{"vers:nosuch/>=1|<2", false, "", nil, nil},
	} {
		_, err := ParseVers(tc.vers)
		if (err == nil) != tc.canonical {
			t.Errorf("ParseVers(%q): %v, want canonical %v", tc.vers, err, tc.canonical)
		}
		r, err := NormalizeVers(tc.vers)
		if tc.norm == "" {
			if err == nil {
				t.Errorf("NormalizeVers(%q) = %s, want an error", tc.vers, r)
			}
			continue
		}
		if err != nil || r.String() != tc.norm {
			t.Errorf("NormalizeVers(%q) = %s, %v; want %s", tc.vers, r, err, tc.norm)
			continue
		}
		if _, err := ParseVers(r.String()); err != nil {
			t.Errorf("ParseVers(%q), the canonical form: %v", r.String(), err)
		}
		for want, vs := range map[bool][]string{true: tc.in, false: tc.out} {
			for _, v := range vs {
				if got, err := r.Contains(v); err != nil || got != want {
					t.Errorf("%s contains %s = %v, %v; want %v", tc.vers, v, got, err, want)
				}
			}
		}
	}
	r, _ := ParseVers("vers:npm/<2.0.0")
	if _, err := r.Contains("not a version"); err == nil || !strings.Contains(err.Error(), `"not a version"`) {
		t.Errorf("Contains of a bad version: %v", err)
	}
}

// FuzzVers: no input panics, the canonical form of what NormalizeVers
// accepts parses as canonical to the same, and Contains never panics.
func FuzzVers(f *testing.F) {
	for _, s := range []string{"vers:npm/>=1.0.0|<2.0.0", "vers:pypi/0.0.2|0.0.6|>=0.0.0", "vers:npm/1.0%252F0",
		"vers:datetime/2024-01-01T00:00:00Z", "vers:deb/>=1:1.0-1|!=1:1.0-3", "VERS:NPM/ *", "vers:maven/%3C1"} {
		f.Add(s, "1.0.0")
	}
	f.Fuzz(func(t *testing.T, s, v string) {
		if _, err := ParseVers(s); err == nil {
			if n, err := NormalizeVers(s); err != nil || n.String() != s {
				t.Fatalf("canonical %q normalises to %q, %v", s, n.String(), err)
			}
		}
		r, err := NormalizeVers(s)
		if err != nil {
			return
		}
		c, err := ParseVers(r.String())
		if err != nil || c.String() != r.String() {
			t.Fatalf("%q: canonical form %q does not parse back: %v", s, r.String(), err)
		}
		r.Contains(v)
	})
}
