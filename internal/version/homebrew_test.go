package version

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pflicht/pflicht/internal/testdata"
)

// homebrewSpec holds the comparisons of Homebrew's own test of its Version
// class (Library/Homebrew/test/version_spec.rb), as pairs "a op b".
var homebrewSpec = []string{
	"0.1 = 0.1.0", "0.1 < 0.2", "1.2.3 > 1.2.2", "1.2.4 < 1.2.4.1",
	"1.2.3 > 1.2.3alpha4", "1.2.3 > 1.2.3beta2", "1.2.3 > 1.2.3rc3", "1.2.3 < 1.2.3-p34",
	"HEAD > 1.2.3", "HEAD-abcdef > 1.2.3", "HEAD-abcdef = HEAD-fedcba", "HEAD = HEAD-fedcba",
	"1.2.3alpha < 1.2.3", "1.2.3 < 1.2.3a", "1.2.3alpha4 = 1.2.3a4", "1.2.3alpha4 = 1.2.3A4",
	"1.2.3alpha4 > 1.2.3alpha3", "1.2.3alpha4 < 1.2.3alpha5", "1.2.3alpha4 < 1.2.3alpha10",
	"1.2.3alpha4 < 1.2.3beta2", "1.2.3alpha4 < 1.2.3rc3", "1.2.3alpha4 < 1.2.3", "1.2.3alpha4 < 1.2.3-p34",
	"1.2.3beta2 = 1.2.3b2", "1.2.3beta2 = 1.2.3B2", "1.2.3beta2 > 1.2.3beta1", "1.2.3beta2 < 1.2.3beta3",
	"1.2.3beta2 < 1.2.3beta10", "1.2.3beta2 > 1.2.3alpha4", "1.2.3beta2 < 1.2.3rc3", "1.2.3beta2 < 1.2.3",
	"1.2.3beta2 < 1.2.3-p34",
	"1.2.3pre9 = 1.2.3PRE9", "1.2.3pre9 > 1.2.3pre8", "1.2.3pre9 < 1.2.3pre10", "1.2.3pre3 > 1.2.3alpha2",
	"1.2.3pre3 > 1.2.3alpha4", "1.2.3pre3 > 1.2.3beta3", "1.2.3pre3 > 1.2.3beta5", "1.2.3pre3 < 1.2.3rc2",
	"1.2.3pre3 < 1.2.3", "1.2.3pre3 < 1.2.3-p2",
	"1.2.3rc3 = 1.2.3RC3", "1.2.3rc3 > 1.2.3rc2", "1.2.3rc3 < 1.2.3rc4", "1.2.3rc3 < 1.2.3rc10",
	"1.2.3rc3 > 1.2.3alpha4", "1.2.3rc3 > 1.2.3beta2", "1.2.3rc3 < 1.2.3", "1.2.3rc3 < 1.2.3-p34",
	"1.2.3-p34 = 1.2.3-P34", "1.2.3-p34 > 1.2.3-p33", "1.2.3-p34 < 1.2.3-p35", "1.2.3-p34 > 1.2.3-p9",
	"1.2.3-p34 > 1.2.3alpha4", "1.2.3-p34 > 1.2.3beta2", "1.2.3-p34 > 1.2.3rc3", "1.2.3-p34 > 1.2.3",
	"1.2.3.post34 > 1.2.3.post33", "1.2.3.post34 < 1.2.3.post35", "1.2.3.post34 > 1.2.3rc35",
	"1.2.3.post34 > 1.2.3alpha35", "1.2.3.post34 > 1.2.3beta35", "1.2.3.post34 > 1.2.3",
	"2.1.0-p194 < 2.1-p195", "2.1-p194 < 2.1.0-p195", "2-p194 < 2.1-p195",
	// "erlang versions": sorted ascending.
	"R13B02-1 < R13B03", "R13B03 < R13B04", "R13B04 < R14B", "R14B < R14B01", "R14B01 < R14B02",
	"R14B02 < R14B03", "R14B03 < R14B04", "R14B04 < R15B", "R15B < R15B01", "R15B01 < R15B02",
	"R15B02 < R15B03", "R15B03 < R15B03-1", "R15B03-1 < R16B",
}

// TestHomebrewVectors checks Homebrew's own comparisons and those of its
// PkgVersion (the revision after '_'), and pins how tokens of different
// kinds meet.
func TestHomebrewVectors(t *testing.T) {
	var vs []vector
	add := func(from string, lines ...string) {
		for _, l := range lines {
			f := strings.Fields(l)
			vs = append(vs, vector{eco: "Homebrew", a: f[0], op: f[1], b: f[2], from: from})
		}
	}
	add("version_spec.rb", homebrewSpec...)
	add("pkg_version_spec.rb",
		"1.0_1 = 1.0_1", "1.0_1 > 1.0", "1.0_1 < 1.1", "1.0_1 < 1.0_2", "1.0_1 > 1.0_0", "1.0_0 = 1.0",
		"HEAD_1 > 1.0", "HEAD-abc_1 < HEAD-abc_2", "1.1 > 1.0_9")
	add("homebrew_test.go",
		// Advisory versions, and numbers beyond 64 bits.
		"1.2.4_5 > 1.2.4", "1.2.4_5 < 1.2.4_10", "1.2.4_5 < 1.2.5", "2.39 > 2.38_9", "1.11.1_3 > 1.9.1_3",
		"1.0_18446744073709551616 > 1.0_18446744073709551615", "18446744073709551616 > 18446744073709551615",
		"1.0_007 = 1.0_7", "1.01 = 1.1",
		// The revision is the last '_' with only digits after it, and never
		// the whole version.
		"1_2_3 > 1_2_2", "_5 > 4", "1_ = 1",
		// Letter suffixes (openssl@1.1, openssh, tzdata).
		"1.1.1w > 1.1.1v", "1.1.1 < 1.1.1a", "9.9p1 < 9.9p2", "9.9p2 < 10.0p1", "2024a < 2024b", "2024b < 2025a",
		// Zeros are skipped against other kinds; Homebrew orders 1alpha
		// before 1.0 only with 1alpha on the left, and equal the other way.
		"1.0alpha = 1alpha", "1alpha < 1.0", "1alpha < 1.0.0", "1.0 > 1alpha",
		// A numeric token beats every letter token; a plain string compares
		// as text with letter tokens, and patch with post.
		"1.a < 1.0.1", "1.x > 1.alpha", "1.abc < 1.alpha", "1.ab > 1.a1", "1.rcx > 1.rc", "1-post1 = 1.post1", "1p1 > 1.post1",
		// A pre-release token orders before the end of the version, a
		// string, patch or post token after it.
		"1alpha < 1", "1.0beta < 1.0", "1x > 1",
		// ... yet a string and an alpha token compare as text: a cycle.
		"1.0 < 1.0a", "1.0a < 1.0a1", "1.0a1 < 1.0", "1p > 1", "1.post1 > 1",
		// Letters are ASCII; other characters separate tokens.
		"1\u00e92 = 1.2", "1,2 = 1.2", "1..2 = 1.2")
	runVectors(t, "homebrew", vs)
}

// TestHomebrewAdvisories parses every version of the Homebrew advisories
// and checks that each range's fixed version orders after its introduced one.
func TestHomebrewAdvisories(t *testing.T) {
	dir := testdata.Shared(t, "homebrew-advisory-database/advisories")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	type event map[string]string
	var n int
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Affected []struct {
				Package  struct{ Ecosystem string }
				Versions []string
				Ranges   []struct {
					Type   string
					Events []event
				}
			}
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, a := range doc.Affected {
			if !Supported(a.Package.Ecosystem) {
				t.Errorf("%s: ecosystem %q not supported", filepath.Base(f), a.Package.Ecosystem)
				continue
			}
			for _, s := range a.Versions {
				if _, err := Parse(a.Package.Ecosystem, s); err != nil {
					t.Errorf("%s: %v", filepath.Base(f), err)
				}
				n++
			}
			for _, r := range a.Ranges {
				var prev Version
				for _, e := range r.Events {
					for _, s := range e {
						v, err := Parse(a.Package.Ecosystem, s)
						if err != nil {
							t.Errorf("%s: %v", filepath.Base(f), err)
							continue
						}
						if prev != nil && prev.Compare(v) >= 0 {
							t.Errorf("%s: range events out of order: %s then %s", filepath.Base(f), prev, v)
						}
						prev = v
						n++
					}
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no versions read")
	}
	t.Logf("%d advisories, %d versions parsed", len(files), n)
}

func TestHomebrewParseErrors(t *testing.T) {
	for _, tt := range []struct{ s, want string }{
		{" ", "blank version"},
		{"  _1", "blank version"},
		{"1.0\n", "line break"},
		{"1.0\xff", "not valid UTF-8"},
	} {
		_, err := Parse("Homebrew", tt.s)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(Homebrew, %q) error = %v, want %q", tt.s, err, tt.want)
		}
	}
}
