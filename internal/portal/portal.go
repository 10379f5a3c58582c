// Package portal is pflicht's web server: the server-rendered UI for
// organisations and supervisors, sessions and CSRF protection, metrics, and
// the mount point of the JSON API. It is thin: it parses, authorises, calls
// an engine (scope, clock, fines) and the store, and renders. It decides no
// legal question itself; every legal statement on a page comes from an
// engine with its citation.
package portal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/pflicht/pflicht/internal/store"
)

// Config is what New needs. Only Store is required.
type Config struct {
	Store  *store.Store
	Logger *slog.Logger // default slog.Default()
	// SecureCookies marks cookies Secure and sends HSTS. Turn it off only
	// for plain-HTTP access on a loopback address.
	SecureCookies bool
	// API, if set, serves everything under /api/v1/.
	API http.Handler
	// Now is the clock; tests pin it. Default time.Now.
	Now func() time.Time
	// MaxBodyBytes bounds every request body of the UI (default 1 MiB);
	// the API bounds its own.
	MaxBodyBytes int64
	// MaxEvidenceBytes bounds one uploaded evidence file (default 10 MiB,
	// at most store.MaxEvidenceSize); its upload route alone gets a body
	// limit this much larger than MaxBodyBytes.
	MaxEvidenceBytes int64
	// SessionIdle ends a session not used for this long (default 30 min);
	// SessionMax ends any session this long after login (default 12 h).
	SessionIdle, SessionMax time.Duration
	// OIDC, if set, offers sign-in with an OpenID Connect provider beside
	// passwords (NewOIDC).
	OIDC *OIDC
	// MetricsToken, if set, is the bearer token /metrics requires; without
	// it /metrics answers loopback clients only (metrics.go).
	MetricsToken string
}

// Server is the portal. It is an http.Handler; `pflicht serve` wraps it in
// an http.Server. Routes: the UI, /healthz, /metrics (Prometheus), /static/
// and, if Config.API is set, /api/v1/.
type Server struct {
	cfg     Config
	log     *slog.Logger
	store   *store.Store
	now     func() time.Time
	view    *views
	handler http.Handler
	metrics *metrics
	limits  *loginLimits
	dummy   string // password hash verified for unknown users, so timing does not tell
}

// New builds the portal: templates, catalogues, routes and middleware.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("portal: Config.Store is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.MaxEvidenceBytes <= 0 {
		cfg.MaxEvidenceBytes = 10 << 20
	}
	cfg.MaxEvidenceBytes = min(cfg.MaxEvidenceBytes, store.MaxEvidenceSize)
	if cfg.SessionIdle <= 0 {
		cfg.SessionIdle = 30 * time.Minute
	}
	if cfg.SessionMax <= 0 {
		cfg.SessionMax = 12 * time.Hour
	}
	v, err := loadViews()
	if err != nil {
		return nil, err
	}
	dummy, err := dummyHash()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: cfg, log: cfg.Logger, store: cfg.Store, now: cfg.Now, view: v,
		metrics: newMetrics(cfg.MetricsToken), limits: newLoginLimits(cfg.Store, cfg.Now, cfg.Logger),
		dummy: dummy,
	}
	s.handler = s.middleware(s.routes())
	return s, nil
}

// ServeHTTP serves the portal.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// NoAdminHint logs how to create the first administrator if there is none
// yet; serve calls it at start.
func (s *Server) NoAdminHint(ctx context.Context) error {
	ok, err := s.store.HasAdmin(ctx)
	if err != nil {
		return fmt.Errorf("portal: %w", err)
	}
	if !ok {
		s.log.Warn("no administrator yet; create one with: pflicht user add EMAIL --role admin (the password is read from stdin)")
	}
	return nil
}
