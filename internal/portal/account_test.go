package portal

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/pflicht/pflicht/internal/auth"
	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

// code returns the TOTP code of secret at the env's clock plus d.
func (e *env) code(secret string, d time.Duration) string {
	e.t.Helper()
	c, err := totp.GenerateCodeCustom(secret, e.clock.now().Add(d), totp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// enrol turns TOTP on for the signed-in client's user and returns the
// secret; the code used is that of the env's current step.
func (c *client) enrol() string {
	t := c.e.t
	t.Helper()
	r := c.get("/account/totp")
	secret := attr(r.one(t, `input[name="secret"]`), "value")
	r = c.submit("/account/totp", "/account/totp", url.Values{"action": {"enable"}, "secret": {secret}, "password": {password}, "code": {c.e.code(secret, 0)}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/account/totp?done=enabled" {
		t.Fatalf("enrol: %d %s\n%s", r.StatusCode, r.Header.Get("Location"), r.body)
	}
	return secret
}

// passwordStep signs in with the password of a TOTP user and expects to
// be asked for the code.
func (c *client) passwordStep(u store.User, next string) {
	t := c.e.t
	t.Helper()
	r := c.submit("/login", "/login", url.Values{"email": {u.Email}, "password": {password}, "next": {next}})
	want := "/login/totp?" + url.Values{"next": {next}}.Encode()
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != want {
		t.Fatalf("password step: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
}

func (c *client) totpStep(code, next string) *response {
	c.e.t.Helper()
	return c.submit("/login/totp?next="+url.QueryEscape(next), "/login/totp", url.Values{"code": {code}, "next": {next}})
}

func TestTOTPEnrolmentPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		c := e.client()
		if r := c.get("/account/totp"); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("signed out: %d, want redirect", r.StatusCode)
		}
		c.login(e.member)
		r := c.get("/account/totp")
		if r.StatusCode != http.StatusOK {
			t.Fatalf("GET: %d", r.StatusCode)
		}
		secret := attr(r.one(t, `form input[type="hidden"][name="secret"]`), "value")
		if got := text(r.one(t, "#totp-secret")); got != secret || len(secret) != 32 {
			t.Errorf("secret shown %q, in the form %q", got, secret)
		}
		uri := text(r.one(t, "#totp-uri"))
		k, err := otp.NewKeyFromURL(uri)
		if err != nil || k.Secret() != secret || k.Issuer() != "pflicht" || k.AccountName() != e.member.Email {
			t.Errorf("URI %q: %v", uri, err)
		}
		img := r.one(t, "img#totp-qr[alt]")
		if src := attr(img, "src"); !strings.HasPrefix(src, "data:image/png;base64,iVBORw0KGgo") {
			t.Errorf("QR src %.40q", src)
		}
		r.one(t, `label[for="code"]`)
		// Each visit offers a new secret until one is confirmed.
		if again := attr(c.get("/account/totp").one(t, `input[name="secret"]`), "value"); again == secret {
			t.Error("the same secret offered twice")
		}
		for _, tc := range []struct {
			name   string
			form   url.Values
			status int
			msg    string
		}{
			{"wrong code", url.Values{"action": {"enable"}, "secret": {secret}, "password": {password}, "code": {"000000"}}, 422, "wrong"},
			{"code of another secret", url.Values{"action": {"enable"}, "secret": {secret}, "password": {password}, "code": {e.code("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", 0)}}, 422, "wrong"},
			{"letters", url.Values{"action": {"enable"}, "secret": {secret}, "password": {password}, "code": {"<b>1</b>"}}, 422, "wrong"},
			{"tampered secret", url.Values{"action": {"enable"}, "secret": {"<script>"}, "code": {"123456"}}, 400, ""},
			{"short secret", url.Values{"action": {"enable"}, "secret": {"JBSWY3DP"}, "code": {"123456"}}, 400, ""},
			{"unknown action", url.Values{"action": {"drop"}, "code": {"123456"}}, 400, ""},
			{"disable while off", url.Values{"action": {"disable"}, "password": {password}, "code": {"123456"}}, 409, ""},
		} {
			r := c.submit("/account/totp", "/account/totp", tc.form)
			if r.StatusCode != tc.status {
				t.Errorf("%s: %d, want %d", tc.name, r.StatusCode, tc.status)
				continue
			}
			if tc.msg == "" {
				continue
			}
			// The form comes back with the same secret, the error summary
			// linked to the field, and the field marked.
			if got := attr(r.one(t, `input[name="secret"]`), "value"); got != secret {
				t.Errorf("%s: secret changed to %q", tc.name, got)
			}
			if !strings.Contains(text(r.one(t, `.error-summary a[href="#code"]`)), tc.msg) {
				t.Errorf("%s: summary %q", tc.name, text(r.one(t, ".error-summary")))
			}
			r.one(t, `input#code[aria-invalid="true"]`)
		}
		// A forged request (no CSRF token) changes nothing.
		if r := c.post("/account/totp", url.Values{"action": {"enable"}, "secret": {secret}, "password": {password}, "code": {e.code(secret, 0)}}); r.StatusCode != http.StatusForbidden {
			t.Errorf("without csrf: %d, want 403", r.StatusCode)
		}
		if u, _ := st.Account(context.Background(), store.Actor{UserID: e.member.ID}); u.TOTPSecret != "" {
			t.Fatal("a refused request stored a secret")
		}
		e.limitsReset()
		secret = c.enrol()
		r = c.get("/account/totp?done=enabled")
		r.one(t, "#flash")
		if r.has(t, "#totp-qr") || r.has(t, `input[name="secret"]`) || strings.Contains(r.body, secret) {
			t.Error("the enabled page shows the secret")
		}
		if !strings.Contains(text(r.one(t, "#totp-status")), "on") {
			t.Errorf("status %q", text(r.one(t, "#totp-status")))
		}
		if r := c.submit("/account/totp", "/account/totp", url.Values{"action": {"enable"}, "secret": {secret}, "password": {password}, "code": {e.code(secret, 0)}}); r.StatusCode != http.StatusConflict {
			t.Errorf("enable twice: %d, want 409", r.StatusCode)
		}
		// The audit trail says enabled, never the secret.
		for row, err := range st.AuditRows(context.Background()) {
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(row.Before+row.After, secret) {
				t.Errorf("audit record %d holds the secret", row.Seq)
			}
		}
		// Disabling needs a fresh code: the enrolment code is used up.
		r = c.submit("/account/totp", "/account/totp", url.Values{"action": {"disable"}, "password": {password}, "code": {e.code(secret, 0)}})
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text(r.one(t, ".error-summary")), "used already") {
			t.Fatalf("disable with the used code: %d", r.StatusCode)
		}
		e.clock.add(30 * time.Second)
		if r := c.submit("/account/totp", "/account/totp", url.Values{"action": {"disable"}, "password": {password}, "code": {e.code(secret, 0)}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("disable: %d\n%s", r.StatusCode, r.body)
		}
		if u, _ := st.Account(context.Background(), store.Actor{UserID: e.member.ID}); u.TOTPSecret != "" {
			t.Error("TOTP still on")
		}
		// Without TOTP the password alone signs in again.
		e.client().login(e.member)
	})
}

// limitsReset forgets failed attempts, so a test can go on after probing
// wrong codes.
func (e *env) limitsReset() {
	e.t.Helper()
	ctx := context.Background()
	if err := e.st.Tx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM login_attempts")
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
}

// TestTOTPEndsOtherSessions: turning TOTP on ends the account's other
// sessions (one may be stolen), keeps the one that turned it on, and
// leaves other accounts alone; so does an admin's enrolment.
func TestTOTPEndsOtherSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		c, stolen, other := e.client(), e.client(), e.client()
		c.login(e.member)
		stolen.login(e.member)
		other.login(e.outsider)
		c.enrol()
		for _, tc := range []struct {
			name string
			c    *client
			want int
		}{{"the enrolling session", c, http.StatusOK}, {"the other session", stolen, http.StatusSeeOther}, {"another account", other, http.StatusOK}} {
			if r := tc.c.get("/"); r.StatusCode != tc.want {
				t.Errorf("%s: %d, want %d", tc.name, r.StatusCode, tc.want)
			}
		}
		revoked := 0
		for row, err := range st.AuditRows(context.Background()) {
			if err != nil {
				t.Fatal(err)
			}
			if row.Action == "revoke" && row.Entity == "session" {
				revoked++
				if !strings.Contains(row.After, e.member.ID) || !strings.Contains(row.After, "totp enabled") || !strings.HasPrefix(row.Actor, "user:"+e.member.ID) {
					t.Errorf("audit record %+v", row)
				}
			}
		}
		if revoked != 1 {
			t.Errorf("%d sessions audited as revoked, want 1", revoked)
		}
		// An admin's enrolment (pflicht user add --totp) ends every session.
		if err := st.SetTOTPSecret(context.Background(), store.System("cli"), e.outsider.ID, auth.NewTOTPSecret(), 0); err != nil {
			t.Fatal(err)
		}
		if r := other.get("/"); r.StatusCode != http.StatusSeeOther {
			t.Errorf("after the admin's enrolment: %d", r.StatusCode)
		}
	})
}

func TestTOTPLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		c := e.client()
		c.login(e.member)
		secret := c.enrol()
		profile := "/orgs/" + e.org.ID + "/profile"

		b := e.client()
		if r := b.get("/login/totp"); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login" {
			t.Errorf("TOTP step without password: %d %q", r.StatusCode, r.Header.Get("Location"))
		}
		b.passwordStep(e.member, profile)
		// The password alone is no session.
		if r := b.get("/"); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("after the password only: %d", r.StatusCode)
		}
		r := b.get("/login/totp?next=" + url.QueryEscape(profile))
		if got := attr(r.one(t, `input[name="next"]`), "value"); got != profile {
			t.Errorf("next = %q", got)
		}
		r.one(t, `label[for="code"]`)
		// The enrolment code is used up: a replay within its window fails.
		r = b.totpStep(e.code(secret, 0), profile)
		if r.StatusCode != http.StatusUnauthorized || !strings.Contains(text(r.one(t, "#login-message")), "used already") {
			t.Fatalf("replayed code: %d\n%s", r.StatusCode, r.body)
		}
		if r := b.totpStep("123", profile); r.StatusCode != http.StatusUnauthorized {
			t.Errorf("short code: %d", r.StatusCode)
		}
		// The next step's code (clock drift) is accepted once.
		code := e.code(secret, 30*time.Second)
		r = b.totpStep(code, profile)
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != profile {
			t.Fatalf("TOTP step: %d %q\n%s", r.StatusCode, r.Header.Get("Location"), r.body)
		}
		if r := b.get(profile); r.StatusCode != http.StatusOK {
			t.Errorf("signed in: %d", r.StatusCode)
		}
		// The ticket is used up, and the code cannot serve a second login.
		if r := b.get("/login/totp"); r.StatusCode != http.StatusSeeOther {
			t.Errorf("used ticket: %d", r.StatusCode)
		}
		d := e.client()
		d.passwordStep(e.member, "/")
		if r := d.totpStep(code, "/"); r.StatusCode != http.StatusUnauthorized {
			t.Errorf("code used for a second login: %d", r.StatusCode)
		}
		// The next code does.
		e.clock.add(time.Minute)
		if r := d.totpStep(e.code(secret, 0), "/"); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/" {
			t.Fatalf("fresh code: %d %q", r.StatusCode, r.Header.Get("Location"))
		}
	})
}

func TestTOTPRateLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		c := e.client()
		c.login(e.member)
		secret := c.enrol()
		b := e.client()
		b.passwordStep(e.member, "/")
		for i := range accountBurst {
			if r := b.totpStep("000000", "/"); r.StatusCode != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d", i+1, r.StatusCode)
			}
		}
		r := b.totpStep(e.code(secret, 30*time.Second), "/")
		if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
			t.Fatalf("limited: %d, Retry-After %q", r.StatusCode, r.Header.Get("Retry-After"))
		}
		if !strings.Contains(text(r.one(t, "#login-message")), "Too many") {
			t.Errorf("message %q", text(r.one(t, "#login-message")))
		}
		// The budget is the account's: the password step is limited too,
		// and wrong codes on the account page count against it.
		if r := b.submit("/login", "/login", url.Values{"email": {e.member.Email}, "password": {password}}); r.StatusCode != http.StatusTooManyRequests {
			t.Errorf("password while limited: %d", r.StatusCode)
		}
		if r := c.submit("/account/totp", "/account/totp", url.Values{"action": {"disable"}, "password": {password}, "code": {e.code(secret, 0)}}); r.StatusCode != http.StatusTooManyRequests {
			t.Errorf("disable while limited: %d", r.StatusCode)
		}
		e.clock.add(accountEvery)
		if r := b.totpStep(e.code(secret, 30*time.Second), "/"); r.StatusCode != http.StatusSeeOther {
			t.Errorf("after waiting: %d", r.StatusCode)
		}
	})
}

// enrolAfterLogin signs u in and enrols TOTP.
func (c *client) enrolAfterLogin(u store.User) string {
	c.e.t.Helper()
	c.login(u)
	return c.enrol()
}
