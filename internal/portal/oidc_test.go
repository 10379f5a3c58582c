package portal

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

// fakeIssuer is an OpenID provider in the test process: discovery, JWKS,
// and a token endpoint that checks client, redirect URI and PKCE and
// returns an ID token with the claims the test asks for.
type fakeIssuer struct {
	t     *testing.T
	srv   *httptest.Server
	key   *rsa.PrivateKey
	now   func() time.Time
	mu    sync.Mutex
	codes map[string]authRequest
}

type authRequest struct {
	challenge, redirect string
	claims              map[string]any
	key                 *rsa.PrivateKey // signs the ID token
}

const (
	testClientID     = "pflicht-test"
	testClientSecret = "s3cret"
)

func newFakeIssuer(t *testing.T, now func() time.Time) *fakeIssuer {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeIssuer{t: t, key: key, now: now, codes: map[string]authRequest{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		u := f.srv.URL
		writeJSONTest(w, map[string]any{
			"issuer": u, "authorization_endpoint": u + "/authorize", "token_endpoint": u + "/token", "jwks_uri": u + "/jwks",
			"response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		b64 := base64.RawURLEncoding.EncodeToString
		writeJSONTest(w, map[string]any{"keys": []map[string]string{{
			"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
			"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes()),
		}}})
	})
	mux.HandleFunc("POST /token", f.token)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func writeJSONTest(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func (f *fakeIssuer) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	}
	f.mu.Lock()
	req, found := f.codes[r.PostFormValue("code")]
	delete(f.codes, r.PostFormValue("code"))
	f.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
	switch {
	case id != testClientID || secret != testClientSecret:
		w.WriteHeader(http.StatusUnauthorized)
		writeJSONTest(w, map[string]string{"error": "invalid_client"})
		return
	case !found || r.PostFormValue("grant_type") != "authorization_code" || r.PostFormValue("redirect_uri") != req.redirect,
		base64.RawURLEncoding.EncodeToString(sum[:]) != req.challenge:
		w.WriteHeader(http.StatusBadRequest)
		writeJSONTest(w, map[string]string{"error": "invalid_grant"})
		return
	}
	writeJSONTest(w, map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 3600, "id_token": f.sign(req.key, req.claims)})
}

// sign makes a compact RS256 JWT.
func (f *fakeIssuer) sign(key *rsa.PrivateKey, claims map[string]any) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	input := enc(map[string]string{"alg": "RS256", "kid": "k1", "typ": "JWT"}) + "." + enc(claims)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		f.t.Fatal(err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// authorize plays the provider's login page: it checks the authorization
// request and returns the code the browser brings back, for an ID token
// with claims signed by key.
func (f *fakeIssuer) authorize(t *testing.T, q url.Values, claims map[string]any, key *rsa.PrivateKey) string {
	t.Helper()
	if q.Get("client_id") != testClientID || q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" ||
		q.Get("code_challenge") == "" || q.Get("state") == "" || q.Get("nonce") == "" || !strings.Contains(q.Get("scope"), "openid") {
		t.Fatalf("authorization request %v", q)
	}
	code := newToken()
	f.mu.Lock()
	f.codes[code] = authRequest{challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri"), claims: claims, key: key}
	f.mu.Unlock()
	return code
}

// claims are an ID token's claims for email at the issuer, for the nonce
// of the authorization request.
func (f *fakeIssuer) claims(q url.Values, email string) map[string]any {
	now := f.now()
	return map[string]any{
		"iss": f.srv.URL, "sub": "sub-" + email, "aud": testClientID, "nonce": q.Get("nonce"),
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "email": email, "email_verified": true,
	}
}

func TestOIDCLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		if e.client().get("/login").has(t, "form#sso") {
			t.Error("sign-on offered without a provider")
		}
		idp := newFakeIssuer(t, e.clock.now)
		o, err := NewOIDC(context.Background(), OIDCConfig{Issuer: idp.srv.URL, ClientID: testClientID, ClientSecret: testClientSecret})
		if err != nil {
			t.Fatal(err)
		}
		e.srv, err = New(Config{Store: st, Now: e.clock.now, OIDC: o, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		e.http.Config.Handler = e.srv
		// The TOTP user.
		tc := e.client()
		tc.login(e.admin)
		tc.enrol()

		otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name  string
			email string
			edit  func(q url.Values, claims map[string]any) // changes the claims or the callback query
			// forged: the ID token is signed with a key the provider does not publish
			forged bool
			// want: the status and where it leads, or the message shown
			status   int
			location string
			msg      string
		}{
			{name: "ok", email: e.member.Email, status: 303, location: "/orgs/x"},
			{name: "e-mail in other case, verified as a string", email: strings.ToUpper(e.outsider.Email), status: 303, location: "/orgs/x",
				edit: func(_ url.Values, c map[string]any) { c["email_verified"] = "true" }},
			{name: "TOTP account asks for the code", email: e.admin.Email, status: 303, location: "/login/totp?next=%2Forgs%2Fx"},
			{name: "wrong nonce", email: e.member.Email, status: 401, msg: "could not be verified",
				edit: func(_ url.Values, c map[string]any) { c["nonce"] = "replayed" }},
			{name: "wrong audience", email: e.member.Email, status: 401, msg: "could not be verified",
				edit: func(_ url.Values, c map[string]any) { c["aud"] = "another-client" }},
			{name: "wrong issuer", email: e.member.Email, status: 401, msg: "could not be verified",
				edit: func(_ url.Values, c map[string]any) { c["iss"] = "https://evil.example" }},
			{name: "expired", email: e.member.Email, status: 401, msg: "could not be verified",
				edit: func(_ url.Values, c map[string]any) { c["exp"] = e.clock.now().Add(-time.Minute).Unix() }},
			{name: "signed with another key", email: e.member.Email, status: 401, msg: "could not be verified", forged: true},
			{name: "unverified e-mail", email: e.member.Email, status: 403, msg: "did not confirm an e-mail",
				edit: func(_ url.Values, c map[string]any) { c["email_verified"] = false }},
			{name: "no e-mail", email: "", status: 403, msg: "did not confirm an e-mail"},
			{name: "unknown user", email: "nobody@example.de", status: 403, msg: "no account"},
			{name: "wrong state", email: e.member.Email, status: 400, msg: "start again",
				edit: func(q url.Values, _ map[string]any) { q.Set("state", "forged") }},
			{name: "provider refused", email: e.member.Email, status: 401, msg: "did not confirm the sign-in",
				edit: func(q url.Values, _ map[string]any) { q.Del("code"); q.Set("error", "access_denied") }},
			{name: "code not redeemable", email: e.member.Email, status: 502, msg: "could not be verified",
				edit: func(q url.Values, _ map[string]any) { q.Set("code", "made-up") }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := e.client()
				r := c.submit("/login", "/login/oidc", url.Values{"next": {"/orgs/x"}})
				loc, err := url.Parse(r.Header.Get("Location"))
				if r.StatusCode != http.StatusSeeOther || err != nil || !strings.HasPrefix(loc.String(), idp.srv.URL+"/authorize?") {
					t.Fatalf("start: %d %q", r.StatusCode, r.Header.Get("Location"))
				}
				q := loc.Query()
				if q.Get("redirect_uri") != e.http.URL+"/login/oidc/callback" {
					t.Errorf("redirect_uri %q", q.Get("redirect_uri"))
				}
				claims := idp.claims(q, tc.email)
				key := idp.key
				if tc.forged {
					key = otherKey
				}
				back := url.Values{"state": {q.Get("state")}, "code": {idp.authorize(t, q, claims, key)}}
				if tc.edit != nil {
					tc.edit(back, claims)
				}
				r = c.get("/login/oidc/callback?" + back.Encode())
				if r.StatusCode != tc.status {
					t.Fatalf("callback: %d, want %d\n%s", r.StatusCode, tc.status, r.body)
				}
				if tc.location != "" {
					if got := r.Header.Get("Location"); got != tc.location {
						t.Errorf("Location %q, want %q", got, tc.location)
					}
				}
				if tc.msg != "" {
					if got := text(r.one(t, "#login-message")); !strings.Contains(got, tc.msg) {
						t.Errorf("message %q, want it to contain %q", got, tc.msg)
					}
					if c.get("/").StatusCode != http.StatusSeeOther {
						t.Error("a refused sign-in left a session")
					}
				}
				// The flow's cookie is spent either way: the answer cannot be
				// brought back a second time.
				if r := c.get("/login/oidc/callback?" + back.Encode()); r.StatusCode != http.StatusBadRequest {
					t.Errorf("second callback: %d, want 400", r.StatusCode)
				}
			})
		}
		// Without the flow's cookie (another browser) the answer is refused.
		if r := e.client().get("/login/oidc/callback?state=x&code=y"); r.StatusCode != http.StatusBadRequest {
			t.Errorf("callback without a flow: %d", r.StatusCode)
		}
		// Starting needs the CSRF token.
		if r := e.client().post("/login/oidc", url.Values{}); r.StatusCode != http.StatusForbidden {
			t.Errorf("start without csrf: %d", r.StatusCode)
		}
		e.client().get("/login").one(t, "form#sso button")
	})
}

// TestOIDCRedirectURL: a configured redirect URL is sent to the provider
// whatever Host the request names, and the flow completes with it.
func TestOIDCRedirectURL(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		idp := newFakeIssuer(t, e.clock.now)
		redirect := e.http.URL + "/login/oidc/callback"
		o, err := NewOIDC(context.Background(), OIDCConfig{Issuer: idp.srv.URL, ClientID: testClientID, ClientSecret: testClientSecret, RedirectURL: redirect})
		if err != nil {
			t.Fatal(err)
		}
		e.srv, err = New(Config{Store: st, Now: e.clock.now, OIDC: o, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		// The request names another host: not where the code may go.
		e.http.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Host = "attacker.example"
			e.srv.ServeHTTP(w, r)
		})
		c := e.client()
		r := c.submit("/login", "/login/oidc", url.Values{})
		loc, err := url.Parse(r.Header.Get("Location"))
		if r.StatusCode != http.StatusSeeOther || err != nil {
			t.Fatalf("start: %d %q\n%s", r.StatusCode, r.Header.Get("Location"), r.body)
		}
		q := loc.Query()
		if got := q.Get("redirect_uri"); got != redirect {
			t.Fatalf("redirect_uri %q, want %q", got, redirect)
		}
		back := url.Values{"state": {q.Get("state")}, "code": {idp.authorize(t, q, idp.claims(q, e.member.Email), idp.key)}}
		if r := c.get("/login/oidc/callback?" + back.Encode()); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/" {
			t.Fatalf("callback: %d %q\n%s", r.StatusCode, r.Header.Get("Location"), r.body)
		}
		if r := c.get("/"); r.StatusCode != http.StatusOK {
			t.Errorf("signed in: %d", r.StatusCode)
		}
	})
}

func TestCheckRedirectURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://pflicht.example.org/login/oidc/callback":      "",
		"https://pflicht.example.org:8443/login/oidc/callback": "",
		"https://example.org/pflicht/login/oidc/callback":      "", // behind a proxy's prefix
		"http://127.0.0.1:8080/login/oidc/callback":            "",
		"http://localhost/login/oidc/callback":                 "",
		"http://[::1]:8080/login/oidc/callback":                "",
		"":                                                     "not an absolute URL",
		"/login/oidc/callback":                                 "not an absolute URL",
		"pflicht.example.org/login/oidc/callback":              "not an absolute URL",
		"https:///login/oidc/callback":                         "not an absolute URL",
		"https:pflicht.example.org/login/oidc/callback":        "not an absolute URL",
		"http://pflicht.example.org/login/oidc/callback":       "only on a loopback host",
		"http://127.0.0.1.example.org/login/oidc/callback":     "only on a loopback host",
		"ftp://pflicht.example.org/login/oidc/callback":        "scheme must be https",
		"https://u:p@pflicht.example.org/login/oidc/callback":  "no user",
		"https://pflicht.example.org/login/oidc/callback?x=1":  "no user, query",
		"https://pflicht.example.org/login/oidc/callback?":     "no user, query",
		"https://pflicht.example.org/login/oidc/callback#f":    "fragment",
		"https://pflicht.example.org/":                         "must end in /login/oidc/callback",
		"https://pflicht.example.org/login/oidc/callback/x":    "must end in /login/oidc/callback",
		"https://pflicht.example.org/%zz":                      "not a URL",
		"https://pflicht.example.org/login/oidc/callback\n":    "not a URL",
	} {
		err := CheckRedirectURL(raw)
		switch {
		case want == "" && err != nil:
			t.Errorf("CheckRedirectURL(%q) = %v", raw, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("CheckRedirectURL(%q) = %v, want an error saying %q", raw, err, want)
		}
	}
}

func TestNewOIDCRejects(t *testing.T) {
	ctx := context.Background()
	for _, cfg := range []OIDCConfig{
		{ClientID: "a", ClientSecret: "b"},
		{Issuer: "http://127.0.0.1:1", ClientSecret: "b"},
		{Issuer: "http://127.0.0.1:1", ClientID: "a"},
		{Issuer: "http://127.0.0.1:1", ClientID: "a", ClientSecret: "b"}, // nothing listens
	} {
		if _, err := NewOIDC(ctx, cfg); err == nil {
			t.Errorf("NewOIDC(%+v) = nil error", cfg)
		}
	}
	// A wrong redirect URL is refused before the provider is asked.
	_, err := NewOIDC(ctx, OIDCConfig{Issuer: "http://127.0.0.1:1", ClientID: "a", ClientSecret: "b", RedirectURL: "http://pflicht.example.org/login/oidc/callback"})
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Field != "oidc-redirect-url" {
		t.Errorf("bad redirect URL: %v, want a ConfigError for oidc-redirect-url", err)
	}
}

// FuzzDecodeOIDCFlow: the flow cookie comes back from the browser; any
// value is refused or decoded without panic, and what pflicht wrote reads
// back the same.
func FuzzDecodeOIDCFlow(f *testing.F) {
	f.Add(oidcFlow{State: "s", Nonce: "n", Verifier: "v", Next: "/orgs/x"}.encode())
	f.Add("")
	f.Add("e30") // {}
	f.Fuzz(func(t *testing.T, v string) {
		flow, err := decodeOIDCFlow(v)
		if err != nil {
			return
		}
		if flow.State == "" {
			t.Fatal("a flow without state decoded")
		}
		if again, err := decodeOIDCFlow(flow.encode()); err != nil || again != flow {
			t.Fatalf("round trip: %+v, %v", again, err)
		}
	})
}

// FuzzCheckRedirectURL: whatever an operator passes, an accepted URL is
// absolute https (or http on loopback) and ends at pflicht's callback.
func FuzzCheckRedirectURL(f *testing.F) {
	f.Add("https://pflicht.example.org/login/oidc/callback")
	f.Add("http://[::1]:8080/login/oidc/callback")
	f.Add("http://127.0.0.1.example.org/login/oidc/callback")
	f.Fuzz(func(t *testing.T, raw string) {
		if CheckRedirectURL(raw) != nil {
			return
		}
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || !strings.HasSuffix(u.Path, callbackPath) {
			t.Fatalf("accepted %q", raw)
		}
		if u.Scheme != "https" && (u.Scheme != "http" || !loopbackHost(u.Hostname())) {
			t.Fatalf("accepted %q with scheme %q", raw, u.Scheme)
		}
	})
}
