package portal

import (
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Failed logins: a burst, then one per period, counted per client address
// and per account, so neither one address guessing many passwords nor many
// addresses guessing one account gets far. The address budget is larger:
// an office behind one NAT address shares it. Successful logins cost
// nothing.
const (
	accountBurst = 5
	accountEvery = 20 * time.Second
	addressBurst = 20
	addressEvery = 5 * time.Second
	// limiterTTL: a limiter unused this long is full again and is dropped.
	limiterTTL = 10 * time.Minute
)

type loginLimits struct {
	now     func() time.Time
	mu      sync.Mutex
	entries map[string]*limitEntry
	swept   time.Time
}

type limitEntry struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLoginLimits(now func() time.Time) *loginLimits {
	return &loginLimits{now: now, entries: make(map[string]*limitEntry)}
}

func addressKey(ip string) string    { return "ip:" + ip }
func accountKey(email string) string { return "acct:" + email }

// limiter returns the limiter of key, creating it; l.mu is held.
func (l *loginLimits) limiter(key string, now time.Time) *rate.Limiter {
	if now.Sub(l.swept) > limiterTTL {
		for k, e := range l.entries {
			if now.Sub(e.seen) > limiterTTL {
				delete(l.entries, k)
			}
		}
		l.swept = now
	}
	e := l.entries[key]
	if e == nil {
		lim := rate.NewLimiter(rate.Every(accountEvery), accountBurst)
		if strings.HasPrefix(key, "ip:") {
			lim = rate.NewLimiter(rate.Every(addressEvery), addressBurst)
		}
		e = &limitEntry{lim: lim}
		l.entries[key] = e
	}
	e.seen = now
	return e.lim
}

// blocked reports whether any key has no attempt left.
func (l *loginLimits) blocked(keys ...string) bool {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		if l.limiter(k, now).TokensAt(now) < 1 {
			return true
		}
	}
	return false
}

// fail charges a failed attempt to every key.
func (l *loginLimits) fail(keys ...string) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		l.limiter(k, now).AllowN(now, 1)
	}
}

// pendingLogins are logins that passed the password and wait for the TOTP
// code; the ticket lives in a cookie. In memory: a restart or another app
// server asks for the password again, which is safe.
type pendingLogins struct {
	now     func() time.Time
	mu      sync.Mutex
	tickets map[string]pendingLogin
}

type pendingLogin struct {
	email   string
	next    string
	expires time.Time
}

const pendingTTL = 5 * time.Minute

func newPendingLogins(now func() time.Time) *pendingLogins {
	return &pendingLogins{now: now, tickets: make(map[string]pendingLogin)}
}

func (p *pendingLogins) add(ticket, email, next string) {
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, v := range p.tickets {
		if now.After(v.expires) {
			delete(p.tickets, k)
		}
	}
	p.tickets[ticket] = pendingLogin{email: email, next: next, expires: now.Add(pendingTTL)}
}

func (p *pendingLogins) get(ticket string) (pendingLogin, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	v, ok := p.tickets[ticket]
	if !ok || p.now().After(v.expires) {
		return pendingLogin{}, false
	}
	return v, true
}

func (p *pendingLogins) remove(ticket string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.tickets, ticket)
}
