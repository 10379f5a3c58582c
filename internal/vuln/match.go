package vuln

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/pflicht/pflicht/internal/version"
)

// Package is a component to match, in OSV coordinates. Ecosystem may carry
// a release suffix ("Debian:12"); without one, advisories of every release
// apply.
type Package struct {
	// Ref is the caller's id of the component (SBOM bom-ref, SPDXID, …).
	Ref       string `json:"ref"`
	PURL      string `json:"purl,omitempty"`
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	Version   string `json:"version"`
}

// Finding is one vulnerability affecting one component. Records that are
// aliases of each other (GO-…, GHSA-…, CVE-…) give one finding.
type Finding struct {
	Package
	// ID is the primary id: a matching record's own database id, preferring
	// ecosystem databases over GHSA over CVE.
	ID string `json:"id"`
	// Aliases are all other ids of the vulnerability, sorted.
	Aliases  []string `json:"aliases,omitempty"`
	Summary  string   `json:"summary,omitempty"`
	Severity Severity `json:"severity"`
	// FixedIn is the version that leaves every affected range the
	// component's version is in; "" when no fix is known.
	FixedIn string `json:"fixed_in,omitempty"`
	// KnownExploited lists the catalogue entries naming one of the
	// vulnerability's CVEs; empty when none does.
	KnownExploited []Exploited `json:"known_exploited,omitempty"`
}

// Exploited is a known-exploited catalogue entry behind a finding.
type Exploited struct {
	Catalog string `json:"catalog"`
	CVE     string `json:"cve"`
	// Via says how the CVE belongs to the finding: "id", "alias", or
	// "upstream" (a distribution record derived from that CVE).
	Via           string `json:"via"`
	DateAdded     string `json:"date_added,omitempty"`
	DueDate       string `json:"due_date,omitempty"`
	RansomwareUse string `json:"ransomware_use,omitempty"`
}

// NotEvaluable is an advisory for a component's package that could not be
// decided for its version, and why.
type NotEvaluable struct {
	Package
	ID      string   `json:"id"`
	Aliases []string `json:"aliases,omitempty"`
	Reason  string   `json:"reason"`
	// Codes name the kinds of reason, for machines: GitRange,
	// UnknownRangeType, NoRangeOrdering, BadRange, NoRanges.
	Codes []string `json:"codes"`
}

// Reason says why a component was not checked.
type Reason string

// Reasons for Unscanned.
const (
	NoCoordinates Reason = "no_coordinates" // ecosystem or name missing
	NoAdvisories  Reason = "no_advisories"  // none loaded for the ecosystem or its release
	NoVersion     Reason = "no_version"
	NoOrdering    Reason = "no_ordering" // pflicht cannot order the ecosystem's versions
	BadVersion    Reason = "bad_version" // the version does not parse
)

// Unscanned is a component that could not be checked.
type Unscanned struct {
	Package
	Reason Reason `json:"reason"`
	Detail string `json:"detail"`
}

// Result of matching components.
type Result struct {
	// Components counts the components considered; Scanned those checked
	// (with or without findings). The rest are in Unscanned.
	Components   int            `json:"components"`
	Scanned      int            `json:"scanned"`
	Findings     []Finding      `json:"findings"`
	NotEvaluable []NotEvaluable `json:"not_evaluable"`
	Unscanned    []Unscanned    `json:"unscanned"`
}

// Match checks each component against the index. Output follows the input
// order, and within a component the order of the index.
func (ix *Index) Match(pkgs []Package) Result {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	res := Result{Findings: []Finding{}, NotEvaluable: []NotEvaluable{}, Unscanned: []Unscanned{}}
	for i := range pkgs {
		ix.match(&pkgs[i], &res)
	}
	return res
}

// MatchChanged matches only the components whose Key is in changed (as
// returned by Update or SetKEV): re-matching stored SBOMs after an update.
func (ix *Index) MatchChanged(pkgs []Package, changed []Key) Result {
	set := make(map[Key]struct{}, len(changed))
	for _, k := range changed {
		set[k] = struct{}{}
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	res := Result{Findings: []Finding{}, NotEvaluable: []NotEvaluable{}, Unscanned: []Unscanned{}}
	for i := range pkgs {
		if _, ok := set[KeyOf(pkgs[i].Ecosystem, pkgs[i].Name)]; ok {
			ix.match(&pkgs[i], &res)
		}
	}
	return res
}

// hit gathers what the records of one alias group say about a component.
type hit struct {
	root     string
	affected []*record
	fix      version.Version
	unfixed  bool
	unsure   []*record
	reasons  []string
	codes    []string
}

func (ix *Index) match(p *Package, res *Result) {
	res.Components++
	unscanned := func(r Reason, detail string) {
		res.Unscanned = append(res.Unscanned, Unscanned{Package: *p, Reason: r, Detail: detail})
	}
	if p.Ecosystem == "" || p.Name == "" {
		unscanned(NoCoordinates, "the component has no OSV ecosystem and name (no usable purl)")
		return
	}
	key := KeyOf(p.Ecosystem, p.Name)
	if ok, why := ix.loaded(p.Ecosystem); !ok {
		unscanned(NoAdvisories, why)
		return
	}
	_, suffix := splitEcosystem(p.Ecosystem)
	var cands []*entry
	for _, e := range ix.byKey[key] {
		if sameRelease(e.suffix, suffix) {
			cands = append(cands, e)
		}
	}
	if len(cands) == 0 {
		res.Scanned++ // no advisory names the package: clean whatever its version
		return
	}
	if p.Version == "" {
		unscanned(NoVersion, fmt.Sprintf("the component has no version; %d advisories name the package", records(cands)))
		return
	}
	if !version.Supported(p.Ecosystem) {
		unscanned(NoOrdering, fmt.Sprintf("pflicht cannot order versions of ecosystem %s; %d advisories name the package", key.Ecosystem, records(cands)))
		return
	}
	v, err := version.Parse(p.Ecosystem, p.Version)
	if err != nil {
		unscanned(BadVersion, err.Error())
		return
	}
	res.Scanned++
	var hits []*hit
	for _, e := range cands {
		vd := e.evaluate(p.Version, v)
		if !vd.affected && vd.reason == "" {
			continue
		}
		root := ix.groups.find(e.rec.id)
		i := slices.IndexFunc(hits, func(h *hit) bool { return h.root == root })
		if i < 0 {
			i = len(hits)
			hits = append(hits, &hit{root: root})
		}
		h := hits[i]
		switch {
		case vd.affected:
			if !slices.Contains(h.affected, e.rec) {
				h.affected = append(h.affected, e.rec)
			}
			if vd.fix == nil {
				h.unfixed = true
			} else if h.fix == nil || vd.fix.Compare(h.fix) > 0 {
				h.fix = vd.fix
			}
		default:
			if !slices.Contains(h.unsure, e.rec) {
				h.unsure = append(h.unsure, e.rec)
			}
			h.reasons = append(h.reasons, e.rec.id+": "+vd.reason)
			for _, c := range vd.codes {
				if !slices.Contains(h.codes, c) {
					h.codes = append(h.codes, c)
				}
			}
		}
	}
	for _, h := range hits {
		if len(h.affected) == 0 {
			primary := primaryOf(h.unsure)
			res.NotEvaluable = append(res.NotEvaluable, NotEvaluable{
				Package: *p, ID: primary.id, Aliases: ix.aliasesOf(primary.id),
				Reason: strings.Join(h.reasons, "; "), Codes: h.codes,
			})
			continue
		}
		primary := primaryOf(h.affected)
		f := Finding{
			Package: *p, ID: primary.id, Aliases: ix.aliasesOf(primary.id),
			Summary: primary.summary, Severity: primary.severity,
			KnownExploited: ix.exploited(h.affected),
		}
		for _, r := range h.affected {
			if f.Summary == "" {
				f.Summary = r.summary
			}
			if f.Severity.Source == "none" && r.severity.Source != "none" {
				f.Severity = r.severity
			}
		}
		if h.fix != nil && !h.unfixed {
			f.FixedIn = h.fix.String()
		}
		res.Findings = append(res.Findings, f)
	}
}

// records counts the distinct records of entries.
func records(es []*entry) int {
	seen := map[*record]bool{}
	for _, e := range es {
		seen[e.rec] = true
	}
	return len(seen)
}

// sameRelease reports whether an advisory for ecosystem suffix adv applies
// to a component with suffix comp. A missing suffix on either side means
// every release. "22.04" matches "22.04:LTS" (Ubuntu's suffixes carry
// extra segments a purl's distro qualifier does not).
func sameRelease(adv, comp string) bool {
	return adv == "" || comp == "" || adv == comp || strings.HasPrefix(adv, comp+":")
}

// idRank orders id kinds for the primary id: a database's own ids first,
// then GitHub's, then CVE.
func idRank(id string) int {
	switch {
	case strings.HasPrefix(id, "CVE-"):
		return 2
	case strings.HasPrefix(id, "GHSA-"):
		return 1
	}
	return 0
}

func primaryOf(recs []*record) *record {
	return slices.MinFunc(recs, func(a, b *record) int {
		return cmp.Or(cmp.Compare(idRank(a.id), idRank(b.id)), strings.Compare(a.id, b.id))
	})
}

// aliasesOf returns every other id in id's alias group, sorted.
func (ix *Index) aliasesOf(id string) []string {
	var out []string
	for _, a := range ix.groups.of(id) {
		if a != id {
			out = append(out, a)
		}
	}
	slices.Sort(out)
	return out
}

// exploited joins the records' CVEs with the known-exploited catalogues.
func (ix *Index) exploited(recs []*record) []Exploited {
	if len(ix.kev) == 0 {
		return nil
	}
	var out []Exploited
	for _, r := range recs {
		for _, c := range ix.cves(r) {
			for _, e := range ix.kev[c.cve] {
				x := Exploited{
					Catalog: e.catalog, CVE: c.cve, Via: c.via,
					DateAdded: e.DateAdded, DueDate: e.DueDate, RansomwareUse: e.RansomwareUse,
				}
				if !slices.ContainsFunc(out, func(o Exploited) bool { return o.Catalog == x.Catalog && o.CVE == x.CVE }) {
					out = append(out, x)
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b Exploited) int {
		return cmp.Or(strings.Compare(a.Catalog, b.Catalog), strings.Compare(a.CVE, b.CVE))
	})
	return out
}
