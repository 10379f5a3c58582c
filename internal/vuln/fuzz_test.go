package vuln

import (
	"cmp"
	"fmt"
	"slices"
	"testing"

	"github.com/pflicht/pflicht/internal/osv"
	"github.com/pflicht/pflicht/internal/version"
)

// fuzzVersions are the versions fuzzed events and components draw from.
var fuzzVersions = []string{"0", "0.9.0", "1.0.0-alpha", "1.0.0", "1.0.1", "1.1.0", "2.0.0-rc.1", "2.0.0", "3.0.0"}

// reference is the OSV schema's evaluation pseudo-code, applied literally:
// walk the sorted events and track whether the version is affected.
func reference(v version.Version, evs []osv.Event) bool {
	type ev struct {
		kind string
		v    version.Version
	}
	var sorted []ev
	var limits []version.Version
	for _, e := range evs {
		kind, val := e.Kind()
		pv, _ := version.SemVer(val)
		if kind == osv.Limit {
			limits = append(limits, pv)
			continue
		}
		sorted = append(sorted, ev{kind, pv})
	}
	if len(limits) > 0 && !slices.ContainsFunc(limits, func(l version.Version) bool { return v.Compare(l) < 0 }) {
		return false
	}
	slices.SortStableFunc(sorted, func(a, b ev) int {
		return cmp.Or(a.v.Compare(b.v), cmp.Compare(eventRank[a.kind], eventRank[b.kind]))
	})
	affected := false
	for _, e := range sorted {
		c := v.Compare(e.v)
		switch {
		case e.kind == osv.Introduced && c >= 0:
			affected = true
		case e.kind == osv.Fixed && c >= 0:
			affected = false
		case e.kind == osv.LastAffected && c > 0:
			affected = false
		}
	}
	return affected
}

// FuzzRangeSemantics checks the interval evaluation against the schema's
// pseudo-code for ranges the schema allows: at least one introduced event,
// and fixed or last_affected but not both.
func FuzzRangeSemantics(f *testing.F) {
	f.Add([]byte{0, 0, 1, 4, 0, 6, 1, 8}, uint8(5), false)
	f.Add([]byte{0, 3, 2, 3}, uint8(3), true)
	f.Add([]byte{3, 7, 0, 0}, uint8(6), false)
	f.Fuzz(func(t *testing.T, spec []byte, at uint8, lastAffected bool) {
		var evs []osv.Event
		introduced := false
		for i := 0; i+1 < len(spec) && len(evs) < 8; i += 2 {
			val := fuzzVersions[int(spec[i+1])%len(fuzzVersions)]
			switch spec[i] % 3 {
			case 0:
				evs = append(evs, osv.Event{Introduced: val})
				introduced = true
			case 1:
				if val == "0" {
					continue
				}
				if lastAffected {
					evs = append(evs, osv.Event{LastAffected: val})
				} else {
					evs = append(evs, osv.Event{Fixed: val})
				}
			case 2:
				if val != "0" {
					evs = append(evs, osv.Event{Limit: val})
				}
			}
		}
		if !introduced {
			return
		}
		s := fuzzVersions[1+int(at)%(len(fuzzVersions)-1)]
		v, _ := version.SemVer(s)
		want := reference(v, evs)
		r := osv.Record{ID: "FUZZ-1", Affected: []osv.Affected{{
			Package: osv.Package{Ecosystem: "Go", Name: "m"},
			Ranges:  []osv.Range{{Type: osv.RangeSemVer, Events: evs}},
		}}}
		res := New([]osv.Record{r}).Match([]Package{{Ecosystem: "Go", Name: "m", Version: s}})
		if got := len(res.Findings) == 1; got != want || len(res.NotEvaluable) > 0 {
			t.Fatalf("events %s, version %s: affected %v, reference %v (%+v)", fmt.Sprint(evs), s, got, want, res)
		}
	})
}
