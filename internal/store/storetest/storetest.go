// Package storetest runs store tests on both databases.
package storetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/pflicht/pflicht/internal/pgtest"
	"github.com/pflicht/pflicht/internal/store"
)

// Each runs f as two subtests, "sqlite" on a file in t.TempDir() and
// "postgres" on a fresh database of the pgtest server, each with a new,
// migrated store that is closed when the subtest ends. The test binary's
// TestMain must call pgtest.Main.
func Each(t *testing.T, f func(t *testing.T, s *store.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { f(t, Open(t, filepath.Join(t.TempDir(), "pflicht.db"))) })
	t.Run("postgres", func(t *testing.T) { f(t, Open(t, pgtest.DSN(t))) })
}

// EachB is Each for benchmarks.
func EachB(b *testing.B, f func(b *testing.B, s *store.Store)) {
	b.Helper()
	b.Run("sqlite", func(b *testing.B) { f(b, Open(b, filepath.Join(b.TempDir(), "pflicht.db"))) })
	b.Run("postgres", func(b *testing.B) { f(b, Open(b, pgtest.DSN(b))) })
}

// Open opens the store at dsn and closes it when tb ends.
func Open(tb testing.TB, dsn string) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Error(err)
		}
	})
	return s
}
