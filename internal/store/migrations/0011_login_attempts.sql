-- Failed sign-in attempts (wrong passwords and TOTP codes), counted in the
-- database so that every app server sharing it draws on one budget per
-- account and per client address (store/ratelimit.go).
--
-- A budget is a token bucket kept as one instant (GCRA): full_at is when
-- the bucket is whole again, in Unix microseconds. An integer, not
-- {{time}}, because the statements compute with it (full_at + period),
-- which SQLite's text instants do not allow. A row whose full_at has passed
-- says nothing and is pruned.
CREATE TABLE login_attempts (
	key_hash TEXT PRIMARY KEY, -- SHA-256 of the counter's key ("acct:…", "ip:…")
	full_at {{bigint}} NOT NULL
);
CREATE INDEX login_attempts_by_full_at ON login_attempts (full_at);
