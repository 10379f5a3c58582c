package portal

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/pflicht/pflicht/internal/store"
)

// Failed logins and wrong TOTP codes: a burst, then one per period, counted
// per client address and per account, so neither one address guessing many
// passwords nor many addresses guessing one account gets far. The address
// budget is larger: an office behind one NAT address shares it. Successful
// logins cost nothing. The counters are in the store, so app servers
// sharing a database share the budgets (store.AttemptWait).
const (
	accountBurst = 5
	accountEvery = 20 * time.Second
	addressBurst = 20
	addressEvery = 5 * time.Second
	// pruneEvery: how often a server deletes the counters that are whole
	// again. Rows of spent budgets are few (one per account or address
	// that failed lately), so this only keeps sprayed keys from piling up.
	pruneEvery = 10 * time.Minute
)

type loginLimits struct {
	store *store.Store
	now   func() time.Time
	log   *slog.Logger
	mu    sync.Mutex
	// pruned is when this server last pruned the counters.
	pruned time.Time
}

func newLoginLimits(st *store.Store, now func() time.Time, log *slog.Logger) *loginLimits {
	return &loginLimits{store: st, now: now, log: log}
}

// attemptKeys are the counters a sign-in attempt from the request's
// address at the account email is charged to.
func attemptKeys(r *http.Request, email string) []store.Counter {
	return []store.Counter{
		{Key: "ip:" + clientIP(r), Budget: store.Budget{Burst: addressBurst, Every: addressEvery}},
		{Key: "acct:" + email, Budget: store.Budget{Burst: accountBurst, Every: accountEvery}},
	}
}

// wait returns how long until every key allows an attempt; 0: now.
func (l *loginLimits) wait(ctx context.Context, keys []store.Counter) (time.Duration, error) {
	return l.store.AttemptWait(ctx, l.now(), keys...)
}

// fail charges a failed attempt to every key and, every pruneEvery, drops
// the counters that are whole again. A failed prune is only logged: the
// next one catches up, and the attempt was counted.
func (l *loginLimits) fail(ctx context.Context, keys []store.Counter) error {
	now := l.now()
	if err := l.store.FailAttempt(ctx, now, keys...); err != nil {
		return err
	}
	l.mu.Lock()
	prune := now.Sub(l.pruned) >= pruneEvery
	if prune {
		l.pruned = now
	}
	l.mu.Unlock()
	if prune {
		if _, err := l.store.PruneAttempts(ctx, now); err != nil {
			l.log.Error("prune login attempts", "err", err)
		}
	}
	return nil
}

// attemptSlots bounds the sign-in attempts under way in this server, from
// their budget check to their charge. A guesser who sends many attempts at
// once therefore gets at most this many past a budget per server, not as
// many as it can send. It also bounds password verifications: argon2id
// takes 64 MiB each, so a flood of logins queues rather than exhausting
// memory.
var attemptSlots = make(chan struct{}, 4)

// attemptResult is the outcome of a sign-in attempt.
type attemptResult int

const (
	attemptOK      attemptResult = iota
	attemptFailed                // charged to the budgets
	attemptLimited               // not tried: a budget is spent; Retry-After is set
)

// attempt makes one sign-in attempt charged to keys: with a slot held, it
// checks the budgets, calls try, and charges a failure when try reports
// false. An error of try is returned as is and charges nothing.
func (s *Server) attempt(w http.ResponseWriter, r *http.Request, keys []store.Counter, try func() (bool, error)) (attemptResult, error) {
	ctx := r.Context()
	select {
	case attemptSlots <- struct{}{}:
		defer func() { <-attemptSlots }()
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	wait, err := s.limits.wait(ctx, keys)
	if err != nil {
		return 0, err
	}
	if wait > 0 {
		// Whole seconds, rounded up: the client may try again then.
		w.Header().Set("Retry-After", strconv.FormatInt(int64((wait+time.Second-1)/time.Second), 10))
		return attemptLimited, nil
	}
	ok, err := try()
	switch {
	case err != nil:
		return 0, err
	case ok:
		return attemptOK, nil
	}
	if err := s.limits.fail(ctx, keys); err != nil {
		return 0, err
	}
	return attemptFailed, nil
}
