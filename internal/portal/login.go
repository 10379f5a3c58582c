package portal

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/pquerna/otp/totp"

	"github.com/pflicht/pflicht/internal/auth"
	"github.com/pflicht/pflicht/internal/store"
)

// ticketCookie holds the ticket of a login waiting for its TOTP code.
const ticketCookie = "pflicht_login"

type loginData struct {
	Email, Next, Message string
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	if state(r).user != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login", "login.title", page{Data: loginData{Next: localPath(r.URL.Query().Get("next"))}})
}

// login checks the password. Unknown users, disabled users and wrong
// passwords take the same path through an argon2id verification and get
// the same message, so neither timing nor text tells which it was.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	email := strings.ToLower(strings.TrimSpace(r.PostForm.Get("email")))
	next := localPath(r.PostForm.Get("next"))
	fail := func(status int, msg string) {
		s.render(w, r, status, "login", "login.title", page{Data: loginData{Email: email, Next: next, Message: msg}})
	}
	keys := []string{addressKey(clientIP(r)), accountKey(email)}
	if s.limits.blocked(keys...) {
		s.log.Warn("login rate limited", "remote", r.RemoteAddr, "email", email)
		w.Header().Set("Retry-After", "60")
		fail(http.StatusTooManyRequests, "login.rate_limited")
		return
	}
	u, err := s.store.UserByEmail(r.Context(), email)
	stored := s.dummy
	switch {
	case err == nil:
		stored = u.PasswordHash
	case !errors.Is(err, store.ErrNotFound):
		s.serverError(w, r, err)
		return
	}
	ok, err := verifyPassword(r.Context(), stored, r.PostForm.Get("password"))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !ok || u.ID == "" || u.Disabled {
		s.limits.fail(keys...)
		s.log.Info("login failed", "remote", r.RemoteAddr, "email", email)
		fail(http.StatusUnauthorized, "login.failed")
		return
	}
	if u.TOTPSecret != "" {
		ticket := newToken()
		s.pending.add(hash(ticket), u.Email, next)
		http.SetCookie(w, &http.Cookie{Name: ticketCookie, Value: ticket, Path: "/login", HttpOnly: true,
			Secure: s.cfg.SecureCookies, SameSite: http.SameSiteStrictMode, MaxAge: int(pendingTTL.Seconds())})
		http.Redirect(w, r, "/login/totp", http.StatusSeeOther)
		return
	}
	s.finishLogin(w, r, u.ID, next)
}

func (s *Server) totpForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.pendingLogin(r); !ok {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "totp", "totp.title", page{Data: loginData{}})
}

// totpVerify checks the second factor; its attempts count against the same
// per-account budget as passwords.
func (s *Server) totpVerify(w http.ResponseWriter, r *http.Request) {
	p, ok := s.pendingLogin(r)
	if !ok {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	fail := func(status int, msg string) {
		s.render(w, r, status, "totp", "totp.title", page{Data: loginData{Message: msg}})
	}
	keys := []string{addressKey(clientIP(r)), accountKey(p.email)}
	if s.limits.blocked(keys...) {
		w.Header().Set("Retry-After", "60")
		fail(http.StatusTooManyRequests, "login.rate_limited")
		return
	}
	u, err := s.store.UserByEmail(r.Context(), p.email)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !totp.Validate(strings.TrimSpace(r.PostForm.Get("code")), u.TOTPSecret) || u.Disabled {
		s.limits.fail(keys...)
		fail(http.StatusUnauthorized, "totp.failed")
		return
	}
	c, _ := r.Cookie(ticketCookie)
	s.pending.remove(hash(c.Value))
	http.SetCookie(w, &http.Cookie{Name: ticketCookie, Path: "/login", MaxAge: -1, HttpOnly: true, Secure: s.cfg.SecureCookies})
	s.finishLogin(w, r, u.ID, p.next)
}

func (s *Server) pendingLogin(r *http.Request) (pendingLogin, bool) {
	c, err := r.Cookie(ticketCookie)
	if err != nil {
		return pendingLogin{}, false
	}
	return s.pending.get(hash(c.Value))
}

func (s *Server) finishLogin(w http.ResponseWriter, r *http.Request, userID, next string) {
	if err := s.startSession(w, r, userID); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.log.Info("login", "user", userID, "remote", r.RemoteAddr)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if t := state(r).token; t != "" {
		if err := s.store.DeleteSession(r.Context(), t); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.clearCookie(w, sessionCookie)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// clientIP is the peer address. Behind a reverse proxy all clients share
// its address, which makes the per-IP limit coarser, never weaker.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// dummyHash is a hash of a random password, verified for unknown users;
// one per process is enough.
var dummyHash = sync.OnceValues(func() (string, error) { return auth.HashPassword(newToken()) })

// verifySlots bounds concurrent password verifications: argon2id takes
// 64 MiB each, so a flood of logins must queue rather than exhaust memory.
var verifySlots = make(chan struct{}, 4)

// verifyPassword checks password against the stored hash, waiting for a
// slot; it gives up when the request is cancelled.
func verifyPassword(ctx context.Context, stored, password string) (bool, error) {
	select {
	case verifySlots <- struct{}{}:
		defer func() { <-verifySlots }()
	case <-ctx.Done():
		return false, ctx.Err()
	}
	return auth.VerifyPassword(stored, password)
}

func (s *Server) authRoutes(handle handleFunc) {
	handle("GET /login", s.loginForm)
	handle("POST /login", s.login)
	handle("GET /login/totp", s.totpForm)
	handle("POST /login/totp", s.totpVerify)
	handle("POST /logout", s.logout)
}
