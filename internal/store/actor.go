package store

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
)

// Role is a user's role: globally (RoleSupervisor, RoleAdmin) or within one
// organisation (RoleMember, RoleOrgAdmin).
type Role string

const (
	RoleMember     Role = "member"     // reads and writes its organisations' records
	RoleOrgAdmin   Role = "org_admin"  // also edits the profile, registration and members
	RoleSupervisor Role = "supervisor" // authority staff: reads every organisation, writes none
	RoleAdmin      Role = "admin"      // operates the installation: everything
)

// Actor is who performs a store call. Organisation-scoped methods filter by
// it in their SQL: a user reaches the organisations it is a member of
// (looked up in the database at the time of the call, not trusted from the
// caller), supervisors read all and admins reach all.
type Actor struct {
	UserID   string // "" for the system
	Role     Role   // global role: "", RoleSupervisor or RoleAdmin
	ReadOnly bool   // set for read-scoped API tokens
	Via      string // how it acts: "session", "token:ID", "cli", …
}

// System is an actor with the admin role that is no user: the CLI and
// background jobs. name says which, in the audit trail.
func System(name string) Actor { return Actor{Role: RoleAdmin, Via: name} }

// String is how the actor appears in the audit trail.
func (a Actor) String() string {
	switch {
	case a.UserID == "":
		return a.Via
	case a.Via == "":
		return "user:" + a.UserID
	}
	return "user:" + a.UserID + " via " + a.Via
}

// access is how far an organisation-scoped call reaches.
type access int

const (
	read access = iota
	write
	administer
)

// orgFilter returns the SQL condition "column is an organisation the actor
// reaches with acc"; its arguments are Actor.args(acc): whether the actor
// reaches every organisation, and its user id for the membership lookup.
func orgFilter(column string, acc access) string {
	role := ""
	if acc == administer {
		role = " AND role = 'org_admin'"
	}
	return "(? OR " + column + " IN (SELECT org_id FROM memberships WHERE user_id = ?" + role + "))"
}

func (a Actor) args(acc access) []any {
	if acc == read {
		return []any{a.Role == RoleSupervisor || a.Role == RoleAdmin, a.UserID}
	}
	// Supervisors only read; a read-only token reaches nothing to write.
	if a.ReadOnly {
		return []any{false, ""}
	}
	return []any{a.Role == RoleAdmin, a.UserID}
}

var orgChecks = [...]string{
	read:       "SELECT 1 FROM organisations WHERE id = ? AND " + orgFilter("id", read),
	write:      "SELECT 1 FROM organisations WHERE id = ? AND " + orgFilter("id", write),
	administer: "SELECT 1 FROM organisations WHERE id = ? AND " + orgFilter("id", administer),
}

// checkOrg returns ErrNotFound unless a reaches organisation orgID with acc.
func (tx *Tx) checkOrg(ctx context.Context, a Actor, orgID string, acc access) error {
	var one int
	err := tx.QueryRow(ctx, orgChecks[acc], append([]any{orgID}, a.args(acc)...)...).Scan(&one)
	if err != nil {
		return fmt.Errorf("store: organisation %q: %w", orgID, notFound(err))
	}
	return nil
}

// checkOrg is the read-only variant outside a transaction.
func (s *Store) checkOrg(ctx context.Context, a Actor, orgID string) error {
	var one int
	err := s.queryRow(ctx, orgChecks[read], append([]any{orgID}, a.args(read)...)...).Scan(&one)
	if err != nil {
		return fmt.Errorf("store: organisation %q: %w", orgID, notFound(err))
	}
	return nil
}

// requireAdmin guards the global operations (users, tokens of others).
func (a Actor) requireAdmin(what string) error {
	if a.Role != RoleAdmin || a.ReadOnly {
		return fmt.Errorf("store: %s: needs the admin role: %w", what, ErrNotFound)
	}
	return nil
}

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newID returns a random identifier of 128 bits: not guessable, so an id
// alone reveals nothing and cannot be enumerated.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return idEncoding.EncodeToString(b[:])
}
