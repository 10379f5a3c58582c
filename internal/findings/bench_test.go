package findings_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/findings"
	"github.com/pflicht/pflicht/internal/osv"
	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

// Sizes of BenchmarkRematch: versions × perVersion stored components, drawn
// from a pool of packages, so each package is in versions*perVersion/pool
// SBOMs.
const (
	benchVersions   = 1000
	benchPerVersion = 1000
	benchPool       = 100_000
	benchAdvisories = 100
)

func benchName(i int) string { return fmt.Sprintf("example.org/pkg%06d", i%benchPool) }

// BenchmarkRematch measures the figure: re-matching 1,000,000 stored
// components after an import of 100 new advisories. Each iteration imports
// 100 advisories for packages not matched before (untimed) and re-matches
// with the keys the import reports: load the affected components, load their
// advisories, match, record the new findings. Seeding takes minutes, so run
// it a fixed number of times: go test -run '^$' -bench Rematch -benchtime=5x.
func BenchmarkRematch(b *testing.B) {
	storetest.EachB(b, func(b *testing.B, s *store.Store) {
		ctx := context.Background()
		seedComponents(b, s)
		b.ResetTimer()
		var last findings.RematchResult
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			recs := make([]osv.Record, benchAdvisories)
			for j := range recs {
				// Every 1000th package of the pool, shifted per iteration:
				// each is in 10 SBOMs.
				n := (i*benchAdvisories + j) * (benchPool / benchAdvisories / max(b.N, 1))
				recs[j] = osv.Record{ID: fmt.Sprintf("GO-BENCH-%d-%d", i, j), Modified: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Summary: "bench",
					Affected: []osv.Affected{{Package: osv.Package{Ecosystem: "Go", Name: benchName(n)},
						Ranges: []osv.Range{{Type: osv.RangeSemVer, Events: []osv.Event{{Introduced: "0"}, {Fixed: "2.0.0"}}}}}}}
			}
			imp, err := s.ImportVulns(ctx, "bench", recs)
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			last, err = findings.Rematch(ctx, s, imp.Keys, time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(last.Components), "components-matched")
		b.ReportMetric(float64(last.New), "new-findings")
		b.Logf("%d stored components; last re-match: %+v", benchVersions*benchPerVersion, last)
	})
}

// seedComponents stores one SBOM of benchPerVersion Go packages at version
// 1.0.0 for each of benchVersions product versions.
func seedComponents(b *testing.B, s *store.Store) {
	b.Helper()
	ctx := context.Background()
	sys := store.System("bench")
	u, err := s.CreateUser(ctx, sys, "bench@example.org", "$argon2id$x", "")
	if err != nil {
		b.Fatal(err)
	}
	a := store.Actor{UserID: u.ID}
	org, err := s.CreateOrganisation(ctx, a, store.Profile{Name: "bench"}, "")
	if err != nil {
		b.Fatal(err)
	}
	p, err := s.CreateProduct(ctx, a, org.ID, "bench")
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	for v := range benchVersions {
		pv, err := s.AddProductVersion(ctx, a, store.ProductVersion{ProductID: p.ID, Version: fmt.Sprint(v)})
		if err != nil {
			b.Fatal(err)
		}
		up := store.SBOMUpload{VersionID: pv.ID, Name: "bench.json", Format: "CycloneDX 1.6 JSON", Data: []byte(fmt.Sprint("sbom ", v)),
			Components: benchPerVersion, Packages: make([]store.SBOMComponent, benchPerVersion)}
		for c := range benchPerVersion {
			// Version v holds packages v, v+100, v+200, …: each package of
			// the pool is in benchVersions*benchPerVersion/benchPool SBOMs.
			name := benchName(v + c*(benchPool/benchPerVersion))
			up.Packages[c] = store.SBOMComponent{Ecosystem: "Go", Name: name, Version: "1.0.0", PURL: "pkg:golang/" + name + "@1.0.0", Label: name}
		}
		if _, _, err := s.AddSBOM(ctx, a, up, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("stored %d components in %d SBOMs in %s", benchVersions*benchPerVersion, benchVersions, time.Since(start).Round(time.Second))
}
