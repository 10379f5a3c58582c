package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pflicht/pflicht/internal/store"
)

// storeFlags locate the database for serve and every command that works on
// its data: the SQLite file DIR/pflicht.db under --data, or PostgreSQL with
// --db.
type storeFlags struct{ data, db string }

func (f *storeFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.data, "data", "./pflicht-data", "data directory; the SQLite database is DIR/pflicht.db")
	cmd.Flags().StringVar(&f.db, "db", "", "PostgreSQL URL (postgres://…) instead of the SQLite file in --data")
}

// dsn is the data source the flags name: the --db URL, or the SQLite file
// in --data.
func (f *storeFlags) dsn() (string, error) {
	switch {
	case f.db == "":
		return filepath.Join(f.data, "pflicht.db"), nil
	case !strings.HasPrefix(f.db, "postgres://") && !strings.HasPrefix(f.db, "postgresql://"):
		return "", &InputError{Field: "--db", Msg: "must be a postgres:// or postgresql:// URL (leave it out for SQLite in --data)"}
	}
	return f.db, nil
}

// open opens (and migrates) the store the flags name.
func (f *storeFlags) open(ctx context.Context) (*store.Store, error) {
	dsn, err := f.dsn()
	if err != nil {
		return nil, err
	}
	s, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("opening the database: %w", err)
	}
	return s, nil
}

// openUser opens the store and looks up the account with the given e-mail;
// field names the flag or argument the e-mail came from, for the error. The
// caller closes the store.
func (f *storeFlags) openUser(ctx context.Context, email, field string) (*store.Store, store.User, error) {
	s, err := f.open(ctx)
	if err != nil {
		return nil, store.User{}, err
	}
	u, err := s.UserByEmail(ctx, email)
	if err != nil {
		s.Close()
		return nil, store.User{}, storeInputError(err, field)
	}
	return s, u, nil
}
