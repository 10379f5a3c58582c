package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pflicht/pflicht/internal/store"
)

// Webhook headers. The signature header is "t=UNIX,v1=HEX": HEX is the
// HMAC-SHA256 under the shared secret of UNIX, a dot and the body.
const (
	SignatureHeader = "Pflicht-Signature"
	DeliveryHeader  = "Pflicht-Delivery" // the notification id: the same on every retry
	AttemptHeader   = "Pflicht-Attempt"
)

// MinSecretLen is the shortest webhook secret accepted.
const MinSecretLen = 16

// WebhookConfig configures the webhook channel.
type WebhookConfig struct {
	// URL receives the POSTs: https, or http on a loopback address.
	URL string
	// Secret signs every request (at least MinSecretLen bytes).
	Secret []byte
	// Timeout bounds one request (default DefaultTimeout).
	Timeout time.Duration
	// Client, if set, sends the requests (tests); redirects are never
	// followed either way.
	Client *http.Client
}

// Payload is the JSON body of a webhook request.
type Payload struct {
	ID           int64     `json:"id"` // the notification; the same on every retry
	Organisation string    `json:"organisation"`
	Kind         string    `json:"kind"`
	Title        string    `json:"title"`
	Body         string    `json:"body,omitempty"`
	Link         string    `json:"link,omitempty"` // absolute if the public URL is configured
	CreatedAt    time.Time `json:"created_at"`
	Attempt      int       `json:"attempt"`
}

type webhook struct {
	url       string
	secret    []byte
	client    *http.Client
	wait      time.Duration
	publicURL string
	now       func() time.Time
}

func newWebhook(c WebhookConfig, publicURL string, now func() time.Time) (*webhook, error) {
	u, err := url.Parse(c.URL)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return nil, configError("webhook-url", "must be an absolute https URL")
	case u.Scheme == "http" && !loopbackHost(u.Hostname()):
		return nil, configError("webhook-url", "must use https (plain http only to a loopback address)")
	case u.User != nil:
		return nil, configError("webhook-url", "must not carry a user or password; requests are signed with --webhook-secret-file")
	case len(c.Secret) < MinSecretLen:
		return nil, configError("webhook-secret-file", "the secret must have at least %d bytes (e.g. openssl rand -hex 32)", MinSecretLen)
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	client := &http.Client{}
	if c.Client != nil {
		*client = *c.Client
	}
	client.Timeout = c.Timeout
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &webhook{url: c.URL, secret: c.Secret, client: client, wait: c.Timeout, publicURL: publicURL, now: now}, nil
}

func (w *webhook) channel() string        { return store.ChannelWebhook }
func (w *webhook) timeout() time.Duration { return w.wait }

func (w *webhook) send(ctx context.Context, d store.Delivery) error {
	n := d.Notification
	body, err := json.Marshal(Payload{ID: n.ID, Organisation: n.OrgID, Kind: n.Kind, Title: n.Title, Body: n.Body,
		Link: linkURL(w.publicURL, n.Link), CreatedAt: n.CreatedAt.UTC(), Attempt: d.Attempt})
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return errors.New("webhook: cannot build the request")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "pflicht-notify")
	req.Header.Set(SignatureHeader, Sign(w.secret, w.now(), body))
	req.Header.Set(DeliveryHeader, strconv.FormatInt(n.ID, 10))
	req.Header.Set(AttemptHeader, strconv.Itoa(d.Attempt))
	res, err := w.client.Do(req)
	if err != nil {
		// A url.Error repeats the URL, which may hold a token: keep only
		// the cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("webhook: %v", err)
	}
	defer res.Body.Close()
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10)) // lets the connection be reused
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("webhook: receiver answered %s", res.Status)
	}
	return nil
}

// Sign returns the signature header value for body sent at t.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Errors of Verify.
var (
	ErrBadSignature = errors.New("notify: webhook signature does not verify")
	ErrStale        = errors.New("notify: webhook signature is too old or from the future")
)

// Verify checks a signature header against body, as a receiver does: one
// of its v1 values must be the HMAC of its timestamp and body, and the
// timestamp within tolerance of now (against replays). Several v1 values
// are allowed, for a receiver rotating secrets.
func Verify(secret []byte, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts string
	var sigs [][]byte
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return fmt.Errorf("%w: malformed part %q", ErrBadSignature, part)
		}
		switch k {
		case "t":
			if ts != "" {
				return fmt.Errorf("%w: two timestamps", ErrBadSignature)
			}
			ts = v
		case "v1":
			b, err := hex.DecodeString(v)
			if err != nil || len(b) != sha256.Size {
				return fmt.Errorf("%w: v1 is not a hex SHA-256", ErrBadSignature)
			}
			sigs = append(sigs, b)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return fmt.Errorf("%w: needs t=UNIX and v1=HEX", ErrBadSignature)
	}
	// Bounds in seconds, so an absurd stamp cannot overflow a subtraction.
	tol := int64(tolerance / time.Second)
	if sec < now.Unix()-tol || sec > now.Unix()+tol {
		return ErrStale
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return ErrBadSignature
}
