package vex

import (
	"strings"

	"github.com/pflicht/pflicht/internal/purl"
)

// Apply returns a copy of findings with the decisions of the statements that
// apply to them. A statement applies to a finding when
//
//   - its vulnerability id or one of its aliases equals the finding's id or one
//     of its aliases (CVE and GHSA ids compare case-insensitively, other ids
//     exactly), and
//   - one of its subcomponents, or when it names none, one of its products
//     matches the finding's component: a purl matches when type, namespace,
//     name and subpath are equal after normalisation, its version is absent
//     or equal, and every qualifier present on both sides has the same value;
//     any other identifier must equal the component's bom-ref or purl.
//
// Of several applicable statements the one with the latest Timestamp wins; on
// a tie the later one in stmts, as later VEX statements supersede earlier
// ones. A finding whose DecidedAt is later than the winning statement keeps
// its own decision, so importing an old VEX document does not overwrite a
// newer decision made in pflicht.
func Apply(findings []Finding, stmts []Statement) []Finding {
	byID := map[string][]int{}
	for i, s := range stmts {
		for _, id := range append([]string{s.VulnID}, s.Aliases...) {
			k := idKey(id)
			if ids := byID[k]; len(ids) == 0 || ids[len(ids)-1] != i {
				byID[k] = append(ids, i)
			}
		}
	}
	products := map[string]productRef{}
	out := make([]Finding, len(findings))
	for fi, f := range findings {
		out[fi] = f
		comp := parseProduct(products, f.ComponentPURL)
		best := -1
		for _, id := range append([]string{f.VulnID}, f.Aliases...) {
			for _, si := range byID[idKey(id)] {
				if best >= 0 && !supersedes(stmts, si, best) {
					continue
				}
				if matchesComponent(products, stmts[si], f, comp) {
					best = si
				}
			}
		}
		if best < 0 {
			continue
		}
		s := stmts[best]
		if !f.DecidedAt.IsZero() && f.DecidedAt.After(s.Timestamp) {
			continue
		}
		decide(&out[fi], s)
	}
	return out
}

// supersedes reports whether statement a wins over statement b.
func supersedes(stmts []Statement, a, b int) bool {
	ta, tb := stmts[a].Timestamp, stmts[b].Timestamp
	return ta.After(tb) || ta.Equal(tb) && a > b
}

// decide records statement s as the decision of f. The detail is the action
// statement for affected, else the impact statement, else whichever exists.
func decide(f *Finding, s Statement) {
	f.Status = s.Status
	f.Justification = s.Justification
	f.Detail = s.ImpactStatement
	if s.Status == Affected && s.ActionStatement != "" || f.Detail == "" {
		f.Detail = s.ActionStatement
	}
	f.DecidedBy = s.Author
	f.DecidedAt = s.Timestamp
	f.Applied = &s
}

// idKey normalises a vulnerability id for comparison: CVE and GHSA ids are
// case-insensitive, other databases' ids (GO-, PYSEC-, RUSTSEC-) are not
// promised to be.
func idKey(id string) string {
	id = strings.TrimSpace(id)
	u := strings.ToUpper(id)
	if strings.HasPrefix(u, "CVE-") || strings.HasPrefix(u, "GHSA-") {
		return u
	}
	return id
}

// productRef is a product identifier parsed once: a purl when ok.
type productRef struct {
	p  purl.PURL
	ok bool
}

func parseProduct(cache map[string]productRef, s string) productRef {
	if r, ok := cache[s]; ok {
		return r
	}
	var r productRef
	if isPURL(s) {
		p, err := purl.Parse(s)
		r = productRef{p, err == nil}
	}
	cache[s] = r
	return r
}

func matchesComponent(cache map[string]productRef, s Statement, f Finding, comp productRef) bool {
	targets := s.Subcomponents
	if len(targets) == 0 {
		targets = s.Products
	}
	for _, t := range targets {
		if t == "" {
			continue
		}
		if t == f.ComponentRef || t == f.ComponentPURL {
			return true
		}
		if r := parseProduct(cache, t); r.ok && comp.ok && purlCovers(r.p, comp.p) {
			return true
		}
	}
	return false
}

// purlCovers reports whether product purl p names component c: the same
// package, any version when p has none, and no qualifier both set
// differently (a qualifier on one side only, such as a repository_url the
// SBOM omits, does not tell the packages apart).
func purlCovers(p, c purl.PURL) bool {
	if p.Type != c.Type || p.Namespace != c.Namespace || p.Name != c.Name || p.Subpath != c.Subpath {
		return false
	}
	if p.Version != "" && p.Version != c.Version {
		return false
	}
	for _, q := range p.Qualifiers {
		if v := c.Qualifier(q.Key); v != "" && v != q.Value {
			return false
		}
	}
	return true
}
