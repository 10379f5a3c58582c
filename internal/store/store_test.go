package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/pflicht/pflicht/internal/pgtest"
	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func TestOpenMigratesOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		// A second migration pass over a migrated database changes nothing.
		var n int
		err := s.Tx(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n)
		})
		if err != nil || n == 0 {
			t.Fatalf("schema_migrations: n=%d err=%v", n, err)
		}
	})
}

func TestConcurrentOpenOnPostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			s, err := store.Open(context.Background(), dsn)
			if err == nil {
				err = s.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestTxRollsBackOnError(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := s.Tx(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, "INSERT INTO organisations (id, name, created_at) VALUES (?, ?, ?)", "o1", "Acme", tx.Now()); err != nil {
				return err
			}
			tx.Audit(store.AuditEntry{Actor: "test", Action: "create", Entity: "organisation", EntityID: "o1"})
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Tx = %v, want boom", err)
		}
		var n int
		s.Tx(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(ctx, "SELECT (SELECT count(*) FROM organisations) + (SELECT count(*) FROM audit_log)").Scan(&n)
		})
		if n != 0 {
			t.Fatalf("%d rows left after rollback", n)
		}
	})
}

func TestOpenRejectsEmptyPath(t *testing.T) {
	if _, err := store.Open(context.Background(), ""); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("Open(\"\") = %v, want ErrInvalid", err)
	}
}

func TestSQLiteSecondOpenSharesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "pflicht.db")
	a := storetest.Open(t, path)
	b := storetest.Open(t, path)
	admin := store.System("test")
	if _, err := a.CreateOrganisation(context.Background(), admin, store.Profile{Name: "Acme"}, ""); err != nil {
		t.Fatal(err)
	}
	orgs, err := b.Organisations(context.Background(), admin)
	if err != nil || len(orgs) != 1 {
		t.Fatalf("second store sees %d organisations, err %v", len(orgs), err)
	}
}

// TestGroupCommitIsolatesRequests runs failing, panicking and succeeding
// transactions at once: they may share a commit, but only the successful
// ones may leave rows and audit records.
func TestGroupCommitIsolatesRequests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const n = 60
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				id := fmt.Sprint("o", i)
				defer func() {
					if p := recover(); p != nil && i%3 != 2 {
						t.Errorf("transaction %d panicked: %v", i, p)
					}
				}()
				err := s.Tx(ctx, func(tx *store.Tx) error {
					if _, err := tx.Exec(ctx, "INSERT INTO organisations (id, name, created_at) VALUES (?, ?, ?)", id, id, tx.Now()); err != nil {
						return err
					}
					tx.Audit(store.AuditEntry{Actor: "test", OrgID: id, Action: "create", Entity: "organisation", EntityID: id})
					switch i % 3 {
					case 1:
						return errors.New("refused")
					case 2:
						panic("boom")
					}
					return nil
				})
				if (err == nil) != (i%3 == 0) {
					t.Errorf("transaction %d: %v", i, err)
				}
			})
		}
		wg.Wait()
		var orgs, records int
		s.Tx(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(ctx, "SELECT (SELECT count(*) FROM organisations), (SELECT count(*) FROM audit_log)").Scan(&orgs, &records)
		})
		if orgs != n/3 || records != n/3 {
			t.Fatalf("%d organisations and %d audit records, want %d each", orgs, records, n/3)
		}
		broken, err := s.VerifyAudit(ctx)
		if broken != nil || err != nil {
			t.Fatalf("VerifyAudit = %+v, %v", broken, err)
		}
	})
}

func TestTxAfterClose(t *testing.T) {
	s, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "pflicht.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Tx(context.Background(), func(*store.Tx) error { return nil }); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("Tx after Close = %v, want ErrClosed", err)
	}
}

// The CLI's default is the relative ./pflicht-data/pflicht.db.
func TestOpenRelativePath(t *testing.T) {
	t.Chdir(t.TempDir())
	s := storetest.Open(t, filepath.Join(".", "pflicht-data", "pflicht.db"))
	if _, err := s.CreateOrganisation(context.Background(), store.System("test"), store.Profile{Name: "Acme"}, ""); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"pflicht.db", "pflicht.db-wal"} {
		if _, err := os.Stat(filepath.Join("pflicht-data", f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}
