package version

import (
	"errors"
	"strings"
)

// debian is a Debian package version, [epoch:]upstream[-revision], ordered
// as dpkg does (deb-version(5), dpkg's verrevcmp). It is compared in place,
// without allocating, because distribution images carry thousands of
// packages each.
type debian struct {
	s                  string
	epoch              string // digits without leading zeros
	upstream, revision string
}

var (
	errEpoch    = errors.New("epoch is not a number")
	errUpstream = errors.New("empty upstream version")
	errChar     = errors.New("character not allowed in a version")
)

func parseDebian(s string) (Version, error) {
	v := &debian{s: s}
	rest := strings.TrimSpace(s) // dpkg ignores surrounding white space
	if e, r, ok := strings.Cut(rest, ":"); ok {
		if e == "" || digits(e) != len(e) {
			return nil, errEpoch
		}
		v.epoch, rest = strings.TrimLeft(e, "0"), r
	}
	v.upstream = rest
	if i := strings.LastIndexByte(rest, '-'); i >= 0 {
		v.upstream, v.revision = rest[:i], rest[i+1:]
	}
	if v.upstream == "" {
		return nil, errUpstream
	}
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; !isAlnum(c) && c != '.' && c != '+' && c != '~' && c != '-' && c != ':' {
			return nil, errChar
		}
	}
	return v, nil
}

func (v *debian) String() string { return v.s }

func (v *debian) Compare(w Version) int {
	u, ok := w.(*debian)
	if !ok {
		return mismatch(v, w)
	}
	if c := compareNum(v.epoch, u.epoch); c != 0 {
		return c
	}
	if c := verrevcmp(v.upstream, u.upstream); c != 0 {
		return c
	}
	return verrevcmp(v.revision, u.revision)
}

// verrevcmp is dpkg's comparison of an upstream version or a revision:
// alternating runs of non-digits, compared character by character with
// debOrder, and of digits, compared numerically.
func verrevcmp(a, b string) int {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		for i < len(a) && !isDigit(a[i]) || j < len(b) && !isDigit(b[j]) {
			ac, bc := debOrder(at(a, i)), debOrder(at(b, j))
			if ac != bc {
				return sign(ac - bc)
			}
			i++
			j++
		}
		for i < len(a) && a[i] == '0' {
			i++
		}
		for j < len(b) && b[j] == '0' {
			j++
		}
		first := 0
		for i < len(a) && isDigit(a[i]) && j < len(b) && isDigit(b[j]) {
			if first == 0 {
				first = int(a[i]) - int(b[j])
			}
			i++
			j++
		}
		switch {
		case i < len(a) && isDigit(a[i]):
			return 1
		case j < len(b) && isDigit(b[j]):
			return -1
		case first != 0:
			return sign(first)
		}
	}
	return 0
}

// debOrder weighs a character of a non-digit run: '~' before the end of
// the run, the end (and digits, which end it) before letters, and letters
// before all other characters.
func debOrder(c byte) int {
	switch {
	case c == '~':
		return -1
	case c == 0 || isDigit(c):
		return 0
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		return int(c)
	}
	return int(c) + 256
}

// at returns s[i], or 0 past the end of s, as C strings read.
func at(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isAlnum(c byte) bool { return isDigit(c) || isAlpha(c) }

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}
