package portal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

func TestSecurityHeaders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		c := e.client()
		for _, path := range []string{"/login", "/nope", "/static/style.css", "/healthz", "/lang/de?next=/login", "/metrics"} {
			r := c.get(path)
			for h, want := range map[string]string{
				"Content-Security-Policy": contentSecurityPolicy,
				"X-Content-Type-Options":  "nosniff",
				"Referrer-Policy":         "same-origin",
				"X-Frame-Options":         "DENY",
			} {
				if got := r.Header.Get(h); got != want {
					t.Errorf("GET %s: %s = %q, want %q", path, h, got, want)
				}
			}
			if r.Header.Get("Permissions-Policy") == "" {
				t.Errorf("GET %s: no Permissions-Policy", path)
			}
			// Tests run with SecureCookies off, as on a loopback address.
			if r.Header.Get("Strict-Transport-Security") != "" {
				t.Errorf("GET %s: HSTS without secure cookies", path)
			}
		}
		// No inline script or style anywhere in a page.
		r := c.get("/login")
		for _, n := range findAll(t, r.doc, "script, style, [style]") {
			if n.Data == "script" && attr(n, "src") != "" {
				continue
			}
			t.Errorf("inline %s in /login", n.Data)
		}
	})
}

func TestSecureCookiesAndHSTS(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		srv, err := New(Config{Store: st, SecureCookies: true, Now: e.clock.now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/login", nil))
		if got := w.Header().Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
			t.Errorf("HSTS = %q", got)
		}
		for _, c := range w.Result().Cookies() {
			if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				t.Errorf("cookie %s: Secure %v HttpOnly %v SameSite %v", c.Name, c.Secure, c.HttpOnly, c.SameSite)
			}
		}
	})
}

// TestCSRF: a state-changing request without the synchronizer token, with
// a wrong one, or from another origin is refused with a readable 403 page,
// and nothing is stored.
func TestCSRF(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		c := e.client()
		c.login(e.member)
		profile := "/orgs/" + e.org.ID + "/profile"
		form := profileForm(testProfile())
		form.Set(fName, "Forged GmbH")
		for _, tc := range []struct {
			name   string
			token  string
			header map[string]string
		}{
			{name: "missing"},
			{name: "wrong", token: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
			{name: "pre-session token", token: "from-login-page"},
			{name: "cross-site", token: "valid", header: map[string]string{"Sec-Fetch-Site": "cross-site"}},
			{name: "foreign origin", token: "valid", header: map[string]string{"Origin": "https://evil.example"}},
		} {
			f := url.Values{}
			for k, v := range form {
				f[k] = v
			}
			switch tc.token {
			case "valid":
				f.Set(csrfField, c.csrf(profile))
			case "from-login-page":
				f.Set(csrfField, e.client().csrf("/login"))
			case "":
			default:
				f.Set(csrfField, tc.token)
			}
			req, _ := http.NewRequest(http.MethodPost, e.http.URL+profile, strings.NewReader(f.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Accept-Language", "en")
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			r := c.do(req)
			if r.StatusCode != http.StatusForbidden {
				t.Errorf("%s: status %d, want 403", tc.name, r.StatusCode)
				continue
			}
			if msg := text(r.one(t, "#error-message")); !strings.Contains(msg, "form") {
				t.Errorf("%s: message %q", tc.name, msg)
			}
		}
		vs, err := st.Profiles(context.Background(), store.System("test"), e.org.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != 1 || vs[0].Profile.Name != testProfile().Name {
			t.Errorf("a forged request changed the profile: %d versions, name %q", len(vs), vs[0].Profile.Name)
		}
		// The login form is protected too (login CSRF).
		if r := e.client().post("/login", url.Values{"email": {e.member.Email}, "password": {password}}); r.StatusCode != http.StatusForbidden {
			t.Errorf("login without token: %d, want 403", r.StatusCode)
		}
	})
}

func TestBodyLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		c := e.client()
		c.login(e.member)
		big := strings.Repeat("x", 100<<10) // MaxBodyBytes is 64 KiB in tests
		r := c.submit("/orgs/"+e.org.ID+"/incidents/new", "/orgs/"+e.org.ID+"/incidents", url.Values{"title": {big}, "aware_at": {anHourAgo}})
		if r.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413", r.StatusCode)
		}
		if !strings.Contains(text(r.one(t, "#error-message")), "too large") {
			t.Errorf("no readable message:\n%s", r.body)
		}
		// Chunked, without Content-Length: the limit still holds.
		req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/orgs/"+e.org.ID+"/incidents", io.MultiReader(strings.NewReader("title="), strings.NewReader(big)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.ContentLength = -1
		if r := c.do(req); r.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("chunked: status %d, want 413", r.StatusCode)
		}
		incs, err := st.Incidents(context.Background(), store.System("test"), e.org.ID)
		if err != nil || len(incs) != 0 {
			t.Errorf("incidents after refused bodies: %d, %v", len(incs), err)
		}
	})
}

func TestSessionExpiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		c := e.client()
		c.login(e.member)
		if r := c.get("/"); r.StatusCode != http.StatusOK {
			t.Fatalf("dashboard: %d", r.StatusCode)
		}
		e.clock.add(29 * time.Minute) // within the 30-minute idle timeout
		if r := c.get("/"); r.StatusCode != http.StatusOK {
			t.Fatalf("after 29 min: %d", r.StatusCode)
		}
		e.clock.add(31 * time.Minute) // idle too long
		r := c.get("/orgs/" + e.org.ID + "/profile")
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login?next=%2Forgs%2F"+e.org.ID+"%2Fprofile" {
			t.Fatalf("idle session: %d %q, want redirect to login", r.StatusCode, r.Header.Get("Location"))
		}
		// The ended session does not come back.
		e.clock.add(-time.Hour)
		if r := c.get("/"); r.StatusCode != http.StatusSeeOther {
			t.Errorf("ended session is alive again: %d", r.StatusCode)
		}
	})
}

// TestSessionsAcrossAppServers: two portals on one store behave as one.
func TestSessionsAcrossAppServers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		other, err := New(Config{Store: st, Now: e.clock.now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		b := httptest.NewServer(other)
		t.Cleanup(b.Close)
		// A client whose requests alternate between the two servers.
		c := e.client()
		site := must(url.Parse(e.http.URL))
		onB := func(path string, cookies []*http.Cookie) int {
			t.Helper()
			req, _ := http.NewRequest(http.MethodGet, b.URL+path, nil)
			for _, ck := range cookies {
				req.AddCookie(ck)
			}
			res, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode
		}
		c.login(e.member)
		cookies := c.c.Jar.Cookies(site)
		if got := onB("/", cookies); got != http.StatusOK {
			t.Fatalf("session on the other server: %d", got)
		}
		e.clock.add(20 * time.Minute)
		if got := onB("/", cookies); got != http.StatusOK { // used on b …
			t.Fatalf("after 20 min on b: %d", got)
		}
		e.clock.add(20 * time.Minute)
		if r := c.get("/"); r.StatusCode != http.StatusOK { // … so a knows it is not idle
			t.Fatalf("after 40 min on a: %d", r.StatusCode)
		}
		e.clock.add(31 * time.Minute)
		if got := onB("/", cookies); got != http.StatusSeeOther {
			t.Errorf("idle, on b: %d", got)
		}
		if r := c.get("/"); r.StatusCode != http.StatusSeeOther {
			t.Errorf("idle on b, then on a: %d", r.StatusCode)
		}
		// Logout on a ends the session on b.
		c = e.client()
		c.login(e.member)
		cookies = c.c.Jar.Cookies(site)
		if got := onB("/", cookies); got != http.StatusOK {
			t.Fatalf("new session on b: %d", got)
		}
		if r := c.submit("/", "/logout", url.Values{}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout: %d", r.StatusCode)
		}
		if got := onB("/", cookies); got != http.StatusSeeOther {
			t.Errorf("after logout on a, b: %d", got)
		}
		// A TOTP login may give the password to one server and the code to
		// the other: the ticket is in the database.
		secret := c.enrolAfterLogin(e.member)
		d := e.client()
		d.passwordStep(e.member, "/")
		e.clock.add(30 * time.Second)
		form := url.Values{"code": {e.code(secret, 0)}, "next": {"/"}, csrfField: {d.csrf("/login/totp")}}
		req, _ := http.NewRequest(http.MethodPost, b.URL+"/login/totp", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for _, ck := range d.c.Jar.Cookies(must(url.Parse(e.http.URL + "/login/totp"))) {
			req.AddCookie(ck)
		}
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
			t.Errorf("TOTP step on the other server: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
	})
}

func TestAbsoluteSessionExpiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		// The store enforces the absolute expiry with its own clock.
		srv, err := New(Config{Store: st, SessionMax: time.Second, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		e.http.Config.Handler = srv
		c := e.client()
		c.login(e.member)
		time.Sleep(1100 * time.Millisecond)
		if r := c.get("/"); r.StatusCode != http.StatusSeeOther {
			t.Errorf("after the absolute expiry: %d, want redirect", r.StatusCode)
		}
	})
}

func TestLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		for _, tc := range []struct {
			name, email, password string
			want                  int
		}{
			{"ok", e.member.Email, password, http.StatusSeeOther},
			{"upper-case e-mail", strings.ToUpper(e.member.Email), password, http.StatusSeeOther},
			{"wrong password", e.member.Email, "wrong", http.StatusUnauthorized},
			{"unknown user", "nobody@example.de", password, http.StatusUnauthorized},
			{"empty", "", "", http.StatusUnauthorized},
		} {
			c := e.client()
			r := c.submit("/login", "/login", url.Values{"email": {tc.email}, "password": {tc.password}})
			if r.StatusCode != tc.want {
				t.Errorf("%s: %d, want %d", tc.name, r.StatusCode, tc.want)
				continue
			}
			if tc.want == http.StatusUnauthorized {
				// Same message whether the account exists or not.
				if got := text(r.one(t, "#login-message")); got != "E-mail address or password is wrong." {
					t.Errorf("%s: message %q", tc.name, got)
				}
			}
		}
		// next leads back, but only within the site.
		for next, want := range map[string]string{"/orgs/x/profile": "/orgs/x/profile", "//evil.example/": "/", "https://evil.example/": "/"} {
			r := e.client().submit("/login?next="+url.QueryEscape(next), "/login", url.Values{"email": {e.member.Email}, "password": {password}, "next": {next}})
			if got := r.Header.Get("Location"); got != want {
				t.Errorf("next=%s: Location %q, want %q", next, got, want)
			}
		}
		// Logout ends the session in the store.
		c := e.client()
		c.login(e.member)
		if r := c.submit("/", "/logout", url.Values{}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout: %d", r.StatusCode)
		}
		if r := c.get("/"); r.StatusCode != http.StatusSeeOther {
			t.Errorf("after logout: %d", r.StatusCode)
		}
	})
}

func TestLoginRateLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		c := e.client()
		for i := range accountBurst {
			if r := c.submit("/login", "/login", url.Values{"email": {e.member.Email}, "password": {"wrong"}}); r.StatusCode != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d", i+1, r.StatusCode)
			}
		}
		// Even the right password is refused while limited, with a clear message.
		r := c.submit("/login", "/login", url.Values{"email": {e.member.Email}, "password": {password}})
		if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
			t.Fatalf("limited: %d, Retry-After %q", r.StatusCode, r.Header.Get("Retry-After"))
		}
		if got := text(r.one(t, "#login-message")); !strings.Contains(got, "Too many") {
			t.Errorf("message %q", got)
		}
		e.clock.add(accountEvery)
		if r := c.submit("/login", "/login", url.Values{"email": {e.member.Email}, "password": {password}}); r.StatusCode != http.StatusSeeOther {
			t.Errorf("after waiting: %d", r.StatusCode)
		}
	})
}

// TestLoginLimitsAcrossAppServers: the budgets are in the store, so two
// portals on one database share them: guesses at one account from many
// addresses and servers are limited by the account's budget, guesses from
// one address by the address's.
func TestLoginLimitsAcrossAppServers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		b, err := New(Config{Store: st, Now: e.clock.now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		// Every login goes to the other server than the one before and
		// comes from the address the test sets: a and b behind a balancer
		// without stickiness.
		servers := []http.Handler{e.srv, b}
		var n atomic.Int64
		var from atomic.Value
		e.http.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.RemoteAddr = from.Load().(string) + ":40000"
			if r.Method == http.MethodGet { // the form, for its CSRF token
				e.srv.ServeHTTP(w, r)
				return
			}
			servers[n.Add(1)%2].ServeHTTP(w, r)
		})
		try := func(ip, email, pw string) *response {
			t.Helper()
			from.Store(ip)
			return e.client().submit("/login", "/login", url.Values{"email": {email}, "password": {pw}})
		}
		for i := range accountBurst {
			if r := try(fmt.Sprintf("192.0.2.%d", i), e.member.Email, "wrong"); r.StatusCode != http.StatusUnauthorized {
				t.Fatalf("guess %d: %d", i+1, r.StatusCode)
			}
		}
		for range 2 { // on both servers
			r := try("198.51.100.1", e.member.Email, password)
			if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "20" {
				t.Fatalf("account budget spent: %d, Retry-After %q; want 429 after 20 s", r.StatusCode, r.Header.Get("Retry-After"))
			}
		}
		for i := range addressBurst {
			if r := try("203.0.113.9", fmt.Sprintf("u%d@example.de", i), "wrong"); r.StatusCode != http.StatusUnauthorized {
				t.Fatalf("address guess %d: %d", i+1, r.StatusCode)
			}
		}
		if r := try("203.0.113.9", e.outsider.Email, password); r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "5" {
			t.Errorf("address budget spent: %d, Retry-After %q; want 429 after 5 s", r.StatusCode, r.Header.Get("Retry-After"))
		}
		if r := try("198.51.100.2", e.outsider.Email, password); r.StatusCode != http.StatusSeeOther {
			t.Errorf("uninvolved address and account: %d", r.StatusCode)
		}
		e.clock.add(accountEvery)
		if r := try("198.51.100.1", e.member.Email, password); r.StatusCode != http.StatusSeeOther {
			t.Errorf("after waiting: %d", r.StatusCode)
		}
	})
}

// TestLoginLimitsConcurrent: guesses sent all at once do not all pass the
// budget check before the first is charged; the overrun is bounded by the
// attempt slots.
func TestLoginLimitsConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		c := e.client()
		form := url.Values{"email": {e.member.Email}, "password": {"wrong"}, csrfField: {c.csrf("/login")}}.Encode()
		cookies := c.c.Jar.Cookies(must(url.Parse(e.http.URL)))
		const n = 30
		codes := make(chan int, n)
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/login", strings.NewReader(form))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				for _, ck := range cookies {
					req.AddCookie(ck)
				}
				res, err := http.DefaultTransport.RoundTrip(req)
				if err != nil {
					t.Error(err)
					return
				}
				res.Body.Close()
				codes <- res.StatusCode
			})
		}
		wg.Wait()
		close(codes)
		count := map[int]int{}
		for code := range codes {
			count[code]++
		}
		if tried := count[http.StatusUnauthorized]; tried < accountBurst || tried > accountBurst+cap(attemptSlots)-1 || count[http.StatusTooManyRequests] != n-tried {
			t.Errorf("%v: want %d to %d guesses tried, the rest limited", count, accountBurst, accountBurst+cap(attemptSlots)-1)
		}
	})
}

func TestPanicIsA500Page(t *testing.T) {
	var logs strings.Builder
	s := &Server{log: slog.New(slog.NewTextHandler(&logs, nil))}
	v, err := loadViews()
	if err != nil {
		t.Fatal(err)
	}
	s.view = v
	h := s.securityHeaders(s.recoverPanic(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(errors.New("boom")) })))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/x", nil))
	if w.Code != http.StatusInternalServerError || !strings.Contains(w.Body.String(), "error-message") {
		t.Errorf("status %d, body %q", w.Code, w.Body.String())
	}
	if !strings.Contains(logs.String(), "boom") || !strings.Contains(logs.String(), "stack=") {
		t.Errorf("panic not logged with stack: %s", logs.String())
	}
	if w.Header().Get("Content-Security-Policy") == "" {
		t.Error("500 page without security headers")
	}
}
