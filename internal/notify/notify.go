// Package notify delivers the store's notifications outside the portal: by
// webhook (a signed JSON POST) and by e-mail (SMTP with STARTTLS) to the
// contact addresses of the organisation's profile. It works the outbox
// the store keeps beside every notification: it claims due deliveries with
// a lease, so of several app servers one sends each, retries failures with
// exponential backoff and gives up after a bounded number of attempts,
// visibly (the portal shows the state and the last error).
//
// Nothing here touches the network unless the operator configured a
// channel; `pflicht serve` starts the loop only then.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/pflicht/pflicht/internal/store"
)

// Defaults of Config.
const (
	DefaultPoll        = 5 * time.Second
	DefaultTimeout     = 15 * time.Second
	DefaultMaxAttempts = 10
	DefaultMaxAge      = 72 * time.Hour
	// batch is how many deliveries of a channel one round claims and sends
	// at the same time.
	batch = 4
)

// Config configures the delivery loop. At least one channel is required.
type Config struct {
	Store  *store.Store
	Logger *slog.Logger // default slog.Default()
	// Webhook and Email configure the channels; nil leaves one off.
	Webhook *WebhookConfig
	Email   *EmailConfig
	// PublicURL, if set, is where users reach the portal
	// ("https://pflicht.example.org"); links in messages are made absolute
	// with it. Without it they are sent as paths.
	PublicURL string
	// Poll is how often due deliveries are looked for (default 5 s).
	Poll time.Duration
	// MaxAttempts is how many attempts a delivery gets before it is given
	// up (default 10: the last about 4 h after the first, see Backoff).
	MaxAttempts int
	// MaxAge gives up deliveries never attempted whose notification is
	// older (default 72 h), so enabling a channel does not send a backlog.
	MaxAge time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Notifier is the delivery loop.
type Notifier struct {
	cfg     Config
	log     *slog.Logger
	senders []sender
	actor   store.Actor
}

// sender delivers one notification on one channel.
type sender interface {
	channel() string
	timeout() time.Duration
	send(ctx context.Context, d store.Delivery) error
}

// permanent marks an error that retrying cannot cure (no recipient): the
// delivery is given up at once.
type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

// New checks cfg and builds the loop.
func New(cfg Config) (*Notifier, error) {
	if cfg.Store == nil {
		return nil, errors.New("notify: Config.Store is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultPoll
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	if err := checkPublicURL(cfg.PublicURL); err != nil {
		return nil, err
	}
	n := &Notifier{cfg: cfg, log: cfg.Logger, actor: store.System("notify")}
	if cfg.Email != nil {
		m, err := newMailer(*cfg.Email, cfg.PublicURL, cfg.Now)
		if err != nil {
			return nil, err
		}
		n.senders = append(n.senders, m)
	}
	if cfg.Webhook != nil {
		w, err := newWebhook(*cfg.Webhook, cfg.PublicURL, cfg.Now)
		if err != nil {
			return nil, err
		}
		n.senders = append(n.senders, w)
	}
	if len(n.senders) == 0 {
		return nil, errors.New("notify: no channel configured")
	}
	return n, nil
}

// Channels names the configured channels, for the start-up log.
func (n *Notifier) Channels() []string {
	var cs []string
	for _, s := range n.senders {
		cs = append(cs, s.channel())
	}
	return cs
}

// Run delivers until ctx ends. Attempts under way when it ends are
// finished (each is bounded by its timeout) and recorded, so a graceful
// shutdown leaves no lease behind.
func (n *Notifier) Run(ctx context.Context) {
	t := time.NewTicker(n.cfg.Poll)
	defer t.Stop()
	for {
		for _, s := range n.senders {
			for ctx.Err() == nil && n.round(ctx, s) == batch {
				// A full batch: more may be due at once.
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// round claims up to batch due deliveries of one channel, sends them at
// the same time and records each outcome. It returns how many it claimed.
func (n *Notifier) round(ctx context.Context, s sender) int {
	// The lease covers one attempt (all of a batch run in parallel) with
	// room for recording the outcome.
	ds, err := n.cfg.Store.ClaimDeliveries(ctx, n.actor, store.Claim{Channel: s.channel(), Now: n.cfg.Now(),
		Lease: s.timeout() + time.Minute, Limit: batch, MaxAge: n.cfg.MaxAge})
	if err != nil {
		if ctx.Err() == nil {
			n.log.Error("notification delivery: claim", "channel", s.channel(), "err", err)
		}
		return 0
	}
	var wg sync.WaitGroup
	for _, d := range ds {
		wg.Go(func() {
			// Not cancelled with ctx: an attempt under way at shutdown is
			// finished and recorded.
			actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.timeout())
			defer cancel()
			n.record(actx, d, s.send(actx, d))
		})
	}
	wg.Wait()
	return len(ds)
}

// record stores the outcome of an attempt and logs failures. Messages name
// no secret: senders leave URLs and credentials out of their errors.
func (n *Notifier) record(ctx context.Context, d store.Delivery, sendErr error) {
	ctx = context.WithoutCancel(ctx) // the attempt's deadline may have passed
	now := n.cfg.Now()
	attrs := []any{"channel", d.Channel, "notification", d.Notification.ID, "org", d.Notification.OrgID, "attempt", d.Attempt}
	var err error
	var perm permanent
	switch {
	case sendErr == nil:
		err = n.cfg.Store.DeliverySent(ctx, n.actor, d, now)
		if err == nil {
			n.log.Info("notification delivered", attrs...)
		}
	case d.Attempt >= n.cfg.MaxAttempts || errors.As(sendErr, &perm):
		err = n.cfg.Store.DeliveryFailed(ctx, n.actor, d, now, sendErr.Error(), nil)
		if err == nil {
			n.log.Error("notification delivery given up", append(attrs, "err", sendErr)...)
		}
	default:
		next := now.Add(Backoff(d.Attempt))
		err = n.cfg.Store.DeliveryFailed(ctx, n.actor, d, now, sendErr.Error(), &next)
		if err == nil {
			n.log.Warn("notification delivery failed; will retry", append(attrs, "err", sendErr, "next_attempt", next)...)
		}
	}
	if errors.Is(err, store.ErrConflict) {
		// The lease passed and another server took the delivery over.
		n.log.Warn("notification delivery: outcome came after the lease", append(attrs, "err", sendErr)...)
	} else if err != nil {
		n.log.Error("notification delivery: record outcome", append(attrs, "err", err)...)
	}
}

// Backoff is the wait after failed attempt number attempt (1 for the
// first): one minute, doubling, at most an hour. With the default ten
// attempts the last comes about 4 h 3 min after the first.
func Backoff(attempt int) time.Duration {
	const base, limit = time.Minute, time.Hour
	if attempt < 1 {
		attempt = 1
	}
	if attempt > 7 { // 2^6 min > 1 h already
		return limit
	}
	return min(base<<(attempt-1), limit)
}

// loopbackHost reports whether host is a loopback name or address, where
// plain text on the wire stays on this machine.
func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ConfigError is a configuration New rejects. Field is the name of the
// `pflicht serve` flag that sets it, without dashes.
type ConfigError struct {
	Field, Msg string
}

func (e *ConfigError) Error() string { return "notify: --" + e.Field + ": " + e.Msg }

func configError(field, format string, args ...any) error {
	return &ConfigError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// checkPublicURL accepts "" or an absolute http(s) URL without query.
func checkPublicURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return configError("public-url", "%q is not an http(s) URL like https://pflicht.example.org", s)
	}
	return nil
}

// linkURL is a notification's link as sent: absolute under publicURL if
// that is set, else the local path.
func linkURL(publicURL, link string) string {
	if link == "" || publicURL == "" {
		return link
	}
	return strings.TrimSuffix(publicURL, "/") + link
}
