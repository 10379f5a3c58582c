package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"strconv"
	"strings"
	"time"

	"github.com/pflicht/pflicht/internal/store"
)

// EmailConfig configures the e-mail channel. Messages go to the contact
// e-mails of the organisation's current profile.
type EmailConfig struct {
	// Addr is the SMTP server, host:port (submission: 587). STARTTLS is
	// required unless the host is a loopback address.
	Addr string
	// From is the sender address (may carry a name: "pflicht <noreply@x>").
	From string
	// User and Password, if set, authenticate with AUTH PLAIN (only over
	// TLS or to a loopback address).
	User, Password string
	// Timeout bounds one delivery, connection to QUIT (default
	// DefaultTimeout).
	Timeout time.Duration
	// TLS, if set, is the client TLS configuration (tests add their CA);
	// ServerName is always the host of Addr.
	TLS *tls.Config
}

type mailer struct {
	addr, host     string
	from           *mail.Address
	user, password string
	wait           time.Duration
	tls            *tls.Config
	requireTLS     bool
	publicURL      string
	now            func() time.Time
}

func newMailer(c EmailConfig, publicURL string, now func() time.Time) (*mailer, error) {
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil || host == "" {
		return nil, configError("smtp-addr", "%q is not host:port (e.g. mail.example.org:587)", c.Addr)
	}
	if p, err := strconv.Atoi(port); err != nil || p <= 0 || p > 65535 {
		return nil, configError("smtp-addr", "port %q is not a number from 1 to 65535", port)
	}
	from, err := mail.ParseAddress(c.From)
	if err != nil {
		return nil, configError("smtp-from", "%q is not an e-mail address", c.From)
	}
	if (c.User == "") != (c.Password == "") {
		return nil, configError("smtp-user", "--smtp-user and --smtp-password-file go together")
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	cfg := &tls.Config{}
	if c.TLS != nil {
		cfg = c.TLS.Clone()
	}
	cfg.ServerName = host
	cfg.MinVersion = max(cfg.MinVersion, tls.VersionTLS12)
	return &mailer{addr: c.Addr, host: host, from: from, user: c.User, password: c.Password, wait: c.Timeout,
		tls: cfg, requireTLS: !loopbackHost(host), publicURL: publicURL, now: now}, nil
}

func (m *mailer) channel() string        { return store.ChannelEmail }
func (m *mailer) timeout() time.Duration { return m.wait }

func (m *mailer) send(ctx context.Context, d store.Delivery) error {
	if len(d.Recipients) == 0 {
		return permanent{errors.New("e-mail: the organisation's profile has no contact e-mail")}
	}
	msg, err := m.message(d)
	if err != nil {
		return permanent{err}
	}
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", m.addr)
	if err != nil {
		return fmt.Errorf("e-mail: connect: %w", err)
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline)
	}
	// Closing the connection when ctx ends interrupts a blocked exchange.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	c, err := smtp.NewClient(conn, m.host)
	if err != nil {
		return fmt.Errorf("e-mail: %w", err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(m.tls); err != nil {
			return fmt.Errorf("e-mail: STARTTLS: %w", err)
		}
	} else if m.requireTLS {
		return errors.New("e-mail: the SMTP server offers no STARTTLS; pflicht sends in clear text only to a loopback address")
	}
	if m.user != "" {
		// Errors of AUTH carry the server's reply, never the password.
		if err := c.Auth(smtp.PlainAuth("", m.user, m.password, m.host)); err != nil {
			return fmt.Errorf("e-mail: AUTH: %w", err)
		}
	}
	if err := c.Mail(m.from.Address); err != nil {
		return fmt.Errorf("e-mail: MAIL FROM: %w", err)
	}
	// Every recipient must be accepted: a rejected one is reported rather
	// than dropped, and a retry reads the profile's addresses again.
	for _, r := range d.Recipients {
		if err := c.Rcpt(r); err != nil {
			return fmt.Errorf("e-mail: recipient %s: %w", r, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("e-mail: DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("e-mail: DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("e-mail: DATA: %w", err)
	}
	// The message was accepted at the end of DATA; a failed QUIT does not
	// unsend it.
	c.Quit()
	return nil
}

// message builds the RFC 5322 message: UTF-8 text, quoted-printable, the
// subject encoded per RFC 2047. Header values come only from encoded words
// and validated addresses, so no text of the notification can add a header.
func (m *mailer) message(d store.Delivery) ([]byte, error) {
	n := d.Notification
	var to []string
	for _, r := range d.Recipients {
		a, err := mail.ParseAddress(r)
		if err != nil || a.Address != r {
			return nil, fmt.Errorf("e-mail: recipient %q is not a plain e-mail address", r)
		}
		to = append(to, a.String())
	}
	domain := m.from.Address[strings.LastIndexByte(m.from.Address, '@')+1:]
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", m.from.String())
	header("To", strings.Join(to, ", "))
	header("Subject", mime.QEncoding.Encode("utf-8", "[pflicht] "+oneLine(n.Title)))
	header("Date", m.now().Format(time.RFC1123Z))
	// One id for all retries, so a receiving system can drop duplicates.
	header("Message-ID", fmt.Sprintf("<notification-%d.%s@%s>", n.ID, strings.ToLower(n.OrgID), domain))
	header("Auto-Submitted", "auto-generated")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	text := n.Title + "\n\n"
	if n.Body != "" {
		text += n.Body + "\n\n"
	}
	if l := linkURL(m.publicURL, n.Link); l != "" {
		text += l + "\n\n"
	}
	text += "-- \npflicht: Benachrichtigung / notification " + strconv.FormatInt(n.ID, 10) + "\n"
	qp.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\n", "\r\n")))
	if err := qp.Close(); err != nil {
		return nil, fmt.Errorf("e-mail: %w", err)
	}
	return b.Bytes(), nil
}

// oneLine replaces control characters (line breaks) with spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
