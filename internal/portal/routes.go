package portal

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/pflicht/pflicht/internal/store"
)

// handleFunc registers a handler for a pattern of http.ServeMux, with metrics.
type handleFunc func(pattern string, h http.HandlerFunc)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, h http.HandlerFunc) {
		mux.Handle(pattern, s.metrics.instrument(pattern, h))
	}
	handle("GET /healthz", s.healthz)
	mux.Handle("GET /metrics", s.metrics.instrument("GET /metrics", s.metrics.handler()))
	mux.Handle("GET /static/", s.metrics.instrument("GET /static/", staticHandler()))
	if s.cfg.API != nil {
		mux.Handle("/api/v1/", s.metrics.instrument("/api/v1/", s.cfg.API))
	}
	handle("GET /lang/{lang}", s.setLang)
	// Each feature registers its routes from its own file.
	for _, add := range []func(handleFunc){
		s.authRoutes, s.orgRoutes, s.incidentRoutes, s.measureRoutes,
		s.productRoutes, s.notificationRoutes, s.supervisorRoutes,
	} {
		add(handle)
	}
	handle("/", func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, http.StatusNotFound, "error.not_found")
	})
	return mux
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.store.Ping(r.Context()); err != nil {
		s.log.Error("health check", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("store unavailable\n"))
		return
	}
	w.Write([]byte("ok\n"))
}

// setLang stores the chosen language in a cookie and returns to the page.
func (s *Server) setLang(w http.ResponseWriter, r *http.Request) {
	l := r.PathValue("lang")
	if !validLang(l) {
		s.renderError(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
}

// signedIn sends visitors without a session to the login page and back.
func (s *Server) signedIn(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if state(r).user == nil {
			if safeMethod(r.Method) {
				http.Redirect(w, r, "/login?"+url.Values{"next": {r.URL.RequestURI()}}.Encode(), http.StatusSeeOther)
				return
			}
			s.renderError(w, r, http.StatusUnauthorized, "error.signed_out")
			return
		}
		h(w, r)
	}
}

func (s *Server) supervisor(h http.HandlerFunc) http.HandlerFunc {
	return s.signedIn(func(w http.ResponseWriter, r *http.Request) {
		if !state(r).user.Supervisor() {
			s.renderError(w, r, http.StatusForbidden, "error.forbidden")
			return
		}
		h(w, r)
	})
}

// serverError maps store errors to pages in one place: not found → 404,
// conflict → 409, invalid → 400, anything else is logged and a 500.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.renderError(w, r, http.StatusNotFound, "error.not_found")
	case errors.Is(err, store.ErrConflict):
		s.renderError(w, r, http.StatusConflict, "error.conflict")
	case errors.Is(err, store.ErrInvalid):
		s.renderError(w, r, http.StatusBadRequest, "error.bad_request")
	default:
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		s.renderError(w, r, http.StatusInternalServerError, "error.internal")
	}
}
