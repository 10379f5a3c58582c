package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pflicht/pflicht/internal/store"
)

// storeFlags locate the database exactly as pflicht serve does: the SQLite
// file DIR/pflicht.db under --data, or PostgreSQL with --db.
type storeFlags struct{ data, db string }

func (f *storeFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.data, "data", "./pflicht-data", "data directory; the SQLite database is DIR/pflicht.db")
	cmd.Flags().StringVar(&f.db, "db", "", "PostgreSQL URL (postgres://…) instead of the SQLite file in --data")
}

// open opens (and migrates) the store the flags name.
func (f *storeFlags) open(ctx context.Context) (*store.Store, error) {
	dsn := f.db
	switch {
	case dsn == "":
		dsn = filepath.Join(f.data, "pflicht.db")
	case !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://"):
		return nil, &InputError{Field: "--db", Msg: "must be a postgres:// or postgresql:// URL (leave it out for SQLite in --data)"}
	}
	s, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("opening the database: %w", err)
	}
	return s, nil
}
