package notify

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

var testSecret = []byte("s3cr3t-0123456789-abcdef")

// receiver is a webhook endpoint that verifies every request as a real
// receiver would and answers with status(n) for the n-th request.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	status func(n int) int
	mu     sync.Mutex
	got    []Payload
	bad    []string // why requests failed verification
	hdr    []http.Header
}

func newReceiver(t *testing.T, c *clock, status func(n int) int) *receiver {
	r := &receiver{t: t, status: status}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		if err := Verify(testSecret, req.Header.Get(SignatureHeader), body, c.now(), 5*time.Minute); err != nil {
			r.bad = append(r.bad, err.Error())
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var p Payload
		if err := json.Unmarshal(body, &p); err != nil || req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json" {
			r.bad = append(r.bad, "bad request")
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		r.got = append(r.got, p)
		r.hdr = append(r.hdr, req.Header.Clone())
		w.WriteHeader(r.status(len(r.got)))
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) config() *WebhookConfig {
	return &WebhookConfig{URL: r.srv.URL + "/hooks/pflicht", Secret: testSecret, Timeout: 5 * time.Second}
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.bad) > 0 {
		r.t.Errorf("requests that did not verify: %v", r.bad)
	}
	return len(r.got)
}

func TestSignVerify(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"id":1}`)
	good := Sign(testSecret, now, body)
	other := Sign([]byte("another-secret-0123456789"), now, body)
	for _, tc := range []struct {
		name, header string
		body         string
		at           time.Time
		want         error
	}{
		{"valid", good, string(body), now, nil},
		{"valid within tolerance", good, string(body), now.Add(4 * time.Minute), nil},
		{"second v1 valid (rotation)", other + ",v1=" + strings.SplitN(good, "v1=", 2)[1], string(body), now, nil},
		{"spaces", strings.ReplaceAll(good, ",", ", "), string(body), now, nil},
		{"wrong secret", other, string(body), now, ErrBadSignature},
		{"tampered body", good, `{"id":2}`, now, ErrBadSignature},
		{"stale", good, string(body), now.Add(6 * time.Minute), ErrStale},
		{"from the future", good, string(body), now.Add(-6 * time.Minute), ErrStale},
		{"empty", "", string(body), now, ErrBadSignature},
		{"no v1", "t=1800000000", string(body), now, ErrBadSignature},
		{"no t", "v1=" + strings.Repeat("00", 32), string(body), now, ErrBadSignature},
		{"short v1", "t=1800000000,v1=abcd", string(body), now, ErrBadSignature},
		{"two t", "t=1800000000,t=1800000000," + strings.SplitN(good, ",", 2)[1], string(body), now, ErrBadSignature},
		{"huge t", "t=-9223372036854775808,v1=" + strings.Repeat("00", 32), string(body), now, ErrStale},
		{"garbage", "t=abc,v1=zz", string(body), now, ErrBadSignature},
	} {
		err := Verify(testSecret, tc.header, []byte(tc.body), tc.at, 5*time.Minute)
		if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("%s: Verify = %v, want %v", tc.name, err, tc.want)
		}
	}
}

// FuzzVerify: Verify never panics, and accepts a header only if it holds
// the MAC of its own timestamp and the body.
func FuzzVerify(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	f.Add(Sign(testSecret, now, []byte("x")), []byte("x"))
	f.Add("t=1,v1=00,v1=", []byte(""))
	f.Add(",,=,t=", []byte("{}"))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		if Verify(testSecret, header, body, now, 5*time.Minute) != nil {
			return
		}
		var ts string
		for part := range strings.SplitSeq(header, ",") {
			if k, v, _ := strings.Cut(strings.TrimSpace(part), "="); k == "t" {
				ts = v
			}
		}
		if !strings.Contains(header, "v1="+hex.EncodeToString(mac(testSecret, ts, body))) {
			t.Fatalf("accepted %q for %q", header, body)
		}
	})
}

func TestWebhookDelivers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		rec := newReceiver(t, f.clock, func(int) int { return http.StatusNoContent })
		n := f.notifier(Config{Webhook: rec.config(), PublicURL: "https://pflicht.example.org/"})
		note := f.notify("CVE-2026-0001 <script>alert(1)</script> is exploited")
		ctx := context.Background()
		if got := n.rounds(ctx); got != 1 {
			t.Fatalf("round claimed %d", got)
		}
		if rec.count() != 1 {
			t.Fatalf("%d requests", rec.count())
		}
		p, h := rec.got[0], rec.hdr[0]
		if p.ID != note.ID || p.Organisation != f.org.ID || p.Kind != "cra-kev" || p.Title != note.Title || p.Attempt != 1 ||
			p.Link != "https://pflicht.example.org/orgs/"+f.org.ID+"/products" || !p.CreatedAt.Equal(note.CreatedAt) {
			t.Errorf("payload %+v", p)
		}
		if h.Get(DeliveryHeader) != jsonInt(note.ID) || h.Get(AttemptHeader) != "1" {
			t.Errorf("headers %v", h)
		}
		if s := f.state(note.ID, store.ChannelWebhook); s == nil || s.DeliveredAt == nil || s.Attempts != 1 {
			t.Errorf("state %+v", s)
		}
		// Delivered once: later rounds send nothing.
		f.clock.add(time.Hour)
		if got := n.rounds(ctx); got != 0 || rec.count() != 1 {
			t.Errorf("second round claimed %d, %d requests", got, rec.count())
		}
	})
}

func jsonInt(v int64) string { b, _ := json.Marshal(v); return string(b) }

func TestWebhookRetriesOn500(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		rec := newReceiver(t, f.clock, func(n int) int {
			if n < 3 {
				return http.StatusInternalServerError
			}
			return http.StatusOK
		})
		n := f.notifier(Config{Webhook: rec.config()})
		id := f.notify("retry me").ID
		ctx := context.Background()
		n.rounds(ctx)
		s := f.state(id, store.ChannelWebhook)
		if s == nil {
			t.Fatal("no state after the first attempt")
		}
		if wait := time.Until(s.NextAttempt); s.DeliveredAt != nil || s.FailedAt != nil || s.Attempts != 1 || !strings.Contains(s.LastError, "500") ||
			wait < 50*time.Second || wait > time.Minute {
			t.Fatalf("after the first 500: %+v", s)
		}
		// Not before the backoff has passed.
		f.clock.add(59 * time.Second)
		if got := n.rounds(ctx); got != 0 {
			t.Errorf("retried after 59 s")
		}
		f.clock.add(time.Second)
		n.rounds(ctx) // second attempt: 500 again, next in 2 min
		f.clock.add(2 * time.Minute)
		n.rounds(ctx)
		s = f.state(id, store.ChannelWebhook)
		if s == nil || s.DeliveredAt == nil || s.Attempts != 3 || s.LastError != "" {
			t.Errorf("after the retries: %+v", s)
		}
		if rec.count() != 3 || rec.got[2].Attempt != 3 {
			t.Errorf("%d requests", rec.count())
		}
	})
}

func TestWebhookGivesUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		rec := newReceiver(t, f.clock, func(int) int { return http.StatusBadGateway })
		n := f.notifier(Config{Webhook: rec.config(), MaxAttempts: 3})
		id := f.notify("never arrives").ID
		ctx := context.Background()
		for range 6 {
			n.rounds(ctx)
			f.clock.add(time.Hour)
		}
		s := f.state(id, store.ChannelWebhook)
		if s == nil || s.FailedAt == nil || s.DeliveredAt != nil || s.Attempts != 3 || s.LastError != "webhook: receiver answered 502 Bad Gateway" {
			t.Errorf("state %+v", s)
		}
		if rec.count() != 3 {
			t.Errorf("%d requests, want 3", rec.count())
		}
		if !strings.Contains(f.logs.String(), "notification delivery given up") {
			t.Errorf("giving up was not logged:\n%s", f.logs)
		}
	})
}

// TestWebhookKeepsSecretsOut: neither the stored error nor the log shows
// the URL (which may carry a token) or the signing secret.
func TestWebhookKeepsSecretsOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		dead := httptest.NewServer(http.NotFoundHandler())
		url := dead.URL + "/hooks/TOKEN-abc123"
		dead.Close() // connections are refused from now on
		n := f.notifier(Config{Webhook: &WebhookConfig{URL: url, Secret: testSecret, Timeout: 2 * time.Second}})
		id := f.notify("x").ID
		n.rounds(context.Background())
		s := f.state(id, store.ChannelWebhook)
		if s == nil || s.LastError == "" {
			t.Fatalf("state %+v", s)
		}
		for _, out := range []string{s.LastError, f.logs.String()} {
			if strings.Contains(out, "TOKEN-abc123") || strings.Contains(out, string(testSecret)) {
				t.Errorf("secret leaked: %s", out)
			}
		}
	})
}

// TestTwoNotifiersSendOnce: two loops on one database, as on two app
// servers, deliver each notification once.
func TestTwoNotifiersSendOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		rec := newReceiver(t, f.clock, func(int) int { return http.StatusOK })
		a, b := f.notifier(Config{Webhook: rec.config()}), f.notifier(Config{Webhook: rec.config()})
		const total = 20
		for range total {
			f.notify("n")
		}
		var wg sync.WaitGroup
		for _, n := range []*Notifier{a, b, a, b} {
			wg.Go(func() {
				for n.rounds(context.Background()) > 0 {
				}
			})
		}
		wg.Wait()
		if rec.count() != total {
			t.Errorf("%d requests, want %d", rec.count(), total)
		}
		seen := map[int64]bool{}
		for _, p := range rec.got {
			if seen[p.ID] {
				t.Errorf("notification %d sent twice", p.ID)
			}
			seen[p.ID] = true
		}
	})
}
