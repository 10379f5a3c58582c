package portal

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// A small CSS selector engine for tests, in the spirit of pkgsite's
// htmlcheck: pages are checked by structure, not by string matching.
// Supported: type, #id, .class, [attr], [attr=value], [attr*=value],
// the descendant (space) and child (>) combinators, and lists (a, b).

type compound struct {
	tag   string
	id    string
	class []string
	attrs []attrTest
	child bool // combinator before this compound is ">"
}

type attrTest struct {
	name, op, val string
}

func parseSelector(t testing.TB, sel string) [][]compound {
	t.Helper()
	var groups [][]compound
	for _, part := range strings.Split(sel, ",") {
		var chain []compound
		child := false
		for _, tok := range tokenizeSelector(part) {
			if tok == ">" {
				child = true
				continue
			}
			c := parseCompound(t, tok)
			c.child = child
			child = false
			chain = append(chain, c)
		}
		if len(chain) == 0 {
			t.Fatalf("selector %q: empty part", sel)
		}
		groups = append(groups, chain)
	}
	return groups
}

// tokenizeSelector splits on whitespace and ">" outside brackets.
func tokenizeSelector(s string) []string {
	var toks []string
	var cur strings.Builder
	depth := 0
	flush := func() {
		if cur.Len() > 0 {
			toks = append(toks, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch {
		case r == '[':
			depth++
			cur.WriteRune(r)
		case r == ']':
			depth--
			cur.WriteRune(r)
		case depth == 0 && (r == ' ' || r == '\t' || r == '\n'):
			flush()
		case depth == 0 && r == '>':
			flush()
			toks = append(toks, ">")
		default:
			cur.WriteRune(r)
		}
	}
	flush()
	return toks
}

func parseCompound(t testing.TB, s string) compound {
	t.Helper()
	var c compound
	i := 0
	read := func() string {
		j := i
		for j < len(s) && !strings.ContainsRune("#.[", rune(s[j])) {
			j++
		}
		v := s[i:j]
		i = j
		return v
	}
	c.tag = read()
	for i < len(s) {
		switch s[i] {
		case '#':
			i++
			c.id = read()
		case '.':
			i++
			c.class = append(c.class, read())
		case '[':
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				t.Fatalf("selector %q: unclosed [", s)
			}
			body := s[i+1 : i+end]
			i += end + 1
			a := attrTest{name: body}
			for _, op := range []string{"*=", "^=", "="} {
				if k := strings.Index(body, op); k > 0 {
					a = attrTest{name: body[:k], op: op, val: strings.Trim(body[k+len(op):], `"'`)}
					break
				}
			}
			c.attrs = append(c.attrs, a)
		}
	}
	return c
}

func (c compound) matches(n *html.Node) bool {
	if n.Type != html.ElementNode || c.tag != "" && c.tag != "*" && n.Data != c.tag {
		return false
	}
	if c.id != "" && attr(n, "id") != c.id {
		return false
	}
	classes := strings.Fields(attr(n, "class"))
	for _, want := range c.class {
		found := false
		for _, have := range classes {
			found = found || have == want
		}
		if !found {
			return false
		}
	}
	for _, a := range c.attrs {
		v, ok := attrOK(n, a.name)
		switch {
		case !ok:
			return false
		case a.op == "=" && v != a.val,
			a.op == "*=" && !strings.Contains(v, a.val),
			a.op == "^=" && !strings.HasPrefix(v, a.val):
			return false
		}
	}
	return true
}

// matchChain reports whether n matches the last compound of chain and its
// ancestors the rest.
func matchChain(n *html.Node, chain []compound) bool {
	last := chain[len(chain)-1]
	if !last.matches(n) {
		return false
	}
	if len(chain) == 1 {
		return true
	}
	rest := chain[:len(chain)-1]
	for p := n.Parent; p != nil; p = p.Parent {
		if matchChain(p, rest) {
			return true
		}
		if last.child {
			return false
		}
	}
	return false
}

// findAll returns the elements under root matching sel, in document order.
func findAll(t testing.TB, root *html.Node, sel string) []*html.Node {
	t.Helper()
	groups := parseSelector(t, sel)
	var out []*html.Node
	for n := range root.Descendants() {
		for _, g := range groups {
			if matchChain(n, g) {
				out = append(out, n)
				break
			}
		}
	}
	return out
}

func attrOK(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

func attr(n *html.Node, name string) string { v, _ := attrOK(n, name); return v }

// text is the element's text content with whitespace collapsed.
func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func parseHTML(t testing.TB, body string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}
	return doc
}

func TestSelector(t *testing.T) {
	doc := parseHTML(t, `<main id="m"><div class="a b"><p data-x="hello world">one</p></div><p class="b">two</p>
		<ul><li><a href="/x">x</a></li></ul></main>`)
	for _, tc := range []struct {
		sel  string
		want string
	}{
		{"p", "one|two"},
		{"div p", "one"},
		{"main > p", "two"},
		{"main > div > p", "one"},
		{".b", "one|two"},
		{"div.a.b", "one"},
		{"p.b", "two"},
		{"#m ul a[href=/x]", "x"},
		{"[data-x*=world]", "one"},
		{"[data-x^=hello]", "one"},
		{"[data-x=nope]", ""},
		{"main > li", ""},
		{"p.b, div.a", "one|two"},
	} {
		var got []string
		for _, n := range findAll(t, doc, tc.sel) {
			got = append(got, text(n))
		}
		if g := strings.Join(got, "|"); g != tc.want {
			t.Errorf("%q: got %q, want %q", tc.sel, g, tc.want)
		}
	}
}
