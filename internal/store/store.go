// Package store holds all SQL of pflicht: one schema, one set of migrations
// and one API over SQLite (the default, embedded, no configuration) and
// PostgreSQL (several app servers). Tenant isolation is applied here, in the
// SQL of every organisation-scoped method, and every write carries its audit
// record, hash-chained, in the same transaction.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Sentinel errors; test with errors.Is. A record of another organisation is
// ErrNotFound, never a permission error, so ids cannot be probed.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
	ErrInvalid  = errors.New("invalid")
)

// Store is an open database. It is safe for concurrent use.
type Store struct {
	db  *sql.DB // writes, and on PostgreSQL also reads
	rdb *sql.DB // reads; on SQLite a pool beside the single writer
	d   dialect
	now func() time.Time

	mu      sync.RWMutex // guards closed and sending on queue
	closed  bool
	queue   chan *txRequest // write transactions for the committer
	stopped chan struct{}   // closed when the committer has ended
}

// Open opens the database named by dsn and brings its schema up to date.
// A dsn starting with postgres:// or postgresql:// is a PostgreSQL
// connection string; anything else is the path of a SQLite file, created
// with its directory if missing.
func Open(ctx context.Context, dsn string) (*Store, error) {
	var s *Store
	var err error
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		s, err = openPostgres(ctx, dsn)
	} else {
		s, err = openSQLite(ctx, dsn)
	}
	if err != nil {
		return nil, err
	}
	s.queue, s.stopped = make(chan *txRequest, maxBatch), make(chan struct{})
	go s.commitLoop()
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func openPostgres(ctx context.Context, dsn string) (*Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	// Writes go through one committer; the rest of the pool serves reads.
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(16)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connect to postgres: %w", err)
	}
	return &Store{db: db, rdb: db, d: postgresDialect, now: time.Now}, nil
}

// openSQLite opens one writer connection and a pool of readers. A single
// writer serialises writes inside the process, so concurrent requests queue
// instead of failing with SQLITE_BUSY; BEGIN IMMEDIATE and busy_timeout cover
// a second process (the CLI beside a running server). synchronous=FULL makes
// every acknowledged commit durable.
func openSQLite(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, fmt.Errorf("store: empty database path: %w", ErrInvalid)
	}
	// The URI form needs an absolute path (a relative one would read as a
	// host name).
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	pragmas := "_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=synchronous(FULL)"
	uri := (&url.URL{Scheme: "file", Path: abs}).String()
	db, err := sql.Open("sqlite", uri+"?"+pragmas+"&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	// The first connection switches the file to WAL before readers open it.
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	rdb, err := sql.Open("sqlite", uri+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	rdb.SetMaxOpenConns(8)
	rdb.SetMaxIdleConns(8)
	return &Store{db: db, rdb: rdb, d: sqliteDialect, now: time.Now}, nil
}

// Dialect names the database behind the store: "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.d.String() }

// Close waits for the write transactions under way and closes the database.
func (s *Store) Close() error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.queue)
	}
	s.mu.Unlock()
	<-s.stopped
	err := s.db.Close()
	if s.rdb != s.db {
		err = errors.Join(err, s.rdb.Close())
	}
	if err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Tx is a write transaction. Queries use ? placeholders and the macros of
// the dialect. On PostgreSQL the driver prepares each distinct query text
// once per connection and reuses it.
type Tx struct {
	s       *Store
	tx      *sql.Tx
	now     time.Time // one instant for everything the transaction writes
	pending []AuditEntry
}

// Now is the transaction's instant: every timestamp it writes uses it.
func (tx *Tx) Now() time.Time { return tx.now }

// Exec executes a statement. Once a transaction runs, its statements are
// not cancelled with ctx: the transaction may be shared with other callers
// (see Store.Tx), whom a broken connection would fail too.
func (tx *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(context.WithoutCancel(ctx), tx.s.d.sql(query), tx.s.d.args(args)...)
}

// Query runs a query that returns rows.
func (tx *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return tx.tx.QueryContext(context.WithoutCancel(ctx), tx.s.d.sql(query), tx.s.d.args(args)...)
}

// QueryRow runs a query that returns at most one row.
func (tx *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(context.WithoutCancel(ctx), tx.s.d.sql(query), tx.s.d.args(args)...)
}

// Prepare prepares a statement of the transaction, for a loop that runs it
// many times. Arguments of type time.Time must go through the dialect
// (d.args) when the statement runs, as Exec does.
func (tx *Tx) Prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	return tx.tx.PrepareContext(context.WithoutCancel(ctx), tx.s.d.sql(query))
}

// query runs a read-only query outside a transaction, on the reader pool.
func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return s.rdb.QueryContext(ctx, s.d.sql(query), s.d.args(args)...)
}

// queryRow is query for at most one row.
func (s *Store) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return s.rdb.QueryRowContext(ctx, s.d.sql(query), s.d.args(args)...)
}

// Ping checks that the database answers, for health checks.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}
