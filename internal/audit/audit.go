// Package audit defines the hash chain of pflicht's audit trail: the
// canonical encoding of a record, its hash, and verification of a chain.
// Each record's hash covers its content and the previous record's hash, so
// changing, inserting or deleting a record breaks every link after it.
package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"iter"
	"time"
)

// Row is one audit record as stored.
type Row struct {
	Seq      int64     `json:"seq"`    // position in the chain, from 1, without gaps
	At       time.Time `json:"at"`     // when the change was committed (microsecond precision)
	Actor    string    `json:"actor"`  // who: "user:ID", "token:ID", "cli", "system"
	OrgID    string    `json:"org_id"` // the organisation concerned, "" for global records
	Action   string    `json:"action"` // what: "create", "update", "delete", "submit", …
	Entity   string    `json:"entity"` // the kind of record changed: "organisation", "incident", …
	EntityID string    `json:"entity_id"`
	Before   string    `json:"before"`    // JSON of the record before the change, "" when created
	After    string    `json:"after"`     // JSON after the change, "" when deleted
	PrevHash string    `json:"prev_hash"` // Hash of the record Seq-1, "" for the first
	Hash     string    `json:"hash"`      // hex SHA-256 of Canonical(row)
}

// TimeLayout is how At enters the canonical encoding.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// Canonical is the byte string that is hashed: a version tag, then every
// field except Hash, each as a 4-byte big-endian length and its bytes, so no
// two different rows encode alike.
func Canonical(r Row) []byte {
	var seq [8]byte
	binary.BigEndian.PutUint64(seq[:], uint64(r.Seq))
	fields := [...]string{
		"pflicht-audit-v1",
		string(seq[:]),
		r.At.UTC().Format(TimeLayout),
		r.Actor, r.OrgID, r.Action, r.Entity, r.EntityID,
		r.Before, r.After,
		r.PrevHash,
	}
	n := 0
	for _, f := range fields {
		n += 4 + len(f)
	}
	b := make([]byte, 0, n)
	for _, f := range fields {
		b = binary.BigEndian.AppendUint32(b, uint32(len(f)))
		b = append(b, f...)
	}
	return b
}

// Hash returns the hex SHA-256 of r's canonical encoding.
func Hash(r Row) string {
	sum := sha256.Sum256(Canonical(r))
	return hex.EncodeToString(sum[:])
}

// Seal sets r's Seq, PrevHash and Hash to follow prev (nil for the first
// record of the chain) and returns it.
func Seal(prev *Row, r Row) Row {
	r.Seq, r.PrevHash = 1, ""
	if prev != nil {
		r.Seq, r.PrevHash = prev.Seq+1, prev.Hash
	}
	r.Hash = Hash(r)
	return r
}

// Verify walks a chain in order from its first record and returns the first
// record that does not follow from its predecessor: a wrong sequence number,
// a PrevHash that is not the predecessor's Hash, or a Hash that does not
// match the content. It returns nil, nil for an intact chain, and the
// iterator's error if reading fails.
func Verify(rows iter.Seq2[Row, error]) (firstBroken *Row, err error) {
	var prev *Row
	for r, err := range rows {
		if err != nil {
			return nil, err
		}
		want := Seal(prev, r)
		if r.Seq != want.Seq || r.PrevHash != want.PrevHash || r.Hash != want.Hash {
			return &r, nil
		}
		prev = &r
	}
	return nil, nil
}
