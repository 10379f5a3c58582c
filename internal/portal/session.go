package portal

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"time"

	"github.com/pflicht/pflicht/internal/store"
)

const (
	sessionCookie = "pflicht_session"
	// preCookie carries the CSRF token of visitors without a session (the
	// login form): a double-submit token beside CrossOriginProtection.
	preCookie = "pflicht_csrf"
	csrfField = "csrf"
)

// user is the signed-in user as the pages see them. Which organisations
// they reach is the store's business: it scopes every call by the actor.
type user struct {
	store.Actor
}

// Supervisor: the user may see the registry of all organisations.
func (u *user) Supervisor() bool { return u.Role == store.RoleSupervisor || u.Role == store.RoleAdmin }

// CanWrite: the user may change records (supervisors and read-only
// access only read); the store decides per organisation, this only spares
// read-only users forms they cannot send.
func (u *user) CanWrite() bool { return u.Role != store.RoleSupervisor && !u.ReadOnly }

func (u *user) actor() store.Actor { return u.Actor }

// reqState is what the middleware learns about a request.
type reqState struct {
	lang  string
	user  *user
	token string // the session token, to end the session
	csrf  string
}

type stateKey struct{}

// state returns the request's state; before loadSession has run (the
// cross-origin deny page) it holds just the language.
func state(r *http.Request) *reqState {
	if st, ok := r.Context().Value(stateKey{}).(*reqState); ok {
		return st
	}
	st := &reqState{lang: requestLang(r)}
	if c, err := r.Cookie(preCookie); err == nil && len(c.Value) == 43 {
		st.csrf = c.Value
	}
	return st
}

// newToken returns 32 random bytes, base64url-encoded.
func newToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hash(token string) string {
	h := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// csrfFor derives the session's synchronizer token from its secret token:
// unguessable without the HttpOnly cookie, and nothing to store.
func csrfFor(token string) string { return hash("pflicht csrf\x00" + token) }

// loadSession resolves the session cookie to a user and sets the request's
// CSRF token. The store enforces both expiries, the absolute one (the
// session's TTL) and the idle one (Config.SessionIdle), so every app server
// on the same database agrees on them.
func (s *Server) loadSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := &reqState{lang: requestLang(r)}
		r = r.WithContext(context.WithValue(r.Context(), stateKey{}, st))
		if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			a, err := s.store.SessionActor(r.Context(), c.Value, s.now(), s.cfg.SessionIdle)
			switch {
			case err == nil:
				st.user, st.token, st.csrf = &user{a}, c.Value, csrfFor(c.Value)
			case errors.Is(err, store.ErrNotFound):
				s.clearCookie(w, sessionCookie)
			default:
				s.log.Error("load session", "err", err)
				s.renderError(w, r, http.StatusInternalServerError, "error.internal")
				return
			}
		}
		if st.user == nil {
			if c, err := r.Cookie(preCookie); err == nil && len(c.Value) == 43 {
				st.csrf = c.Value
			}
		}
		next.ServeHTTP(w, r)
	})
}

// setSession sets the cookie of a session the store has started and drops
// the pre-session CSRF token.
func (s *Server) setSession(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: s.cfg.SecureCookies,
		SameSite: http.SameSiteLaxMode, MaxAge: int(s.cfg.SessionMax / time.Second),
	})
	s.clearCookie(w, preCookie)
}

// formToken returns the CSRF token for a form on the page being rendered.
// A visitor without a session gets a pre-session token in a cookie the
// first time a page with a form is shown (not on health checks or static
// files).
func (s *Server) formToken(w http.ResponseWriter, st *reqState) string {
	if st.csrf == "" && st.user == nil {
		st.csrf = newToken()
		http.SetCookie(w, &http.Cookie{
			Name: preCookie, Value: st.csrf, Path: "/", HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode,
		})
	}
	return st.csrf
}

func (s *Server) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
}
