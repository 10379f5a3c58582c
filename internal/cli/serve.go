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
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/pflicht/pflicht/internal/api"
	"github.com/pflicht/pflicht/internal/facts"
	"github.com/pflicht/pflicht/internal/notify"
	"github.com/pflicht/pflicht/internal/portal"
	"github.com/pflicht/pflicht/internal/store"
)

// shutdownGrace is how long in-flight requests may take after a signal.
const shutdownGrace = 20 * time.Second

type serveOptions struct {
	addr, logFormat  string
	loc              storeFlags
	secureCookies    bool
	notify           notifyOptions
	oidc             portal.OIDCConfig
	oidcSecretFile   string
	metricsTokenFile string
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

Notifications (deadlines, known-exploited vulnerabilities, notes from the
authority) are shown in the portal. pflicht also sends them when configured,
and makes no network connection otherwise: by webhook (--webhook-url; a JSON
POST signed with HMAC-SHA256 under the secret in --webhook-secret-file) and
by e-mail (--smtp-addr, --smtp-from; STARTTLS is required unless the server
is a loopback address) to the contact e-mails of the organisation's profile.
Failed deliveries are retried with exponential backoff for about 4 hours,
then marked failed in the portal. See docs/notifications.md.

Single sign-on with an OpenID Connect provider is offered beside passwords
with --oidc-issuer, --oidc-client-id and --oidc-client-secret-file. The
client's redirect URI is --oidc-redirect-url, else --public-url followed by
/login/oidc/callback, else https://HOST/login/oidc/callback with HOST as the
request names it; register it with the provider. Users are matched to
existing accounts by the e-mail address the provider has verified; none are
created. See docs/security.md.

/metrics answers only clients on a loopback address, unless
--metrics-token-file names a file holding a token: then it answers anyone
sending "Authorization: Bearer TOKEN", and no one else.

SIGINT or SIGTERM stops the server gracefully: requests in flight finish,
then the database is closed.`,
		Example: `  pflicht serve --addr 127.0.0.1:8080
  pflicht serve --addr :8443 --db postgres://pflicht@db/pflicht \
    --public-url https://pflicht.example.org \
    --webhook-url https://hooks.example.org/pflicht --webhook-secret-file /etc/pflicht/webhook.key \
    --smtp-addr mail.example.org:587 --smtp-from 'pflicht <noreply@example.org>' \
    --smtp-user pflicht --smtp-password-file /etc/pflicht/smtp.pass`,
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
	o.loc.add(cmd)
	f.StringVar(&o.logFormat, "log-format", "text", "log format: text or json")
	f.BoolVar(&o.secureCookies, "secure-cookies", true, "mark cookies Secure and send HSTS; false by default when --addr is a loopback address")
	o.notify.flags(cmd)
	f.StringVar(&o.oidc.Issuer, "oidc-issuer", "", "OpenID Connect issuer URL: offer single sign-on, matching users to accounts by verified e-mail")
	f.StringVar(&o.oidc.ClientID, "oidc-client-id", "", "OpenID Connect client id (with --oidc-issuer)")
	f.StringVar(&o.oidcSecretFile, "oidc-client-secret-file", "", "file holding the OpenID Connect client secret (with --oidc-issuer)")
	f.StringVar(&o.oidc.RedirectURL, "oidc-redirect-url", "", "OpenID Connect redirect URL, https://HOST/login/oidc/callback (default: from --public-url, else from the request's Host)")
	f.StringVar(&o.metricsTokenFile, "metrics-token-file", "", "file holding the bearer token /metrics requires (at least 16 characters); without it /metrics answers loopback clients only")
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
	dsn, err := o.loc.dsn()
	if err != nil {
		return err
	}
	if o.loc.db == "" {
		if err := os.MkdirAll(o.loc.data, 0o700); err != nil {
			return fmt.Errorf("serve: data directory: %w", err)
		}
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
	// Incidents stored before migration 0004 (or written without the next
	// due instant) are missing from the overdue feed until this is done.
	// One incident the engine refuses must not keep the server down.
	n, err := st.BackfillNextDue(ctx, store.System("serve"), facts.NextDue)
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case err != nil:
		log.Warn("next due instants", "set", n, "err", err)
	case n > 0:
		log.Info("next due instants", "set", n)
	}
	if n := o.notify; n.publicURL != "" && n.webhookURL == "" && n.smtpAddr == "" && o.oidc.Issuer == "" {
		return &InputError{Field: "--public-url", Msg: "is used only with --webhook-url or --smtp-addr (links in notifications) or --oidc-issuer (the redirect URL)"}
	}
	oidc, err := startOIDC(ctx, o)
	if err != nil {
		return err
	}
	metricsToken, err := readMetricsToken(o.metricsTokenFile)
	if err != nil {
		return err
	}
	srv, err := portal.New(portal.Config{
		Store: st, Logger: log, SecureCookies: o.secureCookies, Now: e.now, OIDC: oidc, MetricsToken: metricsToken,
		API: api.New(api.Config{Store: st, Logger: log, Now: e.now}),
	})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if err := srv.NoAdminHint(ctx); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	// Deliveries stop with ctx; the store is closed only after the last
	// attempt under way is recorded.
	notifyDone, err := startNotify(ctx, o.notify, st, log, e.now)
	if err != nil {
		return err
	}
	defer notifyDone()
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
	metricsAccess := "loopback clients"
	if metricsToken != "" {
		metricsAccess = "bearer token"
	}
	log.Info("listening", "addr", ln.Addr().String(), "database", st.Dialect(), "secure_cookies", o.secureCookies, "metrics", metricsAccess)
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

// notifyOptions are the flags of the delivery channels; all empty means
// no delivery and no network connection.
type notifyOptions struct {
	publicURL, webhookURL, webhookSecretFile  string
	smtpAddr, smtpFrom, smtpUser, smtpPwdFile string
}

func (o *notifyOptions) flags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.publicURL, "public-url", "", "URL users reach the portal at (https://pflicht.example.org), for links in e-mails and webhooks")
	f.StringVar(&o.webhookURL, "webhook-url", "", "send every notification as a signed JSON POST to this https URL")
	f.StringVar(&o.webhookSecretFile, "webhook-secret-file", "", "file holding the webhook signing secret (at least 16 bytes; required with --webhook-url)")
	f.StringVar(&o.smtpAddr, "smtp-addr", "", "SMTP server host:port for e-mail notifications (STARTTLS required unless loopback)")
	f.StringVar(&o.smtpFrom, "smtp-from", "", "sender address of e-mail notifications (required with --smtp-addr)")
	f.StringVar(&o.smtpUser, "smtp-user", "", "SMTP user for AUTH PLAIN (with --smtp-password-file)")
	f.StringVar(&o.smtpPwdFile, "smtp-password-file", "", "file holding the SMTP password")
}

// startNotify starts the delivery loop if a channel is configured and
// returns a function that stops it and waits until the attempts under way
// are recorded.
func startNotify(ctx context.Context, o notifyOptions, st *store.Store, log *slog.Logger, now func() time.Time) (func(), error) {
	need := func(flag, with string) error {
		return &InputError{Field: flag, Msg: "is required with " + with}
	}
	cfg := notify.Config{Store: st, Logger: log, PublicURL: o.publicURL, Now: now}
	switch {
	case o.webhookURL != "" && o.webhookSecretFile == "":
		return nil, need("--webhook-secret-file", "--webhook-url")
	case o.webhookURL == "" && o.webhookSecretFile != "":
		return nil, need("--webhook-url", "--webhook-secret-file")
	case o.smtpAddr != "" && o.smtpFrom == "":
		return nil, need("--smtp-from", "--smtp-addr")
	case o.smtpAddr == "" && (o.smtpFrom != "" || o.smtpUser != "" || o.smtpPwdFile != ""):
		return nil, need("--smtp-addr", "the other --smtp-… flags")
	}
	if o.webhookURL != "" {
		secret, err := readSecret("--webhook-secret-file", o.webhookSecretFile)
		if err != nil {
			return nil, err
		}
		cfg.Webhook = &notify.WebhookConfig{URL: o.webhookURL, Secret: []byte(secret)}
	}
	if o.smtpAddr != "" {
		cfg.Email = &notify.EmailConfig{Addr: o.smtpAddr, From: o.smtpFrom, User: o.smtpUser}
		if o.smtpPwdFile != "" {
			pw, err := readSecret("--smtp-password-file", o.smtpPwdFile)
			if err != nil {
				return nil, err
			}
			cfg.Email.Password = pw
		}
	}
	if cfg.Webhook == nil && cfg.Email == nil {
		return func() {}, nil
	}
	n, err := notify.New(cfg)
	var ce *notify.ConfigError
	if errors.As(err, &ce) {
		return nil, &InputError{Field: "--" + ce.Field, Msg: ce.Msg}
	}
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	log.Info("delivering notifications", "channels", strings.Join(n.Channels(), ","))
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		n.Run(ctx)
	}()
	return func() { cancel(); <-done }, nil
}

// readSecret reads a secret from a file, without the trailing newline an
// editor leaves. Its content never appears in a message.
func readSecret(flag, path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", &InputError{Field: flag, Msg: err.Error()}
	}
	s := strings.TrimRight(string(b), "\r\n")
	if s == "" {
		return "", &InputError{Field: flag, Msg: "the file is empty"}
	}
	return s, nil
}

// startOIDC reads the OpenID Connect flags and discovers the provider; nil
// when single sign-on is not configured.
func startOIDC(ctx context.Context, o serveOptions) (*portal.OIDC, error) {
	c := o.oidc
	if c.Issuer == "" && c.ClientID == "" && o.oidcSecretFile == "" && c.RedirectURL == "" {
		return nil, nil
	}
	for _, f := range []struct{ name, v string }{
		{"--oidc-issuer", c.Issuer}, {"--oidc-client-id", c.ClientID}, {"--oidc-client-secret-file", o.oidcSecretFile},
	} {
		if f.v == "" {
			return nil, &InputError{Field: f.name, Msg: "single sign-on needs --oidc-issuer, --oidc-client-id and --oidc-client-secret-file"}
		}
	}
	b, err := os.ReadFile(o.oidcSecretFile)
	if err != nil {
		return nil, &InputError{Field: "--oidc-client-secret-file", Msg: err.Error()}
	}
	if c.ClientSecret = strings.TrimSpace(string(b)); c.ClientSecret == "" {
		return nil, &InputError{Field: "--oidc-client-secret-file", Msg: "the file is empty"}
	}
	// The redirect URL is checked (in NewOIDC) before the provider is
	// asked anything; derived from --public-url, an error names that flag.
	derived := c.RedirectURL == "" && o.notify.publicURL != ""
	if derived {
		c.RedirectURL = strings.TrimSuffix(o.notify.publicURL, "/") + "/login/oidc/callback"
	}
	oidc, err := portal.NewOIDC(ctx, c)
	var ce *portal.ConfigError
	switch {
	case errors.As(err, &ce) && ce.Field == "oidc-redirect-url" && derived:
		return nil, &InputError{Field: "--public-url", Msg: "the OpenID Connect redirect URL made from it: " + ce.Msg}
	case errors.As(err, &ce):
		return nil, &InputError{Field: "--" + ce.Field, Msg: ce.Msg}
	case err != nil:
		return nil, fmt.Errorf("serve: %w", err)
	}
	return oidc, nil
}

// minMetricsToken is the shortest token --metrics-token-file may hold.
const minMetricsToken = 16

// readMetricsToken reads the token /metrics requires; "" without the flag.
func readMetricsToken(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	tok, err := readSecret("--metrics-token-file", path)
	if err != nil {
		return "", err
	}
	if len(tok) < minMetricsToken {
		return "", &InputError{Field: "--metrics-token-file", Msg: fmt.Sprintf("the token must have at least %d characters", minMetricsToken)}
	}
	for _, c := range []byte(tok) {
		// What an HTTP header carries as a bearer token unchanged.
		if c <= ' ' || c > '~' {
			return "", &InputError{Field: "--metrics-token-file", Msg: "the token must be printable ASCII without spaces"}
		}
	}
	return tok, nil
}
