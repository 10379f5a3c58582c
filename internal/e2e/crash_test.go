package e2e

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/pgtest"
)

// The crash tests write through the API from many goroutines, kill the
// server with SIGKILL in the middle, restart it on the same data and
// require every write that was acknowledged with 2xx to be there, and the
// audit trail's hash chain to be intact. This is the durability promise:
// an answer of 201 means committed.

func TestCrashSQLite(t *testing.T) { crashTest(t, sqliteAt(t)) }

func TestCrashPostgres(t *testing.T) { crashTest(t, location{db: pgtest.DSN(t)}) }

const (
	crashWriters  = 16
	crashDuration = 3 * time.Second
	crashAfter    = 2 * time.Second // SIGKILL this far into the run
)

// ack is one acknowledged write: an incident, or a report of it.
type ack struct{ incident, report string }

func crashTest(t *testing.T, loc location) {
	s := startServer(t, loc)
	addUser(t, loc, "writer@e2e.example", "admin", "")
	api := newAPI(s, newToken(t, loc, "writer@e2e.example"))
	org := api.createOrg(t, "Absturz GmbH")

	var (
		mu      sync.Mutex
		acks    []ack
		killed  atomic.Bool
		refused atomic.Int64
	)
	record := func(a ack) {
		mu.Lock()
		acks = append(acks, a)
		mu.Unlock()
	}
	// fail reports err unless it is the connection dying with the server
	// or the run ending; either way the writer stops.
	fail := func(ctx context.Context, what string, err error) {
		switch {
		case isConnErr(err) && killed.Load():
			refused.Add(1)
		case ctx.Err() == nil:
			t.Errorf("%s before the kill: %v", what, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), crashDuration)
	defer cancel()
	var wg sync.WaitGroup
	for range crashWriters {
		wg.Go(func() {
			for ctx.Err() == nil {
				var inc incident
				body := map[string]any{"regime": "bsig", "title": "Ransomware", "aware_at": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)}
				if err := api.do(ctx, "POST", "/organisations/"+org+"/incidents", body, &inc); err != nil {
					fail(ctx, "createIncident", err)
					return
				}
				record(ack{incident: inc.ID})
				content, err := inc.content("early_warning")
				if err != nil {
					t.Error(err)
					return
				}
				var ra reportAnswer
				body = map[string]any{"stage": "early_warning", "content": content}
				if err := api.do(ctx, "POST", "/incidents/"+inc.ID+"/reports", body, &ra); err != nil {
					fail(ctx, "submitIncidentReport", err)
					return
				}
				record(ack{incident: inc.ID, report: ra.Report.ID})
			}
		})
	}
	time.Sleep(crashAfter) // the writers run on their own; this is the moment of the crash
	killed.Store(true)
	s.kill()
	wg.Wait()
	if t.Failed() {
		return
	}
	mu.Lock()
	acked := acks
	mu.Unlock()
	if len(acked) == 0 {
		t.Fatal("no write was acknowledged before the kill")
	}
	t.Logf("%d writes acknowledged in %v by %d writers, %d cut off by SIGKILL", len(acked), crashAfter, crashWriters, refused.Load())

	s2 := startServer(t, loc)
	reader := newAPI(s2, api.token)
	reports := map[string]map[string]bool{} // incident → its report ids after the restart
	for _, a := range acked {
		got, seen := reports[a.incident]
		if !seen {
			var inc incident
			if err := reader.do(context.Background(), "GET", "/incidents/"+a.incident, nil, &inc); err != nil {
				t.Errorf("acknowledged incident %s lost: %v", a.incident, err)
				reports[a.incident] = nil
				continue
			}
			got = map[string]bool{}
			for _, r := range inc.Reports {
				got[r.ID] = true
			}
			reports[a.incident] = got
		}
		if a.report != "" && got != nil && !got[a.report] {
			t.Errorf("acknowledged report %s of incident %s lost", a.report, a.incident)
		}
	}
	s2.stop()

	out := cli(t, loc, "", "audit", "verify", "--json")
	var res struct{ Intact bool }
	if err := json.Unmarshal([]byte(out), &res); err != nil || !res.Intact {
		t.Errorf("pflicht audit verify after the crash: %s (%v)", out, err)
	}
}
