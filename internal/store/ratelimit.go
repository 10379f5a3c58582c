package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Budget is how many failed attempts a counter allows: Burst at once, then
// one more every Every (a token bucket).
type Budget struct {
	Burst int
	Every time.Duration
}

// Counter is one budget of failed attempts: Key names what is counted (an
// account, a client address), Budget how much it may fail.
type Counter struct {
	Key    string
	Budget Budget
}

// Failed sign-in attempts are counted in the database (table
// login_attempts), so every app server sharing it draws on the same
// budgets: behind n servers a guesser gets no further than behind one.
//
// Each counter is one row holding one instant, full_at: when its bucket is
// whole again (the "theoretical arrival time" of GCRA). Failing at now
// moves it to max(full_at, now) + Every, at most now + Burst·Every (an empty
// bucket, never less: failures while refused, which only a race lets
// through, cannot push the owner's wait beyond one full budget). An
// attempt is allowed while full_at - now <= (Burst-1)·Every, that is while
// at least one token is left. This is exactly the token bucket the portal
// kept in memory before, at the cost of one read per attempt and one
// UPSERT per counter and failed attempt.
//
// Keys are stored as their SHA-256: the table then holds no e-mail
// addresses or client addresses, and a key a guesser makes up (an e-mail
// field of any length) takes a fixed width.
//
// Nothing here is audited. A counter is no record anyone made or relies
// on, it changes with every failed attempt, and auditing it would let a
// guesser grow the hash chain at will and take its lock for every guess.
// Failed attempts are logged by the portal instead.

func (c Counter) check() error {
	if c.Key == "" || c.Budget.Burst < 1 || c.Budget.Every <= 0 {
		return fmt.Errorf("store: login attempts: counter %q with budget %+v: %w", c.Key, c.Budget, ErrInvalid)
	}
	return nil
}

// counterHashes checks counters and returns them by the hash of their key;
// a key given twice counts once.
func counterHashes(counters []Counter) (map[string]Budget, error) {
	m := make(map[string]Budget, len(counters))
	for _, c := range counters {
		if err := c.check(); err != nil {
			return nil, err
		}
		m[hashToken(c.Key)] = c.Budget
	}
	return m, nil
}

// AttemptWait returns how long from now until every one of counters allows
// an attempt: 0 if all of them allow one now. It is one read.
func (s *Store) AttemptWait(ctx context.Context, now time.Time, counters ...Counter) (time.Duration, error) {
	byHash, err := counterHashes(counters)
	if err != nil || len(byHash) == 0 {
		return 0, err
	}
	args := make([]any, 0, len(byHash))
	for h := range byHash {
		args = append(args, h)
	}
	rows, err := s.query(ctx, "SELECT key_hash, full_at FROM login_attempts WHERE key_hash IN (?"+
		strings.Repeat(", ?", len(args)-1)+")", args...)
	if err != nil {
		return 0, fmt.Errorf("store: login attempts: %w", err)
	}
	defer rows.Close()
	n := now.UnixMicro()
	var wait int64 // microseconds
	for rows.Next() {
		var h string
		var full int64
		if err := rows.Scan(&h, &full); err != nil {
			return 0, fmt.Errorf("store: login attempts: %w", err)
		}
		b := byHash[h]
		wait = max(wait, full-n-int64(b.Burst-1)*b.Every.Microseconds())
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("store: login attempts: %w", err)
	}
	return time.Duration(wait) * time.Microsecond, nil
}

// FailAttempt charges one failed attempt at now to each of counters, in
// one transaction with one UPSERT per counter.
func (s *Store) FailAttempt(ctx context.Context, now time.Time, counters ...Counter) error {
	byHash, err := counterHashes(counters)
	if err != nil {
		return err
	}
	// Rows are locked in the order of their hash, the same on every app
	// server, so two failures at the same counters cannot deadlock on
	// PostgreSQL.
	hashes := slices.Sorted(maps.Keys(byHash))
	n := now.UnixMicro()
	return s.Tx(ctx, func(tx *Tx) error {
		for _, h := range hashes {
			b := byHash[h]
			every := b.Every.Microseconds()
			empty := n + int64(b.Burst)*every
			_, err := tx.Exec(ctx, `INSERT INTO login_attempts (key_hash, full_at) VALUES (?, ?)
				ON CONFLICT (key_hash) DO UPDATE SET full_at = CASE
					WHEN login_attempts.full_at + ? > ? THEN ?
					WHEN login_attempts.full_at > ? THEN login_attempts.full_at + ?
					ELSE ? END`,
				h, n+every, every, empty, empty, n, every, n+every)
			if err != nil {
				return fmt.Errorf("store: login attempts: %w", err)
			}
		}
		return nil
	})
}

// PruneAttempts deletes the counters whose budget is whole again at now:
// they say nothing any more. It returns how many it deleted.
func (s *Store) PruneAttempts(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := s.Tx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, "DELETE FROM login_attempts WHERE full_at <= ?", now.UnixMicro())
		if err != nil {
			return fmt.Errorf("store: prune login attempts: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
