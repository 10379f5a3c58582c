package vuln

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/pflicht/pflicht/internal/osv"
	"github.com/pflicht/pflicht/internal/version"
)

// entry is one affected[] element of a record, pre-parsed for matching.
type entry struct {
	rec    *record
	key    Key
	suffix string // ecosystem suffix after ':' ("12" of "Debian:12"), or ""
	ranges []span
	// listed is the explicit versions list, parsed and sorted for binary
	// search; unparsed holds the entries the ordering rejects, matched by
	// string. hasVersions says whether the list was given at all.
	listed      []version.Version
	unparsed    []string
	hasVersions bool
	// unknown explains ranges that cannot be evaluated against a version
	// (GIT, unknown types, events that do not parse); gitOnly says whether
	// all of them are GIT ranges, which osv.dev also enumerates in versions.
	unknown []unevaluable
	gitOnly bool
}

// unevaluable is a range that cannot be evaluated: a code of
// NotEvaluable.Codes and the reason in words.
type unevaluable struct{ code, text string }

// Codes of NotEvaluable.Codes.
const (
	GitRange         = "git_range"          // commits cannot be ordered against a version
	UnknownRangeType = "unknown_range_type" // neither SEMVER, ECOSYSTEM nor GIT
	NoRangeOrdering  = "no_ordering"        // pflicht cannot order the ecosystem's versions
	BadRange         = "bad_range"          // an event does not parse, or no introduced event
	NoRanges         = "no_ranges"          // neither ranges nor versions for the package
)

// span is one SEMVER or ECOSYSTEM range as a union of intervals, bounded by
// its limit events.
type span struct {
	intervals []interval
	limits    []version.Version // nil entry: "*", no bound
}

// interval is [lo, hi) for a fixed event, [lo, hi] for last_affected, or
// open above when hi is nil. lo is nil for introduced "0".
type interval struct {
	lo, hi    version.Version
	inclusive bool
}

// eventRank orders events at equal versions so that an introduced event
// opens an interval before a fixed or last_affected event at the same
// version closes it: introduced X, fixed X is empty, introduced X,
// last_affected X is exactly X.
var eventRank = map[string]int{osv.Introduced: 0, osv.LastAffected: 1, osv.Fixed: 2, osv.Limit: 3}

type event struct {
	kind string
	v    version.Version // nil for introduced "0" and limit "*"
}

// newEntry pre-parses an affected element with its package's ordering.
func newEntry(rec *record, a *osv.Affected) *entry {
	base, suffix := splitEcosystem(a.Package.Ecosystem)
	e := &entry{rec: rec, key: KeyOf(base, a.Package.Name), suffix: suffix, hasVersions: len(a.Versions) > 0, gitOnly: true}
	for _, s := range a.Versions {
		if v, err := version.Parse(a.Package.Ecosystem, s); err == nil {
			e.listed = append(e.listed, v)
		} else {
			e.unparsed = append(e.unparsed, s)
		}
	}
	slices.SortFunc(e.listed, version.Version.Compare)
	for i := range a.Ranges {
		r := &a.Ranges[i]
		var parse func(string) (version.Version, error)
		switch r.Type {
		case osv.RangeSemVer:
			parse = version.SemVer
		case osv.RangeEcosystem:
			parse = func(s string) (version.Version, error) { return version.Parse(a.Package.Ecosystem, s) }
		case osv.RangeGit:
			e.unknown = append(e.unknown, unevaluable{GitRange, fmt.Sprintf("ranges[%d]: GIT range (commits cannot be ordered against a version)", i)})
			continue
		default:
			e.unknown = append(e.unknown, unevaluable{UnknownRangeType, fmt.Sprintf("ranges[%d]: unknown range type %q", i, r.Type)})
			e.gitOnly = false
			continue
		}
		sp, err := newSpan(r.Events, parse)
		if err != nil {
			code := BadRange
			if r.Type == osv.RangeEcosystem && !version.Supported(a.Package.Ecosystem) {
				code = NoRangeOrdering
			}
			e.unknown = append(e.unknown, unevaluable{code, fmt.Sprintf("ranges[%d]: %v", i, err)})
			e.gitOnly = false
			continue
		}
		e.ranges = append(e.ranges, sp)
	}
	return e
}

func newSpan(raw []osv.Event, parse func(string) (version.Version, error)) (span, error) {
	var sp span
	evs := make([]event, 0, len(raw))
	introduced := false
	for _, r := range raw {
		kind, value := r.Kind()
		e := event{kind: kind}
		switch {
		case kind == osv.Introduced && value == "0":
		case kind == osv.Limit && value == "*":
		default:
			v, err := parse(value)
			if err != nil {
				return sp, fmt.Errorf("%s %q: %v", kind, value, err)
			}
			e.v = v
		}
		if kind == osv.Limit {
			sp.limits = append(sp.limits, e.v)
			continue
		}
		introduced = introduced || kind == osv.Introduced
		evs = append(evs, e)
	}
	if !introduced {
		return sp, fmt.Errorf("no introduced event, so the range affects nothing by the OSV rules; the advisory is malformed")
	}
	slices.SortStableFunc(evs, func(a, b event) int {
		if c := compareLow(a.v, b.v); c != 0 {
			return c
		}
		return cmp.Compare(eventRank[a.kind], eventRank[b.kind])
	})
	var open *event
	for i := range evs {
		e := &evs[i]
		switch {
		case e.kind == osv.Introduced && open == nil:
			open = e
		case e.kind == osv.Fixed && open != nil:
			sp.intervals = append(sp.intervals, interval{lo: open.v, hi: e.v})
			open = nil
		case e.kind == osv.LastAffected && open != nil:
			sp.intervals = append(sp.intervals, interval{lo: open.v, hi: e.v, inclusive: true})
			open = nil
		}
	}
	if open != nil {
		sp.intervals = append(sp.intervals, interval{lo: open.v})
	}
	return sp, nil
}

// compareLow compares versions where nil is introduced "0", before all.
func compareLow(a, b version.Version) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return a.Compare(b)
}

// contains returns the interval of the span that holds v, or nil.
func (sp *span) contains(v version.Version) *interval {
	if len(sp.limits) > 0 && !slices.ContainsFunc(sp.limits, func(l version.Version) bool {
		return l == nil || v.Compare(l) < 0
	}) {
		return nil
	}
	for i := range sp.intervals {
		iv := &sp.intervals[i]
		if iv.lo != nil && v.Compare(iv.lo) < 0 {
			continue
		}
		if iv.hi == nil {
			return iv
		}
		if c := v.Compare(iv.hi); c < 0 || c == 0 && iv.inclusive {
			return iv
		}
	}
	return nil
}

// verdict is what an entry says about one version.
type verdict struct {
	affected bool
	// fix is the version that fixes it, nil when none is known.
	fix version.Version
	// reason is set when the entry could not be evaluated, with its codes.
	reason string
	codes  []string
}

// evaluate applies the entry to a component version, given as string s and
// parsed as v.
//
// The OSV rules: a version is affected when it is listed in versions or
// lies in any SEMVER/ECOSYSTEM range. GIT ranges and ranges we could not
// parse are reported as not evaluable, except that GIT ranges are left out
// when the entry also has ranges or a versions list we can evaluate: osv.dev
// enumerates a GIT range's tagged versions into versions, and databases add
// GIT ranges beside version ranges as the same statement in commits.
func (e *entry) evaluate(s string, v version.Version) verdict {
	var out verdict
	unfixed := false
	for i := range e.ranges {
		iv := e.ranges[i].contains(v)
		if iv == nil {
			continue
		}
		out.affected = true
		if iv.hi == nil || iv.inclusive {
			unfixed = true
		} else if out.fix == nil || iv.hi.Compare(out.fix) > 0 {
			// A version in several intervals is fixed only past all of them.
			out.fix = iv.hi
		}
	}
	if !out.affected && e.inList(s, v) {
		out.affected = true
		unfixed = true
	}
	if out.affected {
		if unfixed {
			out.fix = nil
		}
		return out
	}
	switch {
	case len(e.unknown) > 0 && (!e.gitOnly || len(e.ranges) == 0 && !e.hasVersions):
		texts := make([]string, len(e.unknown))
		for i, u := range e.unknown {
			texts[i] = u.text
			if !slices.Contains(out.codes, u.code) {
				out.codes = append(out.codes, u.code)
			}
		}
		out.reason = strings.Join(texts, "; ")
	case len(e.ranges) == 0 && !e.hasVersions && len(e.unknown) == 0:
		out.reason = "the advisory gives neither ranges nor versions for this package"
		out.codes = []string{NoRanges}
	}
	return out
}

// inList reports whether the versions list names v (or s, for entries the
// ordering rejects).
func (e *entry) inList(s string, v version.Version) bool {
	_, found := slices.BinarySearchFunc(e.listed, v, version.Version.Compare)
	return found || slices.Contains(e.unparsed, s)
}
