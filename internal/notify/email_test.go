package notify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http/httptest"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

// smtpServer is a small SMTP server on a loopback listener: EHLO,
// optionally STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA, QUIT.
type smtpServer struct {
	ln     net.Listener
	tls    *tls.Config // nil: no STARTTLS offered
	reject string      // a recipient answered with 550
	mu     sync.Mutex
	msgs   []smtpMsg
	verbs  []string
}

type smtpMsg struct {
	from, auth string
	to         []string
	data       string
	tls        bool
}

func newSMTPServer(t *testing.T, tlsConfig *tls.Config) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln, tls: tlsConfig}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return s
}

func (s *smtpServer) serve(conn net.Conn) {
	defer func() { conn.Close() }()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	tp := textproto.NewConn(conn)
	tp.PrintfLine("220 test ESMTP")
	var m smtpMsg
	secure := false
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		s.mu.Lock()
		s.verbs = append(s.verbs, verb)
		s.mu.Unlock()
		switch verb {
		case "EHLO":
			tp.PrintfLine("250-test")
			if s.tls != nil && !secure {
				tp.PrintfLine("250-STARTTLS")
			}
			tp.PrintfLine("250 AUTH PLAIN")
		case "STARTTLS":
			tp.PrintfLine("220 ready")
			tc := tls.Server(conn, s.tls)
			if tc.Handshake() != nil {
				return
			}
			conn, tp, secure = tc, textproto.NewConn(tc), true
		case "AUTH":
			m.auth = arg
			tp.PrintfLine("235 ok")
		case "MAIL":
			m.from = arg
			tp.PrintfLine("250 ok")
		case "RCPT":
			if s.reject != "" && strings.Contains(arg, s.reject) {
				tp.PrintfLine("550 5.1.1 no such user")
				continue
			}
			m.to = append(m.to, strings.TrimSuffix(strings.TrimPrefix(arg, "TO:<"), ">"))
			tp.PrintfLine("250 ok")
		case "DATA":
			tp.PrintfLine("354 go ahead")
			b, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			m.data, m.tls = string(b), secure
			s.mu.Lock()
			s.msgs = append(s.msgs, m)
			s.mu.Unlock()
			m = smtpMsg{}
			tp.PrintfLine("250 queued")
		case "QUIT":
			tp.PrintfLine("221 bye")
			return
		case "RSET", "NOOP":
			tp.PrintfLine("250 ok")
		default:
			tp.PrintfLine("502 unknown")
		}
	}
}

func (s *smtpServer) messages() []smtpMsg {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]smtpMsg(nil), s.msgs...)
}

func (s *smtpServer) saw(verb string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range s.verbs {
		if v == verb {
			return true
		}
	}
	return false
}

// testTLS returns a server TLS configuration and a client one that trusts
// it (the certificate of httptest, valid for 127.0.0.1).
func testTLS(t *testing.T) (server, client *tls.Config) {
	srv := httptest.NewUnstartedServer(nil)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return &tls.Config{Certificates: srv.TLS.Certificates}, &tls.Config{RootCAs: pool}
}

func TestEmailDelivers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		serverTLS, clientTLS := testTLS(t)
		srv := newSMTPServer(t, serverTLS)
		n := f.notifier(Config{PublicURL: "https://pflicht.example.org", Email: &EmailConfig{Addr: srv.ln.Addr().String(),
			From: "pflicht <noreply@pflicht.example.org>", User: "relay", Password: "pa55word-secret", TLS: clientTLS, Timeout: 5 * time.Second}})
		note := f.notify("Schwachstelle ausgenutzt: CVE-2026-0001\r\nBcc: evil@example.org")
		if got := n.rounds(context.Background()); got != 1 {
			t.Fatalf("round claimed %d", got)
		}
		ms := srv.messages()
		if len(ms) != 1 {
			t.Fatalf("%d messages\n%s", len(ms), f.logs)
		}
		m := ms[0]
		if !m.tls || m.from != "FROM:<noreply@pflicht.example.org>" || strings.Join(m.to, ",") != "security@acme.example,ciso@acme.example" {
			t.Errorf("envelope %+v", m)
		}
		if cred, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(m.auth, "PLAIN ")); string(cred) != "\x00relay\x00pa55word-secret" {
			t.Errorf("AUTH %q", m.auth)
		}
		msg, err := mail.ReadMessage(strings.NewReader(m.data))
		if err != nil {
			t.Fatal(err)
		}
		subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if err != nil || subject != "[pflicht] Schwachstelle ausgenutzt: CVE-2026-0001  Bcc: evil@example.org" {
			t.Errorf("Subject %q, %v", subject, err)
		}
		if msg.Header.Get("Bcc") != "" || msg.Header.Get("To") != "<security@acme.example>, <ciso@acme.example>" ||
			msg.Header.Get("Message-Id") == "" || msg.Header.Get("Auto-Submitted") != "auto-generated" {
			t.Errorf("header %v", msg.Header)
		}
		body, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
		for _, want := range []string{"Exploited: CVE-2026-0001 in libfoo 1.2.3.", "https://pflicht.example.org/orgs/" + f.org.ID + "/products"} {
			if !strings.Contains(string(body), want) {
				t.Errorf("body lacks %q:\n%s", want, body)
			}
		}
		if s := f.state(note.ID, store.ChannelEmail); s == nil || s.DeliveredAt == nil {
			t.Errorf("state %+v", s)
		}
		if strings.Contains(f.logs.String(), "pa55word") {
			t.Errorf("password in the log:\n%s", f.logs)
		}
	})
}

func TestEmailOnLoopbackWithoutTLS(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		srv := newSMTPServer(t, nil)
		n := f.notifier(Config{Email: &EmailConfig{Addr: srv.ln.Addr().String(), From: "noreply@pflicht.example.org"}})
		f.notify("plain on loopback")
		n.rounds(context.Background())
		if ms := srv.messages(); len(ms) != 1 || ms[0].tls {
			t.Fatalf("messages %+v\n%s", ms, f.logs)
		}
	})
}

// TestEmailRequiresSTARTTLS: to a server that is not on loopback (here
// pretended), nothing goes out in clear text.
func TestEmailRequiresSTARTTLS(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		srv := newSMTPServer(t, nil)
		n := f.notifier(Config{Email: &EmailConfig{Addr: srv.ln.Addr().String(), From: "noreply@pflicht.example.org", User: "u", Password: "p"}})
		n.senders[0].(*mailer).requireTLS = true
		id := f.notify("must not leak").ID
		n.rounds(context.Background())
		if srv.saw("MAIL") || srv.saw("AUTH") || len(srv.messages()) != 0 {
			t.Errorf("sent without TLS: %v", srv.verbs)
		}
		if s := f.state(id, store.ChannelEmail); s == nil || !strings.Contains(s.LastError, "STARTTLS") || s.FailedAt != nil {
			t.Errorf("state %+v, want a retry naming STARTTLS", s)
		}
	})
}

func TestEmailFailures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		srv := newSMTPServer(t, nil)
		srv.reject = "ciso@"
		n := f.notifier(Config{Email: &EmailConfig{Addr: srv.ln.Addr().String(), From: "noreply@pflicht.example.org"}})
		id := f.notify("rejected").ID
		ctx := context.Background()
		n.rounds(ctx)
		s := f.state(id, store.ChannelEmail)
		if s == nil || s.FailedAt != nil || !strings.Contains(s.LastError, "ciso@acme.example") || !strings.Contains(s.LastError, "550") || len(srv.messages()) != 0 {
			t.Fatalf("rejected recipient: %+v", s)
		}
		// The organisation fixes its profile; the retry reads it again.
		if _, err := st.UpdateProfile(ctx, f.member, f.org.ID, store.Profile{Name: "Acme", Emails: []string{"security@acme.example"}}, "wichtig"); err != nil {
			t.Fatal(err)
		}
		f.clock.add(time.Minute)
		n.rounds(ctx)
		if s := f.state(id, store.ChannelEmail); s == nil || s.DeliveredAt == nil || len(srv.messages()) != 1 {
			t.Errorf("after fixing the profile: %+v", s)
		}
		// No contact e-mail at all: given up at once, visibly.
		if _, err := st.UpdateProfile(ctx, f.member, f.org.ID, store.Profile{Name: "Acme"}, "wichtig"); err != nil {
			t.Fatal(err)
		}
		id = f.notify("nobody to tell").ID
		n.rounds(ctx)
		if s := f.state(id, store.ChannelEmail); s == nil || s.FailedAt == nil || s.Attempts != 1 || !strings.Contains(s.LastError, "no contact e-mail") {
			t.Errorf("no recipients: %+v", s)
		}
	})
}

func TestEmailServerUnreachable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		n := f.notifier(Config{Email: &EmailConfig{Addr: addr, From: "noreply@pflicht.example.org", Timeout: 2 * time.Second}})
		id := f.notify("x").ID
		n.rounds(context.Background())
		if s := f.state(id, store.ChannelEmail); s == nil || s.FailedAt != nil || !strings.Contains(s.LastError, "connect") {
			t.Errorf("state %+v", s)
		}
	})
}
