package version

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
)

// vector is one expected ordering of two versions, taken from a third-party
// suite.
type vector struct {
	eco  string // ecosystem passed to Parse; "SEMVER" means SemVer
	a    string
	op   string // "<", "=", ">", "!=", or "valid" or "invalid" for a alone
	b    string
	from string // where the vector was read, for failure messages
}

func (v vector) key(suite string) string {
	if v.b == "" {
		return fmt.Sprintf("%s %s: %s %s", suite, v.eco, v.op, v.a)
	}
	return fmt.Sprintf("%s %s: %s %s %s", suite, v.eco, v.a, v.op, v.b)
}

var opResult = map[string]int{"<": -1, "=": 0, ">": 1}

// check parses both sides and compares them both ways; it returns "" when
// the vector holds and else what went wrong.
func (v vector) check() string {
	parse := func(s string) (Version, error) {
		if v.eco == "SEMVER" {
			return SemVer(s)
		}
		return Parse(v.eco, s)
	}
	a, err := parse(v.a)
	switch {
	case v.op == "invalid" && err == nil:
		return fmt.Sprintf("%q parses, want an error", v.a)
	case v.op == "invalid":
		return ""
	case err != nil:
		return err.Error()
	case v.op == "valid":
		return ""
	}
	b, err := parse(v.b)
	if err != nil {
		return err.Error()
	}
	if v.op == "!=" {
		if ab, ba := a.Compare(b), b.Compare(a); ab == 0 || ab != -ba {
			return fmt.Sprintf("Compare(%q, %q) = %d and reversed %d, want unequal", v.a, v.b, ab, ba)
		}
		return ""
	}
	want := opResult[v.op]
	if got := a.Compare(b); got != want {
		return fmt.Sprintf("Compare(%q, %q) = %d, want %d", v.a, v.b, got, want)
	}
	if got := b.Compare(a); got != -want {
		return fmt.Sprintf("Compare(%q, %q) = %d, want %d", v.b, v.a, got, -want)
	}
	return ""
}

// knownDifferences reads testdata/known_differences.txt: a line
// "reason: ..." starts a group, and each following line is the key of a
// vector (see vector.key) that we order differently for that reason.
var knownDifferences = sync.OnceValues(func() (map[string]string, error) {
	f, err := os.Open("testdata/known_differences.txt")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	known := map[string]string{}
	reason := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "reason: "):
			reason = strings.TrimPrefix(line, "reason: ")
		case reason == "":
			return nil, fmt.Errorf("known_differences.txt:%d: entry before the first reason", n)
		default:
			known[line] = reason
		}
	}
	return known, sc.Err()
})

// runVectors checks every vector of a suite, logs the passes per
// ecosystem, and fails on each disagreement that known_differences.txt
// does not list, and on each listed one that no longer disagrees.
func runVectors(t *testing.T, suite string, vectors []vector) {
	t.Helper()
	known, err := knownDifferences()
	if err != nil {
		t.Fatal(err)
	}
	if len(vectors) == 0 {
		t.Fatalf("%s: no vectors read", suite)
	}
	type tally struct{ pass, known, total int }
	byEco := map[string]*tally{}
	seen := map[string]bool{}
	for _, v := range vectors {
		n := byEco[v.eco]
		if n == nil {
			n = &tally{}
			byEco[v.eco] = n
		}
		n.total++
		k := v.key(suite)
		seen[k] = true
		problem := v.check()
		_, listed := known[k]
		switch {
		case problem == "" && listed:
			t.Errorf("%s: %q is listed in known_differences.txt but now passes", v.from, k)
		case problem == "":
			n.pass++
		case listed:
			n.known++
		default:
			t.Errorf("%s: %s: %s", v.from, k, problem)
		}
	}
	for k := range known {
		if strings.HasPrefix(k, suite+" ") && !seen[k] {
			t.Errorf("known_differences.txt lists %q, which is not in the suite", k)
		}
	}
	ecos := make([]string, 0, len(byEco))
	for e := range byEco {
		ecos = append(ecos, e)
	}
	sort.Strings(ecos)
	for _, e := range ecos {
		n := byEco[e]
		t.Logf("%s %-10s pass %5d/%5d  known differences %d", suite, e, n.pass, n.total, n.known)
	}
}
