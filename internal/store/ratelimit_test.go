package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/store"
)

// TestAttemptBudgets: a counter is a token bucket kept in the database, so
// two stores on one database (two app servers) share it.
func TestAttemptBudgets(t *testing.T) {
	eachShared(t, func(t *testing.T, a, b *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		acct := store.Counter{Key: "acct:alice@example.org", Budget: store.Budget{Burst: 3, Every: 10 * time.Second}}
		addr := store.Counter{Key: "ip:192.0.2.1", Budget: store.Budget{Burst: 5, Every: 2 * time.Second}}
		wait := func(s *store.Store, cs ...store.Counter) time.Duration {
			t.Helper()
			w, err := s.AttemptWait(ctx, now, cs...)
			if err != nil {
				t.Fatal(err)
			}
			return w
		}
		fail := func(s *store.Store, cs ...store.Counter) {
			t.Helper()
			if err := s.FailAttempt(ctx, now, cs...); err != nil {
				t.Fatal(err)
			}
		}
		if w := wait(a, acct, addr); w != 0 {
			t.Fatalf("fresh: wait %v", w)
		}
		// The burst, spent alternately on both servers.
		for i, s := range []*store.Store{a, b, a} {
			if w := wait(s, acct, addr); w != 0 {
				t.Fatalf("attempt %d refused: wait %v", i+1, w)
			}
			fail(s, acct, addr)
		}
		for name, s := range map[string]*store.Store{"a": a, "b": b} {
			if w := wait(s, acct, addr); w != 10*time.Second {
				t.Errorf("spent, on %s: wait %v, want 10s", name, w)
			}
		}
		// The address has budget left for another account, the account none
		// from another address; uninvolved counters are untouched.
		other := store.Counter{Key: "acct:bob@example.org", Budget: acct.Budget}
		if w := wait(b, addr, other); w != 0 {
			t.Errorf("address with budget left: wait %v", w)
		}
		if w := wait(b, acct, store.Counter{Key: "ip:198.51.100.7", Budget: addr.Budget}); w != 10*time.Second {
			t.Errorf("account from another address: wait %v", w)
		}
		// Failures pressed through while refused (a race) empty the bucket
		// but never push the wait beyond one period.
		for range 10 {
			fail(a, acct)
		}
		if w := wait(b, acct); w != 10*time.Second {
			t.Errorf("after failures while refused: wait %v, want 10s", w)
		}
		// Time refills one attempt per period, and a key given twice counts
		// once.
		now = now.Add(4 * time.Second)
		if w := wait(a, acct); w != 6*time.Second {
			t.Errorf("4 s later: wait %v", w)
		}
		now = now.Add(6 * time.Second)
		if w := wait(a, acct, acct); w != 0 {
			t.Errorf("one period later: wait %v", w)
		}
		fail(b, acct, acct)
		if w := wait(a, acct); w != 10*time.Second {
			t.Errorf("after one more failure: wait %v", w)
		}
		// Keys of any length are stored as their hash.
		long := store.Counter{Key: "acct:" + strings.Repeat("x", 1<<20), Budget: acct.Budget}
		fail(a, long)
		if w := wait(b, long); w != 0 {
			t.Errorf("long key: wait %v", w)
		}
		// Counters whose budget is whole again are pruned; the others stay.
		now = now.Add(30 * time.Second) // all three are full again: acct just now
		n, err := b.PruneAttempts(ctx, now)
		if err != nil || n != 3 {
			t.Errorf("prune = %d, %v; want 3", n, err)
		}
		fail(a, acct)
		if n, err := a.PruneAttempts(ctx, now); err != nil || n != 0 {
			t.Errorf("prune of a live counter = %d, %v", n, err)
		}
		if w := wait(b, acct); w != 0 {
			t.Errorf("after prune: wait %v", w)
		}
		for _, c := range []store.Counter{{Key: "", Budget: acct.Budget}, {Key: "k"}, {Key: "k", Budget: store.Budget{Burst: 1}}} {
			if _, err := a.AttemptWait(ctx, now, c); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("AttemptWait(%+v) = %v, want ErrInvalid", c, err)
			}
			if err := a.FailAttempt(ctx, now, c); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("FailAttempt(%+v) = %v, want ErrInvalid", c, err)
			}
		}
	})
}

// TestAttemptsConcurrent: failures charged at once on two app servers are
// all counted: none is lost to a race between them.
func TestAttemptsConcurrent(t *testing.T) {
	eachShared(t, func(t *testing.T, a, b *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		c := store.Counter{Key: "ip:203.0.113.9", Budget: store.Budget{Burst: 20, Every: time.Second}}
		var wg sync.WaitGroup
		for i := range 19 {
			s := a
			if i%2 == 1 {
				s = b
			}
			wg.Go(func() {
				if err := s.FailAttempt(ctx, now, c); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if w, err := b.AttemptWait(ctx, now, c); err != nil || w != 0 {
			t.Fatalf("after 19 of 20: wait %v, %v", w, err)
		}
		if err := a.FailAttempt(ctx, now, c); err != nil {
			t.Fatal(err)
		}
		if w, err := b.AttemptWait(ctx, now, c); err != nil || w != time.Second {
			t.Errorf("after 20 of 20: wait %v, %v; want 1s", w, err)
		}
	})
}
