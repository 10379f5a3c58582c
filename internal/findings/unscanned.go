package findings

import (
	"context"
	"slices"
	"strconv"

	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/vuln"
)

// refreshUnscanned brings up to date, in every current SBOM, the unscanned
// entries stored for want of advisories (no_advisories), by the matcher's
// rule (vuln.CoveredBy) against the database as it is now:
//
//   - an entry whose ecosystem and release are now covered has its
//     component matched again: it is dropped when the component is now
//     checked, or replaced by what the matcher says now (no version to
//     compare, an advisory not evaluable …), so no component goes silently;
//   - an entry still not covered keeps its code, with the matcher's words
//     of now ("advisories for ecosystem Debian are loaded, but none for
//     release 13" where it said no Debian advisories were loaded).
//
// Entries with other codes, and entries stored without their coordinates
// (before they were kept), stay as they are. It returns the number of SBOMs
// whose list was rewritten.
func refreshUnscanned(ctx context.Context, st *store.Store, sys store.Actor, m *Matcher) (int, error) {
	files, err := st.NoAdvisorySBOMs(ctx, sys)
	if err != nil || len(files) == 0 {
		return 0, err
	}
	coverage := vuln.CoveredBy(m.Ecosystems)
	n := 0
	for _, f := range files {
		list := slices.Clone(f.Unscanned)
		changed := false
		var again []int // entries whose component is matched again
		for i, u := range list {
			if u.Code != string(vuln.NoAdvisories) || u.Ecosystem == "" {
				continue
			}
			switch covered, why := coverage(u.Ecosystem); {
			case covered && u.PURL != "":
				again = append(again, i)
			case !covered && why != u.Reason:
				list[i].Reason, changed = why, true
			}
		}
		if len(again) > 0 {
			now, err := matchAgain(ctx, st, sys, m, f, again)
			if err != nil {
				return n, err
			}
			if len(now) > 0 {
				changed = true
				var out []store.Unscanned
				for i, u := range list {
					if after, ok := now[i]; ok {
						out = append(out, after...)
					} else {
						out = append(out, u)
					}
				}
				list = out
			}
		}
		if !changed {
			continue
		}
		ok, err := st.RefreshUnscanned(ctx, sys, f.ID, f.Unscanned, list)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// matchAgain matches the stored components of the entries again of f's
// unscanned list (found by purl and ecosystem) and returns, by entry, what
// the matcher says of them now: nothing for a component now checked. An
// entry whose component is not stored is not in the map, so it stays.
func matchAgain(ctx context.Context, st *store.Store, sys store.Actor, m *Matcher, f store.SBOMFile, again []int) (map[int][]store.Unscanned, error) {
	comps, err := st.SBOMComponents(ctx, sys, f.ID)
	if err != nil {
		return nil, err
	}
	byCoord := map[[2]string][]store.StoredComponent{}
	for _, c := range comps {
		k := [2]string{c.PURL, c.Ecosystem}
		byCoord[k] = append(byCoord[k], c)
	}
	now := map[int][]store.Unscanned{}
	var pkgs []vuln.Package
	for _, i := range again {
		u := f.Unscanned[i]
		for _, c := range byCoord[[2]string{u.PURL, u.Ecosystem}] {
			pkgs = append(pkgs, vuln.Package{Ref: strconv.Itoa(i), PURL: c.PURL, Ecosystem: c.Ecosystem, Name: c.Name, Version: c.Version})
			now[i] = []store.Unscanned{}
		}
	}
	if len(pkgs) == 0 {
		return nil, nil
	}
	res, err := m.Match(ctx, pkgs)
	if err != nil {
		return nil, err
	}
	add := func(p vuln.Package, code, reason string) {
		i := index(p)
		now[i] = append(now[i], store.Unscanned{Component: f.Unscanned[i].Component, Reason: reason, Code: code, Ecosystem: p.Ecosystem, PURL: p.PURL})
	}
	for _, u := range res.Unscanned {
		add(u.Package, string(u.Reason), u.Detail)
	}
	for _, ne := range res.NotEvaluable {
		add(ne.Package, NotEvaluableCode, notEvaluable(ne))
	}
	return now, nil
}
