package version

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// homebrew is a Homebrew formula version with its revision, "1.2.4_5", as
// Homebrew's PkgVersion orders it: the version by Homebrew's Version class,
// then the revision numerically.
//
// The version is read as Homebrew scans it: at each position the first of
// these that matches, ASCII letters in any case, else the position is
// skipped: alpha[0-9]* or a[0-9]+, beta[0-9]* or b[0-9]+, pre[0-9]*,
// rc[0-9]*, p[0-9]* (patch), any character followed by post[0-9]+ (post
// release), [0-9]+ (numeric), [a-z]+ (string). The tokens compare pairwise;
// a numeric token 0 is skipped against a token of another kind, so that
// 1.0 equals 1 and 1.0alpha equals 1alpha. "HEAD" and "HEAD-<commit>" order
// after every other version and equal each other.
//
// Homebrew stops comparing after as many pairs as the longer token list
// has, even when zeros were skipped on one side only, so it orders 1.0 equal
// to 1alpha yet 1alpha before 1.0; we compare to the end of both lists,
// which orders 1alpha before 1.0 both ways round. The token comparisons
// are Homebrew's, including where they are not transitive (see
// FuzzParseHomebrew).
type homebrew struct {
	s        string
	head     bool
	tokens   []brewToken
	revision string // digits without leading zeros
}

// brewKind is the class of a token. The pre-release kinds come first, in
// their order.
type brewKind uint8

const (
	brewAlpha brewKind = iota
	brewBeta
	brewPre
	brewRC
	brewPatch
	brewPost
	brewNumeric
	brewString
	brewNull // past the end of the token list
)

func (k brewKind) prerelease() bool { return k <= brewRC }

type brewToken struct {
	kind brewKind
	text string // as scanned, compared as bytes between kinds
	num  string // numeric value, or the first digit run of the other kinds; without leading zeros
}

var (
	errBlank    = errors.New("blank version")
	errNewline  = errors.New("line break in a version")
	errNotUTF8  = errors.New("version is not valid UTF-8")
	brewNullTok = brewToken{kind: brewNull}
)

func parseHomebrew(s string) (Version, error) {
	if !utf8.ValidString(s) {
		return nil, errNotUTF8
	}
	// Homebrew's PkgVersion pattern, \A(.+?)(?:_(\d+))?\z, matches no line
	// break.
	if strings.Contains(s, "\n") {
		return nil, errNewline
	}
	v := &homebrew{s: s}
	ver := s
	if i := strings.LastIndexByte(s, '_'); i > 0 && i+1 < len(s) && digits(s[i+1:]) == len(s)-i-1 {
		ver, v.revision = s[:i], strings.TrimLeft(s[i+1:], "0")
	}
	if strings.TrimSpace(ver) == "" {
		return nil, errBlank
	}
	v.head = ver == "HEAD" || strings.HasPrefix(ver, "HEAD-")
	for i := 0; i < len(ver); {
		t, n := scanBrewToken(ver[i:])
		if n == 0 {
			_, n = utf8.DecodeRuneInString(ver[i:])
		} else {
			v.tokens = append(v.tokens, t)
		}
		i += n
	}
	return v, nil
}

// scanBrewToken returns the token that starts s and its length, or a
// length of 0 if none does.
func scanBrewToken(s string) (brewToken, int) {
	n := 0
	kind := brewString
	letters := func(w string) bool {
		if len(s) >= len(w) && strings.EqualFold(s[:len(w)], w) {
			n = len(w)
			return true
		}
		return false
	}
	letterDigits := func(c byte) bool {
		if len(s) > 1 && (s[0]|0x20) == c && digits(s[1:]) > 0 {
			n = 1
			return true
		}
		return false
	}
	switch {
	case letters("alpha") || letterDigits('a'):
		kind = brewAlpha
	case letters("beta") || letterDigits('b'):
		kind = brewBeta
	case letters("pre"):
		kind = brewPre
	case letters("rc"):
		kind = brewRC
	case letters("p"):
		kind = brewPatch
	default:
		_, size := utf8.DecodeRuneInString(s)
		if rest := s[size:]; len(rest) > 4 && strings.EqualFold(rest[:4], "post") && digits(rest[4:]) > 0 {
			kind, n = brewPost, size+4
			break
		}
		if d := digits(s); d > 0 {
			return brewToken{kind: brewNumeric, text: s[:d], num: strings.TrimLeft(s[:d], "0")}, d
		}
		for n < len(s) && ('a' <= s[n]|0x20 && s[n]|0x20 <= 'z') {
			n++
		}
		if n == 0 {
			return brewToken{}, 0
		}
		return brewToken{kind: brewString, text: s[:n]}, n
	}
	n += digits(s[n:])
	t := brewToken{kind: kind, text: s[:n]}
	// The revision of a pre-release, patch or post token is its first run
	// of digits, wherever it starts (the character before "post" may be one).
	if i := strings.IndexAny(t.text, "0123456789"); i >= 0 {
		t.num = strings.TrimLeft(t.text[i:i+digits(t.text[i:])], "0")
	}
	return t, n
}

func (v *homebrew) String() string { return v.s }

func (v *homebrew) Compare(w Version) int {
	u, ok := w.(*homebrew)
	if !ok {
		return mismatch(v, w)
	}
	if c := v.compareVersion(u); c != 0 {
		return c
	}
	return compareNum(v.revision, u.revision)
}

func (v *homebrew) compareVersion(u *homebrew) int {
	switch {
	case v.head && u.head:
		return 0
	case v.head:
		return 1
	case u.head:
		return -1
	}
	tok := func(ts []brewToken, i int) brewToken {
		if i < len(ts) {
			return ts[i]
		}
		return brewNullTok
	}
	for i, j := 0, 0; i < len(v.tokens) || j < len(u.tokens); {
		a, b := tok(v.tokens, i), tok(u.tokens, j)
		c := compareBrewTokens(a, b)
		switch {
		case c == 0:
			i++
			j++
		case a.kind == brewNumeric && b.kind != brewNumeric:
			if a.num != "" {
				return 1
			}
			i++
		case a.kind != brewNumeric && b.kind == brewNumeric:
			if b.num != "" {
				return -1
			}
			j++
		default:
			return c
		}
	}
	return 0
}

// compareBrewTokens compares two tokens as the <=> methods of Homebrew's
// Version::Token subclasses do.
func compareBrewTokens(a, b brewToken) int {
	switch {
	case a.kind == brewNull && b.kind == brewNull:
		return 0
	case b.kind == brewNull:
		return -compareBrewTokens(b, a)
	case a.kind == brewNull:
		switch {
		case b.kind == brewNumeric && b.num == "":
			return 0
		case b.kind.prerelease():
			return 1
		}
		return -1
	case a.kind == brewNumeric && b.kind == brewNumeric:
		return compareNum(a.num, b.num)
	case a.kind == brewNumeric:
		return 1
	case b.kind == brewNumeric:
		return -1
	case a.kind == b.kind && a.kind != brewString:
		return compareNum(a.num, b.num)
	case a.kind.prerelease() && b.kind.prerelease():
		return cmpKind(a.kind, b.kind)
	case a.kind.prerelease() && b.kind != brewString:
		return -1
	case b.kind.prerelease() && a.kind != brewString:
		return 1
	}
	// A plain string against any other letter token, and a patch against a
	// post token, compare as strings.
	return strings.Compare(a.text, b.text)
}

func cmpKind(a, b brewKind) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
