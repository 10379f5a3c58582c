package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/pgtest"
	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

func TestNotifyValidates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "acme")
		ok := store.Notification{OrgID: tn.org.ID, Kind: "cra-kev", Title: "CVE-2026-0001 is exploited", Link: "/orgs/" + tn.org.ID + "/products?x=1#f"}
		if _, err := s.Notify(ctx, tn.member, ok); err != nil {
			t.Fatalf("valid notification: %v", err)
		}
		for _, tc := range []struct {
			name, field string
			edit        func(*store.Notification)
		}{
			{"no kind", "kind", func(n *store.Notification) { n.Kind = " " }},
			{"no title", "title", func(n *store.Notification) { n.Title = "" }},
			{"long title", "title", func(n *store.Notification) { n.Title = strings.Repeat("ä", store.MaxNotificationTitle+1) }},
			{"long body", "body", func(n *store.Notification) { n.Body = strings.Repeat("x", store.MaxNotificationBody+1) }},
			{"absolute URL", "link", func(n *store.Notification) { n.Link = "https://evil.example/" }},
			{"scheme", "link", func(n *store.Notification) { n.Link = "javascript:alert(1)" }},
			{"protocol-relative", "link", func(n *store.Notification) { n.Link = "//evil.example/x" }},
			{"backslash host", "link", func(n *store.Notification) { n.Link = "/\\evil.example" }},
			{"backslash later", "link", func(n *store.Notification) { n.Link = "/a\\b" }},
			{"relative", "link", func(n *store.Notification) { n.Link = "orgs/x" }},
			{"header injection", "link", func(n *store.Notification) { n.Link = "/a\r\nSet-Cookie: x=1" }},
			{"long link", "link", func(n *store.Notification) { n.Link = "/" + strings.Repeat("a", 2000) }},
		} {
			n := ok
			tc.edit(&n)
			_, err := s.Notify(ctx, tn.member, n)
			if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), tc.field+":") {
				t.Errorf("%s: %v, want ErrInvalid naming %s", tc.name, err, tc.field)
			}
		}
		if ns, _ := s.Notifications(ctx, tn.member, tn.org.ID); len(ns) != 1 || ns[0].Link != ok.Link {
			t.Errorf("stored %+v, want only the valid one", ns)
		}
	})
}

func TestNotificationPagesAndReading(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tn, other := newTenant(t, s, "acme"), newTenant(t, s, "other")
		for i := range 3 {
			if _, err := s.Notify(ctx, tn.member, store.Notification{OrgID: tn.org.ID, Kind: "k", Title: string(rune('a' + i))}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.Notify(ctx, other.member, store.Notification{OrgID: other.org.ID, Kind: "k", Title: "theirs"}); err != nil {
			t.Fatal(err)
		}
		page, more, err := s.NotificationPage(ctx, tn.member, tn.org.ID, 0, 2)
		if err != nil || !more || len(page) != 2 || page[0].Title != "c" || page[1].Title != "b" {
			t.Fatalf("first page = %+v, more %v, %v", page, more, err)
		}
		page, more, err = s.NotificationPage(ctx, tn.member, tn.org.ID, page[1].ID, 2)
		if err != nil || more || len(page) != 1 || page[0].Title != "a" {
			t.Fatalf("second page = %+v, more %v, %v", page, more, err)
		}
		if _, _, err := s.NotificationPage(ctx, other.member, tn.org.ID, 0, 2); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("foreign page: %v, want ErrNotFound", err)
		}
		un, err := s.UnreadNotifications(ctx, tn.member)
		if err != nil || len(un) != 1 || un[0].OrgID != tn.org.ID || un[0].Count != 3 {
			t.Fatalf("UnreadNotifications = %+v, %v", un, err)
		}
		if err := s.MarkNotificationRead(ctx, tn.member, page[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.MarkAllNotificationsRead(ctx, other.member, tn.org.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("foreign mark all: %v, want ErrNotFound", err)
		}
		if n, err := s.MarkAllNotificationsRead(ctx, tn.member, tn.org.ID); err != nil || n != 2 {
			t.Errorf("MarkAllNotificationsRead = %d, %v, want 2", n, err)
		}
		if un, err := s.UnreadNotifications(ctx, tn.member); err != nil || len(un) != 0 {
			t.Errorf("unread after marking all: %+v, %v", un, err)
		}
		if un, err := s.UnreadNotifications(ctx, other.owner); err != nil || len(un) != 1 || un[0].Count != 1 {
			t.Errorf("other organisation's unread: %+v, %v", un, err)
		}
		mustVerify(t, s)
	})
}

// withEmails gives the tenant's current profile contact e-mails.
func withEmails(t *testing.T, s *store.Store, tn tenant, emails ...string) {
	t.Helper()
	if _, err := s.UpdateProfile(context.Background(), tn.owner, tn.org.ID, store.Profile{Name: tn.org.Name, Emails: emails}, "wichtig"); err != nil {
		t.Fatal(err)
	}
}

func TestClaimLease(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "acme")
		withEmails(t, s, tn, "old@acme.example")
		withEmails(t, s, tn, "security@acme.example", "ciso@acme.example")
		n, err := s.Notify(ctx, tn.member, store.Notification{OrgID: tn.org.ID, Kind: "cra-kev", Title: "KEV", Body: "b", Link: "/x"})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		claim := store.Claim{Channel: store.ChannelEmail, Now: now, Lease: time.Minute, Limit: 10}
		if _, err := s.ClaimDeliveries(ctx, tn.owner, claim); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("claim by a user: %v, want ErrNotFound", err)
		}
		ds, err := s.ClaimDeliveries(ctx, admin, claim)
		if err != nil || len(ds) != 1 {
			t.Fatalf("claim = %+v, %v", ds, err)
		}
		d := ds[0]
		if d.Attempt != 1 || d.Notification.ID != n.ID || d.Notification.Title != "KEV" || d.Notification.Link != "/x" ||
			strings.Join(d.Recipients, ",") != "security@acme.example,ciso@acme.example" {
			t.Errorf("claimed %+v", d)
		}
		if ds, _ := s.ClaimDeliveries(ctx, admin, claim); len(ds) != 0 {
			t.Errorf("leased row claimed again: %+v", ds)
		}
		// The webhook channel has its own row.
		if ds, _ := s.ClaimDeliveries(ctx, admin, store.Claim{Channel: store.ChannelWebhook, Now: now, Lease: time.Minute, Limit: 10}); len(ds) != 1 || ds[0].Recipients != nil {
			t.Errorf("webhook claim = %+v", ds)
		}
		// The lease passes (the first server died): another takes over, and
		// the late outcome of the first attempt is not recorded.
		claim.Now = now.Add(time.Minute)
		ds, err = s.ClaimDeliveries(ctx, admin, claim)
		if err != nil || len(ds) != 1 || ds[0].Attempt != 2 {
			t.Fatalf("claim after the lease = %+v, %v", ds, err)
		}
		if err := s.DeliveryFailed(ctx, admin, d, claim.Now, "late", nil); !errors.Is(err, store.ErrConflict) {
			t.Errorf("outcome of a superseded attempt: %v, want ErrConflict", err)
		}
		if err := s.DeliverySent(ctx, admin, ds[0], claim.Now); err != nil {
			t.Fatal(err)
		}
		claim.Now = now.Add(time.Hour)
		if ds, _ := s.ClaimDeliveries(ctx, admin, claim); len(ds) != 0 {
			t.Errorf("delivered row claimed again: %+v", ds)
		}
		ns, err := s.Notifications(ctx, tn.member, tn.org.ID)
		if err != nil || len(ns) != 1 || len(ns[0].Deliveries) != 2 {
			t.Fatalf("Notifications = %+v, %v", ns, err)
		}
		email := ns[0].Deliveries[0]
		if email.Channel != store.ChannelEmail || email.DeliveredAt == nil || email.Attempts != 2 || email.FailedAt != nil {
			t.Errorf("e-mail state %+v", email)
		}
		mustVerify(t, s)
	})
}

func TestRetrySchedule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "acme")
		if _, err := s.Notify(ctx, tn.member, store.Notification{OrgID: tn.org.ID, Kind: "k", Title: "t"}); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		claim := func(at time.Duration) []store.Delivery {
			t.Helper()
			ds, err := s.ClaimDeliveries(ctx, admin, store.Claim{Channel: store.ChannelWebhook, Now: now.Add(at), Lease: time.Minute, Limit: 5})
			if err != nil {
				t.Fatal(err)
			}
			return ds
		}
		ds := claim(0)
		retry := now.Add(10 * time.Minute)
		if err := s.DeliveryFailed(ctx, admin, ds[0], now, "webhook: status 500", &retry); err != nil {
			t.Fatal(err)
		}
		if got := claim(9 * time.Minute); len(got) != 0 {
			t.Errorf("claimed before the retry is due: %+v", got)
		}
		ds = claim(10 * time.Minute)
		if len(ds) != 1 || ds[0].Attempt != 2 {
			t.Fatalf("retry claim = %+v", ds)
		}
		if err := s.DeliveryFailed(ctx, admin, ds[0], now.Add(10*time.Minute), "webhook: status 500 "+strings.Repeat("x", 1000), nil); err != nil {
			t.Fatal(err)
		}
		if got := claim(24 * time.Hour); len(got) != 0 {
			t.Errorf("given-up row claimed: %+v", got)
		}
		ns, _ := s.Notifications(ctx, tn.member, tn.org.ID)
		w := ns[0].Deliveries
		if len(w) != 1 || w[0].Channel != store.ChannelWebhook || w[0].FailedAt == nil || w[0].Attempts != 2 ||
			!strings.HasPrefix(w[0].LastError, "webhook: status 500") || len([]rune(w[0].LastError)) > 500 {
			t.Errorf("webhook state %+v", w)
		}
		mustVerify(t, s)
	})
}

func TestClaimExpiresOldBacklog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "acme")
		if _, err := s.Notify(ctx, tn.member, store.Notification{OrgID: tn.org.ID, Kind: "k", Title: "old"}); err != nil {
			t.Fatal(err)
		}
		ds, err := s.ClaimDeliveries(ctx, admin, store.Claim{Channel: store.ChannelWebhook, Now: time.Now().Add(4 * 24 * time.Hour),
			Lease: time.Minute, Limit: 5, MaxAge: 72 * time.Hour})
		if err != nil || len(ds) != 0 {
			t.Fatalf("claim = %+v, %v; want the old one given up", ds, err)
		}
		// The e-mail channel's row is untouched.
		if ds, _ := s.ClaimDeliveries(ctx, admin, store.Claim{Channel: store.ChannelEmail, Now: time.Now(), Lease: time.Minute, Limit: 5}); len(ds) != 1 {
			t.Errorf("e-mail claim = %+v", ds)
		}
		mustVerify(t, s)
	})
}

// TestTwoClaimersNeverShareARow runs two stores on one database, as two app
// servers would, each with two claimers, until every row is claimed.
func TestTwoClaimersNeverShareARow(t *testing.T) {
	for _, db := range []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "pflicht.db") }},
		{"postgres", func(t *testing.T) string { return pgtest.DSN(t) }},
	} {
		t.Run(db.name, func(t *testing.T) {
			ctx := context.Background()
			dsn := db.dsn(t)
			a, b := storetest.Open(t, dsn), storetest.Open(t, dsn)
			tn := newTenant(t, a, "acme")
			const total = 60
			for i := range total {
				if _, err := a.Notify(ctx, tn.member, store.Notification{OrgID: tn.org.ID, Kind: "k", Title: "n" + string(rune('0'+i%10))}); err != nil {
					t.Fatal(err)
				}
			}
			var mu sync.Mutex
			got := map[int64]int{}
			var wg sync.WaitGroup
			now := time.Now()
			for _, s := range []*store.Store{a, b, a, b} {
				wg.Go(func() {
					for {
						ds, err := s.ClaimDeliveries(ctx, admin, store.Claim{Channel: store.ChannelWebhook, Now: now, Lease: time.Hour, Limit: 3})
						if err != nil {
							t.Error(err)
							return
						}
						if len(ds) == 0 {
							return
						}
						mu.Lock()
						for _, d := range ds {
							got[d.ID]++
						}
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if len(got) != total {
				t.Errorf("%d rows claimed, want %d", len(got), total)
			}
			for id, n := range got {
				if n != 1 {
					t.Errorf("row %d claimed %d times", id, n)
				}
			}
		})
	}
}
