package portal

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

// notify adds a notification to the test organisation.
func (e *env) notify(n store.Notification) store.Notification {
	e.t.Helper()
	n.OrgID = e.org.ID
	if n.Kind == "" {
		n.Kind = "cra-kev"
	}
	n, err := e.st.Notify(context.Background(), store.System("test"), n)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestNotificationsPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		evil := `<script>alert(1)</script><img src=x onerror=alert(2)>"'&`
		first := e.notify(store.Notification{Title: "CVE-2026-0001 is exploited", Body: "libfoo 1.2.3\nin Router X", Link: "/orgs/" + e.org.ID + "/measures"})
		second := e.notify(store.Notification{Kind: "something-new", Title: evil, Body: evil})
		c := e.client()
		c.login(e.member)
		page := "/orgs/" + e.org.ID + "/notifications"
		r := c.get(page)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("GET: %d\n%s", r.StatusCode, r.body)
		}
		// The structure the accessibility test asks of every page.
		if m := missingKey.FindString(text(r.doc)); m != "" {
			t.Errorf("message %s is missing from the catalogue", m)
		}
		if len(findAll(t, r.doc, "h1")) != 1 || len(findAll(t, r.doc, "main#main")) != 1 {
			t.Errorf("not one h1 in main")
		}
		items := findAll(t, r.doc, "ol.notifications li.notification.unread")
		if len(items) != 2 || attr(items[0], "id") != "notification-"+strconv.FormatInt(second.ID, 10) {
			t.Fatalf("%d unread items, newest first expected", len(items))
		}
		if got := text(r.one(t, "#unread-count")); got != "Unread: 2" {
			t.Errorf("unread count %q", got)
		}
		n1 := "#notification-" + strconv.FormatInt(first.ID, 10)
		if got := attr(r.one(t, n1+" a.about"), "href"); got != first.Link {
			t.Errorf("link %q, want %q", got, first.Link)
		}
		if got := text(r.one(t, n1+" .kind")); got != "Actively exploited vulnerability" {
			t.Errorf("kind %q", got)
		}
		n2 := "#notification-" + strconv.FormatInt(second.ID, 10)
		if r.has(t, n2+" a.about") {
			t.Errorf("a notification without link has one")
		}
		if got := text(r.one(t, n2+" .kind")); got != "something-new" {
			t.Errorf("unknown kind shown as %q", got)
		}
		// HTML in the text is shown as text.
		if strings.Contains(r.body, "<script>alert") || strings.Contains(r.body, "<img src=x") || len(findAll(t, r.doc, "img")) != 0 {
			t.Errorf("raw markup in the page")
		}
		if got := text(r.one(t, n2+" .body")); got != evil {
			t.Errorf("body shown as %q", got)
		}
		if !strings.HasSuffix(text(r.one(t, n2+" h2")), evil) {
			t.Errorf("title shown as %q", text(r.one(t, n2+" h2")))
		}

		// Mark one read: it stays, without the mark and the button.
		r = c.submit(page, page+"/"+strconv.FormatInt(first.ID, 10)+"/read", url.Values{})
		if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), page+"?read=one") {
			t.Fatalf("mark read: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		r = c.get(page + "?read=one")
		if !r.has(t, "#flash") || r.has(t, n1+".unread") || r.has(t, n1+" form.mark-read") || len(findAll(t, r.doc, n1+" .meta time")) != 2 {
			t.Errorf("after marking one read:\n%s", r.body)
		}
		if got := text(r.one(t, "#unread-count")); got != "Unread: 1" {
			t.Errorf("unread count %q", got)
		}
		// Mark all read.
		r = c.submit(page, page+"/read", url.Values{})
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != page+"?read=all" {
			t.Fatalf("mark all: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		r = c.get(page)
		if r.has(t, "li.notification.unread") || r.has(t, "#read-all") || text(r.one(t, "#unread-count")) != "Unread: 0" {
			t.Errorf("after marking all read:\n%s", r.body)
		}
	})
}

func TestNotificationsGerman(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		e.notify(store.Notification{Title: "x"})
		c := e.client()
		c.login(e.member)
		req, _ := http.NewRequest(http.MethodGet, e.http.URL+"/orgs/"+e.org.ID+"/notifications", nil)
		req.Header.Set("Accept-Language", "de")
		r := c.do(req)
		if got := text(r.one(t, "main h1")); got != "Benachrichtigungen: "+e.org.Name {
			t.Errorf("h1 %q", got)
		}
		if got := text(r.one(t, "#read-all button")); got != "Alle als gelesen markieren" {
			t.Errorf("button %q", got)
		}
		if m := missingKey.FindString(text(r.doc)); m != "" {
			t.Errorf("message %s is missing from the German catalogue", m)
		}
	})
}

func TestNotificationsAccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		n := e.notify(store.Notification{Title: "t"})
		page := "/orgs/" + e.org.ID + "/notifications"
		one := page + "/" + strconv.FormatInt(n.ID, 10) + "/read"
		if r := e.client().get(page); r.StatusCode != http.StatusSeeOther {
			t.Errorf("anonymous GET: %d, want 303 to the login", r.StatusCode)
		}
		// The outsider has a valid session and token of its own.
		c := e.client()
		c.login(e.outsider)
		if r := c.get(page); r.StatusCode != http.StatusNotFound {
			t.Errorf("outsider GET: %d, want 404", r.StatusCode)
		}
		for _, action := range []string{one, page + "/read"} {
			if r := c.submit("/", action, url.Values{}); r.StatusCode != http.StatusNotFound {
				t.Errorf("outsider POST %s: %d, want 404", action, r.StatusCode)
			}
		}
		// A supervisor reads, without forms; a forged mark is refused.
		c = e.client()
		c.login(e.supervisor)
		r := c.get(page)
		if r.StatusCode != http.StatusOK || r.has(t, "form.mark-read") || r.has(t, "#read-all") || !r.has(t, "li.notification.unread") {
			t.Errorf("supervisor page: %d\n%s", r.StatusCode, r.body)
		}
		if r := c.submit("/", page+"/read", url.Values{}); r.StatusCode != http.StatusNotFound {
			t.Errorf("supervisor marks all read: %d, want 404", r.StatusCode)
		}
		// The member, but without the CSRF token.
		c = e.client()
		c.login(e.member)
		if r := c.post(one, url.Values{}); r.StatusCode != http.StatusForbidden {
			t.Errorf("POST without CSRF: %d, want 403", r.StatusCode)
		}
		for _, bad := range []string{page + "/abc/read", page + "/-1/read", page + "/99999999/read"} {
			if r := c.submit(page, bad, url.Values{}); r.StatusCode != http.StatusNotFound {
				t.Errorf("POST %s: %d, want 404", bad, r.StatusCode)
			}
		}
		if r := c.get(page); !r.has(t, "li.notification.unread") {
			t.Errorf("a refused request marked the notification read")
		}
		for _, q := range []string{"?before=abc", "?before=-3", "?before=99999999999999999999"} {
			r := c.get(page + q)
			if r.StatusCode != http.StatusBadRequest || !strings.Contains(text(r.one(t, "#error-message")), "before") {
				t.Errorf("GET %s: %d", q, r.StatusCode)
			}
		}
	})
}

func TestNotificationsPagingAndDelivery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		var last store.Notification
		for i := range notificationsPerPage + 1 {
			last = e.notify(store.Notification{Title: "n" + strconv.Itoa(i)})
		}
		// The newest: e-mail given up with an error that carries markup,
		// webhook delivered.
		sys := store.System("test")
		now := time.Now()
		for _, ch := range store.Channels {
			ds, err := st.ClaimDeliveries(ctx, sys, store.Claim{Channel: ch, Now: now, Lease: time.Minute, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range ds {
				switch {
				case d.Notification.ID != last.ID:
					err = st.DeliveryFailed(ctx, sys, d, now, "later", &now)
				case ch == store.ChannelEmail:
					err = st.DeliveryFailed(ctx, sys, d, now, "e-mail: recipient <b>x</b>: 550", nil)
				default:
					err = st.DeliverySent(ctx, sys, d, now)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		c := e.client()
		c.login(e.member)
		page := "/orgs/" + e.org.ID + "/notifications"
		r := c.get(page)
		if n := len(findAll(t, r.doc, "li.notification")); n != notificationsPerPage {
			t.Errorf("%d on the first page, want %d", n, notificationsPerPage)
		}
		id := "#notification-" + strconv.FormatInt(last.ID, 10)
		ds := findAll(t, r.doc, id+" li.delivery")
		if len(ds) != 2 {
			t.Fatalf("%d delivery lines", len(ds))
		}
		if got := text(ds[0]); !strings.Contains(got, "E-mail") || !strings.Contains(got, "given up") || !strings.Contains(got, "<b>x</b>") {
			t.Errorf("e-mail line %q", got)
		}
		if !r.has(t, id+" li.delivery .status-bad") || !r.has(t, id+" li.delivery .status-ok") || strings.Contains(r.body, "<b>x</b>") {
			t.Errorf("delivery states not shown as expected")
		}
		older := attr(r.one(t, "a#older"), "href")
		r = c.get(older)
		if items := findAll(t, r.doc, "li.notification"); len(items) != 1 || r.has(t, "a#older") {
			t.Errorf("second page: %d items", len(items))
		}
		if !r.has(t, "li.notification .status-due") {
			t.Errorf("retrying state not shown on the oldest")
		}
	})
}

func TestNavUnread(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		badge := func(u store.User) *unreadBadge {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			return e.srv.navUnread(r.WithContext(context.WithValue(r.Context(), stateKey{}, &reqState{user: &user{Actor: store.Actor{UserID: u.ID, Role: u.Role}}})))
		}
		if b := badge(e.member); b != nil {
			t.Errorf("badge without notifications: %+v", b)
		}
		e.notify(store.Notification{Title: "a"})
		e.notify(store.Notification{Title: "b"})
		b := badge(e.member)
		if b == nil || b.Count != 2 || b.Href != "/orgs/"+e.org.ID+"/notifications" {
			t.Fatalf("badge %+v", b)
		}
		if got := e.srv.view.cats["en"].T(b.Label, b.Count); got != "Notifications (2 unread)" {
			t.Errorf("label %q", got)
		}
		for _, u := range []store.User{e.outsider, e.supervisor} {
			if b := badge(u); b != nil {
				t.Errorf("%s gets a badge: %+v", u.Email, b)
			}
		}
		if b := e.srv.navUnread(httptest.NewRequest(http.MethodGet, "/", nil)); b != nil {
			t.Errorf("signed out: %+v", b)
		}
	})
}
