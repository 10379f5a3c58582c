package api

import (
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/pflicht/pflicht/internal/store/storetest"
)

// BenchmarkSubmitIncidentReport posts an early warning through the whole
// handler (token lookup, strict decoding, clock, content check, the store's
// transaction with its audit record, the response) on SQLite, one request
// at a time. Each request reports on a fresh incident, created before the
// timer starts.
func BenchmarkSubmitIncidentReport(b *testing.B) {
	benchmarkSubmit(b, func(submit func(i int)) {
		for i := range b.N {
			submit(i)
		}
	})
}

// BenchmarkSubmitIncidentReportParallel is the same with concurrent
// requests, as a server sees them.
func BenchmarkSubmitIncidentReportParallel(b *testing.B) {
	b.SetParallelism(8)
	benchmarkSubmit(b, func(submit func(i int)) {
		var next atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				submit(int(next.Add(1) - 1))
			}
		})
	})
}

func benchmarkSubmit(b *testing.B, run func(submit func(i int))) {
	f := newFixture(b, storetest.Open(b, filepath.Join(b.TempDir(), "pflicht.db")), nil)
	ids := make([]string, b.N)
	for i := range ids {
		ids[i] = f.incident(f.orgA, "bench")
	}
	auth := "Bearer " + f.tokens[memberA]
	b.ReportAllocs()
	b.ResetTimer()
	run(func(i int) {
		req := httptest.NewRequest("POST", prefix+"/incidents/"+ids[i]+"/reports", strings.NewReader(earlyWarning))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", auth)
		w := httptest.NewRecorder()
		f.h.ServeHTTP(w, req)
		if w.Code != 201 {
			b.Errorf("status %d: %s", w.Code, w.Body)
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}
