package store

import (
	"context"
	"errors"
	"fmt"
)

// maxBatch bounds how many write transactions share one commit.
const maxBatch = 64

// ErrClosed is returned by Tx after Close.
var ErrClosed = errors.New("store: closed")

type txRequest struct {
	ctx   context.Context
	fn    func(tx *Tx) error
	err   error
	panic any
	done  chan struct{}
}

// Tx runs fn in a write transaction and commits when fn returns nil; on an
// error or a panic nothing fn did remains. Tx returns after the commit is
// durable.
//
// Write transactions go through one committer per Store, which runs the
// ones that arrive together one after another inside a single database
// transaction, each in its own savepoint, and commits them with one fsync
// (group commit). The audit records of the whole group are appended to the
// chain just before that commit, so the lock that keeps the chain linear
// across app servers is taken once per group and held briefly. fn should
// therefore be short: it delays the others of its group.
func (s *Store) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &txRequest{ctx: ctx, fn: fn, done: make(chan struct{})}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return ErrClosed
	}
	s.queue <- r
	s.mu.RUnlock()
	// Once queued, the request is waited for even if ctx ends: the
	// committer skips it if it has not started, or finishes it.
	<-r.done
	if r.panic != nil {
		panic(r.panic)
	}
	return r.err
}

func (s *Store) commitLoop() {
	defer close(s.stopped)
	for r := range s.queue {
		batch := []*txRequest{r}
	drain:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-s.queue:
				if !ok {
					break drain
				}
				batch = append(batch, r)
			default:
				break drain
			}
		}
		s.runBatch(batch)
		for _, r := range batch {
			close(r.done)
		}
	}
}

// runBatch runs the requests of batch in one transaction and sets each
// one's outcome.
func (s *Store) runBatch(batch []*txRequest) {
	fail := func(err error, rs []*txRequest) {
		for _, r := range rs {
			if r.err == nil && r.panic == nil {
				r.err = err
			}
		}
	}
	ctx := context.Background() // the batch outlives any one caller's context
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		fail(fmt.Errorf("store: begin: %w", err), batch)
		return
	}
	tx := &Tx{s: s, tx: sqlTx, now: s.now()}
	// A lone request needs no savepoint: its failure rolls back everything.
	savepoints := len(batch) > 1
	var ok []*txRequest
	for _, r := range batch {
		if r.err = r.ctx.Err(); r.err != nil {
			continue
		}
		if savepoints {
			if _, err := sqlTx.ExecContext(ctx, "SAVEPOINT request"); err != nil {
				sqlTx.Rollback()
				fail(fmt.Errorf("store: savepoint: %w", err), batch)
				return
			}
		}
		mark := len(tx.pending)
		r.err, r.panic = run(tx, r.fn)
		if r.err == nil && r.panic == nil {
			// The savepoint is not released: the next request's
			// SAVEPOINT of the same name nests inside it, and ROLLBACK
			// TO names the innermost, so the effect is the same with one
			// round trip fewer per request while the batch holds the
			// commit of every writer.
			ok = append(ok, r)
			continue
		}
		tx.pending = tx.pending[:mark]
		if !savepoints {
			sqlTx.Rollback()
			return
		}
		if _, err := sqlTx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT request"); err != nil {
			sqlTx.Rollback()
			fail(fmt.Errorf("store: rollback to savepoint: %w", err), batch)
			return
		}
	}
	if len(ok) == 0 {
		sqlTx.Rollback()
		return
	}
	if err := tx.appendAudit(ctx); err != nil {
		sqlTx.Rollback()
		fail(err, ok)
		return
	}
	if err := sqlTx.Commit(); err != nil {
		fail(fmt.Errorf("store: commit: %w", err), ok)
	}
}

// run calls fn, turning a panic into a value to re-raise in the caller's
// goroutine.
func run(tx *Tx, fn func(*Tx) error) (err error, panicked any) {
	defer func() {
		if p := recover(); p != nil {
			panicked = p
		}
	}()
	return fn(tx), nil
}
