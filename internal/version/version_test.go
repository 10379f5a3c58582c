package version

import (
	"slices"
	"strings"
	"testing"
)

// TestCompare pins a few orderings per family that matter for matching,
// so that the core is tested even without the shared vector suites.
func TestCompare(t *testing.T) {
	tests := []struct {
		eco, a, b string
		want      int
	}{
		{"Go", "v1.2.3", "1.2.3", 0},
		{"Go", "0.0.0-20210101000000-abcdef123456", "0.0.1", -1},
		{"Go", "1.2.3+incompatible", "1.2.3", 0},
		{"Go", "1.10.0", "1.9.9", 1},
		{"Go", "go1.22rc1", "1.22.0-rc.1", 0},
		{"Go", "go1.21", "1.21.0", 0},
		{"Homebrew", "1.2.4_5", "1.2.4_10", -1},
		{"npm", "1.0.0-beta.2", "1.0.0-beta.11", -1},
		{"npm", "1.0.0-alpha", "1.0.0-alpha.1", -1},
		{"npm", "1.0.0-rc.1", "1.0.0", -1},
		{"crates.io", "99999999999999999999.0.0", "99999999999999999998.9.9", 1},
		{"Debian:12", "1:1.0", "2.0", 1},
		{"Debian", "1.0~rc1", "1.0", -1},
		{"Ubuntu:22.04:LTS", "1.0-1ubuntu1", "1.0-1", 1},
		{"Debian", "1.0", "1.0-0", 0},
		{"Red Hat", "1.0^git1", "1.0", 1},
		{"Rocky Linux", "1.0~rc1", "1.0", -1},
		{"SUSE", "0:3.10.0-229.el7", "3.10.0-229.1.2.el7", -1},
		{"AlmaLinux:9", "1:1.0", "2.0", 1},
		{"PyPI", "1.0.dev0", "1.0a1", -1},
		{"PyPI", "1.0.post1", "1.0", 1},
		{"Maven", "1.0-SNAPSHOT", "1.0", -1},
		{"Maven", "1.0.RELEASE", "1.0", 0},
		{"Alpine:v3.18", "1.0_rc1-r0", "1.0-r0", -1},
		{"Packagist:https://packages.drupal.org/8", "8.x-1.0", "8.x-1.1", -1},
		{"RubyGems", "1.0.a", "1.0", -1},
		{"NuGet", "1.0.0-BETA", "1.0.0-beta", 0},
		{"Pub", "1.0.0+1", "1.0.0+2", -1},
		{"CRAN", "1.0-10", "1.0-9", 1},
		{"Hackage", "1.0.0", "1.0", 1},
		{"Hex", "1.0.0-rc.0", "1.0.0", -1},
		{"SwiftURL", "5.9.0", "5.10.0", -1},
	}
	for _, tt := range tests {
		got, err := Compare(tt.eco, tt.a, tt.b)
		if err != nil {
			t.Errorf("Compare(%q, %q, %q): %v", tt.eco, tt.a, tt.b, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Compare(%q, %q, %q) = %d, want %d", tt.eco, tt.a, tt.b, got, tt.want)
		}
	}
}

// TestZero checks that the OSV event value "0" orders before every
// version, even those that their ecosystem orders before 0.
func TestZero(t *testing.T) {
	low := map[string]string{
		"Go": "0.0.0-0", "npm": "0.0.0-0", "crates.io": "0.0.0-0", "Hex": "0.0.0-0", "SwiftURL": "0.0.0-0",
		"PyPI": "0.dev0", "Maven": "0-alpha", "RubyGems": "0.a", "NuGet": "0.0.0-0", "Packagist": "0-dev",
		"Debian": "0~~", "Ubuntu": "0~", "Alpine": "0_alpha", "Pub": "0.0.0-0", "CRAN": "0.0", "Hackage": "0.0",
		"Homebrew": "0alpha", "Red Hat": "~", "AlmaLinux": "0~", "Rocky Linux": "0~", "SUSE": "0~", "openSUSE": "0~", "Mageia": "0~",
	}
	for eco, s := range low {
		z, err := Parse(eco, "0")
		if err != nil {
			t.Fatal(err)
		}
		v, err := Parse(eco, s)
		if err != nil {
			t.Errorf("Parse(%q, %q): %v", eco, s, err)
			continue
		}
		if z.Compare(v) != -1 || v.Compare(z) != 1 || z.Compare(z) != 0 {
			t.Errorf("%s: Compare(0, %q) = %d, reversed %d; want 0 first", eco, s, z.Compare(v), v.Compare(z))
		}
	}
	z, err := SemVer("0")
	if err != nil {
		t.Fatal(err)
	}
	v, err := SemVer("0.0.0-0")
	if err != nil {
		t.Fatal(err)
	}
	if z.Compare(v) != -1 || v.Compare(z) != 1 {
		t.Errorf("SEMVER: 0 does not order first")
	}
}

func TestSupported(t *testing.T) {
	for _, eco := range []string{
		"Go", "npm", "PyPI", "Maven", "crates.io", "RubyGems", "NuGet", "Packagist", "Debian:12",
		"Ubuntu:22.04:LTS", "Alpine:v3.18", "Red Hat", "AlmaLinux", "Rocky Linux", "SUSE", "openSUSE",
		"Mageia", "Hex", "Pub", "CRAN", "Hackage", "SwiftURL", "Packagist:https://packages.drupal.org/8", "Homebrew",
	} {
		if !Supported(eco) {
			t.Errorf("Supported(%q) = false", eco)
		}
	}
	for _, eco := range []string{"", "GIT", "npm2", "debian", ":Debian"} {
		if Supported(eco) {
			t.Errorf("Supported(%q) = true", eco)
		}
	}
}

// TestParseErrors checks that bad input is an error naming the ecosystem
// and the version.
func TestParseErrors(t *testing.T) {
	tests := []struct{ eco, s, want string }{
		{"GIT", "abc", `ecosystem "GIT": ordering not supported`},
		{"npm", "", `ecosystem "npm": empty version`},
		{"Maven", "", `ecosystem "Maven": empty version`},
		{"Go", "v1.2.x", `ecosystem "Go": version "v1.2.x": expected a number`},
		{"Hex", "1.2.3.4", `unexpected text after the patch number`},
		{"npm", "1.2.3-", `version "1.2.3-": malformed pre-release`},
		{"npm", "1.2.3-a..b", `malformed pre-release`},
		{"crates.io", "1.2.3+", `malformed build metadata`},
		{"Go", "latest", `version "latest": expected a number`},
		{"Debian:12", "x:1.0", `ecosystem "Debian:12": version "x:1.0": epoch is not a number`},
		{"Debian", ":1.0", `epoch is not a number`},
		{"Debian", "1:-1", `empty upstream version`},
		{"Ubuntu", "1.0 beta", `character not allowed`},
		{"CRAN", "1.0_foo", `ecosystem "CRAN": version "1.0_foo": invalid version`},
		{"Hackage", "1.0-1", `ecosystem "Hackage": version "1.0-1": invalid version`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.eco, tt.s)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "version: ") {
			t.Errorf("Parse(%q, %q) error = %v, want it to contain %q", tt.eco, tt.s, err, tt.want)
		}
	}
	if _, err := SemVer("1.2"); err != nil {
		t.Errorf("SemVer(1.2): %v", err)
	}
	if _, err := SemVer("a"); err == nil || !strings.Contains(err.Error(), `SEMVER: version "a"`) {
		t.Errorf("SemVer(a) error = %v", err)
	}
	if _, err := Compare("npm", "1.0.0", "x"); err == nil {
		t.Error("Compare with a bad version: no error")
	}
}

// TestMixedOrderings checks that versions of different orderings sort
// totally and deterministically instead of panicking.
func TestMixedOrderings(t *testing.T) {
	var vs []Version
	for _, p := range [][2]string{
		{"Debian", "1.0"}, {"Red Hat", "1.0"}, {"npm", "1.0.0"}, {"PyPI", "1.0"}, {"Maven", "1.0"},
		{"npm", "0"}, {"Alpine", "1.0"}, {"Debian", "0.9"},
	} {
		v, err := Parse(p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	for _, x := range vs {
		for _, y := range vs {
			if x.Compare(y) != -y.Compare(x) {
				t.Errorf("Compare(%v, %v) is not antisymmetric", x, y)
			}
		}
	}
	slices.SortFunc(vs, Version.Compare)
	if vs[0].String() != "0" {
		t.Errorf("sorted mixed versions start with %q, want 0", vs[0])
	}
}
