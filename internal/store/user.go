package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// User is an account. PasswordHash is an argon2id PHC string (package auth);
// the store never sees a password.
type User struct {
	ID           string    `json:"id"`
	Email        string    `json:"email"`
	PasswordHash string    `json:"-"`
	TOTPSecret   string    `json:"-"`
	Role         Role      `json:"role,omitempty"` // global role: "", supervisor or admin
	Disabled     bool      `json:"disabled"`
	CreatedAt    time.Time `json:"created_at"`
}

// normalEmail checks an e-mail address and returns it in lower case, the
// form that is unique.
func normalEmail(email string) (string, error) {
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email {
		return "", fmt.Errorf("store: email: %q is not a plain e-mail address: %w", email, ErrInvalid)
	}
	return strings.ToLower(email), nil
}

// CreateUser adds an account; it needs the admin role. role is the global
// role ("" for users who act only through memberships).
func (s *Store) CreateUser(ctx context.Context, a Actor, email, passwordHash string, role Role) (User, error) {
	if err := a.requireAdmin("create user"); err != nil {
		return User{}, err
	}
	email, err := normalEmail(email)
	if err != nil {
		return User{}, err
	}
	if role != "" && role != RoleSupervisor && role != RoleAdmin {
		return User{}, fmt.Errorf("store: create user: role %q is not global (supervisor, admin): %w", role, ErrInvalid)
	}
	if passwordHash == "" {
		return User{}, fmt.Errorf("store: create user: empty password hash: %w", ErrInvalid)
	}
	var u User
	err = s.Tx(ctx, func(tx *Tx) error {
		u = User{ID: newID(), Email: email, PasswordHash: passwordHash, Role: role, CreatedAt: dbTime(tx.Now())}
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM users WHERE email = ?", email).Scan(&n); err != nil {
			return fmt.Errorf("store: create user: %w", err)
		}
		if n > 0 {
			return fmt.Errorf("store: create user: %s exists: %w", email, ErrConflict)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO users (id, email, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?)",
			u.ID, u.Email, u.PasswordHash, u.Role, u.CreatedAt); err != nil {
			return fmt.Errorf("store: create user: %w", err)
		}
		tx.Audit(AuditEntry{Actor: a.String(), Action: "create", Entity: "user", EntityID: u.ID, After: u})
		return nil
	})
	return u, err
}

const userColumns = "id, email, password_hash, totp_secret, role, disabled, created_at"

func scanUser(sc interface{ Scan(...any) error }) (User, error) {
	var u User
	err := sc.Scan(&u.ID, &u.Email, &u.PasswordHash, &u.TOTPSecret, &u.Role, &u.Disabled, &u.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	return u, err
}

// UserByEmail returns the account for email, with its password hash, for
// logging in.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	u, err := scanUser(s.queryRow(ctx, "SELECT "+userColumns+" FROM users WHERE email = ?", strings.ToLower(email)))
	if err != nil {
		return u, fmt.Errorf("store: user %s: %w", email, err)
	}
	return u, nil
}

// AddMember gives a user a role (member or org_admin) in an organisation,
// replacing any role it had there. It needs org_admin of the organisation.
func (s *Store) AddMember(ctx context.Context, a Actor, orgID, userID string, role Role) error {
	if role != RoleMember && role != RoleOrgAdmin {
		return fmt.Errorf("store: add member: role %q is not member or org_admin: %w", role, ErrInvalid)
	}
	return s.Tx(ctx, func(tx *Tx) error {
		if err := tx.checkOrg(ctx, a, orgID, administer); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM users WHERE id = ?", userID).Scan(&n); err != nil {
			return fmt.Errorf("store: add member: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("store: add member: user %q: %w", userID, ErrNotFound)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO memberships (user_id, org_id, role) VALUES (?, ?, ?)
			ON CONFLICT (user_id, org_id) DO UPDATE SET role = excluded.role`, userID, orgID, role); err != nil {
			return fmt.Errorf("store: add member: %w", err)
		}
		tx.Audit(AuditEntry{Actor: a.String(), OrgID: orgID, Action: "update", Entity: "membership", EntityID: userID,
			After: map[string]any{"user_id": userID, "org_id": orgID, "role": role}})
		return nil
	})
}

// secret returns a new random token of 32 bytes, hex, and its SHA-256, the
// only form stored: a stolen database yields no usable token.
func secret() (token, hash string) {
	var b [32]byte
	rand.Read(b[:])
	token = hex.EncodeToString(b[:])
	return token, hashToken(token)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateSession starts a session for userID valid for ttl and returns its
// token, which is shown only this once.
func (s *Store) CreateSession(ctx context.Context, userID string, ttl time.Duration) (string, error) {
	token, hash := secret()
	err := s.Tx(ctx, func(tx *Tx) error {
		now := tx.Now()
		res, err := tx.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, expires_at)
			SELECT ?, id, ?, ? FROM users WHERE id = ? AND NOT disabled`, hash, now, now.Add(ttl), userID)
		if err != nil {
			return fmt.Errorf("store: create session: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: create session: user %q: %w", userID, ErrNotFound)
		}
		tx.Audit(AuditEntry{Actor: "user:" + userID, Action: "login", Entity: "session", EntityID: hash[:16]})
		return nil
	})
	return token, err
}

// SessionActor returns the actor of a live session of an enabled user.
func (s *Store) SessionActor(ctx context.Context, token string) (Actor, error) {
	a := Actor{Via: "session"}
	err := s.queryRow(ctx, `SELECT u.id, u.role FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ? AND s.expires_at > ? AND NOT u.disabled`, hashToken(token), s.now()).Scan(&a.UserID, &a.Role)
	if errors.Is(err, sql.ErrNoRows) {
		return Actor{}, fmt.Errorf("store: session: %w", ErrNotFound)
	}
	if err != nil {
		return Actor{}, fmt.Errorf("store: session: %w", err)
	}
	return a, nil
}

// DeleteSession ends a session (logout).
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	hash := hashToken(token)
	return s.Tx(ctx, func(tx *Tx) error {
		var userID string
		err := tx.QueryRow(ctx, "DELETE FROM sessions WHERE token_hash = ? RETURNING user_id", hash).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("store: delete session: %w", err)
		}
		tx.Audit(AuditEntry{Actor: "user:" + userID, Action: "logout", Entity: "session", EntityID: hash[:16]})
		return nil
	})
}

// APIToken describes an API token; the token itself is never stored.
type APIToken struct {
	ID         string     `json:"id"`
	UserID     string     `json:"user_id"`
	Prefix     string     `json:"prefix"` // the first characters, to tell tokens apart
	ReadOnly   bool       `json:"read_only"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// tokenPrefix marks pflicht API tokens, so secret scanners can find them.
const tokenPrefix = "pflicht_"

// CreateToken issues an API token acting as userID, optionally read-only,
// expiring at expires (nil: never). It needs the admin role or to be that
// user. The token is returned only this once.
func (s *Store) CreateToken(ctx context.Context, a Actor, userID string, readOnly bool, expires *time.Time) (string, APIToken, error) {
	if a.UserID != userID || a.ReadOnly {
		if err := a.requireAdmin("create token"); err != nil {
			return "", APIToken{}, err
		}
	}
	raw, _ := secret()
	token := tokenPrefix + raw
	t := APIToken{ID: newID(), UserID: userID, Prefix: token[:len(tokenPrefix)+6], ReadOnly: readOnly, ExpiresAt: expires}
	err := s.Tx(ctx, func(tx *Tx) error {
		t.CreatedAt = dbTime(tx.Now())
		if expires != nil {
			e := dbTime(*expires)
			t.ExpiresAt = &e
		}
		scope := "write"
		if readOnly {
			scope = "read"
		}
		res, err := tx.Exec(ctx, `INSERT INTO api_tokens (id, user_id, prefix, token_hash, scope, created_at, expires_at)
			SELECT ?, id, ?, ?, ?, ?, ? FROM users WHERE id = ? AND NOT disabled`,
			t.ID, t.Prefix, hashToken(token), scope, t.CreatedAt, t.ExpiresAt, userID)
		if err != nil {
			return fmt.Errorf("store: create token: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: create token: user %q: %w", userID, ErrNotFound)
		}
		tx.Audit(AuditEntry{Actor: a.String(), Action: "create", Entity: "api_token", EntityID: t.ID, After: t})
		return nil
	})
	if err != nil {
		return "", APIToken{}, err
	}
	return token, t, nil
}

// TokenActor returns the actor of a valid API token and notes its use (at
// most once a minute, so reads do not each cost a write).
func (s *Store) TokenActor(ctx context.Context, token string) (Actor, error) {
	var a Actor
	var id, scope string
	hash := hashToken(token)
	now := s.now()
	err := s.queryRow(ctx, `SELECT t.id, t.scope, u.id, u.role FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = ? AND (t.expires_at IS NULL OR t.expires_at > ?) AND NOT u.disabled`, hash, now).Scan(&id, &scope, &a.UserID, &a.Role)
	if errors.Is(err, sql.ErrNoRows) {
		return Actor{}, fmt.Errorf("store: token: %w", ErrNotFound)
	}
	if err != nil {
		return Actor{}, fmt.Errorf("store: token: %w", err)
	}
	a.ReadOnly, a.Via = scope == "read", "token:"+id
	// Bookkeeping, not a change of record: not audited.
	err = s.Tx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, "UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
			now, id, now.Add(-time.Minute))
		return err
	})
	if err != nil {
		return Actor{}, fmt.Errorf("store: token: %w", err)
	}
	return a, nil
}

// HasAdmin reports whether an enabled account with the admin role exists.
func (s *Store) HasAdmin(ctx context.Context) (bool, error) {
	var n int
	if err := s.queryRow(ctx, "SELECT count(*) FROM users WHERE role = ? AND NOT disabled", RoleAdmin).Scan(&n); err != nil {
		return false, fmt.Errorf("store: has admin: %w", err)
	}
	return n > 0, nil
}
