// Package purl parses and canonicalises package URLs as defined by the
// purl-spec (https://github.com/package-url/purl-spec) and maps them to the
// ecosystem and package names that OSV advisories use.
//
// Parsing is lenient where real SBOM generators differ from each other and
// the difference does not change the meaning (percent-encoding of '@' in npm
// scopes, "pkg://", upper-case types, unencoded ':' or '+'), and strict where
// the spec says a purl is invalid, so that String always returns the one
// canonical form and two spellings of the same package compare equal.
package purl

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// PURL is a parsed, normalised package URL. All fields hold decoded values;
// String encodes them.
type PURL struct {
	Type      string
	Namespace string // segments joined by '/', decoded
	Name      string
	Version   string
	// Qualifiers are sorted by key, keys are lower case and unique, and no
	// value is empty.
	Qualifiers []Qualifier
	Subpath    string // segments joined by '/', without '.', '..' or empty segments
}

// Qualifier is one key=value pair of a package URL.
type Qualifier struct{ Key, Value string }

// Qualifier returns the value of the qualifier key, or "".
func (p PURL) Qualifier(key string) string {
	i, ok := slices.BinarySearchFunc(p.Qualifiers, key, func(q Qualifier, k string) int {
		return strings.Compare(q.Key, k)
	})
	if !ok {
		return ""
	}
	return p.Qualifiers[i].Value
}

// Parse parses and normalises a package URL. The error names the part that is
// wrong ("purl: type ...", "purl: qualifier 2 ...").
func Parse(s string) (PURL, error) {
	p, err := parse(s)
	if err != nil {
		return PURL{}, fmt.Errorf("purl: %q: %w", truncate(s), err)
	}
	return p, nil
}

func truncate(s string) string {
	const max = 200
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}

func parse(s string) (PURL, error) {
	var p PURL
	if s == "" {
		return p, errors.New("empty")
	}
	// Unencoded characters that the spec wants encoded (spaces, '+', ':')
	// are taken literally: some generators write them so, and String
	// encodes them canonically.
	rest := s
	if i := strings.LastIndexByte(rest, '#'); i >= 0 {
		sub, err := cleanPath(rest[i+1:], "subpath")
		if err != nil {
			return p, err
		}
		p.Subpath = sub
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, '?'); i >= 0 {
		qs, err := parseQualifiers(rest[i+1:])
		if err != nil {
			return p, err
		}
		p.Qualifiers = qs
		rest = rest[:i]
	}
	scheme, rest, ok := strings.Cut(rest, ":")
	if !ok || !strings.EqualFold(scheme, "pkg") {
		return p, errors.New(`scheme: must start with "pkg:"`)
	}
	// "pkg://type/..." is tolerated: the spec says slashes after the scheme
	// are not significant.
	rest = strings.TrimLeft(rest, "/")
	typ, rest, ok := strings.Cut(rest, "/")
	if !ok {
		return p, errors.New("type: missing (no '/' after the type)")
	}
	if err := validType(typ); err != nil {
		return p, err
	}
	p.Type = strings.ToLower(typ)

	rest = strings.TrimRight(rest, "/")
	if i := versionSep(rest); i >= 0 {
		v, err := unescape(rest[i+1:])
		if err != nil {
			return p, fmt.Errorf("version: %w", err)
		}
		p.Version = v
		rest = rest[:i]
		if rest == "" || rest[len(rest)-1] == '/' {
			return p, errors.New("name: missing before '@'")
		}
	}
	segs, err := splitSegments(rest, "name")
	if err != nil {
		return p, err
	}
	if len(segs) == 0 {
		return p, errors.New("name: missing")
	}
	nsN := len(segs) - 1
	if p.Type == "git" && nsN > 1 {
		// The git type keeps the host as namespace and the repository path
		// as name (pkg:git/codeberg.org/forgejo/forgejo).
		nsN = 1
	}
	p.Namespace = strings.Join(segs[:nsN], "/")
	p.Name = strings.Join(segs[nsN:], "/")
	if err := normalise(&p); err != nil {
		return PURL{}, err
	}
	return p, nil
}

// versionSep returns the index of the '@' that separates the version, or -1.
// It is the last '@', except one that starts a segment other than the last:
// that is an npm scope written unencoded ("pkg:npm/@babel/core").
func versionSep(s string) int {
	last := strings.LastIndexByte(s, '/')
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '@' && (i > last || (i > 0 && s[i-1] != '/')) {
			return i
		}
	}
	return -1
}

func validType(t string) error {
	if t == "" {
		return errors.New("type: missing")
	}
	c := t[0]
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		return fmt.Errorf("type %q: must start with a letter", t)
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+') {
			return fmt.Errorf("type %q: character %q not allowed", t, c)
		}
	}
	return nil
}

// splitSegments splits a '/'-separated path, drops empty segments and
// decodes each; a decoded segment must not contain '/'.
func splitSegments(s, what string) ([]string, error) {
	var out []string
	for seg := range strings.SplitSeq(s, "/") {
		if seg == "" {
			continue
		}
		d, err := unescape(seg)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		if strings.Contains(d, "/") {
			return nil, fmt.Errorf("%s: segment %q contains an encoded '/'", what, seg)
		}
		out = append(out, d)
	}
	return out, nil
}

// cleanPath decodes a subpath: empty, "." and ".." segments are dropped.
func cleanPath(s, what string) (string, error) {
	segs, err := splitSegments(s, what)
	if err != nil {
		return "", err
	}
	segs = slices.DeleteFunc(segs, func(x string) bool { return x == "." || x == ".." })
	return strings.Join(segs, "/"), nil
}

func parseQualifiers(s string) ([]Qualifier, error) {
	var qs []Qualifier
	n := 0
	for kv := range strings.SplitSeq(s, "&") {
		if kv == "" {
			continue
		}
		n++
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("qualifier %d %q: missing '='", n, kv)
		}
		// The spec's parse algorithm lowercases keys; some of its tests
		// instead expect "Arch=" to fail. Accepting it keeps the component
		// checkable, which is what an SBOM scan needs.
		k = strings.ToLower(k)
		if err := validKey(k); err != nil {
			return nil, fmt.Errorf("qualifier %d: %w", n, err)
		}
		dv, err := unescape(v)
		if err != nil {
			return nil, fmt.Errorf("qualifier %s: %w", k, err)
		}
		if dv == "" {
			continue // the spec discards empty values
		}
		if slices.ContainsFunc(qs, func(q Qualifier) bool { return q.Key == k }) {
			return nil, fmt.Errorf("qualifier %s: given twice", k)
		}
		qs = append(qs, Qualifier{k, dv})
	}
	sortQualifiers(qs)
	return qs, nil
}

func sortQualifiers(qs []Qualifier) {
	slices.SortFunc(qs, func(a, b Qualifier) int { return strings.Compare(a.Key, b.Key) })
}

func validKey(k string) error {
	if k == "" {
		return errors.New("empty key")
	}
	if c := k[0]; c >= '0' && c <= '9' {
		return fmt.Errorf("key %q: must not start with a digit", k)
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return fmt.Errorf("key %q: character %q not allowed", k, c)
		}
	}
	return nil
}

// unescape decodes percent-escapes. Unlike url.QueryUnescape it leaves '+'
// alone: in a purl '+' is a literal plus (Debian versions "2+b1").
func unescape(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			end := min(i+3, len(s))
			return "", fmt.Errorf("invalid percent-escape %q", s[i:end])
		}
		b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
		i += 2
	}
	return b.String(), nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// String returns the canonical form of p per the purl-spec: lower-case type,
// every component percent-encoded except unreserved characters and ':',
// qualifiers sorted by key.
func (p PURL) String() string {
	var b strings.Builder
	b.Grow(len(p.Namespace) + len(p.Name) + len(p.Version) + 32)
	b.WriteString("pkg:")
	b.WriteString(p.Type)
	b.WriteByte('/')
	if p.Namespace != "" {
		writeSegments(&b, p.Namespace)
		b.WriteByte('/')
	}
	if p.Type == "git" {
		writeSegments(&b, p.Name)
	} else {
		escape(&b, p.Name)
	}
	if p.Version != "" {
		b.WriteByte('@')
		escape(&b, p.Version)
	}
	for i, q := range p.Qualifiers {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(q.Key)
		b.WriteByte('=')
		escape(&b, q.Value)
	}
	if p.Subpath != "" {
		b.WriteByte('#')
		writeSegments(&b, p.Subpath)
	}
	return b.String()
}

func writeSegments(b *strings.Builder, path string) {
	for i, seg := range strings.Split(path, "/") {
		if i > 0 {
			b.WriteByte('/')
		}
		escape(b, seg)
	}
}

const upperhex = "0123456789ABCDEF"

func escape(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' || c == ':' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperhex[c>>4])
		b.WriteByte(upperhex[c&15])
	}
}
