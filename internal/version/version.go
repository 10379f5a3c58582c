// Package version orders package versions the way each ecosystem does, so
// that OSV ranges of type SEMVER and ECOSYSTEM can be evaluated offline.
//
// Ecosystem names are OSV ecosystem names; a suffix after the first ':'
// ("Debian:12", "Alpine:v3.18", "Packagist:https://packages.drupal.org/8")
// selects a release or registry but never changes the ordering, so only the
// base name counts.
//
// The orderings come from github.com/google/osv-scalibr/semantic, the
// library OSV's own tools use, except where it is slow or loose on the
// matching hot path:
//
//   - SemVer (Go, npm, crates.io, Hex, SwiftURL and OSV SEMVER ranges) is
//     our own: allocation-free comparison, and exactly three numbers, where
//     osv-scalibr reads "1.2.3.4" as 1.2.3 with build metadata. A leading
//     "v" is accepted (Go), and for npm surrounding white space (as
//     node-semver trims); node-semver's loose mode is not.
//   - Debian and Ubuntu (dpkg's verrevcmp) and the RPM distributions (rpm's
//     rpmvercmp) are our own, compared in place instead of through big
//     integers and string splitting (60x and 18x faster, no allocation);
//     Debian versions are checked for dpkg's characters and a numeric epoch.
//     The RPM ordering keeps osv-scalibr's reading where rpm itself has none
//     (non-numeric prefixes before ':' are not epochs, a missing release
//     orders first), as its vectors pin it for OSV.
//   - Bioconductor uses CRAN's ordering (R package versions); osv-scalibr
//     treats it as SemVer.
//   - Go also accepts Go toolchain versions (go1.22rc1), which SBOMs give
//     for the standard library, mapped to the SemVer OSV uses (1.22.0-rc.1).
//   - Homebrew (formula version and revision, 1.2.4_5) is our own;
//     osv-scalibr has no ordering for it.
//
// PyPI, Maven, RubyGems, NuGet, Packagist, Pub and Alpine accept any string,
// as osv-scalibr does (PyPI orders non-PEP 440 versions as legacy versions
// first, as old pip did). For Alpine, versions outside apk's grammar make
// the order intransitive; see FuzzParseAlpine.
//
// The string "0" is OSV's event value introduced: "0" and orders before
// every version in every ecosystem, so it no longer equals "0.0" where an
// ecosystem would say so. testdata/known_differences.txt lists every
// vector of the third-party suites that this package orders differently,
// with the reason.
package version

import (
	"fmt"
	"strings"
)

// Version is a version parsed for one ecosystem.
type Version interface {
	// Compare returns -1, 0 or +1 as the receiver orders before, equal to or
	// after w. Both must come from Parse for the same ecosystem (or both from
	// SemVer); versions of different orderings are ordered by ordering name
	// and then by string so that sorting stays total and never panics.
	Compare(w Version) int
	// String returns the version as given to Parse.
	String() string
}

// Parse parses s as a version of ecosystem. The OSV event value "0"
// (introduced: "0") parses in every ecosystem to a version that orders
// before every other version.
func Parse(ecosystem, s string) (Version, error) {
	base, _, _ := strings.Cut(ecosystem, ":")
	parse, ok := orderings[base]
	if !ok {
		return nil, fmt.Errorf("version: ecosystem %q: ordering not supported", ecosystem)
	}
	switch s {
	case "0":
		return zero{}, nil
	case "":
		return nil, fmt.Errorf("version: ecosystem %q: empty version", ecosystem)
	}
	v, err := parse(s)
	if err != nil {
		return nil, fmt.Errorf("version: ecosystem %q: version %q: %w", ecosystem, s, err)
	}
	return v, nil
}

// Compare parses a and b for ecosystem and compares them.
func Compare(ecosystem, a, b string) (int, error) {
	va, err := Parse(ecosystem, a)
	if err != nil {
		return 0, err
	}
	vb, err := Parse(ecosystem, b)
	if err != nil {
		return 0, err
	}
	return va.Compare(vb), nil
}

// Supported reports whether Parse knows the ordering of ecosystem.
func Supported(ecosystem string) bool {
	base, _, _ := strings.Cut(ecosystem, ":")
	_, ok := orderings[base]
	return ok
}

// SemVer parses s for an OSV range of type SEMVER.
func SemVer(s string) (Version, error) {
	if s == "0" {
		return zero{}, nil
	}
	v, err := parseSemVer(s)
	if err != nil {
		return nil, fmt.Errorf("version: SEMVER: version %q: %w", s, err)
	}
	return v, nil
}

// zero is the OSV event value "0": before every version of every ecosystem.
type zero struct{}

func (zero) String() string { return "0" }

func (zero) Compare(w Version) int {
	if _, ok := w.(zero); ok {
		return 0
	}
	return -1
}
