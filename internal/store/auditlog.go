package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strings"

	"github.com/pflicht/pflicht/internal/audit"
)

// AuditEntry is what a write records about itself; the chain fields and the
// time are filled in at commit.
type AuditEntry struct {
	Actor    string
	OrgID    string
	Action   string
	Entity   string
	EntityID string
	Before   any // marshalled to JSON; nil for none
	After    any
}

// Audit adds an audit record to the transaction. It is written, chained,
// just before the commit, and only if the commit happens.
func (tx *Tx) Audit(e AuditEntry) { tx.pending = append(tx.pending, e) }

// appendAudit writes the pending records after the chain head. Moving the
// head first locks its row until commit, which serialises appends across app
// servers on PostgreSQL so the chain stays linear (on SQLite the single
// writer already does). The lock is held for two statements and the commit.
func (tx *Tx) appendAudit(ctx context.Context) error {
	n := len(tx.pending)
	if n == 0 {
		return nil
	}
	var head audit.Row
	// seq is returned as moved, hash as it was: the previous record's.
	if err := tx.QueryRow(ctx, "UPDATE audit_head SET seq = seq + ? WHERE id = 1 RETURNING seq, hash", n).Scan(&head.Seq, &head.Hash); err != nil {
		return fmt.Errorf("store: audit head: %w", err)
	}
	head.Seq -= int64(n)
	prev := &head
	if head.Seq == 0 {
		prev = nil
	}
	args := make([]any, 0, 11*n+1)
	for _, e := range tx.pending {
		before, err := auditJSON(e.Before)
		if err != nil {
			return fmt.Errorf("store: audit %s %s: %w", e.Entity, e.EntityID, err)
		}
		after, err := auditJSON(e.After)
		if err != nil {
			return fmt.Errorf("store: audit %s %s: %w", e.Entity, e.EntityID, err)
		}
		r := audit.Seal(prev, audit.Row{
			At: dbTime(tx.now), Actor: e.Actor, OrgID: e.OrgID, Action: e.Action,
			Entity: e.Entity, EntityID: e.EntityID, Before: before, After: after,
		})
		args = append(args, r.Seq, r.At, r.Actor, r.OrgID, r.Action, r.Entity, r.EntityID, r.Before, r.After, r.PrevHash, r.Hash)
		prev = &r
	}
	insert := "INSERT INTO audit_log (" + auditColumns + ") VALUES " +
		strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), ", n-1) + "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	const setHash = "UPDATE audit_head SET hash = ? WHERE id = 1"
	var err error
	if tx.s.d == postgresDialect {
		// One round trip fewer while the head is locked.
		_, err = tx.Exec(ctx, "WITH ins AS ("+insert+") "+setHash, append(args, prev.Hash)...)
	} else if _, err = tx.Exec(ctx, insert, args...); err == nil {
		_, err = tx.Exec(ctx, setHash, prev.Hash)
	}
	if err != nil {
		return fmt.Errorf("store: audit: %w", err)
	}
	tx.pending = nil
	return nil
}

func auditJSON(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

const auditColumns = "seq, at, actor, org_id, action, entity, entity_id, before_json, after_json, prev_hash, hash"

func scanAudit(sc interface{ Scan(...any) error }) (audit.Row, error) {
	var r audit.Row
	err := sc.Scan(&r.Seq, &r.At, &r.Actor, &r.OrgID, &r.Action, &r.Entity, &r.EntityID, &r.Before, &r.After, &r.PrevHash, &r.Hash)
	return r, err
}

// AuditRows iterates over the whole audit chain in order. It reads one
// consistent snapshot, so it can run beside writers.
func (s *Store) AuditRows(ctx context.Context) iter.Seq2[audit.Row, error] {
	return func(yield func(audit.Row, error) bool) {
		rows, err := s.query(ctx, "SELECT "+auditColumns+" FROM audit_log ORDER BY seq")
		if err != nil {
			yield(audit.Row{}, fmt.Errorf("store: audit log: %w", err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanAudit(rows)
			if err != nil {
				yield(audit.Row{}, fmt.Errorf("store: audit log: %w", err))
				return
			}
			if !yield(r, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(audit.Row{}, fmt.Errorf("store: audit log: %w", err))
		}
	}
}

// ErrAuditTruncated reports an audit log that ends before its chain head:
// records were removed from the end.
var ErrAuditTruncated = errors.New("audit log ends before the recorded chain head")

// VerifyAudit checks the whole chain (see audit.Verify) and that it ends at
// the recorded chain head, which detects records cut from the end. It
// returns the first broken record, or ErrAuditTruncated.
func (s *Store) VerifyAudit(ctx context.Context) (*audit.Row, error) {
	// The head is read first: records committed after it only extend the log.
	var headSeq int64
	var headHash string
	if err := s.queryRow(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&headSeq, &headHash); err != nil {
		return nil, fmt.Errorf("store: audit head: %w", err)
	}
	var last audit.Row
	broken, err := audit.Verify(func(yield func(audit.Row, error) bool) {
		for r, err := range s.AuditRows(ctx) {
			if err == nil {
				last = r
			}
			if !yield(r, err) {
				return
			}
		}
	})
	if broken != nil || err != nil {
		return broken, err
	}
	if last.Seq < headSeq {
		return nil, fmt.Errorf("store: log ends at record %d, head is %d: %w", last.Seq, headSeq, ErrAuditTruncated)
	}
	if headSeq > 0 {
		var hash string
		err := s.queryRow(ctx, "SELECT hash FROM audit_log WHERE seq = ?", headSeq).Scan(&hash)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("store: audit log: %w", err)
		}
		if hash != headHash {
			return nil, fmt.Errorf("store: record %d does not match the chain head: %w", headSeq, ErrAuditTruncated)
		}
	}
	return nil, nil
}
