package scope

import "testing"

// BenchmarkClassify is the bulk-screening fast path; target ≥ 1,000,000
// classifications per second on one core.
func BenchmarkClassify(b *testing.B) {
	profiles := []Profile{
		with(size(120, 30e6, 20e6), "A1-6.1.4"),
		with(size(49, 12e6, 9e6), "A2-5.4.1", "A1-6.1.9"),
		{KRITISOperator: true, Activities: []string{"A1-1.1.2"}},
		with(size(10, -1, -1)),
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := Classify(profiles[i%len(profiles)], asOf); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "classifications/s")
}

func BenchmarkCheck(b *testing.B) {
	p := with(size(120, 30e6, 20e6), "A1-6.1.4", "A2-5.4.1")
	p.QualifiedSince = day("2026-02-01")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Check(p, asOf); err != nil {
			b.Fatal(err)
		}
	}
}
