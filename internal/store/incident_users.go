package store

import (
	"context"
	"fmt"
	"strings"
)

// UserEmails returns the e-mail addresses of the users with the given ids;
// ids of no user are left out. Pages show them for the actors of records
// the caller has already read (who submitted a report, who recorded an
// event), so the ids come from those records, not from the user.
func (s *Store) UserEmails(ctx context.Context, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.query(ctx, "SELECT id, email FROM users WHERE id IN (?"+strings.Repeat(", ?", len(ids)-1)+")", args...)
	if err != nil {
		return nil, fmt.Errorf("store: user emails: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, email string
		if err := rows.Scan(&id, &email); err != nil {
			return nil, fmt.Errorf("store: user emails: %w", err)
		}
		out[id] = email
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: user emails: %w", err)
	}
	return out, nil
}

// ActorUserID returns the user id in an actor as Actor.String writes it
// into records ("user:ID" or "user:ID via …"); ok is false for the system
// ("cli", "test").
func ActorUserID(actor string) (id string, ok bool) {
	rest, ok := strings.CutPrefix(actor, "user:")
	if !ok {
		return "", false
	}
	id, _, _ = strings.Cut(rest, " via ")
	return id, id != ""
}
