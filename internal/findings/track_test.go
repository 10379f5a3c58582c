package findings_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/findings"
	"github.com/pflicht/pflicht/internal/pgtest"
	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

// eachShared runs f on both databases with two stores open on the same
// database, as the server and a CLI import beside it are.
func eachShared(t *testing.T, f func(t *testing.T, a, b *store.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "pflicht.db")
		f(t, storetest.Open(t, path), storetest.Open(t, path))
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := pgtest.DSN(t)
		f(t, storetest.Open(t, dsn), storetest.Open(t, dsn))
	})
}

// TestOpenTracksTwoProcesses: two processes opening the same tracks at once
// open each once, with its due instant, and leave no duplicate incident.
func TestOpenTracksTwoProcesses(t *testing.T) {
	eachShared(t, func(t *testing.T, a, b *store.Store) {
		ctx := context.Background()
		importShared(t, a, drupal, webp)
		importKEV(t, a)
		m := newOrg(t, a, "maker")
		// Not yet on the market at the upload: no track opens then.
		v := m.version(t, a, "", "Router", "1.0", "2026-12-01", "")
		if res := upload(t, a, m.member, v.ID, "router-1.0.cdx.json", now); res.KnownExploited != 2 || len(res.Opened) != 0 {
			t.Fatalf("Upload = %+v, want 2 known exploited and no track", res)
		}
		aware := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
		var wg sync.WaitGroup
		opened := make([][]store.Incident, 6)
		errs := make([]error, len(opened))
		for i := range opened {
			st := []*store.Store{a, b}[i%2]
			wg.Go(func() { opened[i], errs[i] = findings.OpenTracks(ctx, st, []string{v.ID}, aware) })
		}
		wg.Wait()
		var all []store.Incident
		for i, err := range errs {
			if err != nil {
				t.Fatalf("OpenTracks %d: %v", i, err)
			}
			all = append(all, opened[i]...)
		}
		if len(all) != 2 {
			t.Fatalf("%d tracks opened in all, want 2 (one per CVE): %+v", len(all), all)
		}
		incs, err := a.Incidents(ctx, m.member, m.id)
		if err != nil || len(incs) != 2 {
			t.Fatalf("Incidents = %+v, %v; want 2", incs, err)
		}
		due := aware.Add(24 * time.Hour) // the early warning, Art. 14(2)(a) CRA
		for _, inc := range incs {
			if inc.Status != "open" || inc.NextDueAt == nil || !inc.NextDueAt.Equal(due) {
				t.Errorf("incident %s: status %s, next due %v; want open, due %v", inc.Title, inc.Status, inc.NextDueAt, due)
			}
		}
		if notes, err := a.Notifications(ctx, m.member, m.id); err != nil || len(notes) != 2 {
			t.Errorf("%d notifications, %v; want 2", len(notes), err)
		}
		fs, _ := a.Findings(ctx, m.member, m.id, store.FindingFilter{KEVOnly: true})
		for _, f := range fs {
			if f.IncidentID == "" {
				t.Errorf("%s: no track", f.VulnID)
			}
		}
		// In the supervisor's overdue feed from the due instant on, without
		// a backfill.
		for _, c := range []struct {
			at   time.Time
			want int
		}{{due.Add(-time.Second), 0}, {due, 2}} {
			p, err := b.IncidentFeed(ctx, store.System("test"), store.FeedQuery{Overdue: true, Now: c.at, Limit: 10})
			if err != nil || p.Overdue != c.want {
				t.Errorf("overdue at %v: %d, %v; want %d", c.at, p.Overdue, err, c.want)
			}
		}
		mustVerify(t, a)
	})
}
