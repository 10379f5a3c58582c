// Package vuln matches components against OSV advisories held in an
// in-memory index, and marks findings that a known-exploited catalogue
// lists. It is an engine: no I/O, no clock.
//
// Its answers are three lists, not one: findings; advisories that apply to
// a component's package but could not be evaluated against its version
// (NotEvaluable); and components that could not be checked at all
// (Unscanned), each with the reason. "No findings" is only claimed for a
// component that was checked.
package vuln

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pflicht/pflicht/internal/osv"
	"github.com/pflicht/pflicht/internal/purl"
)

// Key identifies one package's advisories: its OSV base ecosystem (without
// a ':' suffix) and its name, normalised where the ecosystem says names are
// equivalent.
type Key struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
}

// KeyOf returns the Key of a package; ecosystem may carry a suffix.
func KeyOf(ecosystem, name string) Key {
	base, _ := splitEcosystem(ecosystem)
	if base == "PyPI" {
		name = purl.PEP503(name)
	}
	return Key{Ecosystem: base, Name: name}
}

func splitEcosystem(e string) (base, suffix string) {
	base, suffix, _ = strings.Cut(e, ":")
	return base, suffix
}

// record is what the index keeps of an OSV record: what findings show,
// without details and references.
type record struct {
	id       string
	modified time.Time
	aliases  []string
	upstream []string
	summary  string
	severity Severity
	keys     []Key    // distinct keys of entries
	ecos     []string // ecosystem names counted in Index.ecosystems
}

// Index holds advisories by package. Build it with New and keep it current
// with Update; Match may run concurrently with both.
type Index struct {
	mu      sync.RWMutex
	records map[string]*record
	byKey   map[Key][]*entry
	// ecosystems counts records per base ecosystem ("Debian"), per release
	// ("Debian:12") and per base with entries for every release ("Debian:"),
	// to tell "no advisory for this package" from "no advisories loaded
	// for this ecosystem or release".
	ecosystems map[string]int
	// covered are the ecosystems of the whole database when the index holds
	// only part of it (SetCovered), by the names ecosystems counts.
	covered map[string]bool
	groups  *groups
	regroup bool
	kev     map[string][]kevEntry // by CVE
}

// New builds an index from records; withdrawn records are left out. To
// build from a stream (osv.Walk) without holding every record, start from
// New(nil) and Update in batches: the index keeps no details or references.
func New(recs []osv.Record) *Index {
	ix := &Index{
		records:    make(map[string]*record, len(recs)),
		byKey:      map[Key][]*entry{},
		ecosystems: map[string]int{},
		groups:     newGroups(),
	}
	for i := range recs {
		ix.apply(&recs[i], nil)
	}
	ix.settle()
	return ix
}

// Changes says what Update did.
type Changes struct {
	// Keys are the packages whose findings may differ now, sorted: those of
	// the records added, replaced or removed, and of every record whose
	// alias group they joined or left. SBOMs with other packages need no
	// new match.
	Keys     []Key `json:"keys"`
	Added    int   `json:"added"`
	Replaced int   `json:"replaced"`
	Removed  int   `json:"removed"` // withdrawn records taken out
	// Stale counts records skipped because the index holds a newer
	// modified time for the same id.
	Stale int `json:"stale"`
}

// Update adds records, replaces stored ones of the same id unless the
// stored one was modified later, and removes records that are now
// withdrawn, without rebuilding the index.
func (ix *Index) Update(recs []osv.Record) Changes {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	var ch Changes
	touched := map[string]bool{}
	keys := map[Key]bool{}
	// Groups before the change: a record leaving a group changes the
	// findings of the records that stay.
	for i := range recs {
		ix.groupKeys(recs[i].ID, keys)
	}
	for i := range recs {
		touched[recs[i].ID] = true
		ix.apply(&recs[i], &ch)
	}
	ix.settle()
	for id := range touched {
		ix.groupKeys(id, keys)
	}
	ch.Keys = sortedKeys(keys)
	return ch
}

// groupKeys adds the keys of every record in id's alias group.
func (ix *Index) groupKeys(id string, keys map[Key]bool) {
	for _, m := range ix.groups.of(id) {
		if r := ix.records[m]; r != nil {
			for _, k := range r.keys {
				keys[k] = true
			}
		}
	}
}

// apply adds, replaces or removes one record; ch, if not nil, counts it.
func (ix *Index) apply(r *osv.Record, ch *Changes) {
	old := ix.records[r.ID]
	if old != nil && old.modified.After(r.Modified) {
		if ch != nil {
			ch.Stale++
		}
		return
	}
	if old != nil {
		ix.remove(old)
	}
	if !r.Withdrawn.IsZero() {
		if ch != nil && old != nil {
			ch.Removed++
		}
		return
	}
	ix.add(r)
	if ch != nil {
		if old != nil {
			ch.Replaced++
		} else {
			ch.Added++
		}
	}
}

func (ix *Index) add(r *osv.Record) {
	rec := &record{
		id: r.ID, modified: r.Modified, aliases: r.Aliases, upstream: r.Upstream,
		summary: r.Summary, severity: severityOf(r),
	}
	for i := range r.Affected {
		a := &r.Affected[i]
		if a.Package.Name == "" {
			continue // GIT-only entries without a package (PSF's) name no component
		}
		e := newEntry(rec, a)
		if !slices.Contains(rec.keys, e.key) {
			rec.keys = append(rec.keys, e.key)
		}
		for _, name := range ecosystemNames(e.key.Ecosystem, e.suffix) {
			if !slices.Contains(rec.ecos, name) {
				rec.ecos = append(rec.ecos, name)
			}
		}
		ix.byKey[e.key] = append(ix.byKey[e.key], e)
	}
	for _, name := range rec.ecos {
		ix.ecosystems[name]++
	}
	ix.records[r.ID] = rec
	ix.groups.add(r.ID, r.Aliases)
}

func (ix *Index) remove(rec *record) {
	for _, k := range rec.keys {
		es := slices.DeleteFunc(ix.byKey[k], func(e *entry) bool { return e.rec == rec })
		if len(es) == 0 {
			delete(ix.byKey, k)
		} else {
			ix.byKey[k] = es
		}
	}
	for _, name := range rec.ecos {
		if ix.ecosystems[name]--; ix.ecosystems[name] == 0 {
			delete(ix.ecosystems, name)
		}
	}
	delete(ix.records, rec.id)
	// Union-find cannot split a group: rebuild the groups (once, in settle)
	// when the record may have been a bridge between ids.
	if len(rec.aliases) > 0 {
		ix.regroup = true
	}
}

// settle rebuilds the alias groups if a removal asked for it.
func (ix *Index) settle() {
	if !ix.regroup {
		return
	}
	ix.groups = newGroups()
	for _, r := range ix.records {
		ix.groups.add(r.id, r.aliases)
	}
	ix.regroup = false
}

// Len returns the number of records held.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.records)
}

// Ecosystems returns the ecosystems with advisories, sorted: base names,
// and base:release for releases advisories name.
func (ix *Index) Ecosystems() []string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var out []string
	for name := range ix.ecosystems {
		if !strings.HasSuffix(name, ":") {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// ecosystemNames are the names under which Index.ecosystems counts an
// entry of ecosystem base with release suffix: the base, and base:suffix
// ("Debian:" for an entry that names no release, so covers every one).
func ecosystemNames(base, suffix string) [2]string {
	return [2]string{base, base + ":" + suffix}
}

// SetCovered tells an index that holds only part of a database (the
// records naming one SBOM's packages) which ecosystems the database has
// advisories for, as advisories name them, with their release ("Go",
// "Debian:12", "Ubuntu:22.04:LTS"; store.VulnEcosystems). A package of such
// an ecosystem and release that no record held names is then checked and
// clean, not NoAdvisories. A bare distribution name ("Debian") stands for
// advisories that name no release, so it covers every release; a
// "Debian:12" advisory does not cover a Debian:13 package.
func (ix *Index) SetCovered(ecosystems []string) {
	covered := make(map[string]bool, 2*len(ecosystems))
	for _, e := range ecosystems {
		for _, name := range ecosystemNames(splitEcosystem(e)) {
			covered[name] = true
		}
		// "Ubuntu:22.04" is covered by "Ubuntu:22.04:LTS" (sameRelease):
		// the prefixes are entered here, not searched for per package.
		for i := strings.LastIndexByte(e, ':'); i > 0 && strings.Contains(e[:i], ":"); i = strings.LastIndexByte(e[:i], ':') {
			covered[e[:i]] = true
		}
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.covered = covered
}

// loaded says whether advisories cover the ecosystem (and release, if
// it names one), or explains why not.
func (ix *Index) loaded(ecosystem string) (bool, string) {
	base, release := splitEcosystem(ecosystem)
	has := func(name string) bool { return ix.ecosystems[name] > 0 || ix.covered[name] }
	if !has(base) {
		return false, fmt.Sprintf("no advisories are loaded for ecosystem %s, so absence of findings would mean nothing", base)
	}
	if release == "" || has(base+":") || has(ecosystem) {
		return true, ""
	}
	// "Ubuntu:22.04" for "Ubuntu:22.04:LTS", as sameRelease matches them
	// (SetCovered entered such prefixes in covered).
	for name := range ix.ecosystems {
		if strings.HasPrefix(name, ecosystem+":") {
			return true, ""
		}
	}
	return false, fmt.Sprintf("advisories for ecosystem %s are loaded, but none for release %s, so absence of findings would mean nothing", base, release)
}

// kevEntry is a catalogue entry with the catalogue's name.
type kevEntry struct {
	catalog string
	osv.KEVEntry
}

// SetKEV replaces the known-exploited catalogues consulted by Match and
// returns the keys whose findings change as a result.
func (ix *Index) SetKEV(cats ...*osv.KEV) []Key {
	kev := map[string][]kevEntry{}
	for _, c := range cats {
		for _, e := range c.Entries {
			kev[e.CVE] = append(kev[e.CVE], kevEntry{c.Catalog, e})
		}
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	changed := map[string]bool{}
	for cve, es := range kev {
		if !slices.Equal(es, ix.kev[cve]) {
			changed[cve] = true
		}
	}
	for cve := range ix.kev {
		if _, ok := kev[cve]; !ok {
			changed[cve] = true
		}
	}
	ix.kev = kev
	keys := map[Key]bool{}
	for _, r := range ix.records {
		if slices.ContainsFunc(ix.cves(r), func(c cveRef) bool { return changed[c.cve] }) {
			for _, k := range r.keys {
				keys[k] = true
			}
		}
	}
	return sortedKeys(keys)
}

func sortedKeys(keys map[Key]bool) []Key {
	return slices.SortedFunc(maps.Keys(keys), func(a, b Key) int {
		return cmp.Or(strings.Compare(a.Ecosystem, b.Ecosystem), strings.Compare(a.Name, b.Name))
	})
}

// cveRef is a CVE a record stands for and how: "id", "alias" (its own or
// one of its alias group) or "upstream".
type cveRef struct{ cve, via string }

func (ix *Index) cves(r *record) []cveRef {
	var out []cveRef
	add := func(id, via string) {
		if strings.HasPrefix(id, "CVE-") && !slices.ContainsFunc(out, func(c cveRef) bool { return c.cve == id }) {
			out = append(out, cveRef{id, via})
		}
	}
	add(r.id, "id")
	for _, id := range ix.groups.of(r.id) {
		add(id, "alias")
	}
	for _, id := range r.upstream {
		add(id, "upstream")
	}
	return out
}
