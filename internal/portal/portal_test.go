package portal

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/pflicht/pflicht/internal/auth"
	"github.com/pflicht/pflicht/internal/law"
	"github.com/pflicht/pflicht/internal/pgtest"
	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// t0 is the moment every portal test starts at; tests move the clock. It
// is the real time because the store stamps records with its own clock.
var t0 = time.Now().UTC().Truncate(time.Minute)

// anHourAgo is t0 - 1 h as the datetime-local input of a form sends it.
var anHourAgo = t0.Add(-time.Hour).In(law.Berlin).Format(datetimeLayout)

// testClock is a clock tests can move.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a running portal on a real store with seeded users.
type env struct {
	t     *testing.T
	st    *store.Store
	srv   *Server
	http  *httptest.Server
	clock *testClock
	// Users, all with password "correct horse battery staple".
	admin, supervisor, member, outsider store.User
	org                                 store.Organisation
}

const password = "correct horse battery staple"

// testHash is the hash of password, computed once: argon2id is slow on purpose.
var testHash = sync.OnceValues(func() (string, error) { return auth.HashPassword(password) })

// newEnv starts a portal on st with an organisation whose org_admin is
// member, a supervisor, an admin and an outsider without membership.
func newEnv(t *testing.T, st *store.Store) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, st: st, clock: &testClock{t: t0}}
	hash, err := testHash()
	if err != nil {
		t.Fatal(err)
	}
	sys := store.System("test")
	for _, u := range []struct {
		dst   *store.User
		email string
		role  store.Role
	}{
		{&e.admin, "admin@example.de", store.RoleAdmin},
		{&e.supervisor, "aufsicht@bsi.example.de", store.RoleSupervisor},
		{&e.member, "ciso@stadtwerke.example.de", ""},
		{&e.outsider, "other@example.de", ""},
	} {
		if *u.dst, err = st.CreateUser(ctx, sys, u.email, hash, u.role); err != nil {
			t.Fatal(err)
		}
	}
	e.org, err = st.CreateOrganisation(ctx, store.Actor{UserID: e.member.ID, Via: "test"}, testProfile(), "wichtig")
	if err != nil {
		t.Fatal(err)
	}
	e.srv, err = New(Config{Store: st, Now: e.clock.now, Logger: slog.New(slog.NewTextHandler(t.Output(), nil)), MaxBodyBytes: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	e.http = httptest.NewServer(e.srv)
	t.Cleanup(e.http.Close)
	return e
}

func testProfile() store.Profile {
	return store.Profile{
		Name: "Stadtwerke Musterstadt GmbH", LegalForm: "GmbH", RegisterNumber: "HRB 12345",
		Address: store.Address{Street: "Hauptstraße 1", PostalCode: "12345", City: "Musterstadt", Country: "DE"},
		Emails:  []string{"it@stadtwerke.example.de"}, Phones: []string{"+49 30 1234567"},
		Activities: []string{"A1-1.1.2"}, Sectors: []string{"A1-1"}, MemberStates: []string{"DE"},
		Employees: 120, TurnoverEUR: 30_000_000, BalanceSheetEUR: 25_000_000,
	}
}

// client is a browser: a cookie jar, no automatic redirects.
type client struct {
	e *env
	c *http.Client
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// response is a finished request with its body parsed.
type response struct {
	*http.Response
	body string
	doc  *html.Node
}

func (c *client) do(req *http.Request) *response {
	c.e.t.Helper()
	res, err := c.c.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.e.t.Fatal(err)
	}
	r := &response{Response: res, body: string(b)}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		r.doc = parseHTML(c.e.t, r.body)
	}
	return r
}

func (c *client) get(path string) *response {
	c.e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.e.http.URL+path, nil)
	if err != nil {
		c.e.t.Fatal(err)
	}
	req.Header.Set("Accept-Language", "en")
	return c.do(req)
}

// post sends a form as is (tests of forged requests add or drop csrf).
func (c *client) post(path string, form url.Values) *response {
	c.e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.e.http.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "en")
	return c.do(req)
}

// submit GETs page, takes its CSRF token and posts form to action.
func (c *client) submit(page, action string, form url.Values) *response {
	c.e.t.Helper()
	form.Set(csrfField, c.csrf(page))
	return c.post(action, form)
}

// csrf returns the token of the first form on page.
func (c *client) csrf(page string) string {
	c.e.t.Helper()
	r := c.get(page)
	in := findAll(c.e.t, r.doc, "input[name=csrf]")
	if len(in) == 0 {
		c.e.t.Fatalf("GET %s (%d): no csrf field", page, r.StatusCode)
	}
	return attr(in[0], "value")
}

// login signs in with the test password and fails the test otherwise.
func (c *client) login(u store.User) {
	c.e.t.Helper()
	r := c.submit("/login", "/login", url.Values{"email": {u.Email}, "password": {password}})
	if r.StatusCode != http.StatusSeeOther {
		c.e.t.Fatalf("login %s: status %d, want 303\n%s", u.Email, r.StatusCode, r.body)
	}
}

// one returns the single element matching sel, failing otherwise.
func (r *response) one(t *testing.T, sel string) *html.Node {
	t.Helper()
	ns := findAll(t, r.doc, sel)
	if len(ns) != 1 {
		t.Fatalf("%q: %d matches, want 1\n%s", sel, len(ns), r.body)
	}
	return ns[0]
}

func (r *response) has(t *testing.T, sel string) bool {
	t.Helper()
	return r.doc != nil && len(findAll(t, r.doc, sel)) > 0
}

func TestLoginAndDashboard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		c := e.client()
		r := c.get("/")
		if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login?next=") {
			t.Fatalf("GET / signed out: %d %s, want redirect to login", r.StatusCode, r.Header.Get("Location"))
		}
		c.login(e.member)
		r = c.get("/")
		if r.StatusCode != http.StatusOK {
			t.Fatalf("dashboard: %d\n%s", r.StatusCode, r.body)
		}
		if got := text(r.one(t, "#org-"+e.org.ID)); got != e.org.Name {
			t.Errorf("org heading = %q", got)
		}
		if got := attr(r.one(t, "dd.class"), "data-class"); got != "wichtig" {
			t.Errorf("class = %q, want wichtig\n%s", got, r.body)
		}
		// The obligations come from the shared piece, with their norms.
		card := "#org-card-" + e.org.ID
		if !r.has(t, card+" table.obligations caption") || !r.has(t, card+" table.obligations tr[data-obligation] cite.cite") {
			t.Errorf("dashboard card without the obligations table\n%s", r.body)
		}
	})
}
