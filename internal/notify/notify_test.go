package notify

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/pgtest"
	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// clock is the real time moved forward by what tests add: the store
// stamps notifications with the real time, and a delivery is due from then.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return time.Now().Add(c.offset) }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// fixture is a store with one organisation whose profile has two contact
// e-mails, and a clock for the notifier.
type fixture struct {
	t      *testing.T
	st     *store.Store
	org    store.Organisation
	member store.Actor
	clock  *clock
	logs   *bytes.Buffer
}

func newFixture(t *testing.T, st *store.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	u, err := st.CreateUser(ctx, store.System("test"), "ciso@acme.example", "$argon2id$test", "")
	if err != nil {
		t.Fatal(err)
	}
	member := store.Actor{UserID: u.ID, Via: "test"}
	org, err := st.CreateOrganisation(ctx, member, store.Profile{Name: "Acme", Emails: []string{"security@acme.example", "ciso@acme.example"}}, "wichtig")
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, st: st, org: org, member: member, clock: &clock{}, logs: &bytes.Buffer{}}
}

func (f *fixture) notify(title string) store.Notification {
	f.t.Helper()
	n, err := f.st.Notify(context.Background(), f.member, store.Notification{OrgID: f.org.ID, Kind: "cra-kev",
		Title: title, Body: "Exploited: CVE-2026-0001 in libfoo 1.2.3.", Link: "/orgs/" + f.org.ID + "/products"})
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

// notifier builds a loop on the fixture's store and clock.
func (f *fixture) notifier(cfg Config) *Notifier {
	f.t.Helper()
	cfg.Store, cfg.Now = f.st, f.clock.now
	cfg.Logger = slog.New(slog.NewTextHandler(f.logs, nil))
	n, err := New(cfg)
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

// state is the delivery state of notification id on channel, nil if
// nothing was tried.
func (f *fixture) state(id int64, channel string) *store.DeliveryState {
	f.t.Helper()
	ns, err := f.st.Notifications(context.Background(), f.member, f.org.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, n := range ns {
		if n.ID != id {
			continue
		}
		for _, d := range n.Deliveries {
			if d.Channel == channel {
				return &d
			}
		}
	}
	return nil
}

// rounds runs one round of every channel, as one tick of Run does.
func (n *Notifier) rounds(ctx context.Context) int {
	total := 0
	for _, s := range n.senders {
		total += n.round(ctx, s)
	}
	return total
}

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		attempt int
		want    time.Duration
	}{
		{0, time.Minute}, {1, time.Minute}, {2, 2 * time.Minute}, {3, 4 * time.Minute}, {6, 32 * time.Minute},
		{7, time.Hour}, {8, time.Hour}, {1000, time.Hour},
	} {
		if got := Backoff(tc.attempt); got != tc.want {
			t.Errorf("Backoff(%d) = %s, want %s", tc.attempt, got, tc.want)
		}
	}
	// The documented schedule: the tenth attempt about 4 h after the first.
	var total time.Duration
	for a := 1; a < DefaultMaxAttempts; a++ {
		total += Backoff(a)
	}
	if total != 4*time.Hour+3*time.Minute {
		t.Errorf("time to the last attempt = %s", total)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	st := &store.Store{}
	secret := []byte("0123456789abcdef0123")
	for _, tc := range []struct {
		name, field string
		cfg         Config
	}{
		{"nothing", "", Config{}},
		{"plain http", "webhook-url", Config{Webhook: &WebhookConfig{URL: "http://hooks.example.org/x", Secret: secret}}},
		{"no scheme", "webhook-url", Config{Webhook: &WebhookConfig{URL: "hooks.example.org/x", Secret: secret}}},
		{"ftp", "webhook-url", Config{Webhook: &WebhookConfig{URL: "ftp://hooks.example.org/x", Secret: secret}}},
		{"user in URL", "webhook-url", Config{Webhook: &WebhookConfig{URL: "https://u:p@hooks.example.org/x", Secret: secret}}},
		{"short secret", "webhook-secret-file", Config{Webhook: &WebhookConfig{URL: "https://hooks.example.org/x", Secret: []byte("short")}}},
		{"smtp no port", "smtp-addr", Config{Email: &EmailConfig{Addr: "mail.example.org", From: "a@example.org"}}},
		{"smtp bad port", "smtp-addr", Config{Email: &EmailConfig{Addr: "mail.example.org:99999", From: "a@example.org"}}},
		{"smtp from", "smtp-from", Config{Email: &EmailConfig{Addr: "mail.example.org:587", From: "not an address"}}},
		{"user without password", "smtp-user", Config{Email: &EmailConfig{Addr: "mail.example.org:587", From: "a@example.org", User: "u"}}},
		{"public url", "public-url", Config{PublicURL: "pflicht.example.org", Webhook: &WebhookConfig{URL: "https://hooks.example.org/x", Secret: secret}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Store = st
			_, err := New(tc.cfg)
			var ce *ConfigError
			switch {
			case err == nil:
				t.Fatal("accepted")
			case tc.field == "":
			case !errors.As(err, &ce) || ce.Field != tc.field:
				t.Errorf("err = %v, want a ConfigError for %s", err, tc.field)
			}
		})
	}
	ok := Config{Store: st, PublicURL: "https://pflicht.example.org",
		Webhook: &WebhookConfig{URL: "https://hooks.example.org/x", Secret: secret},
		Email:   &EmailConfig{Addr: "mail.example.org:587", From: "pflicht <noreply@example.org>"}}
	n, err := New(ok)
	if err != nil {
		t.Fatal(err)
	}
	if cs := n.Channels(); len(cs) != 2 || cs[0] != store.ChannelEmail || cs[1] != store.ChannelWebhook {
		t.Errorf("Channels = %v", cs)
	}
	// Plain http and no STARTTLS are fine on loopback.
	if _, err := New(Config{Store: st, Webhook: &WebhookConfig{URL: "http://127.0.0.1:9/x", Secret: secret}}); err != nil {
		t.Errorf("loopback http: %v", err)
	}
}

func TestRunStopsAndRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		rec := newReceiver(t, f.clock, func(int) int { return 200 })
		n := f.notifier(Config{Webhook: rec.config(), Poll: 10 * time.Millisecond})
		f.clock.add(time.Second)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { n.Run(ctx); close(done) }()
		id := f.notify("first").ID
		deadline := time.After(20 * time.Second)
		for f.state(id, store.ChannelWebhook) == nil || f.state(id, store.ChannelWebhook).DeliveredAt == nil {
			select {
			case <-deadline:
				t.Fatalf("not delivered: %+v", f.state(id, store.ChannelWebhook))
			case <-time.After(10 * time.Millisecond):
			}
		}
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatal("Run did not stop")
		}
		if got := rec.count(); got != 1 {
			t.Errorf("%d requests, want 1", got)
		}
	})
}
