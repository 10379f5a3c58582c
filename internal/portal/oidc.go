package portal

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/pflicht/pflicht/internal/store"
)

// OIDCConfig is the OpenID Connect provider an installation lets its users
// sign in with, beside passwords. The provider's client must allow the
// redirect URI: RedirectURL, or without it https://HOST/login/oidc/callback
// (http:// when cookies are not Secure), HOST as the browser reaches pflicht.
type OIDCConfig struct {
	Issuer       string // the provider's issuer URL, for discovery
	ClientID     string
	ClientSecret string
	// RedirectURL is where the provider sends the browser back: an
	// absolute https URL (http only on a loopback host) whose path ends in
	// /login/oidc/callback. Empty: built from the request's Host header,
	// which then must be a name the provider's client lists.
	RedirectURL string
}

// callbackPath is the route of the provider's answer.
const callbackPath = "/login/oidc/callback"

// ConfigError is a setting NewOIDC refuses; Field names it as the flag
// pflicht serve takes it from (without the dashes).
type ConfigError struct{ Field, Msg string }

func (e *ConfigError) Error() string { return "portal: oidc: " + e.Field + ": " + e.Msg }

// CheckRedirectURL checks an OIDC redirect URL: absolute, https (or http on
// a loopback host, for trying pflicht out), no user, query or fragment,
// and its path ends in /login/oidc/callback (a reverse proxy may add a
// prefix). The provider sends the authorization code there, so a wrong
// URL would hand it to someone else or lose it.
func CheckRedirectURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Errorf("%q is not a URL: %w", raw, err)
	case !u.IsAbs() || u.Host == "" || u.Opaque != "":
		return fmt.Errorf("%q is not an absolute URL (https://HOST%s)", raw, callbackPath)
	case u.Scheme == "http" && !loopbackHost(u.Hostname()):
		return fmt.Errorf("%q: plain http is allowed only on a loopback host; use https", raw)
	case u.Scheme != "https" && u.Scheme != "http":
		return fmt.Errorf("%q: the scheme must be https", raw)
	case u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return fmt.Errorf("%q: no user, query or fragment allowed", raw)
	case !strings.HasSuffix(u.Path, callbackPath):
		return fmt.Errorf("%q: the path must end in %s, pflicht's callback", raw, callbackPath)
	}
	return nil
}

// loopbackHost reports whether host (a URL's host name) is a loopback
// address or localhost.
func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// OIDC signs users in with an OpenID Connect provider: the authorization
// code flow with PKCE (S256), state and nonce. A user is matched to an
// existing account by the e-mail address the provider has verified; no
// account is created, so the provider cannot grant access pflicht's
// administrators have not. An account with TOTP still asks for its code.
type OIDC struct {
	cfg      OIDCConfig
	provider *oidc.Provider
	client   *http.Client
}

// oidcTimeout bounds each request to the provider.
const oidcTimeout = 10 * time.Second

// NewOIDC discovers the provider at cfg.Issuer (its
// /.well-known/openid-configuration), so a wrong issuer fails at start
// rather than at the first login.
func NewOIDC(ctx context.Context, cfg OIDCConfig) (*OIDC, error) {
	switch {
	case cfg.Issuer == "":
		return nil, &ConfigError{"oidc-issuer", "the issuer URL is empty"}
	case cfg.ClientID == "":
		return nil, &ConfigError{"oidc-client-id", "the client id is empty"}
	case cfg.ClientSecret == "":
		return nil, &ConfigError{"oidc-client-secret-file", "the client secret is empty"}
	}
	if cfg.RedirectURL != "" {
		if err := CheckRedirectURL(cfg.RedirectURL); err != nil {
			return nil, &ConfigError{"oidc-redirect-url", err.Error()}
		}
	}
	client := &http.Client{Timeout: oidcTimeout}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, client), cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("portal: oidc: discovery at %s: %w", cfg.Issuer, err)
	}
	return &OIDC{cfg: cfg, provider: p, client: client}, nil
}

// oidcCookie carries the state, nonce and PKCE verifier of one sign-in from
// its start to the callback. In a cookie rather than in memory, so the
// callback may reach another app server; HttpOnly, limited to /login/oidc,
// and SameSite=Lax, because the provider's redirect back is a cross-site
// top-level navigation.
const oidcCookie = "pflicht_oidc"

// oidcFlowTTL is how long a sign-in at the provider may take.
const oidcFlowTTL = 10 * time.Minute

type oidcFlow struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Next     string `json:"x"`
}

func (f oidcFlow) encode() string {
	b, _ := json.Marshal(f) // a struct of strings always marshals
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeOIDCFlow reads the cookie's value; a flow without state is no flow.
func decodeOIDCFlow(v string) (oidcFlow, error) {
	var f oidcFlow
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err == nil {
		err = json.Unmarshal(b, &f)
	}
	if err == nil && f.State == "" {
		err = errors.New("no state")
	}
	return f, err
}

func (s *Server) oidcRoutes(handle handleFunc) {
	if s.cfg.OIDC == nil {
		return
	}
	handle("POST /login/oidc", s.oidcStart)
	handle("GET "+callbackPath, s.oidcCallback)
}

// oauth2Config is the client configuration. The redirect URI is the
// configured one; without it, it is built from the request's Host header,
// so one installation may be reached under the names its provider client
// lists (the provider compares it with those, so a forged Host gets no code
// sent elsewhere, only a refusal).
func (s *Server) oauth2Config(r *http.Request) *oauth2.Config {
	o := s.cfg.OIDC
	redirect := o.cfg.RedirectURL
	if redirect == "" {
		scheme := "http"
		if s.cfg.SecureCookies {
			scheme = "https"
		}
		redirect = scheme + "://" + r.Host + callbackPath
	}
	return &oauth2.Config{
		ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret,
		Endpoint:    o.provider.Endpoint(),
		RedirectURL: redirect,
		Scopes:      []string{oidc.ScopeOpenID, "email"},
	}
}

// oidcStart sends the browser to the provider. It is a POST with the CSRF
// token, so another site cannot start sign-ins in the user's name.
func (s *Server) oidcStart(w http.ResponseWriter, r *http.Request) {
	f := oidcFlow{State: newToken(), Nonce: newToken(), Verifier: oauth2.GenerateVerifier(), Next: localPath(r.PostForm.Get("next"))}
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: f.encode(), Path: "/login/oidc",
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: int(oidcFlowTTL.Seconds())})
	http.Redirect(w, r, s.oauth2Config(r).AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier)), http.StatusSeeOther)
}

// oidcCallback takes the provider's answer: it checks the state, redeems
// the code with the PKCE verifier, verifies the ID token (signature,
// issuer, audience, expiry: go-oidc; the nonce: here) and signs in the
// account whose e-mail address the token carries as verified.
func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, msg, why string, args ...any) {
		s.log.Info("oidc login failed", append([]any{"reason", why, "remote", r.RemoteAddr}, args...)...)
		s.render(w, r, status, "login", "login.title", page{Data: loginData{Message: msg, SSO: true}})
	}
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Path: "/login/oidc", MaxAge: -1, HttpOnly: true,
		Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	var f oidcFlow
	c, err := r.Cookie(oidcCookie)
	if err == nil {
		f, err = decodeOIDCFlow(c.Value)
	}
	q := r.URL.Query()
	switch {
	case err != nil:
		fail(http.StatusBadRequest, "login.sso_expired", "no sign-in under way")
		return
	case subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(f.State)) != 1:
		fail(http.StatusBadRequest, "login.sso_expired", "state mismatch")
		return
	case q.Get("error") != "":
		// The provider refused (the user cancelled, or has no access).
		fail(http.StatusUnauthorized, "login.sso_refused", "provider error", "error", q.Get("error"))
		return
	}
	ctx, cancel := context.WithTimeout(oidc.ClientContext(r.Context(), s.cfg.OIDC.client), oidcTimeout)
	defer cancel()
	tok, err := s.oauth2Config(r).Exchange(ctx, q.Get("code"), oauth2.VerifierOption(f.Verifier))
	if err != nil {
		fail(http.StatusBadGateway, "login.sso_failed", "code exchange", "err", err)
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		fail(http.StatusBadGateway, "login.sso_failed", "no id_token")
		return
	}
	id, err := s.cfg.OIDC.provider.Verifier(&oidc.Config{ClientID: s.cfg.OIDC.cfg.ClientID, Now: s.now}).Verify(ctx, raw)
	if err != nil {
		fail(http.StatusUnauthorized, "login.sso_failed", "id token", "err", err)
		return
	}
	if subtle.ConstantTimeCompare([]byte(id.Nonce), []byte(f.Nonce)) != 1 {
		fail(http.StatusUnauthorized, "login.sso_failed", "nonce mismatch")
		return
	}
	var claims struct {
		Email    string `json:"email"`
		Verified any    `json:"email_verified"`
	}
	if err := id.Claims(&claims); err != nil {
		fail(http.StatusUnauthorized, "login.sso_failed", "claims", "err", err)
		return
	}
	// Some providers send the flag as a string.
	if v := claims.Verified; claims.Email == "" || (v != true && v != "true") {
		fail(http.StatusForbidden, "login.sso_unverified", "e-mail address missing or not verified", "subject", id.Subject)
		return
	}
	u, err := s.store.UserByEmail(r.Context(), claims.Email)
	switch {
	case errors.Is(err, store.ErrNotFound) || (err == nil && u.Disabled):
		fail(http.StatusForbidden, "login.sso_unknown", "no enabled account", "email", claims.Email)
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	s.log.Info("oidc identity verified", "user", u.ID, "subject", id.Subject)
	s.passwordAccepted(w, r, u, f.Next)
}
