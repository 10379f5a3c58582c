-- Sign-in state lives in the database, so every app server sharing it sees
-- the same: a session's last use (for the idle timeout), the logins waiting
-- for their second factor, and the last TOTP code accepted per user.

-- last_seen_at is moved at most about once a minute (store.SessionActor),
-- so the idle timeout costs no write per page view. NULL (a session of an
-- older binary during an upgrade) counts as created_at.
ALTER TABLE sessions ADD COLUMN last_seen_at {{time}};
UPDATE sessions SET last_seen_at = created_at;

-- A login that has passed the password and waits for the TOTP code. It is
-- kept apart from sessions so that no code path can take a ticket for a
-- session.
CREATE TABLE login_tickets (
	ticket_hash TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users (id),
	expires_at {{time}} NOT NULL
);
CREATE INDEX login_tickets_by_user ON login_tickets (user_id);

-- The time step (Unix time / 30 s) of the last TOTP code accepted for the
-- user: a code is accepted only for a later step, so an observed code
-- cannot be replayed within its window (RFC 6238, section 5.2).
ALTER TABLE users ADD COLUMN totp_step {{bigint}} NOT NULL DEFAULT 0;
