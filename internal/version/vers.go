package version

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Vers is a version range in the vers notation of the Package-URL project
// (vers-spec): vers:npm/>=1.0.0|<2.0.0. Constraints are sorted by version;
// a range of every version ("*") has Star set and no constraints.
type Vers struct {
	Scheme      string
	Star        bool
	Constraints []Constraint
}

// Constraint is one comparator and version of a Vers.
type Constraint struct {
	// Comparator is "=", "!=", "<", "<=", ">" or ">=".
	Comparator string
	// Version is decoded: "1.0%2F0" in the vers string is "1.0/0" here.
	Version string
	v       Version
	err     error // why Version does not parse in the scheme's ordering
}

// versEcosystems maps the vers versioning schemes pflicht can order to the
// ecosystem whose ordering they use; semver and datetime have their own.
var versEcosystems = map[string]string{
	"apk":      "Alpine",
	"cargo":    "crates.io",
	"composer": "Packagist",
	"cran":     "CRAN",
	"deb":      "Debian",
	"gem":      "RubyGems",
	"golang":   "Go",
	"hackage":  "Hackage",
	"hex":      "Hex",
	"maven":    "Maven",
	"npm":      "npm",
	"nuget":    "NuGet",
	"pub":      "Pub",
	"pypi":     "PyPI",
	"rpm":      "Red Hat",
	"swift":    "SwiftURL",
}

// comparators in the order they are tried: two-character ones first.
var comparators = []string{">=", "<=", "!=", "<", ">", "="}

// ParseVers parses a vers string in canonical form, as the specification
// requires of a parser: no white space, no empty constraint, versions
// sorted, percent-encoding only where needed and with upper-case hex, the
// "=" comparator left out. NormalizeVers accepts the other forms.
func ParseVers(s string) (Vers, error) { return parseVers(s, true) }

// NormalizeVers parses a vers string that need not be canonical: white
// space is removed, scheme and prefix may be in any case, constraints in
// any order, "=" written out. String gives its canonical form.
func NormalizeVers(s string) (Vers, error) { return parseVers(s, false) }

func parseVers(s string, canonical bool) (Vers, error) {
	fail := func(format string, a ...any) (Vers, error) {
		return Vers{}, fmt.Errorf("version: vers %q: "+format, append([]any{s}, a...)...)
	}
	body := s
	if strings.ContainsAny(s, " \t\n\r\f\v") {
		if canonical {
			return fail("white space is not permitted")
		}
		body = strings.Join(strings.Fields(s), "")
	}
	if len(body) < 5 || !strings.EqualFold(body[:5], "vers:") || canonical && body[:5] != "vers:" {
		return fail(`does not start with "vers:"`)
	}
	scheme, list, ok := strings.Cut(body[5:], "/")
	if !ok || scheme == "" {
		return fail("no versioning scheme: want vers:<scheme>/<constraints>")
	}
	if canonical && scheme != strings.ToLower(scheme) {
		return fail("the scheme must be lower case")
	}
	r := Vers{Scheme: strings.ToLower(scheme)}
	parse, orderErr := versOrdering(r.Scheme)
	switch {
	case list == "":
		return fail("no constraints")
	case list == "*":
		r.Star = true
		return r, nil
	case strings.HasPrefix(list, "|"):
		return fail("leading pipe is not permitted")
	case strings.HasSuffix(list, "|"):
		return fail("trailing pipe is not permitted")
	case strings.Contains(list, "||"):
		return fail("consecutive pipes are not permitted")
	}
	for raw := range strings.SplitSeq(list, "|") {
		c := Constraint{Comparator: "="}
		for _, op := range comparators {
			if rest, ok := strings.CutPrefix(raw, op); ok {
				if op == "=" && canonical {
					return fail("the = comparator is implied and not written")
				}
				c.Comparator, raw = op, rest
				break
			}
		}
		switch {
		case raw == "*":
			return fail("* stands alone: it is every version")
		case raw == "":
			return fail("constraint %q has no version", c.Comparator)
		}
		var err error
		if c.Version, err = versDecode(raw); err != nil {
			return fail("%v", err)
		}
		if canonical && versEncode(c.Version) != raw {
			return fail("percent-encoding of version %q is not canonical (want %q)", raw, versEncode(c.Version))
		}
		if c.err = orderErr; parse != nil {
			c.v, c.err = parse(c.Version)
		}
		r.Constraints = append(r.Constraints, c)
	}
	// Parsing is syntax: an ecosystem's version is checked only where the
	// order needs it (two or more constraints, and Contains). The datetime
	// scheme is vers's own, so its versions are part of the syntax.
	for _, c := range r.Constraints {
		if c.err != nil && (len(r.Constraints) > 1 || r.Scheme == "datetime") {
			return fail("version %q: %v", c.Version, c.err)
		}
	}
	byVersion := func(a, b Constraint) int { return a.v.Compare(b.v) }
	if canonical && !slices.IsSortedFunc(r.Constraints, byVersion) {
		return fail("constraints are not sorted by version")
	}
	slices.SortStableFunc(r.Constraints, byVersion)
	return r, nil
}

// versOrdering returns the version parser of a vers scheme.
func versOrdering(scheme string) (func(string) (Version, error), error) {
	switch scheme {
	case "semver":
		return func(s string) (Version, error) { return parseSemVer(s) }, nil
	case "datetime":
		return parseDatetime, nil
	}
	eco, ok := versEcosystems[scheme]
	if !ok {
		return nil, fmt.Errorf("versioning scheme %q: ordering not supported", scheme)
	}
	// The ordering itself, not Parse: "0" is a version here, not OSV's
	// "before everything".
	return orderings[eco], nil
}

// versEncode percent-encodes what a vers version cannot hold literally:
// "%", "|", white space, control and non-ASCII bytes, a leading comparator
// character, and a lone "*".
func versEncode(s string) string {
	if s == "*" {
		return "%2A"
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' || c == '|' || c <= ' ' || c >= 0x7f || i == 0 && strings.IndexByte("<>=!", c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func versDecode(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return "", fmt.Errorf("invalid percent-encoding in version %q", s)
		}
		b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
		i += 2
	}
	return b.String(), nil
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// String is the canonical form of r.
func (r Vers) String() string {
	if r.Star {
		return "vers:" + r.Scheme + "/*"
	}
	parts := make([]string, len(r.Constraints))
	for i, c := range r.Constraints {
		op := c.Comparator
		if op == "=" {
			op = ""
		}
		parts[i] = op + versEncode(c.Version)
	}
	return "vers:" + r.Scheme + "/" + strings.Join(parts, "|")
}

// Contains reports whether version lies in r, by the algorithm of the
// vers specification: equal to an "=", ">=" or "<=" version is in, to a
// "!=" version out; otherwise the remaining "<", "<=", ">", ">="
// constraints, in version order, bound intervals: below a leading "<",
// above a trailing ">", or between a ">" and the "<" after it. A range of
// only "!=" constraints holds every other version.
func (r Vers) Contains(version string) (bool, error) {
	if r.Star {
		return true, nil
	}
	parse, err := versOrdering(r.Scheme)
	if err != nil {
		return false, fmt.Errorf("version: %v", err)
	}
	v, err := parse(version)
	if err != nil {
		return false, fmt.Errorf("version: vers scheme %s: version %q: %w", r.Scheme, version, err)
	}
	var bounds []Constraint
	excluded := false
	for _, c := range r.Constraints {
		switch {
		case c.err != nil:
			return false, fmt.Errorf("version: %s: version %q: %w", r, c.Version, c.err)
		case c.v == nil:
			return false, errors.New("version: Vers not from ParseVers or NormalizeVers")
		}
		if v.Compare(c.v) == 0 {
			switch c.Comparator {
			case "=", ">=", "<=":
				return true, nil
			case "!=":
				return false, nil
			}
		}
		switch c.Comparator {
		case "=":
		case "!=":
			excluded = true
		default:
			bounds = append(bounds, c)
		}
	}
	if len(bounds) == 0 {
		return excluded, nil
	}
	less := func(c Constraint) bool { return c.Comparator == "<" || c.Comparator == "<=" }
	if first := bounds[0]; less(first) && v.Compare(first.v) < 0 {
		return true, nil
	}
	if last := bounds[len(bounds)-1]; !less(last) && v.Compare(last.v) > 0 {
		return true, nil
	}
	for i := 0; i+1 < len(bounds); i++ {
		cur, next := bounds[i], bounds[i+1]
		if !less(cur) && less(next) && v.Compare(cur.v) > 0 && v.Compare(next.v) < 0 {
			return true, nil
		}
	}
	return false, nil
}

// datetime is a version of the vers datetime scheme: an RFC 3339 instant
// with upper-case T and Z.
type datetime struct {
	s string
	t time.Time
}

func parseDatetime(s string) (Version, error) {
	if strings.ContainsAny(s, "tz") {
		return nil, errors.New("datetime must use upper-case T and Z")
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil, errors.New("not an RFC 3339 date and time")
	}
	return datetime{s, t}, nil
}

func (d datetime) String() string { return d.s }

func (d datetime) Compare(w Version) int {
	if o, ok := w.(datetime); ok {
		return d.t.Compare(o.t)
	}
	return mismatch(d, w)
}
