package version

import (
	"strings"
	"testing"
)

// TestGoToolchain checks that Go toolchain versions order as the SemVer
// that OSV's Go records use for them: each equals its SemVer form, and
// the list, with OSV's own SemVer among it, is ascending.
func TestGoToolchain(t *testing.T) {
	tests := []struct{ toolchain, semver string }{
		{"go1", "1.0.0"},
		{"go1.0.1", "1.0.1"},
		{"go1.9beta2", "1.9.0-beta.2"},
		{"go1.9rc1", "1.9.0-rc.1"},
		{"go1.9", "1.9.0"},
		{"go1.20-pre4", "1.20.0-pre.4"}, // golang/vuln's own test case
		{"go1.20", "1.20.0"},
		{"go1.20.1", "1.20.1"},
		{"go1.21.0 X:boringcrypto", "1.21.0"},
		{"go1.21.1", "1.21.1"},
		{"1.22.0-0", "1.22.0-0"}, // OSV's introduced event for a new minor release
		{"go1.22rc1", "1.22.0-rc.1"},
		{"go1.22rc2", "1.22.0-rc.2"},
		{"go1.22", "1.22.0"},
		{"go1.22.10", "1.22.10"},
	}
	var prev Version
	for _, tt := range tests {
		got, err := Parse("Go", tt.toolchain)
		if err != nil {
			t.Errorf("Parse(Go, %q): %v", tt.toolchain, err)
			continue
		}
		want, err := Parse("Go", tt.semver)
		if err != nil {
			t.Fatal(err)
		}
		if c := got.Compare(want); c != 0 || want.Compare(got) != 0 {
			t.Errorf("Compare(%q, %q) = %d, want 0", tt.toolchain, tt.semver, c)
		}
		if got.String() != tt.toolchain {
			t.Errorf("Parse(Go, %q).String() = %q", tt.toolchain, got.String())
		}
		if prev != nil && (prev.Compare(got) != -1 || got.Compare(prev) != 1) {
			t.Errorf("%q does not order after %q", tt.toolchain, prev)
		}
		prev = got
	}
}

func TestGoToolchainErrors(t *testing.T) {
	for _, s := range []string{
		"go", "go1.", "go1..2", "gox", "go1.21.0.1", "go1.22rc", "go1.22rc1.1", "go1.22-rc.1", "go1.22alpha1",
		"go1.21.0 ", "go1.21.0 X:", "go1.21.0 boringcrypto", "go 1.21", "go1.22-pre",
	} {
		_, err := Parse("Go", s)
		if err == nil || !strings.Contains(err.Error(), "not a Go toolchain version") {
			t.Errorf("Parse(Go, %q) error = %v, want a toolchain error", s, err)
		}
	}
	// Toolchain forms are Go's alone.
	for _, eco := range []string{"npm", "crates.io", "Hex", "SwiftURL"} {
		if _, err := Parse(eco, "go1.21"); err == nil {
			t.Errorf("Parse(%s, go1.21) succeeded", eco)
		}
	}
	if _, err := SemVer("go1.21"); err == nil {
		t.Error("SemVer(go1.21) succeeded")
	}
}
