package vuln

import (
	"fmt"
	"testing"

	"github.com/pflicht/pflicht/internal/osv"
)

func BenchmarkNew(b *testing.B) {
	recs := sharedRecords(b)
	for b.Loop() {
		New(recs)
	}
	b.ReportMetric(float64(len(recs))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// benchPackages makes n components like an SBOM's: half name distinct
// packages with advisories, at the last event of a range (mostly a fixed,
// so unaffected, version) or, for every fourth, at an introduced version;
// half name packages without advisories.
func benchPackages(recs []osv.Record, n int) []Package {
	var pkgs []Package
	seen := map[Key]bool{}
	for _, r := range recs {
		for _, a := range r.Affected {
			k := KeyOf(a.Package.Ecosystem, a.Package.Name)
			if len(a.Ranges) == 0 || a.Ranges[0].Type == osv.RangeGit || seen[k] || len(pkgs) >= n/2 {
				continue
			}
			seen[k] = true
			evs := a.Ranges[0].Events
			_, v := evs[len(evs)-1].Kind()
			if _, intro := evs[0].Kind(); len(pkgs)%4 == 0 && intro != "0" {
				v = intro
			}
			pkgs = append(pkgs, Package{Ref: fmt.Sprint(len(pkgs)), Ecosystem: a.Package.Ecosystem, Name: a.Package.Name, Version: v})
		}
	}
	for i := 0; len(pkgs) < n; i++ {
		eco := [...]string{"Go", "PyPI", "crates.io", "Packagist"}[i%4]
		pkgs = append(pkgs, Package{Ref: fmt.Sprint(len(pkgs)), Ecosystem: eco, Name: fmt.Sprintf("example.org/clean-%d", i), Version: "1.2.3"})
	}
	return pkgs
}

func BenchmarkMatch4000(b *testing.B) {
	recs := sharedRecords(b)
	ix := New(recs)
	pkgs := benchPackages(recs, 4000)
	ix.Match(pkgs) // warm
	var res Result
	for b.Loop() {
		res = ix.Match(pkgs)
	}
	b.ReportMetric(float64(len(pkgs))*float64(b.N)/b.Elapsed().Seconds(), "components/s")
	b.Logf("%d components: %d scanned, %d findings, %d not evaluable, %d unscanned",
		res.Components, res.Scanned, len(res.Findings), len(res.NotEvaluable), len(res.Unscanned))
}

// BenchmarkMatchChanged1M re-matches 1,000,000 stored components after an
// update that changed 100 keys.
func BenchmarkMatchChanged1M(b *testing.B) {
	recs := sharedRecords(b)
	ix := New(recs)
	base := benchPackages(recs, 4000)
	stored := make([]Package, 0, 1_000_000)
	for i := 0; len(stored) < cap(stored); i++ {
		p := base[i%len(base)]
		p.Ref = fmt.Sprint(i)
		stored = append(stored, p)
	}
	// The changed keys are packages the stored SBOMs hold.
	var changed []Key
	for _, p := range base[:100] {
		changed = append(changed, KeyOf(p.Ecosystem, p.Name))
	}
	var res Result
	for b.Loop() {
		res = ix.MatchChanged(stored, changed)
	}
	b.Logf("%d stored components, %d re-matched, %d findings", len(stored), res.Components, len(res.Findings))
}
