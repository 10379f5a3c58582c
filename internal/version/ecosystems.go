package version

import (
	"cmp"
	"fmt"
	"strings"
)

// orderings maps OSV ecosystem base names to the parser of their ordering.
// Ecosystems that share an ordering share its version type, so their
// versions compare with each other.
var orderings = map[string]func(string) (Version, error){}

func init() {
	add := func(parse func(string) (Version, error), ecosystems ...string) {
		for _, e := range ecosystems {
			orderings[e] = parse
		}
	}
	add(func(s string) (Version, error) { return parseSemVer(s) },
		"crates.io", "Hex", "SwiftURL")
	add(parseGo, "Go")
	add(parseHomebrew, "Homebrew")
	add(parseNPM, "npm")
	add(parseDebian, "Debian", "Ubuntu")
	add(parseRPM,
		"Red Hat", "AlmaLinux", "Rocky Linux", "SUSE", "openSUSE", "Mageia", "openEuler")
	// The rest is osv-scalibr's, named by its ecosystem name.
	for kind, ecosystems := range map[string][]string{
		"PyPI":      {"PyPI"},
		"Maven":     {"Maven"},
		"RubyGems":  {"RubyGems"},
		"NuGet":     {"NuGet"},
		"Packagist": {"Packagist"},
		"Alpine":    {"Alpine", "Wolfi", "Chainguard"},
		"Pub":       {"Pub"},
		"CRAN":      {"CRAN", "Bioconductor"},
		"Hackage":   {"Hackage"},
	} {
		add(scalibrParser(kind), ecosystems...)
	}
}

// parseNPM trims surrounding white space first, as node-semver does.
func parseNPM(s string) (Version, error) {
	v, err := parseSemVer(strings.TrimSpace(s))
	if err != nil {
		return nil, err
	}
	v.s = s
	return v, nil
}

// mismatch orders two versions of different orderings: "0" first, then by
// ordering name and string, so that a mixed sort is total and deterministic.
func mismatch(v, w Version) int {
	if _, ok := w.(zero); ok {
		return 1
	}
	if c := cmp.Compare(orderingOf(v), orderingOf(w)); c != 0 {
		return c
	}
	return cmp.Compare(v.String(), w.String())
}

func orderingOf(v Version) string {
	switch v := v.(type) {
	case *semver:
		return "SemVer"
	case *debian:
		return "Debian"
	case *rpm:
		return "RPM"
	case *homebrew:
		return "Homebrew"
	case scalibr:
		return v.kind
	}
	return fmt.Sprintf("%T", v)
}
