package portal

import (
	"crypto/subtle"
	"errors"
	"mime"
	"mime/multipart"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/pflicht/pflicht/internal/findings"
)

// contentSecurityPolicy allows nothing inline: styles and the optional
// countdown script come from /static only.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// middleware wraps the routes, outermost first: headers, panic recovery,
// body limit, cross-origin check, session and language, synchronizer token.
func (s *Server) middleware(h http.Handler) http.Handler {
	h = s.checkCSRF(h)
	h = s.loadSession(h)
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.forbiddenCSRF))
	h = cop.Handler(h)
	h = s.limitBody(h)
	h = s.recoverPanic(h)
	return s.securityHeaders(h)
}

func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		if s.cfg.SecureCookies {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// recoverPanic turns a panic into a logged 500 page. http.ErrAbortHandler
// is the standard way to abort a response and passes through.
func (s *Server) recoverPanic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
			s.renderError(w, r, http.StatusInternalServerError, "error.internal")
		}()
		next.ServeHTTP(w, r)
	})
}

// limitBody bounds every body of the UI; reading past the limit fails, and
// form parsing (checkCSRF) turns that into a 413 page. The API bounds its
// own bodies and answers in problem+json.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			next.ServeHTTP(w, r)
			return
		}
		limit := s.cfg.MaxBodyBytes
		if isEvidenceUpload(r) {
			limit += s.cfg.MaxEvidenceBytes
		}
		if isSBOMUpload(r) {
			limit += findings.MaxSBOMBytes
		}
		if r.ContentLength > limit {
			s.renderError(w, r, http.StatusRequestEntityTooLarge, "error.too_large")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// checkCSRF requires the synchronizer token on every state-changing request
// of the UI. The API authenticates with bearer tokens, which a browser does
// not send on its own, so it needs none.
func (s *Server) checkCSRF(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if safeMethod(r.Method) || strings.HasPrefix(r.URL.Path, "/api/") {
			next.ServeHTTP(w, r)
			return
		}
		if err := parseForm(r); err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok || errors.Is(err, multipart.ErrMessageTooLarge) {
				s.renderError(w, r, http.StatusRequestEntityTooLarge, "error.too_large")
				return
			}
			s.renderError(w, r, http.StatusBadRequest, "error.bad_request")
			return
		}
		want := state(r).csrf
		got := r.PostForm.Get(csrfField)
		if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			s.log.Warn("csrf token missing or wrong", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr)
			s.forbiddenCSRF(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// multipartMemory is how much of a multipart body (a file upload) is held
// in memory; the rest goes to temporary files, which net/http removes when
// the request ends.
const multipartMemory = 1 << 20

// parseForm reads a URL-encoded or a multipart body into r.PostForm, so
// the token is checked the same way for both.
func parseForm(r *http.Request) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		return r.ParseMultipartForm(multipartMemory)
	}
	return r.ParseForm()
}

func (s *Server) forbiddenCSRF(w http.ResponseWriter, r *http.Request) {
	s.renderError(w, r, http.StatusForbidden, "error.csrf")
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}
