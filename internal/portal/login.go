package portal

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/pflicht/pflicht/internal/auth"
	"github.com/pflicht/pflicht/internal/store"
)

// ticketCookie holds the ticket of a login waiting for its TOTP code.
const ticketCookie = "pflicht_login"

type loginData struct {
	Email, Next, Message string
	SSO                  bool // offer sign-in with the OIDC provider
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	if state(r).user != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login", "login.title", page{Data: loginData{Next: localPath(r.URL.Query().Get("next")), SSO: s.cfg.OIDC != nil}})
}

// login checks the password. Unknown users, disabled users and wrong
// passwords take the same path through an argon2id verification and get
// the same message, so neither timing nor text tells which it was.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	email := strings.ToLower(strings.TrimSpace(r.PostForm.Get("email")))
	next := localPath(r.PostForm.Get("next"))
	fail := func(status int, msg string) {
		s.render(w, r, status, "login", "login.title", page{Data: loginData{Email: email, Next: next, Message: msg, SSO: s.cfg.OIDC != nil}})
	}
	var u store.User
	res, err := s.attempt(w, r, attemptKeys(r, email), func() (bool, error) {
		var err error
		u, err = s.store.UserByEmail(r.Context(), email)
		stored := s.dummy
		switch {
		case err == nil:
			stored = u.PasswordHash
		case !errors.Is(err, store.ErrNotFound):
			return false, err
		}
		ok, err := auth.VerifyPassword(stored, r.PostForm.Get("password"))
		return ok && u.ID != "" && !u.Disabled, err
	})
	switch {
	case err != nil:
		s.serverError(w, r, err)
	case res == attemptLimited:
		s.log.Warn("login rate limited", "remote", r.RemoteAddr, "email", email)
		fail(http.StatusTooManyRequests, "login.rate_limited")
	case res == attemptFailed:
		s.log.Info("login failed", "remote", r.RemoteAddr, "email", email)
		fail(http.StatusUnauthorized, "login.failed")
	default:
		s.passwordAccepted(w, r, u, next)
	}
}

// passwordAccepted goes on after the first factor (the password, or the
// OIDC provider's word): to the TOTP step if the account has one, else
// into a session.
func (s *Server) passwordAccepted(w http.ResponseWriter, r *http.Request, u store.User, next string) {
	if u.TOTPSecret != "" {
		// The ticket is in the database, so the code may be answered by
		// any app server.
		ticket, err := s.store.CreateLoginTicket(r.Context(), u.ID, ticketTTL)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		// Lax, not Strict: after an OIDC sign-in the way here began at the
		// provider's site, and a Strict cookie would not come back.
		http.SetCookie(w, &http.Cookie{Name: ticketCookie, Value: ticket, Path: "/login", HttpOnly: true,
			Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: int(ticketTTL.Seconds())})
		http.Redirect(w, r, "/login/totp?"+url.Values{"next": {next}}.Encode(), http.StatusSeeOther)
		return
	}
	token, err := s.store.CreateSession(r.Context(), u.ID, s.now(), s.cfg.SessionMax)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.finishLogin(w, r, token, u.ID, next)
}

// ticketTTL is how long a login waits for its TOTP code.
const ticketTTL = 5 * time.Minute

// loginTicket returns the ticket cookie's value and its user. Without a
// live ticket it sends the visitor back to the password and returns ok
// false, as it does (with an error page) if the store fails.
func (s *Server) loginTicket(w http.ResponseWriter, r *http.Request) (ticket string, u store.User, ok bool) {
	c, err := r.Cookie(ticketCookie)
	if err == nil && c.Value != "" {
		u, err = s.store.LoginTicketUser(r.Context(), c.Value)
		if err == nil {
			return c.Value, u, true
		}
		if !errors.Is(err, store.ErrNotFound) {
			s.serverError(w, r, err)
			return "", store.User{}, false
		}
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return "", store.User{}, false
}

func (s *Server) totpForm(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := s.loginTicket(w, r); !ok {
		return
	}
	s.render(w, r, http.StatusOK, "totp", "totp.title", page{Data: loginData{Next: localPath(r.URL.Query().Get("next"))}})
}

// totpVerify checks the second factor; its attempts count against the same
// per-account budget as passwords, and a code is accepted once only.
func (s *Server) totpVerify(w http.ResponseWriter, r *http.Request) {
	ticket, u, ok := s.loginTicket(w, r)
	if !ok {
		return
	}
	next := localPath(r.PostForm.Get("next"))
	fail := func(status int, msg string) {
		s.render(w, r, status, "totp", "totp.title", page{Data: loginData{Next: next, Message: msg}})
	}
	// The code is redeemed within the attempt: a replayed code (a step
	// used before) is a failed attempt too.
	var token string
	msg := "totp.failed"
	res, err := s.attempt(w, r, attemptKeys(r, u.Email), func() (bool, error) {
		step, ok := auth.TOTPStep(u.TOTPSecret, r.PostForm.Get("code"), s.now())
		if !ok {
			return false, nil
		}
		var err error
		token, err = s.store.RedeemLoginTicket(r.Context(), ticket, step, s.now(), s.cfg.SessionMax)
		if errors.Is(err, store.ErrConflict) {
			msg = "totp.used"
			return false, nil
		}
		return err == nil, err
	})
	switch {
	case errors.Is(err, store.ErrNotFound): // the ticket expired or was used meanwhile
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	case res == attemptLimited:
		s.log.Warn("totp rate limited", "remote", r.RemoteAddr, "user", u.ID)
		fail(http.StatusTooManyRequests, "login.rate_limited")
		return
	case res == attemptFailed:
		s.log.Info("totp failed", "remote", r.RemoteAddr, "user", u.ID, "reason", msg)
		fail(http.StatusUnauthorized, msg)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: ticketCookie, Path: "/login", MaxAge: -1, HttpOnly: true,
		Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	s.finishLogin(w, r, token, u.ID, next)
}

// finishLogin sets the cookie of the session the store has started and
// leads on.
func (s *Server) finishLogin(w http.ResponseWriter, r *http.Request, token, userID, next string) {
	s.setSession(w, token)
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

func (s *Server) authRoutes(handle handleFunc) {
	handle("GET /login", s.loginForm)
	handle("POST /login", s.login)
	handle("GET /login/totp", s.totpForm)
	handle("POST /login/totp", s.totpVerify)
	handle("POST /logout", s.logout)
	s.oidcRoutes(handle)
	// The signed-in user's own sign-in settings (account.go).
	handle("GET /account/totp", s.signedIn(s.totpPage))
	handle("POST /account/totp", s.signedIn(s.totpChange))
	handle("POST /account/tokens/{id}/revoke", s.signedIn(s.revokeToken))
}
