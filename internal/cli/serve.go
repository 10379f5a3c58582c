package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/pflicht/pflicht/internal/api"
	"github.com/pflicht/pflicht/internal/portal"
	"github.com/pflicht/pflicht/internal/store"
)

// shutdownGrace is how long in-flight requests may take after a signal.
const shutdownGrace = 20 * time.Second

type serveOptions struct {
	addr, data, db, logFormat string
	secureCookies             bool
}

func newServeCmd(e *env) *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the web portal and the JSON API",
		Long: `serve runs the portal (the web UI for organisations and supervisors) and the
JSON API under /api/v1 on one address, with /healthz and Prometheus /metrics.

Without --db, the data lives in a SQLite file in --data (created and migrated
on start; nothing to configure). With --db postgres://… several servers can
share one PostgreSQL database.

Cookies are marked Secure (HTTPS only) and HSTS is sent unless --addr is a
loopback address; behind a TLS-terminating proxy keep the default. Create
the first administrator with: pflicht user add EMAIL --role admin.

SIGINT or SIGTERM stops the server gracefully: requests in flight finish,
then the database is closed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("secure-cookies") {
				o.secureCookies = !loopback(o.addr)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return serve(ctx, e, o, nil)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks a free one)")
	f.StringVar(&o.data, "data", "./pflicht-data", "data directory; the SQLite database is DIR/pflicht.db")
	f.StringVar(&o.db, "db", "", "PostgreSQL URL (postgres://…) instead of the SQLite file in --data")
	f.StringVar(&o.logFormat, "log-format", "text", "log format: text or json")
	f.BoolVar(&o.secureCookies, "secure-cookies", true, "mark cookies Secure and send HSTS; false by default when --addr is a loopback address")
	return cmd
}

// serve runs the server until ctx ends. If ready is not nil it receives the
// listening address once requests are accepted (tests use port 0).
func serve(ctx context.Context, e *env, o serveOptions, ready chan<- string) error {
	var h slog.Handler
	switch o.logFormat {
	case "text":
		h = slog.NewTextHandler(e.stderr, nil)
	case "json":
		h = slog.NewJSONHandler(e.stderr, nil)
	default:
		return &InputError{Field: "--log-format", Msg: fmt.Sprintf("%q is not text or json", o.logFormat)}
	}
	log := slog.New(h)
	dsn := o.db
	switch {
	case dsn != "" && !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://"):
		return &InputError{Field: "--db", Msg: "must be a postgres:// or postgresql:// URL (leave it out for SQLite in --data)"}
	case dsn == "":
		if err := os.MkdirAll(o.data, 0o700); err != nil {
			return fmt.Errorf("serve: data directory: %w", err)
		}
		dsn = filepath.Join(o.data, "pflicht.db")
	}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("close store", "err", err)
		}
	}()
	srv, err := portal.New(portal.Config{
		Store: st, Logger: log, SecureCookies: o.secureCookies, Now: e.now,
		API: api.New(api.Config{Store: st, Logger: log, Now: e.now}),
	})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if err := srv.NoAdminHint(ctx); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return &InputError{Field: "--addr", Msg: err.Error()}
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(h, slog.LevelWarn),
	}
	log.Info("listening", "addr", ln.Addr().String(), "database", st.Dialect(), "secure_cookies", o.secureCookies)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", shutdownGrace)
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped")
	return nil
}

// loopback reports whether addr listens only on a loopback interface,
// where plain HTTP cookies are acceptable.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
