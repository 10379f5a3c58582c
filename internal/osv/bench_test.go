package osv

import (
	"testing"

	"github.com/pflicht/pflicht/internal/testdata"
)

// BenchmarkWalkShared parses every record of the shared databases (about
// 9,000 records, 18 MB of JSON and YAML).
func BenchmarkWalkShared(b *testing.B) {
	var dirs []string
	for _, db := range sharedDatabases {
		dirs = append(dirs, testdata.Shared(b, db.dir))
	}
	n := 0
	for b.Loop() {
		rep, err := Walk(dirs, Options{}, func(Record) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		n = rep.Records
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
