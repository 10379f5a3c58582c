package version

import (
	"errors"
	"strings"
)

// semver is a Semantic Versioning 2.0.0 version. It is lenient where
// ecosystems are: a leading "v" (Go module versions) is dropped and missing
// minor or patch numbers count as 0. Numbers of any length compare
// numerically without big integers: the fields hold digit strings with
// leading zeros removed.
type semver struct {
	s                   string
	major, minor, patch string
	pre                 string // dot-separated identifiers, "" for a release
}

var (
	errEmpty     = errors.New("empty")
	errNumber    = errors.New("expected a number")
	errTrailing  = errors.New("unexpected text after the patch number")
	errPrerelase = errors.New("malformed pre-release")
	errBuild     = errors.New("malformed build metadata")
)

func parseSemVer(s string) (*semver, error) {
	if s == "" {
		return nil, errEmpty
	}
	v := &semver{s: s}
	rest := s
	if rest[0] == 'v' {
		rest = rest[1:]
	}
	nums := [3]*string{&v.major, &v.minor, &v.patch}
	for i, p := range nums {
		n := digits(rest)
		if n == 0 {
			return nil, errNumber
		}
		*p = strings.TrimLeft(rest[:n], "0")
		rest = rest[n:]
		if rest == "" || rest[0] != '.' || i == 2 {
			break
		}
		rest = rest[1:]
	}
	if rest == "" {
		return v, nil
	}
	if rest[0] == '-' {
		end := strings.IndexByte(rest, '+')
		if end < 0 {
			end = len(rest)
		}
		v.pre = rest[1:end]
		if !validIdentifiers(v.pre) {
			return nil, errPrerelase
		}
		rest = rest[end:]
	}
	if rest == "" {
		return v, nil
	}
	if rest[0] != '+' {
		return nil, errTrailing
	}
	if !validIdentifiers(rest[1:]) {
		return nil, errBuild
	}
	return v, nil
}

func (v *semver) String() string { return v.s }

func (v *semver) Compare(w Version) int {
	u, ok := w.(*semver)
	if !ok {
		return mismatch(v, w)
	}
	if c := compareNum(v.major, u.major); c != 0 {
		return c
	}
	if c := compareNum(v.minor, u.minor); c != 0 {
		return c
	}
	if c := compareNum(v.patch, u.patch); c != 0 {
		return c
	}
	return comparePrerelease(v.pre, u.pre)
}

// comparePrerelease applies SemVer 2.0.0 §11: a release orders after its
// pre-releases; identifiers compare numerically if all digits, else in
// ASCII order, and numeric ones order first; a longer list wins a tie.
func comparePrerelease(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return 1
	case b == "":
		return -1
	}
	for a != "" && b != "" {
		var x, y string
		x, a, _ = strings.Cut(a, ".")
		y, b, _ = strings.Cut(b, ".")
		xn, yn := digits(x) == len(x), digits(y) == len(y)
		var c int
		switch {
		case xn && yn:
			c = compareNum(strings.TrimLeft(x, "0"), strings.TrimLeft(y, "0"))
		case xn:
			c = -1
		case yn:
			c = 1
		default:
			c = strings.Compare(x, y)
		}
		if c != 0 {
			return c
		}
	}
	switch {
	case a != "":
		return 1
	case b != "":
		return -1
	}
	return 0
}

// validIdentifiers reports whether s is a non-empty dot-separated list of
// non-empty identifiers of ASCII letters, digits and hyphens.
func validIdentifiers(s string) bool {
	if s == "" {
		return false
	}
	prev := byte('.')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			if prev == '.' {
				return false
			}
		case c == '-', '0' <= c && c <= '9', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		default:
			return false
		}
		prev = c
	}
	return prev != '.'
}

// digits returns the length of the run of ASCII digits that starts s.
func digits(s string) int {
	i := 0
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}

// compareNum compares two digit strings without leading zeros numerically.
func compareNum(a, b string) int {
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}
