package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/facts"
	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

var withNextDue = store.WithNextDue(facts.NextDue)

func TestIncidentEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tn, other := newTenant(t, s, "acme"), newTenant(t, s, "other")
		supervisor := mustUser(t, s, "bsi@example.org", store.RoleSupervisor)
		aware := time.Now().Add(-48 * time.Hour).UTC().Truncate(time.Microsecond)
		inc, err := s.CreateIncident(ctx, tn.member, store.Incident{OrgID: tn.org.ID, Regime: store.RegimeCRAVulnerability, Title: "CVE-2026-1", AwareAt: aware}, withNextDue)
		if err != nil {
			t.Fatal(err)
		}
		if inc.NextDueAt == nil || !inc.NextDueAt.Equal(aware.Add(24*time.Hour)) {
			t.Fatalf("NextDueAt = %v, want the early warning at %v", inc.NextDueAt, aware.Add(24*time.Hour))
		}
		for _, stage := range []string{"early_warning", "notification"} {
			if _, err := s.SubmitReport(ctx, tn.member, inc.ID, stage, json.RawMessage(`{}`), withNextDue); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Incident(ctx, tn.member, inc.ID)
		if err != nil || got.NextDueAt != nil {
			t.Fatalf("after both reports NextDueAt = %v, %v; want none (the final report waits for a fix)", got.NextDueAt, err)
		}

		fix := aware.Add(time.Hour)
		got, err = s.SetIncidentEvents(ctx, tn.member, inc.ID, store.EventUpdate{FixAvailableAt: &fix}, withNextDue)
		if err != nil {
			t.Fatal(err)
		}
		if want := fix.Add(14 * 24 * time.Hour); got.NextDueAt == nil || !got.NextDueAt.Equal(want) || got.FixAvailableBy != tn.member.String() {
			t.Fatalf("after the fix: %+v; want next due %v, recorded by %s", got, want, tn.member)
		}

		requested, due := time.Now().Add(-time.Hour), time.Now().Add(2*time.Hour)
		got, err = s.SetIncidentEvents(ctx, supervisor, inc.ID, store.EventUpdate{InterimRequestedAt: &requested, InterimDueAt: &due}, withNextDue)
		if err != nil {
			t.Fatal(err)
		}
		if !got.NextDueAt.Equal(due.UTC().Truncate(time.Microsecond)) || got.InterimRequestedBy != supervisor.String() || !got.FixAvailableAt.Equal(fix) {
			t.Fatalf("after the request: %+v; want next due %v", got, due)
		}
		stored, err := s.Incident(ctx, tn.owner, inc.ID)
		if err != nil || fmt.Sprint(stored) != fmt.Sprint(got) {
			t.Fatalf("stored %+v, %v; want %+v", stored, err, got)
		}

		yes := true
		refused := map[string]struct {
			a   store.Actor
			u   store.EventUpdate
			err error
		}{
			"member requests an interim report": {tn.member, store.EventUpdate{InterimRequestedAt: &requested}, store.ErrNotFound},
			"supervisor records a fix":          {supervisor, store.EventUpdate{FixAvailableAt: &fix}, store.ErrNotFound},
			"supervisor request with a fix":     {supervisor, store.EventUpdate{InterimRequestedAt: &requested, FixAvailableAt: &fix}, store.ErrNotFound},
			"read-only supervisor":              {store.Actor{UserID: supervisor.UserID, Role: store.RoleSupervisor, ReadOnly: true}, store.EventUpdate{InterimRequestedAt: &requested}, store.ErrNotFound},
			"foreign member":                    {other.member, store.EventUpdate{FixAvailableAt: &fix}, store.ErrNotFound},
			"nothing":                           {tn.member, store.EventUpdate{}, store.ErrInvalid},
			"deadline without request":          {supervisor, store.EventUpdate{InterimDueAt: &due}, store.ErrInvalid},
			"deadline before request":           {supervisor, store.EventUpdate{InterimRequestedAt: &due, InterimDueAt: &requested}, store.ErrInvalid},
			// The clock refuses what does not belong to the regime.
			"ongoing cra incident":     {tn.member, store.EventUpdate{Ongoing: &yes}, store.ErrInvalid},
			"handling of cra incident": {tn.member, store.EventUpdate{HandlingCompletedAt: &fix}, store.ErrInvalid},
		}
		for name, c := range refused {
			if _, err := s.SetIncidentEvents(ctx, c.a, inc.ID, c.u, withNextDue); !errors.Is(err, c.err) {
				t.Errorf("%s: %v, want %v", name, err, c.err)
			}
		}
		if after, _ := s.Incident(ctx, tn.owner, inc.ID); fmt.Sprint(after) != fmt.Sprint(got) {
			t.Errorf("a refused update changed the incident: %+v, want %+v", after, got)
		}

		if _, err := s.SubmitReport(ctx, tn.member, inc.ID, "interim", json.RawMessage(`{}`), withNextDue); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetIncidentEvents(ctx, supervisor, inc.ID, store.EventUpdate{InterimRequestedAt: &requested}, withNextDue); !errors.Is(err, store.ErrConflict) {
			t.Errorf("request after the interim report: %v, want ErrConflict", err)
		}
		mustVerify(t, s)
	})
}

// TestOneReportPerStage: of many concurrent submissions of one stage
// exactly one is stored; the others are ErrConflict.
func TestOneReportPerStage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "acme")
		inc, err := s.CreateIncident(ctx, tn.member, store.Incident{OrgID: tn.org.ID, Regime: store.RegimeBSIG, Title: "x", AwareAt: time.Now().Add(-time.Hour)}, withNextDue)
		if err != nil {
			t.Fatal(err)
		}
		const n = 16
		errs := make(chan error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, err := s.SubmitReport(ctx, tn.member, inc.ID, "early_warning", json.RawMessage(fmt.Sprintf(`{"n":%d}`, i)), withNextDue)
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		ok := 0
		for err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, store.ErrConflict):
				t.Errorf("SubmitReport: %v, want nil or ErrConflict", err)
			}
		}
		rs, err := s.Reports(ctx, tn.member, inc.ID)
		if ok != 1 || err != nil || len(rs) != 1 {
			t.Fatalf("%d accepted, %d stored (%v); want 1", ok, len(rs), err)
		}
		got, _ := s.Incident(ctx, tn.member, inc.ID)
		if want := inc.AwareAt.Add(72 * time.Hour); got.NextDueAt == nil || !got.NextDueAt.Equal(want) {
			t.Errorf("NextDueAt = %v, want the notification at %v", got.NextDueAt, want)
		}
		mustVerify(t, s)
	})
}

func TestIncidentFeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := newTenant(t, s, "alpha"), newTenant(t, s, "beta")
		supervisor := mustUser(t, s, "bsi@example.org", store.RoleSupervisor)
		now := time.Now()
		// Created in this order; overdue are the ones aware more than 24 h ago
		// with no early warning.
		type spec struct {
			tn     tenant
			regime store.Regime
			ago    time.Duration
			warned bool
		}
		specs := []spec{
			{a, store.RegimeBSIG, 30 * time.Hour, false},             // overdue since 6 h
			{b, store.RegimeCRAIncident, 2 * time.Hour, false},       // due
			{b, store.RegimeBSIG, 50 * time.Hour, false},             // overdue since 26 h
			{a, store.RegimeCRAVulnerability, 40 * time.Hour, false}, // overdue since 16 h
			{a, store.RegimeBSIG, 30 * time.Hour, true},              // notification due
		}
		ids := make([]string, len(specs))
		for i, sp := range specs {
			inc, err := s.CreateIncident(ctx, sp.tn.member, store.Incident{OrgID: sp.tn.org.ID, Regime: sp.regime, Title: fmt.Sprint("incident ", i), AwareAt: now.Add(-sp.ago)}, withNextDue)
			if err != nil {
				t.Fatal(err)
			}
			if sp.warned {
				if _, err := s.SubmitReport(ctx, sp.tn.member, inc.ID, "early_warning", json.RawMessage(`{}`), withNextDue); err != nil {
					t.Fatal(err)
				}
			}
			ids[i] = inc.ID
		}
		feed := func(a store.Actor, q store.FeedQuery) (got []string, overdue int) {
			t.Helper()
			q.Now = now
			for {
				p, err := s.IncidentFeed(ctx, a, q)
				if err != nil {
					t.Fatal(err)
				}
				for _, it := range p.Items {
					for i, id := range ids {
						if id == it.ID {
							got = append(got, fmt.Sprint(i))
						}
					}
					if it.OrgName == "" || (it.ID == ids[4]) != (len(it.Reports) == 1) {
						t.Errorf("item %+v: want its organisation's name and its reports", it)
					}
				}
				if p.NextCursor == "" {
					return got, p.Overdue
				}
				q.Cursor = p.NextCursor
			}
		}
		for _, c := range []struct {
			name        string
			a           store.Actor
			q           store.FeedQuery
			want        string
			wantOverdue int
		}{
			{"everything newest first, pages of 2", supervisor, store.FeedQuery{Limit: 2}, "[4 3 2 1 0]", 3},
			{"overdue, longest first", supervisor, store.FeedQuery{Limit: 1, Overdue: true}, "[2 3 0]", 3},
			{"bsig", supervisor, store.FeedQuery{Limit: 10, Regime: store.RegimeBSIG}, "[4 2 0]", 2},
			{"bsig overdue", supervisor, store.FeedQuery{Limit: 10, Regime: store.RegimeBSIG, Overdue: true}, "[2 0]", 2},
			{"a member sees its own organisation only", a.member, store.FeedQuery{Limit: 10}, "[4 3 0]", 2},
		} {
			got, overdue := feed(c.a, c.q)
			if fmt.Sprint(got) != c.want || overdue != c.wantOverdue {
				t.Errorf("%s: %v (%d overdue), want %s (%d)", c.name, got, overdue, c.want, c.wantOverdue)
			}
		}
		for _, q := range []store.FeedQuery{{Limit: 0, Now: now}, {Limit: 501, Now: now}, {Limit: 1, Now: now, Regime: "gdpr"},
			{Limit: 1}, {Limit: 1, Now: now, Cursor: "not a cursor"}, {Limit: 1, Now: now, Cursor: "eHl6"}} {
			if _, err := s.IncidentFeed(ctx, supervisor, q); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("IncidentFeed(%+v) = %v, want ErrInvalid", q, err)
			}
		}
	})
}

func TestUserEmails(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "acme")
		got, err := s.UserEmails(ctx, []string{tn.member.UserID, tn.owner.UserID, "nobody"})
		want := map[string]string{tn.member.UserID: "member@acme.example", tn.owner.UserID: "owner@acme.example"}
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("UserEmails = %v, %v; want %v", got, err, want)
		}
		if got, err := s.UserEmails(ctx, nil); err != nil || len(got) != 0 {
			t.Fatalf("UserEmails(nil) = %v, %v", got, err)
		}
	})
}

func TestActorUserID(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{store.Actor{UserID: "U1", Via: "session"}.String(), "U1", true},
		{store.Actor{UserID: "U1"}.String(), "U1", true},
		{store.System("cli").String(), "", false},
		{"user:", "", false},
	} {
		if got, ok := store.ActorUserID(c.in); got != c.want || ok != c.ok {
			t.Errorf("ActorUserID(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

// TestFeedOverdueSemantics pins what "overdue" means in the feed: from the
// due instant on, as the clock engine counts it; closed incidents stay (a
// duty does not end with closing); fully reported ones have nothing due.
func TestFeedOverdueSemantics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "acme")
		aware := time.Now().Add(-100 * 24 * time.Hour).UTC().Truncate(time.Second)
		create := func(title string, regime store.Regime, opts ...store.IncidentOption) store.Incident {
			t.Helper()
			inc, err := s.CreateIncident(ctx, tn.member, store.Incident{OrgID: tn.org.ID, Regime: regime, Title: title, AwareAt: aware}, opts...)
			if err != nil {
				t.Fatal(err)
			}
			return inc
		}
		missed := create("missed", store.RegimeBSIG, withNextDue)
		closed := create("closed", store.RegimeBSIG, withNextDue)
		if err := s.SetIncidentStatus(ctx, tn.member, closed.ID, "closed"); err != nil {
			t.Fatal(err)
		}
		done := create("fully reported", store.RegimeCRAIncident, withNextDue)
		for _, stage := range []string{"early_warning", "notification", "final"} {
			if _, err := s.SubmitReport(ctx, tn.member, done.ID, stage, json.RawMessage(`{}`), withNextDue); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := s.Incident(ctx, tn.member, done.ID); err != nil || got.NextDueAt != nil {
			t.Fatalf("fully reported: next_due_at = %v, %v; want NULL", got.NextDueAt, err)
		}
		due := aware.Add(24 * time.Hour) // the early warning of both BSIG incidents
		if missed.NextDueAt == nil || !missed.NextDueAt.Equal(due) {
			t.Fatalf("next_due_at = %v, want %v", missed.NextDueAt, due)
		}
		for _, c := range []struct {
			now  time.Time
			want int
		}{{due.Add(-time.Microsecond), 0}, {due, 2}, {due.Add(time.Hour), 2}} {
			p, err := s.IncidentFeed(ctx, tn.member, store.FeedQuery{Overdue: true, Now: c.now, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if p.Overdue != c.want || len(p.Items) != c.want {
				t.Errorf("at due%+v: %d overdue, %d items; want %d (the missed and the closed one)", c.now.Sub(due), p.Overdue, len(p.Items), c.want)
			}
		}
	})
}

func TestBackfillNextDue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "acme")
		aware := time.Now().Add(-50 * time.Hour).UTC().Truncate(time.Second)
		// Written without WithNextDue, as before migration 0004: NULL.
		var old []string
		for i := range 120 { // more than one batch
			inc, err := s.CreateIncident(ctx, tn.member, store.Incident{OrgID: tn.org.ID, Regime: store.RegimeBSIG, Title: fmt.Sprint("old ", i), AwareAt: aware})
			if err != nil {
				t.Fatal(err)
			}
			old = append(old, inc.ID)
		}
		if err := s.SetIncidentStatus(ctx, tn.member, old[0], "closed"); err != nil {
			t.Fatal(err)
		}
		done, err := s.CreateIncident(ctx, tn.member, store.Incident{OrgID: tn.org.ID, Regime: store.RegimeCRAIncident, Title: "reported", AwareAt: aware})
		if err != nil {
			t.Fatal(err)
		}
		for _, stage := range []string{"early_warning", "notification", "final"} {
			if _, err := s.SubmitReport(ctx, tn.member, done.ID, stage, json.RawMessage(`{}`)); err != nil {
				t.Fatal(err)
			}
		}
		// A fix is no event of a BSIG incident: the engine refuses it.
		bad, err := s.CreateIncident(ctx, tn.member, store.Incident{OrgID: tn.org.ID, Regime: store.RegimeBSIG, Title: "contradictory", AwareAt: aware})
		if err != nil {
			t.Fatal(err)
		}
		fix := aware.Add(time.Hour)
		if _, err := s.SetIncidentEvents(ctx, tn.member, bad.ID, store.EventUpdate{FixAvailableAt: &fix}); err != nil {
			t.Fatal(err)
		}
		overdue := func() int {
			t.Helper()
			p, err := s.IncidentFeed(ctx, tn.member, store.FeedQuery{Overdue: true, Now: time.Now(), Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			return p.Overdue
		}
		if n := overdue(); n != 0 {
			t.Fatalf("before the backfill %d overdue, want 0", n)
		}
		if _, err := s.BackfillNextDue(ctx, tn.owner, facts.NextDue); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("BackfillNextDue by an org admin = %v, want ErrNotFound", err)
		}
		// Several app servers starting at once: each incident is set once.
		var wg sync.WaitGroup
		sets := make([]int, 3)
		errs := make([]error, 3)
		for i := range sets {
			wg.Go(func() { sets[i], errs[i] = s.BackfillNextDue(ctx, admin, facts.NextDue) })
		}
		wg.Wait()
		for i, err := range errs {
			if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), bad.ID) {
				t.Errorf("backfill %d: %v; want the contradictory incident named, ErrInvalid", i, err)
			}
		}
		if sets[0]+sets[1]+sets[2] != len(old) {
			t.Errorf("set %v, want %d in all", sets, len(old))
		}
		if n := overdue(); n != len(old) {
			t.Errorf("after the backfill %d overdue, want %d (the closed one too)", n, len(old))
		}
		for _, id := range []string{done.ID, bad.ID} {
			if inc, err := s.Incident(ctx, tn.member, id); err != nil || inc.NextDueAt != nil {
				t.Errorf("incident %s: next_due_at %v, %v; want NULL", id, inc.NextDueAt, err)
			}
		}
		// Idempotent: nothing left to set, and only the incident refused is
		// read again; the one with nothing due was marked computed.
		var read []string
		counting := func(inc store.Incident, reports []store.Report, now time.Time) (*time.Time, error) {
			read = append(read, inc.ID)
			return facts.NextDue(inc, reports, now)
		}
		if n, err := s.BackfillNextDue(ctx, admin, counting); n != 0 || !errors.Is(err, store.ErrInvalid) {
			t.Errorf("second backfill: %d, %v; want 0 and the contradictory incident", n, err)
		}
		if fmt.Sprint(read) != fmt.Sprint([]string{bad.ID}) {
			t.Errorf("second backfill read %v, want only %s", read, bad.ID)
		}
		// Written with WithNextDue, nothing due: computed, never read.
		read = nil
		quiet, err := s.CreateIncident(ctx, tn.member, store.Incident{OrgID: tn.org.ID, Regime: store.RegimeCRAIncident, Title: "reported with", AwareAt: aware})
		if err != nil {
			t.Fatal(err)
		}
		for _, stage := range []string{"early_warning", "notification", "final"} {
			if _, err := s.SubmitReport(ctx, tn.member, quiet.ID, stage, json.RawMessage(`{}`), withNextDue); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.BackfillNextDue(ctx, admin, counting); fmt.Sprint(read) != fmt.Sprint([]string{bad.ID}) {
			t.Errorf("third backfill read %v (%v), want only %s", read, err, bad.ID)
		}
		mustVerify(t, s)
	})
}

func TestOpenIncidents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := newTenant(t, s, "alpha"), newTenant(t, s, "beta")
		aware := time.Now().Add(-time.Hour)
		var want []string
		for i, tn := range []tenant{a, b, a} {
			inc, err := s.CreateIncident(ctx, tn.member, store.Incident{OrgID: tn.org.ID, Regime: store.RegimeBSIG, Title: fmt.Sprint("open ", i), AwareAt: aware}, withNextDue)
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				if _, err := s.SubmitReport(ctx, tn.member, inc.ID, "early_warning", json.RawMessage(`{"x":1}`), withNextDue); err != nil {
					t.Fatal(err)
				}
			}
			want = append([]string{inc.ID}, want...) // newest first
		}
		closed, err := s.CreateIncident(ctx, a.member, store.Incident{OrgID: a.org.ID, Regime: store.RegimeBSIG, Title: "closed", AwareAt: aware}, withNextDue)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetIncidentStatus(ctx, a.member, closed.ID, "closed"); err != nil {
			t.Fatal(err)
		}
		ids := func(items []store.FeedItem) []string {
			var out []string
			for _, it := range items {
				out = append(out, it.ID)
			}
			return out
		}
		for _, c := range []struct {
			name string
			a    store.Actor
			want []string
		}{
			{"admin: every organisation", admin, want},
			{"member of alpha", a.member, []string{want[0], want[2]}},
			{"member of beta", b.member, []string{want[1]}},
			{"no organisation", mustUser(t, s, "nobody@example.org", ""), nil},
		} {
			got, err := s.OpenIncidents(ctx, c.a)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(ids(got)) != fmt.Sprint(c.want) {
				t.Errorf("%s: %v, want %v", c.name, ids(got), c.want)
			}
			for _, it := range got {
				if it.OrgName == "" || (it.ID == want[2]) != (len(it.Reports) == 1) || len(it.Reports) == 1 && it.Reports[0].Content != nil {
					t.Errorf("%s: item %+v: want the organisation's name and the reports without content", c.name, it)
				}
			}
		}
	})
}

// TestIncidentsPage: pages by key cover every incident once, in the order
// of Incidents; a foreign organisation and a forged cursor are refused.
func TestIncidentsPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "acme")
		other := newTenant(t, s, "other")
		for i := range 7 {
			if _, err := s.CreateIncident(ctx, tn.member, store.Incident{OrgID: tn.org.ID, Regime: store.RegimeBSIG, Title: fmt.Sprint("i", i), AwareAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
		}
		all, err := s.Incidents(ctx, tn.member, tn.org.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		cursor := ""
		for range 10 {
			items, next, err := s.IncidentsPage(ctx, tn.member, tn.org.ID, 3, cursor)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				got = append(got, it.ID)
			}
			if cursor = next; cursor == "" {
				break
			}
		}
		var want []string
		for _, it := range all {
			want = append(want, it.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("pages %v, want %v", got, want)
		}
		if _, _, err := s.IncidentsPage(ctx, other.member, tn.org.ID, 3, ""); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("foreign organisation: %v", err)
		}
		if _, _, err := s.IncidentsPage(ctx, tn.member, tn.org.ID, 3, "x"); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("forged cursor: %v", err)
		}
	})
}
