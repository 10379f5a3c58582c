package portal

import (
	"bytes"
	"encoding/base64"
	"errors"
	"html/template"
	"image/png"
	"net/http"

	"github.com/pquerna/otp"

	"github.com/pflicht/pflicht/internal/auth"
	"github.com/pflicht/pflicht/internal/store"
)

// totpIssuer names pflicht in authenticator apps.
const totpIssuer = "pflicht"

// accountData is the account page: the TOTP enrolment (a new secret, its
// URI and QR code) or, once enabled, the form that disables it; and the
// user's API tokens.
type accountData struct {
	Email   string
	Role    store.Role
	Enabled bool
	Flash   string
	// Enrolment; Secret also travels in a hidden field, so the page needs
	// no server-side state between showing the code and confirming it.
	Secret, URI string
	QR          template.URL // data: URI of a PNG
	Tokens      []accountToken
}

// accountToken is an API token as the account page lists it.
type accountToken struct {
	store.APIToken
	Expired bool
}

// accountFlashes are the confirmations after a change (?done=KEY).
var accountFlashes = map[string]string{"enabled": "totp.flash_enabled", "disabled": "totp.flash_disabled",
	"token_revoked": "tokens.flash_revoked"}

func (s *Server) totpPage(w http.ResponseWriter, r *http.Request) {
	u, err := s.store.Account(r.Context(), state(r).user.actor())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := accountData{Flash: accountFlashes[r.URL.Query().Get("done")]}
	if u.TOTPSecret == "" {
		d.Secret = auth.NewTOTPSecret()
	}
	s.renderAccount(w, r, http.StatusOK, u, d, nil)
}

// renderAccount fills in the account, its API tokens and, while TOTP is
// off, the URI and QR code of d.Secret.
func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, status int, u store.User, d accountData, fe fieldErrors) {
	d.Email, d.Role, d.Enabled = u.Email, u.Role, u.TOTPSecret != ""
	tokens, err := s.store.Tokens(r.Context(), state(r).user.actor(), u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	now := s.now()
	for _, t := range tokens {
		d.Tokens = append(d.Tokens, accountToken{APIToken: t, Expired: t.ExpiresAt != nil && !t.ExpiresAt.After(now)})
	}
	if d.Enabled {
		d.Secret = ""
	} else {
		var err error
		if d.URI, d.QR, err = enrolment(u.Email, d.Secret); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.render(w, r, status, "account", "totp.account_title", page{Data: d, Errors: fe})
}

// enrolment returns the otpauth URI of secret and its QR code as a PNG
// data URI (the Content-Security-Policy allows data: images).
func enrolment(email, secret string) (string, template.URL, error) {
	uri, err := auth.TOTPURI(totpIssuer, email, secret)
	if err != nil {
		return "", "", err
	}
	k, err := otp.NewKeyFromURL(uri)
	if err != nil {
		return "", "", err
	}
	img, err := k.Image(240, 240)
	if err != nil {
		return "", "", err
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return "", "", err
	}
	// The PNG is made here from the URI, never from request input, so it
	// is safe to mark as a URL for the template.
	return uri, template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes())), nil
}

// totpChange enables TOTP (action "enable": the secret shown and a current
// code of it) or disables it (action "disable": a current code of the
// stored secret); both need the account's password too, so a stolen
// session can neither put its own authenticator on the account, locking
// the owner out, nor take the factor off. Wrong passwords and codes count
// against the account's login budget, so the session cannot guess them.
func (s *Server) totpChange(w http.ResponseWriter, r *http.Request) {
	a := state(r).user.actor()
	u, err := s.store.Account(r.Context(), a)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	action, secret := r.PostForm.Get("action"), r.PostForm.Get("secret")
	switch {
	case action == "enable" && u.TOTPSecret != "", action == "disable" && u.TOTPSecret == "":
		// A second tab or a resent form: the state changed meanwhile.
		s.renderError(w, r, http.StatusConflict, "error.conflict")
		return
	case action == "enable" && !auth.ValidTOTPSecret(secret):
		s.renderError(w, r, http.StatusBadRequest, "error.bad_request")
		return
	case action == "disable":
		secret = u.TOTPSecret
	case action != "enable":
		s.renderError(w, r, http.StatusBadRequest, "error.bad_request")
		return
	}
	d := accountData{Secret: secret}
	labels := map[string]string{"password": "login.password", "code": "totp.code"}
	fail := func(status int, field, msg string) {
		var fe fieldErrors
		fe.add(field, labels[field], msg)
		s.renderAccount(w, r, status, u, d, fe)
	}
	password := r.PostForm.Get("password")
	if password == "" {
		// Nothing to verify: no attempt, and nothing to charge.
		fail(http.StatusUnprocessableEntity, "password", "totp.password_required")
		return
	}
	stored := secret
	if action == "disable" {
		stored = ""
	}
	field, msg := "code", "totp.failed"
	res, err := s.attempt(w, r, attemptKeys(r, u.Email), func() (bool, error) {
		// The password is verified first and whatever the code, so the
		// time taken tells nothing about the code; argon2id compares in
		// constant time.
		ok, err := auth.VerifyPassword(u.PasswordHash, password)
		if err != nil {
			return false, err
		}
		step, codeOK := auth.TOTPStep(secret, r.PostForm.Get("code"), s.now())
		switch {
		case !ok:
			field, msg = "password", "totp.password_failed"
			return false, nil
		case !codeOK:
			return false, nil
		}
		// Turning TOTP on ends the account's other sessions (one may be
		// stolen) and keeps this one.
		err = s.store.SetOwnTOTPSecret(r.Context(), a, state(r).token, stored, step)
		if errors.Is(err, store.ErrConflict) { // the code was used before
			msg = "totp.used"
			return false, nil
		}
		return err == nil, err
	})
	switch {
	case err != nil:
		s.serverError(w, r, err)
		return
	case res == attemptLimited:
		fail(http.StatusTooManyRequests, "password", "login.rate_limited")
		return
	case res == attemptFailed:
		s.log.Info("totp change failed", "remote", r.RemoteAddr, "user", u.ID, "action", action, "reason", msg)
		fail(http.StatusUnprocessableEntity, field, msg)
		return
	}
	s.log.Info("totp "+action+"d", "user", u.ID)
	http.Redirect(w, r, "/account/totp?done="+action+"d", http.StatusSeeOther)
}

// revokeToken revokes one of the user's API tokens. The store refuses
// another user's token as not found (an admin's session may revoke any,
// as the CLI does); the next request with the token is refused.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	err := s.store.RevokeToken(r.Context(), state(r).user.actor(), id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.renderError(w, r, http.StatusNotFound, "error.not_found")
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	s.log.Info("api token revoked", "user", state(r).user.actor().UserID, "token", id)
	http.Redirect(w, r, "/account/totp?done=token_revoked#tokens", http.StatusSeeOther)
}
