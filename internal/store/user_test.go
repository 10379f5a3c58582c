package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/pgtest"
	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

// eachShared runs f on both databases with two stores open on the same
// database, as two app servers are.
func eachShared(t *testing.T, f func(t *testing.T, a, b *store.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "pflicht.db")
		f(t, storetest.Open(t, path), storetest.Open(t, path))
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := pgtest.DSN(t)
		f(t, storetest.Open(t, dsn), storetest.Open(t, dsn))
	})
}

func newUser(t *testing.T, s *store.Store, email string) store.User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), store.System("test"), email, "$argon2id$x", "")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// lastSeen reads a session's last_seen_at behind the store's API.
func lastSeen(t *testing.T, s *store.Store, userID string) time.Time {
	t.Helper()
	ctx := context.Background()
	var seen time.Time
	if err := s.Tx(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, "SELECT last_seen_at FROM sessions WHERE user_id = ?", userID).Scan(&seen)
	}); err != nil {
		t.Fatal(err)
	}
	return seen
}

// TestSessionIdleSharedByAppServers: two stores on one database behave as
// one: the idle timeout, its conditional touch and logout are seen by both.
func TestSessionIdleSharedByAppServers(t *testing.T) {
	eachShared(t, func(t *testing.T, a, b *store.Store) {
		ctx := context.Background()
		u := newUser(t, a, "alice@example.org")
		token, err := a.CreateSession(ctx, u.ID, time.Now(), 12*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		const idle = 30 * time.Minute
		start := lastSeen(t, a, u.ID)
		for _, tc := range []struct {
			name     string
			s        *store.Store
			at       time.Duration // after login
			ok       bool
			lastSeen time.Duration // expected after the call
		}{
			{"fresh, on a", a, 0, true, 0},
			{"within a minute: no write", b, 50 * time.Second, true, 0},
			{"29 min later on b: touched", b, 29 * time.Minute, true, 29 * time.Minute},
			{"on a, 30 s later: no write", a, 29*time.Minute + 30*time.Second, true, 29 * time.Minute},
			{"58 min: within idle of the touch", a, 58 * time.Minute, true, 58 * time.Minute},
			{"idle on b", b, 58*time.Minute + idle, false, -1},
			{"gone for a too, even earlier", a, 60 * time.Minute, false, -1},
		} {
			actor, err := tc.s.SessionActor(ctx, token, start.Add(tc.at), idle)
			if tc.ok != (err == nil) || (tc.ok && actor.UserID != u.ID) {
				t.Fatalf("%s: SessionActor = %+v, %v", tc.name, actor, err)
			}
			if !tc.ok {
				if !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("%s: %v, want ErrNotFound", tc.name, err)
				}
				continue
			}
			if got := lastSeen(t, a, u.ID); !got.Equal(start.Add(tc.lastSeen)) {
				t.Errorf("%s: last_seen_at %s after login, want %s", tc.name, got.Sub(start), tc.lastSeen)
			}
		}
		// Logout on one app server ends the session on the other.
		token, err = a.CreateSession(ctx, u.ID, time.Now(), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.SessionActor(ctx, token, time.Now(), idle); err != nil {
			t.Fatal(err)
		}
		if err := a.DeleteSession(ctx, token); err != nil {
			t.Fatal(err)
		}
		if _, err := b.SessionActor(ctx, token, time.Now(), idle); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("after logout on a, b: %v, want ErrNotFound", err)
		}
		// Login, idle expiry and logout are on record; the touches are not.
		var actions []string
		for r, err := range a.AuditRows(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			if r.Entity == "session" {
				actions = append(actions, r.Action+" by "+strings.Fields(r.Actor)[0])
			}
		}
		want := "login by user:" + u.ID + ",expire by idle,login by user:" + u.ID + ",logout by user:" + u.ID
		if got := strings.Join(actions, ","); got != want {
			t.Errorf("session audit: %s, want %s", got, want)
		}
		mustVerify(t, a)
	})
}

func TestSessionAbsoluteExpiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newUser(t, s, "bob@example.org")
		token, err := s.CreateSession(ctx, u.ID, time.Now(), 200*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SessionActor(ctx, token, time.Now(), time.Hour); err != nil {
			t.Fatal(err)
		}
		// Within the idle timeout, but past the absolute expiry.
		if _, err := s.SessionActor(ctx, token, time.Now().Add(300*time.Millisecond), time.Hour); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("past the absolute expiry: %v, want ErrNotFound", err)
		}
		// A new login clears the user's dead sessions.
		if _, err := s.CreateSession(ctx, u.ID, time.Now().Add(time.Second), time.Hour); err != nil {
			t.Fatal(err)
		}
		var n int
		s.Tx(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(ctx, "SELECT count(*) FROM sessions WHERE user_id = ?", u.ID).Scan(&n)
		})
		if n != 1 {
			t.Errorf("%d sessions, want 1", n)
		}
	})
}

// TestTokenLastUsed: a token's use is noted at most once a minute.
func TestTokenLastUsed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newUser(t, s, "ci@example.org")
		token, info, err := s.CreateToken(ctx, store.System("test"), u.ID, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		used := func() *time.Time {
			var at *time.Time
			if err := s.Tx(ctx, func(tx *store.Tx) error {
				return tx.QueryRow(ctx, "SELECT last_used_at FROM api_tokens WHERE id = ?", info.ID).Scan(&at)
			}); err != nil {
				t.Fatal(err)
			}
			return at
		}
		if used() != nil {
			t.Fatal("a new token has a last use")
		}
		for range 3 {
			if _, err := s.TokenActor(ctx, token); err != nil {
				t.Fatal(err)
			}
		}
		first := used()
		if first == nil || time.Since(*first) > time.Minute {
			t.Fatalf("last_used_at = %v", first)
		}
		// A minute ago: the next use moves it.
		old := first.Add(-2 * time.Minute)
		s.Tx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", old, info.ID)
			return err
		})
		if _, err := s.TokenActor(ctx, token); err != nil {
			t.Fatal(err)
		}
		if got := used(); !got.After(old.Add(time.Minute)) {
			t.Errorf("stale last use not moved: %v", got)
		}
	})
}

// TestTOTP: enrolment, its audit without the secret, replay refusal and
// the login ticket.
func TestTOTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newUser(t, s, "carol@example.org")
		other := newUser(t, s, "dave@example.org")
		self := store.Actor{UserID: u.ID, Via: "session"}
		const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
		if err := s.SetTOTPSecret(ctx, store.Actor{UserID: other.ID}, u.ID, secret, 100); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another user sets the secret: %v, want ErrNotFound", err)
		}
		if err := s.SetTOTPSecret(ctx, self, u.ID, secret, 100); err != nil {
			t.Fatal(err)
		}
		got, err := s.Account(ctx, self)
		if err != nil || got.TOTPSecret != secret || got.Email != u.Email {
			t.Fatalf("Account = %+v, %v", got, err)
		}
		for r, err := range s.AuditRows(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(r.Before+r.After, secret) {
				t.Errorf("audit record %d holds the secret: %s %s", r.Seq, r.Before, r.After)
			}
			if r.Entity == "user" && r.Action == "update" && r.After != `{"totp":"enabled"}` {
				t.Errorf("audit after = %s", r.After)
			}
		}
		// A login ticket: the enrolment code's step and earlier are refused.
		ticket, err := s.CreateLoginTicket(ctx, u.ID, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if tu, err := s.LoginTicketUser(ctx, ticket); err != nil || tu.ID != u.ID || tu.TOTPSecret != secret {
			t.Fatalf("LoginTicketUser = %+v, %v", tu, err)
		}
		for _, step := range []int64{100, 99} {
			if _, err := s.RedeemLoginTicket(ctx, ticket, step, time.Now(), time.Hour); !errors.Is(err, store.ErrConflict) {
				t.Errorf("replayed step %d: %v, want ErrConflict", step, err)
			}
		}
		token, err := s.RedeemLoginTicket(ctx, ticket, 101, time.Now(), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if a, err := s.SessionActor(ctx, token, time.Now(), time.Hour); err != nil || a.UserID != u.ID {
			t.Errorf("session from the ticket: %+v, %v", a, err)
		}
		// The ticket is used up; a ticket is no session.
		if _, err := s.RedeemLoginTicket(ctx, ticket, 102, time.Now(), time.Hour); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ticket used twice: %v, want ErrNotFound", err)
		}
		if _, err := s.LoginTicketUser(ctx, ticket); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("used ticket: %v, want ErrNotFound", err)
		}
		ticket, err = s.CreateLoginTicket(ctx, u.ID, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SessionActor(ctx, ticket, time.Now(), time.Hour); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ticket as session: %v, want ErrNotFound", err)
		}
		expired, err := s.CreateLoginTicket(ctx, u.ID, -time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.LoginTicketUser(ctx, expired); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("expired ticket: %v, want ErrNotFound", err)
		}
		if _, err := s.CreateLoginTicket(ctx, "nobody", time.Minute); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ticket for an unknown user: %v, want ErrNotFound", err)
		}
		// Turning it off needs a fresh code too; an admin may reset it.
		if err := s.SetTOTPSecret(ctx, self, u.ID, "", 101); !errors.Is(err, store.ErrConflict) {
			t.Errorf("disable with a used code: %v, want ErrConflict", err)
		}
		if err := s.SetTOTPSecret(ctx, store.System("cli"), u.ID, "", 0); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Account(ctx, self); got.TOTPSecret != "" {
			t.Error("TOTP still on")
		}
		if err := s.SetTOTPSecret(ctx, store.System("cli"), "nobody", "", 0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown user: %v, want ErrNotFound", err)
		}
		mustVerify(t, s)
	})
}

// TestRevokeToken: tokens are listed per user; a user lists and revokes
// its own, an admin any, and anyone else finds nothing. A revoked token is
// refused at once by every app server sharing the database, and the
// revocation is audited.
func TestRevokeToken(t *testing.T) {
	eachShared(t, func(t *testing.T, s, other *store.Store) {
		ctx := context.Background()
		alice, bob := newUser(t, s, "alice@example.org"), newUser(t, s, "bob@example.org")
		asAlice, asBob := store.Actor{UserID: alice.ID, Via: "session"}, store.Actor{UserID: bob.ID, Via: "session"}
		until := time.Now().Add(time.Hour)
		aliceToken, aliceInfo, err := s.CreateToken(ctx, asAlice, alice.ID, false, &until)
		if err != nil {
			t.Fatal(err)
		}
		_, aliceRead, err := s.CreateToken(ctx, asAlice, alice.ID, true, nil)
		if err != nil {
			t.Fatal(err)
		}
		bobToken, bobInfo, err := s.CreateToken(ctx, store.System("cli"), bob.ID, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := other.TokenActor(ctx, aliceToken); err != nil {
			t.Fatal(err)
		}

		list, err := s.Tokens(ctx, asAlice, alice.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].ID != aliceInfo.ID || list[1].ID != aliceRead.ID {
			t.Fatalf("alice's tokens: %+v", list)
		}
		if got := list[0]; got.ReadOnly || got.Prefix != aliceInfo.Prefix || got.ExpiresAt == nil || got.LastUsedAt == nil || got.UserID != alice.ID {
			t.Errorf("first token %+v", got)
		}
		if got := list[1]; !got.ReadOnly || got.ExpiresAt != nil || got.LastUsedAt != nil {
			t.Errorf("second token %+v", got)
		}
		if list, err := s.Tokens(ctx, store.System("cli"), bob.ID); err != nil || len(list) != 1 || list[0].ID != bobInfo.ID {
			t.Errorf("admin lists bob's: %+v, %v", list, err)
		}
		for _, tc := range []struct {
			name string
			a    store.Actor
		}{
			{"another user", asBob},
			{"a supervisor", store.Actor{UserID: bob.ID, Role: store.RoleSupervisor}},
		} {
			if _, err := s.Tokens(ctx, tc.a, alice.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s lists alice's: %v, want ErrNotFound", tc.name, err)
			}
		}

		for _, tc := range []struct {
			name string
			a    store.Actor
			id   string
		}{
			{"another user's token", asBob, aliceInfo.ID},
			{"a supervisor", store.Actor{UserID: bob.ID, Role: store.RoleSupervisor}, aliceInfo.ID},
			{"a read-only token of the owner", store.Actor{UserID: alice.ID, ReadOnly: true, Via: "token:" + aliceRead.ID}, aliceInfo.ID},
			{"a read-only admin token", store.Actor{UserID: bob.ID, Role: store.RoleAdmin, ReadOnly: true}, aliceInfo.ID},
			{"an unknown id", asAlice, "NOSUCHTOKEN"},
		} {
			if err := s.RevokeToken(ctx, tc.a, tc.id); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s: %v, want ErrNotFound", tc.name, err)
			}
		}
		if _, err := other.TokenActor(ctx, aliceToken); err != nil {
			t.Fatalf("a refused revocation broke the token: %v", err)
		}

		// The owner revokes on one server; the other refuses it at once.
		if err := s.RevokeToken(ctx, asAlice, aliceInfo.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := other.TokenActor(ctx, aliceToken); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoked token on the other server: %v, want ErrNotFound", err)
		}
		if err := s.RevokeToken(ctx, asAlice, aliceInfo.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoked twice: %v, want ErrNotFound", err)
		}
		if list, _ := s.Tokens(ctx, asAlice, alice.ID); len(list) != 1 || list[0].ID != aliceRead.ID {
			t.Errorf("after revoking: %+v", list)
		}
		// An admin revokes any user's token.
		if err := other.RevokeToken(ctx, store.System("cli"), bobInfo.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TokenActor(ctx, bobToken); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("token revoked by the admin: %v", err)
		}

		revoked := map[string]string{}
		for row, err := range s.AuditRows(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			if row.Action == "revoke" && row.Entity == "api_token" {
				revoked[row.EntityID] = row.Actor
				if !strings.Contains(row.Before, `"prefix"`) || row.After != "" {
					t.Errorf("audit record %+v", row)
				}
			}
		}
		if want := map[string]string{aliceInfo.ID: "user:" + alice.ID + " via session", bobInfo.ID: "cli"}; len(revoked) != 2 ||
			revoked[aliceInfo.ID] != want[aliceInfo.ID] || revoked[bobInfo.ID] != want[bobInfo.ID] {
			t.Errorf("audited revocations %v, want %v", revoked, want)
		}
		mustVerify(t, s)
	})
}
