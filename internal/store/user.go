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

// Sessions keep their times (created, last seen, absolute expiry) by the
// clock of the caller that sets the session policy, the portal, passed as
// now: the idle and absolute timeouts are its configuration, and its tests
// move that clock. The audit trail keeps the store's own time as always.

// CreateSession starts a session for userID valid for ttl from now and
// returns its token, which is shown only this once.
func (s *Store) CreateSession(ctx context.Context, userID string, now time.Time, ttl time.Duration) (string, error) {
	var token string
	err := s.Tx(ctx, func(tx *Tx) error {
		var err error
		token, err = tx.createSession(ctx, userID, now, ttl)
		return err
	})
	return token, err
}

// createSession inserts a session of an enabled user and audits the login.
// The user's sessions past their absolute expiry go at the same time: they
// grant nothing, and their login and end are on record already.
func (tx *Tx) createSession(ctx context.Context, userID string, now time.Time, ttl time.Duration) (string, error) {
	token, hash := secret()
	if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = ? AND expires_at <= ?", userID, now); err != nil {
		return "", fmt.Errorf("store: create session: %w", err)
	}
	res, err := tx.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at)
		SELECT ?, id, ?, ?, ? FROM users WHERE id = ? AND NOT disabled`, hash, now, now.Add(ttl), now, userID)
	if err != nil {
		return "", fmt.Errorf("store: create session: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return "", fmt.Errorf("store: create session: user %q: %w", userID, ErrNotFound)
	}
	tx.Audit(AuditEntry{Actor: "user:" + userID, Action: "login", Entity: "session", EntityID: hash[:16]})
	return token, nil
}

// touchEvery is how stale a token's last_used_at may get before a request
// moves it: at most one write per token and minute, however many requests
// it makes.
const touchEvery = time.Minute

// sessionTouchEvery is touchEvery for a session's last_seen_at, shorter
// for short idle timeouts (a tenth of it) so the timeout stays exact to
// that tenth.
func sessionTouchEvery(idle time.Duration) time.Duration { return min(touchEvery, idle/10) }

// SessionActor returns the actor of a live session of an enabled user at
// now. A session lives until its absolute expiry (set at login) and while
// it is used: it ends when it has not been used for idle. A session found
// idle is deleted, so it cannot come back. All of this is in the database,
// so every app server sharing it agrees.
func (s *Store) SessionActor(ctx context.Context, token string, now time.Time, idle time.Duration) (Actor, error) {
	a := Actor{Via: "session"}
	hash := hashToken(token)
	var created time.Time
	var seen sql.NullTime
	err := s.queryRow(ctx, `SELECT u.id, u.role, s.created_at, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ? AND s.expires_at > ? AND NOT u.disabled`, hash, now).Scan(&a.UserID, &a.Role, &created, &seen)
	if err != nil {
		return Actor{}, fmt.Errorf("store: session: %w", notFound(err))
	}
	if !seen.Valid {
		seen.Time = created
	}
	if idleSince := now.Add(-idle); !seen.Time.After(idleSince) {
		if err := s.endSession(ctx, hash, "idle timeout", "expire", &idleSince); err != nil {
			return Actor{}, err
		}
		return Actor{}, fmt.Errorf("store: session: idle: %w", ErrNotFound)
	}
	if stale := now.Add(-sessionTouchEvery(idle)); seen.Time.Before(stale) {
		err := s.touch(ctx, "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ? AND (last_seen_at IS NULL OR last_seen_at < ?)",
			now, hash, stale)
		if err != nil {
			return Actor{}, fmt.Errorf("store: session: %w", err)
		}
	}
	return a, nil
}

// touch runs one bookkeeping UPDATE (a last use) in a write transaction
// of its own. It is not audited: it changes no record a user made or
// relies on, and auditing it would add a chain link, under the chain lock,
// for every session and minute. Callers run it only when the stored value
// is stale, and the statement's WHERE repeats that condition, so app
// servers racing to touch the same row write it once.
func (s *Store) touch(ctx context.Context, query string, args ...any) error {
	return s.Tx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, query, args...)
		return err
	})
}

// DeleteSession ends a session (logout).
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	hash := hashToken(token)
	return s.endSession(ctx, hash, "", "logout", nil)
}

// endSession deletes the session with hash and audits it as action, by
// actor ("" for the session's user). With idleSince set it deletes the
// session only if it is still unused since then: another app server may
// have seen it in use meanwhile.
func (s *Store) endSession(ctx context.Context, hash, actor, action string, idleSince *time.Time) error {
	return s.Tx(ctx, func(tx *Tx) error {
		q, args := "DELETE FROM sessions WHERE token_hash = ?", []any{hash}
		if idleSince != nil {
			q, args = q+" AND (last_seen_at IS NULL OR last_seen_at <= ?)", append(args, *idleSince)
		}
		var userID string
		err := tx.QueryRow(ctx, q+" RETURNING user_id", args...).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("store: end session: %w", err)
		}
		if actor == "" {
			actor = "user:" + userID
		}
		tx.Audit(AuditEntry{Actor: actor, Action: action, Entity: "session", EntityID: hash[:16],
			After: map[string]string{"user_id": userID}})
		return nil
	})
}

// CreateLoginTicket records that userID has given the right password and
// waits for its TOTP code, for ttl, and returns the ticket, shown only this
// once. Not audited: the login is, once the code is given (RedeemLoginTicket).
func (s *Store) CreateLoginTicket(ctx context.Context, userID string, ttl time.Duration) (string, error) {
	ticket, hash := secret()
	err := s.Tx(ctx, func(tx *Tx) error {
		now := tx.Now()
		if _, err := tx.Exec(ctx, "DELETE FROM login_tickets WHERE user_id = ? AND expires_at <= ?", userID, now); err != nil {
			return fmt.Errorf("store: create login ticket: %w", err)
		}
		res, err := tx.Exec(ctx, `INSERT INTO login_tickets (ticket_hash, user_id, expires_at)
			SELECT ?, id, ? FROM users WHERE id = ? AND NOT disabled`, hash, now.Add(ttl), userID)
		if err != nil {
			return fmt.Errorf("store: create login ticket: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: create login ticket: user %q: %w", userID, ErrNotFound)
		}
		return nil
	})
	return ticket, err
}

// LoginTicketUser returns the enabled user a live login ticket belongs to,
// with the TOTP secret to check the code against.
func (s *Store) LoginTicketUser(ctx context.Context, ticket string) (User, error) {
	u, err := scanUser(s.queryRow(ctx, "SELECT "+userColumns+` FROM users WHERE NOT disabled AND id =
		(SELECT user_id FROM login_tickets WHERE ticket_hash = ? AND expires_at > ?)`, hashToken(ticket), s.now()))
	if err != nil {
		return User{}, fmt.Errorf("store: login ticket: %w", err)
	}
	return u, nil
}

// RedeemLoginTicket ends a login ticket whose TOTP code has been checked
// and starts a session at now valid for ttl (as CreateSession). step is the time step of that code:
// if a code of this or a later step has been accepted for the user before,
// the code is a replay and the result is ErrConflict (the ticket stays, so
// the next code can be tried). ErrNotFound: the ticket is unknown, expired
// or used, or the user disabled.
func (s *Store) RedeemLoginTicket(ctx context.Context, ticket string, step int64, now time.Time, ttl time.Duration) (string, error) {
	var token string
	err := s.Tx(ctx, func(tx *Tx) error {
		var userID string
		err := tx.QueryRow(ctx, "SELECT user_id FROM login_tickets WHERE ticket_hash = ? AND expires_at > ?",
			hashToken(ticket), tx.Now()).Scan(&userID)
		if err != nil {
			return fmt.Errorf("store: login ticket: %w", notFound(err))
		}
		if err := tx.useTOTPStep(ctx, userID, step); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM login_tickets WHERE ticket_hash = ?", hashToken(ticket)); err != nil {
			return fmt.Errorf("store: login ticket: %w", err)
		}
		token, err = tx.createSession(ctx, userID, now, ttl)
		return err
	})
	return token, err
}

// useTOTPStep records step as the user's last accepted TOTP step, or
// returns ErrConflict if it is not later than the last one. The condition
// is in the UPDATE, so two app servers cannot both accept one code.
func (tx *Tx) useTOTPStep(ctx context.Context, userID string, step int64) error {
	res, err := tx.Exec(ctx, "UPDATE users SET totp_step = ? WHERE id = ? AND totp_step < ?", step, userID, step)
	if err != nil {
		return fmt.Errorf("store: totp: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: totp: code already used: %w", ErrConflict)
	}
	return nil
}

// SetTOTPSecret turns the second factor of userID on with secret (base32,
// as package auth makes it) or off with "". The user itself may do it, and
// an admin (to enrol a new account, or to reset a lost authenticator). step
// is the time step of the code that confirmed the change, which is then
// used up (ErrConflict if it was used before); 0 when no code was given
// (an admin's change). The audit trail records only whether TOTP is on,
// never the secret. Turning TOTP on ends all of the user's sessions: a
// session stolen before the account was secured does not outlive it.
func (s *Store) SetTOTPSecret(ctx context.Context, a Actor, userID, secret string, step int64) error {
	if a.UserID != userID || a.ReadOnly {
		if err := a.requireAdmin("set totp"); err != nil {
			return err
		}
	}
	return s.setTOTPSecret(ctx, a, userID, secret, step, "")
}

// SetOwnTOTPSecret is SetTOTPSecret for the actor's own account, from the
// session with token session: turning TOTP on ends the account's other
// sessions and keeps this one, so the user stays signed in where they
// secured the account.
func (s *Store) SetOwnTOTPSecret(ctx context.Context, a Actor, session, secret string, step int64) error {
	if a.UserID == "" || a.ReadOnly {
		return fmt.Errorf("store: set totp: not a user's own session: %w", ErrNotFound)
	}
	return s.setTOTPSecret(ctx, a, a.UserID, secret, step, hashToken(session))
}

// setTOTPSecret changes the secret as allowed by the caller; keep is the
// hash of the session that survives turning TOTP on ("" for none).
func (s *Store) setTOTPSecret(ctx context.Context, a Actor, userID, secret string, step int64, keep string) error {
	state := func(secret string) string {
		if secret == "" {
			return "disabled"
		}
		return "enabled"
	}
	return s.Tx(ctx, func(tx *Tx) error {
		var old string
		err := tx.QueryRow(ctx, "SELECT totp_secret FROM users WHERE id = ?", userID).Scan(&old)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: set totp: user %q: %w", userID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: set totp: %w", err)
		}
		if step > 0 {
			if err := tx.useTOTPStep(ctx, userID, step); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, "UPDATE users SET totp_secret = ? WHERE id = ?", secret, userID); err != nil {
			return fmt.Errorf("store: set totp: %w", err)
		}
		tx.Audit(AuditEntry{Actor: a.String(), Action: "update", Entity: "user", EntityID: userID,
			Before: map[string]string{"totp": state(old)}, After: map[string]string{"totp": state(secret)}})
		if secret != "" {
			return tx.endSessions(ctx, a, userID, keep, "totp enabled")
		}
		return nil
	})
}

// endSessions ends every session of userID but the one whose hash is keep,
// auditing each as revoked by a for reason.
func (tx *Tx) endSessions(ctx context.Context, a Actor, userID, keep, reason string) error {
	rows, err := tx.Query(ctx, "DELETE FROM sessions WHERE user_id = ? AND token_hash <> ? RETURNING token_hash", userID, keep)
	if err != nil {
		return fmt.Errorf("store: end sessions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var hash string
		if err := rows.Scan(&hash); err != nil {
			return fmt.Errorf("store: end sessions: %w", err)
		}
		tx.Audit(AuditEntry{Actor: a.String(), Action: "revoke", Entity: "session", EntityID: hash[:16],
			After: map[string]string{"user_id": userID, "reason": reason}})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: end sessions: %w", err)
	}
	return nil
}

// Account returns the actor's own account.
func (s *Store) Account(ctx context.Context, a Actor) (User, error) {
	u, err := scanUser(s.queryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = ?", a.UserID))
	if err != nil {
		return User{}, fmt.Errorf("store: account: %w", err)
	}
	return u, nil
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

// TokenActor returns the actor of a valid API token and notes its use. The
// note is a write only when the stored last use is more than a minute old,
// so a busy client costs one write a minute, not one per request; the
// request's own writes do not wait for it otherwise.
func (s *Store) TokenActor(ctx context.Context, token string) (Actor, error) {
	var a Actor
	var id, scope string
	var used sql.NullTime
	now := s.now()
	err := s.queryRow(ctx, `SELECT t.id, t.scope, t.last_used_at, u.id, u.role FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = ? AND (t.expires_at IS NULL OR t.expires_at > ?) AND NOT u.disabled`, hashToken(token), now).Scan(&id, &scope, &used, &a.UserID, &a.Role)
	if err != nil {
		return Actor{}, fmt.Errorf("store: token: %w", notFound(err))
	}
	a.ReadOnly, a.Via = scope == "read", "token:"+id
	if stale := now.Add(-touchEvery); !used.Valid || used.Time.Before(stale) {
		err := s.touch(ctx, "UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
			now, id, stale)
		if err != nil {
			return Actor{}, fmt.Errorf("store: token: %w", err)
		}
	}
	return a, nil
}

const tokenColumns = "id, user_id, prefix, scope, created_at, expires_at, last_used_at"

func scanToken(sc interface{ Scan(...any) error }) (APIToken, error) {
	var t APIToken
	var scope string
	err := sc.Scan(&t.ID, &t.UserID, &t.Prefix, &scope, &t.CreatedAt, &t.ExpiresAt, &t.LastUsedAt)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	t.ReadOnly = scope == "read"
	return t, err
}

// Tokens lists the API tokens of userID, oldest first, expired ones
// included (they show what was issued until they are revoked). A user
// lists its own; other users' tokens need the admin role, and are not
// found otherwise.
func (s *Store) Tokens(ctx context.Context, a Actor, userID string) ([]APIToken, error) {
	if a.UserID != userID && a.Role != RoleAdmin {
		return nil, fmt.Errorf("store: tokens: user %q: %w", userID, ErrNotFound)
	}
	rows, err := s.query(ctx, "SELECT "+tokenColumns+" FROM api_tokens WHERE user_id = ? ORDER BY created_at, id", userID)
	if err != nil {
		return nil, fmt.Errorf("store: tokens: %w", err)
	}
	defer rows.Close()
	var ts []APIToken
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("store: tokens: %w", err)
		}
		ts = append(ts, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: tokens: %w", err)
	}
	return ts, nil
}

// RevokeToken deletes the API token id, so TokenActor, which reads the
// database on every request, refuses it at once on every app server. A
// user revokes its own tokens, an admin any; a read-only actor none. A
// token the actor may not revoke is not found, like an unknown id, so ids
// cannot be probed.
func (s *Store) RevokeToken(ctx context.Context, a Actor, id string) error {
	all, own := a.Role == RoleAdmin && !a.ReadOnly, a.UserID
	if a.ReadOnly {
		own = ""
	}
	return s.Tx(ctx, func(tx *Tx) error {
		t, err := scanToken(tx.QueryRow(ctx, "DELETE FROM api_tokens WHERE id = ? AND (? OR user_id = ?) RETURNING "+tokenColumns,
			id, all, own))
		if err != nil {
			return fmt.Errorf("store: revoke token: token %q: %w", id, err)
		}
		tx.Audit(AuditEntry{Actor: a.String(), Action: "revoke", Entity: "api_token", EntityID: t.ID, Before: t})
		return nil
	})
}

// HasAdmin reports whether an enabled account with the admin role exists.
func (s *Store) HasAdmin(ctx context.Context) (bool, error) {
	var n int
	if err := s.queryRow(ctx, "SELECT count(*) FROM users WHERE role = ? AND NOT disabled", RoleAdmin).Scan(&n); err != nil {
		return false, fmt.Errorf("store: has admin: %w", err)
	}
	return n > 0, nil
}
