package portal

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

// totpOn reports whether u has TOTP on in the store.
func (e *env) totpOn(u store.User) bool {
	e.t.Helper()
	got, err := e.st.Account(context.Background(), store.Actor{UserID: u.ID})
	if err != nil {
		e.t.Fatal(err)
	}
	return got.TOTPSecret != ""
}

// TestTOTPChangeNeedsPassword: turning TOTP on or off needs the account's
// password besides the code, so a stolen session can neither enrol its own
// authenticator nor remove the owner's. A wrong password does not use up
// the code.
func TestTOTPChangeNeedsPassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		c := e.client()
		c.login(e.member)
		r := c.get("/account/totp")
		r.one(t, `label[for="password"]`)
		r.one(t, `input#password[type="password"][name="password"][autocomplete="current-password"][aria-describedby="password-hint"]`)
		secret := attr(r.one(t, `input[name="secret"]`), "value")
		code := e.code(secret, 0)
		for _, tc := range []struct {
			name, password string
			status         int
			msg            string
		}{
			{"no password", "", http.StatusUnprocessableEntity, "Enter your password"},
			{"wrong password", "wrong horse battery staple", http.StatusUnprocessableEntity, "password is wrong"},
			{"markup as password", "<script>alert(1)</script>", http.StatusUnprocessableEntity, "password is wrong"},
		} {
			r := c.submit("/account/totp", "/account/totp", url.Values{"action": {"enable"}, "secret": {secret}, "password": {tc.password}, "code": {code}})
			if r.StatusCode != tc.status {
				t.Fatalf("%s: %d, want %d", tc.name, r.StatusCode, tc.status)
			}
			if !strings.Contains(text(r.one(t, `.error-summary a[href="#password"]`)), tc.msg) {
				t.Errorf("%s: summary %q", tc.name, text(r.one(t, ".error-summary")))
			}
			r.one(t, `input#password[aria-invalid="true"][aria-describedby="password-hint password-error"]`)
			if r.has(t, `input#code[aria-invalid]`) {
				t.Errorf("%s: the code is marked", tc.name)
			}
			// The password is never sent back; the secret is, to retry.
			if v := attr(r.one(t, "input#password"), "value"); v != "" || strings.Contains(r.body, "alert(1)") {
				t.Errorf("%s: the password is echoed", tc.name)
			}
			if got := attr(r.one(t, `input[name="secret"]`), "value"); got != secret {
				t.Errorf("%s: secret changed", tc.name)
			}
			if e.totpOn(e.member) {
				t.Fatalf("%s: TOTP turned on", tc.name)
			}
		}
		// The right password with the same code: the refused tries did not
		// use the code up.
		r = c.submit("/account/totp", "/account/totp", url.Values{"action": {"enable"}, "secret": {secret}, "password": {password}, "code": {code}})
		if r.StatusCode != http.StatusSeeOther || !e.totpOn(e.member) {
			t.Fatalf("right password: %d\n%s", r.StatusCode, r.body)
		}

		// Off again: the same rule.
		e.clock.add(30 * time.Second)
		code = e.code(secret, 0)
		for _, pw := range []string{"", "wrong horse battery staple"} {
			r := c.submit("/account/totp", "/account/totp", url.Values{"action": {"disable"}, "password": {pw}, "code": {code}})
			if r.StatusCode != http.StatusUnprocessableEntity || !r.has(t, `.error-summary a[href="#password"]`) || !e.totpOn(e.member) {
				t.Errorf("disable with password %q: %d", pw, r.StatusCode)
			}
		}
		// A right password with a wrong code names the code.
		r = c.submit("/account/totp", "/account/totp", url.Values{"action": {"disable"}, "password": {password}, "code": {"000000"}})
		if r.StatusCode != http.StatusUnprocessableEntity || !r.has(t, `.error-summary a[href="#code"]`) || r.has(t, `input#password[aria-invalid]`) {
			t.Errorf("wrong code: %d", r.StatusCode)
		}
		e.limitsReset()
		r = c.submit("/account/totp", "/account/totp", url.Values{"action": {"disable"}, "password": {password}, "code": {code}})
		if r.StatusCode != http.StatusSeeOther || e.totpOn(e.member) {
			t.Fatalf("disable: %d\n%s", r.StatusCode, r.body)
		}
	})
}

// TestTOTPChangePasswordBudget: passwords on the account page draw on the
// login budget of the account, both ways: wrong ones there limit the
// login, and failed logins limit the page, the right password included.
func TestTOTPChangePasswordBudget(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		c, b := e.client(), e.client()
		c.login(e.member)
		secret := attr(c.get("/account/totp").one(t, `input[name="secret"]`), "value")
		enable := func(pw string) *response {
			return c.submit("/account/totp", "/account/totp", url.Values{"action": {"enable"}, "secret": {secret}, "password": {pw}, "code": {e.code(secret, 0)}})
		}
		for i := range accountBurst {
			if r := enable("wrong horse battery staple"); r.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("attempt %d: %d", i+1, r.StatusCode)
			}
		}
		r := enable(password)
		if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
			t.Fatalf("right password while limited: %d, Retry-After %q", r.StatusCode, r.Header.Get("Retry-After"))
		}
		if !strings.Contains(text(r.one(t, `.error-summary a[href="#password"]`)), "Too many") {
			t.Errorf("summary %q", text(r.one(t, ".error-summary")))
		}
		if r := b.submit("/login", "/login", url.Values{"email": {e.member.Email}, "password": {password}}); r.StatusCode != http.StatusTooManyRequests {
			t.Errorf("login after wrong passwords on the account page: %d, want 429", r.StatusCode)
		}

		e.limitsReset()
		for i := range accountBurst {
			if r := b.submit("/login", "/login", url.Values{"email": {e.member.Email}, "password": {"wrong"}}); r.StatusCode != http.StatusUnauthorized {
				t.Fatalf("login %d: %d", i+1, r.StatusCode)
			}
		}
		if r := enable(password); r.StatusCode != http.StatusTooManyRequests || e.totpOn(e.member) {
			t.Errorf("account page after failed logins: %d, want 429", r.StatusCode)
		}
		e.clock.add(accountEvery)
		if r := enable(password); r.StatusCode != http.StatusSeeOther {
			t.Errorf("after waiting: %d", r.StatusCode)
		}
	})
}

// TestAccountTokens: the account page lists the user's own API tokens and
// revokes them (POST with CSRF); another user's token is not found. Tokens
// outlive turning TOTP on: they are separate credentials.
func TestAccountTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st)
		sys := store.System("test")
		mine, info, err := st.CreateToken(ctx, sys, e.member.ID, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		past := t0.Add(-time.Hour)
		_, old, err := st.CreateToken(ctx, sys, e.member.ID, true, &past)
		if err != nil {
			t.Fatal(err)
		}
		theirs, foreign, err := st.CreateToken(ctx, sys, e.outsider.ID, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		c := e.client()
		c.login(e.member)
		c.enrol()
		if _, err := st.TokenActor(ctx, mine); err != nil {
			t.Fatalf("token after turning TOTP on: %v", err)
		}

		r := c.get("/account/totp")
		rows := findAll(t, r.doc, "#tokens tbody tr")
		if len(rows) != 2 || attr(rows[0], "id") != "token-"+info.ID || attr(rows[1], "id") != "token-"+old.ID {
			t.Fatalf("%d token rows", len(rows))
		}
		if got := text(r.one(t, "#token-"+info.ID+" code")); got != info.Prefix+"…" {
			t.Errorf("prefix shown %q", got)
		}
		if row := text(r.one(t, "#token-"+old.ID)); !strings.Contains(row, "expired") || !strings.Contains(row, "read only") {
			t.Errorf("expired read-only row %q", row)
		}
		if strings.Contains(r.body, foreign.Prefix) || strings.Contains(r.body, mine) {
			t.Error("the page shows another user's token or a token itself")
		}
		button := r.one(t, `#token-`+info.ID+` form[method="post"][action="/account/tokens/`+info.ID+`/revoke"] button[type="submit"]`)
		if !strings.Contains(text(button), info.Prefix) {
			t.Errorf("button %q does not name the token", text(button))
		}

		revoke := func(id string) *response {
			return c.submit("/account/totp", "/account/tokens/"+id+"/revoke", url.Values{})
		}
		for _, tc := range []struct{ name, id string }{
			{"another user's token", foreign.ID}, {"an unknown id", "<script>"},
		} {
			if r := revoke(tc.id); r.StatusCode != http.StatusNotFound || strings.Contains(r.body, "<script>") {
				t.Errorf("%s: %d, want 404", tc.name, r.StatusCode)
			}
		}
		if _, err := st.TokenActor(ctx, theirs); err != nil {
			t.Errorf("another user's token after the refused revocation: %v", err)
		}
		if r := c.post("/account/tokens/"+info.ID+"/revoke", url.Values{}); r.StatusCode != http.StatusForbidden {
			t.Errorf("without csrf: %d, want 403", r.StatusCode)
		}
		if r := e.client().post("/account/tokens/"+info.ID+"/revoke", url.Values{}); r.StatusCode == http.StatusSeeOther {
			t.Errorf("signed out: %d", r.StatusCode)
		}
		if _, err := st.TokenActor(ctx, mine); err != nil {
			t.Fatalf("token after refused revocations: %v", err)
		}

		r = revoke(info.ID)
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/account/totp?done=token_revoked#tokens" {
			t.Fatalf("revoke: %d %q", r.StatusCode, r.Header.Get("Location"))
		}
		if _, err := st.TokenActor(ctx, mine); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoked token: %v, want ErrNotFound", err)
		}
		r = c.get("/account/totp?done=token_revoked")
		if !strings.Contains(text(r.one(t, "#flash")), "revoked") || r.has(t, "#token-"+info.ID) {
			t.Error("after revoking: no confirmation, or the token is still listed")
		}
		if r := revoke(old.ID); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("revoke the expired token: %d", r.StatusCode)
		}
		c.get("/account/totp").one(t, "#no-tokens")
	})
}
