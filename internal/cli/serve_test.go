package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/notify"
	"github.com/pflicht/pflicht/internal/portal"
	"github.com/pflicht/pflicht/internal/store"
)

// TestServeStartsAndStops runs the server on a free port with a fresh data
// directory, checks that it answers, and stops it as a signal would.
func TestServeStartsAndStops(t *testing.T) {
	var logs bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: &logs, now: time.Now}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	data := filepath.Join(t.TempDir(), "data")
	go func() {
		done <- serve(ctx, e, serveOptions{addr: "127.0.0.1:0", loc: storeFlags{data: data}, logFormat: "json"}, ready)
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("serve ended before listening: %v\n%s", err, logs.String())
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	for _, tc := range []struct {
		path string
		want int
	}{
		{"/healthz", http.StatusOK},
		{"/login", http.StatusOK},
		{"/metrics", http.StatusOK},
		{"/api/v1/openapi.json", http.StatusOK},
	} {
		res, err := http.Get("http://" + addr + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != tc.want {
			t.Errorf("GET %s = %d, want %d", tc.path, res.StatusCode, tc.want)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	for _, want := range []string{`"msg":"listening"`, "pflicht user add EMAIL --role admin", `"msg":"stopped"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs.String())
		}
	}
}

func TestServeBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--log-format", "xml", "--data", "DIR"}, "--log-format"},
		{[]string{"serve", "--db", "mysql://x", "--data", "DIR"}, "--db"},
		{[]string{"serve", "extra"}, "unknown command"},
	} {
		dir := t.TempDir()
		for i, a := range tc.args {
			if a == "DIR" {
				tc.args[i] = dir
			}
		}
		_, stderr, code := runCLI(t, "", tc.args...)
		if code != ExitInput || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d naming %s", tc.args, code, stderr, ExitInput, tc.want)
		}
	}
}

func TestLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "localhost:80": true, "[::1]:8080": true,
		"0.0.0.0:8080": false, ":8080": false, "192.0.2.1:443": false, "example.org:80": false, "garbage": false,
	} {
		if got := loopback(addr); got != want {
			t.Errorf("loopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

func TestServeNotifyFlags(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "webhook.key")
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(secret, []byte("0123456789abcdef0123456789abcdef\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--webhook-url", "https://hooks.example.org/x"}, "--webhook-secret-file"},
		{[]string{"--webhook-secret-file", secret}, "--webhook-url"},
		{[]string{"--webhook-url", "http://hooks.example.org/x", "--webhook-secret-file", secret}, "--webhook-url: must use https"},
		{[]string{"--webhook-url", "https://hooks.example.org/x", "--webhook-secret-file", empty}, "--webhook-secret-file: the file is empty"},
		{[]string{"--webhook-url", "https://hooks.example.org/x", "--webhook-secret-file", filepath.Join(dir, "missing")}, "--webhook-secret-file"},
		{[]string{"--smtp-addr", "mail.example.org:587"}, "--smtp-from"},
		{[]string{"--smtp-from", "a@example.org"}, "--smtp-addr"},
		{[]string{"--smtp-addr", "mail.example.org", "--smtp-from", "a@example.org"}, "--smtp-addr: \"mail.example.org\" is not host:port"},
		{[]string{"--smtp-addr", "mail.example.org:587", "--smtp-from", "a@example.org", "--smtp-user", "u"}, "--smtp-user"},
		{[]string{"--public-url", "https://pflicht.example.org"}, "--webhook-url or --smtp-addr"},
		{[]string{"--public-url", "ftp://x", "--webhook-url", "https://hooks.example.org/x", "--webhook-secret-file", secret}, "--public-url"},
	} {
		args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(dir, "data")}, tc.args...)
		_, stderr, code := runCLI(t, "", args...)
		if code != ExitInput || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d naming %s", tc.args, code, stderr, ExitInput, tc.want)
		}
		if strings.Contains(stderr, "0123456789abcdef") {
			t.Errorf("%v: the secret is in the message: %q", tc.args, stderr)
		}
	}
	stdout, _, _ := runCLI(t, "", "serve", "--help")
	for _, flag := range []string{"--webhook-url", "--webhook-secret-file", "--smtp-addr", "--smtp-from", "--smtp-user", "--smtp-password-file", "--public-url", "Examples:"} {
		if !strings.Contains(stdout, flag) {
			t.Errorf("--help lacks %s", flag)
		}
	}
}

// TestServeDeliversWebhook: a notification written while serve runs
// reaches the configured webhook, signed.
func TestServeDeliversWebhook(t *testing.T) {
	dir := t.TempDir()
	key := []byte("0123456789abcdef0123456789abcdef")
	secret := filepath.Join(dir, "webhook.key")
	if err := os.WriteFile(secret, key, 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan notify.Payload, 1)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var p notify.Payload
		if notify.Verify(key, r.Header.Get(notify.SignatureHeader), body, time.Now(), time.Minute) != nil || json.Unmarshal(body, &p) != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		got <- p
	}))
	defer hook.Close()
	var logs bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: &syncWriter{w: &logs}, now: time.Now}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready, done := make(chan string, 1), make(chan error, 1)
	data := filepath.Join(dir, "data")
	o := serveOptions{addr: "127.0.0.1:0", loc: storeFlags{data: data}, logFormat: "json",
		notify: notifyOptions{webhookURL: hook.URL + "/x", webhookSecretFile: secret, publicURL: "https://pflicht.example.org"}}
	go func() { done <- serve(ctx, e, o, ready) }()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("serve ended: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	// A second store on the same file, as the CLI beside a server would be.
	st, err := store.Open(ctx, filepath.Join(data, "pflicht.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sys := store.System("test")
	u, err := st.CreateUser(ctx, sys, "m@example.org", "$argon2id$x", "")
	if err != nil {
		t.Fatal(err)
	}
	org, err := st.CreateOrganisation(ctx, store.Actor{UserID: u.ID}, store.Profile{Name: "Acme"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Notify(ctx, sys, store.Notification{OrgID: org.ID, Kind: "cra-kev", Title: "KEV", Link: "/orgs/" + org.ID}); err != nil {
		t.Fatal(err)
	}
	select {
	case p := <-got:
		if p.Title != "KEV" || p.Link != "https://pflicht.example.org/orgs/"+org.ID {
			t.Errorf("payload %+v", p)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no webhook request")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), `"channels":"webhook"`) {
		t.Errorf("start-up log lacks the channels:\n%s", logs.String())
	}
}

// syncWriter serialises writes of the server's goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// startServe runs serve with o until the test ends and returns its address.
func startServe(t *testing.T, o serveOptions) string {
	t.Helper()
	var logs bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: &syncWriter{w: &logs}, now: time.Now}
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan string, 1), make(chan error, 1)
	o.addr, o.logFormat = "127.0.0.1:0", "json"
	go func() { done <- serve(ctx, e, o, ready) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	select {
	case addr := <-ready:
		return addr
	case err := <-done:
		done <- nil
		t.Fatalf("serve ended: %v\n%s", err, logs.String())
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	return ""
}

func TestServeSecurityFlags(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	short, spaced := file("short", "0123456789\n"), file("spaced", "0123456789 abcdefghij\n")
	secret := file("oidc.secret", "s3cret\n")
	oidc := []string{"--oidc-issuer", "http://127.0.0.1:1", "--oidc-client-id", "pflicht", "--oidc-client-secret-file", secret}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--metrics-token-file", short}, "--metrics-token-file: the token must have at least 16 characters"},
		{[]string{"--metrics-token-file", spaced}, "--metrics-token-file: the token must be printable ASCII without spaces"},
		{[]string{"--metrics-token-file", filepath.Join(dir, "missing")}, "--metrics-token-file"},
		{[]string{"--oidc-redirect-url", "https://pflicht.example.org/login/oidc/callback"}, "--oidc-issuer"},
		{append(oidc, "--oidc-redirect-url", "http://pflicht.example.org/login/oidc/callback"), "--oidc-redirect-url: \"http://pflicht.example.org/login/oidc/callback\": plain http is allowed only on a loopback host"},
		{append(oidc, "--oidc-redirect-url", "https://pflicht.example.org/callback"), "--oidc-redirect-url: \"https://pflicht.example.org/callback\": the path must end in /login/oidc/callback"},
		{append(oidc, "--public-url", "http://pflicht.example.org"), "--public-url: the OpenID Connect redirect URL made from it: "},
		{[]string{"--public-url", "https://pflicht.example.org"}, "--oidc-issuer (the redirect URL)"},
	} {
		args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(dir, "data")}, tc.args...)
		_, stderr, code := runCLI(t, "", args...)
		if code != ExitInput || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d naming %s", tc.args, code, stderr, ExitInput, tc.want)
		}
		if strings.Contains(stderr, "0123456789") || strings.Contains(stderr, "s3cret") {
			t.Errorf("%v: a secret is in the message: %q", tc.args, stderr)
		}
	}
	stdout, _, _ := runCLI(t, "", "serve", "--help")
	for _, flag := range []string{"--oidc-redirect-url", "--metrics-token-file"} {
		if !strings.Contains(stdout, flag) {
			t.Errorf("--help lacks %s", flag)
		}
	}
}

// TestServeMetricsToken: with --metrics-token-file, /metrics wants the
// token even from loopback.
func TestServeMetricsToken(t *testing.T) {
	const token = "Zm9vYmFyYmF6cXV4LW1ldHJpY3M"
	path := filepath.Join(t.TempDir(), "metrics.token")
	if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := startServe(t, serveOptions{loc: storeFlags{data: filepath.Join(t.TempDir(), "data")}, metricsTokenFile: path})
	for _, tc := range []struct {
		auth string
		want int
	}{{"", http.StatusUnauthorized}, {"Bearer wrong", http.StatusUnauthorized}, {"Bearer " + token, http.StatusOK}} {
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/metrics", nil)
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != tc.want {
			t.Errorf("Authorization %q: %d, want %d", tc.auth, res.StatusCode, tc.want)
		}
	}
}

// TestServeOIDCRedirectFromPublicURL: without --oidc-redirect-url the
// redirect URL is --public-url's callback, whatever Host a request names.
func TestServeOIDCRedirectFromPublicURL(t *testing.T) {
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		u := "http://" + r.Host
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"issuer": u, "authorization_endpoint": u + "/authorize",
			"token_endpoint": u + "/token", "jwks_uri": u + "/jwks", "id_token_signing_alg_values_supported": []string{"RS256"}})
	}))
	defer idp.Close()
	dir := t.TempDir()
	secret := filepath.Join(dir, "oidc.secret")
	if err := os.WriteFile(secret, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	o := serveOptions{loc: storeFlags{data: filepath.Join(dir, "data")}, oidcSecretFile: secret,
		oidc:   portal.OIDCConfig{Issuer: idp.URL, ClientID: "pflicht"},
		notify: notifyOptions{publicURL: "https://pflicht.example.org/"}}
	addr := startServe(t, o)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get("http://" + addr + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf field on /login:\n%s", page)
	}
	res, err = c.PostForm("http://"+addr+"/login/oidc", url.Values{"csrf": {string(m[1])}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || err != nil {
		t.Fatalf("start: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if got, want := loc.Query().Get("redirect_uri"), "https://pflicht.example.org/login/oidc/callback"; got != want {
		t.Errorf("redirect_uri %q, want %q", got, want)
	}
}
