package portal

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/law"
	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

// TestAccess is the authorisation matrix of the pages: every page × every
// role × a foreign organisation.
func TestAccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		org := "/orgs/" + e.org.ID
		pages := []string{"/", org + "/profile", org + "/incidents/new", org + "/measures", "/supervisor/registry", "/supervisor/registry.csv"}
		for _, tc := range []struct {
			who  string
			user *store.User
			want []int // per page
		}{
			{"anonymous", nil, []int{303, 303, 303, 303, 303, 303}},
			{"member", &e.member, []int{200, 200, 200, 200, 403, 403}},
			{"outsider", &e.outsider, []int{200, 404, 404, 404, 403, 403}},
			{"supervisor", &e.supervisor, []int{200, 200, 200, 200, 200, 200}},
			{"admin", &e.admin, []int{200, 200, 200, 200, 200, 200}},
		} {
			c := e.client()
			if tc.user != nil {
				c.login(*tc.user)
			}
			for i, p := range pages {
				if r := c.get(p); r.StatusCode != tc.want[i] {
					t.Errorf("%s GET %s: %d, want %d", tc.who, p, r.StatusCode, tc.want[i])
				}
			}
		}
		// A supervisor reads but does not write: no forms, and a forged
		// request is refused by the store, which says not found.
		c := e.client()
		c.login(e.supervisor)
		r := c.get(org + "/profile")
		if r.has(t, `form[action="`+org+`/profile"] button`) || !r.has(t, "fieldset.plain[disabled] #name") {
			t.Errorf("supervisor gets an editable profile form")
		}
		r = c.submit(org+"/incidents/new", org+"/incidents", url.Values{"title": {"x"}, "aware_at": {anHourAgo}})
		if r.StatusCode != http.StatusNotFound {
			t.Errorf("supervisor creates an incident: %d, want 404", r.StatusCode)
		}
	})
}

func TestProfileValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, c := memberEnv(t, st)
		page := "/orgs/" + e.org.ID + "/profile"
		for _, tc := range []struct {
			field, value, msg string
		}{
			{fEmails, "it@stadtwerke.example.de\nnot-an-address", "Enter an e-mail address"},
			{fPhones, "call me", "telephone number"},
			{fIP, "203.0.113.0/24\n10.0.0.0/8", "not a public range"},
			{fIP, "203.0.113.7/24", "did you mean 203.0.113.0/24"},
			{fIP, "300.1.2.3/8", "not an IP range"},
			{fRegister, "12345", "HRB 12345"},
			{fStates, "XX", "not the code of an EU member state"},
			{fCountry, "Germany", "two-letter country code"},
			{fTurnover, "a lot", "non-negative number"},
			{fName, "", "Enter a value"},
			{fActivities, "A9-9.9.9", "not a type of entity"},
		} {
			form := profileForm(testProfile())
			form.Set(tc.field, tc.value)
			r := c.submit(page, page, form)
			if r.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%s=%q: status %d, want 422", tc.field, tc.value, r.StatusCode)
				continue
			}
			// The summary links to the field, the field says what is wrong.
			link := r.one(t, `.error-summary a[href="#`+tc.field+`"]`)
			if !strings.Contains(text(link), tc.msg) {
				t.Errorf("%s: summary %q lacks %q", tc.field, text(link), tc.msg)
			}
			if n := findAll(t, r.doc, "#"+tc.field+"-error"); len(n) != 1 || !strings.Contains(text(n[0]), tc.msg) {
				t.Errorf("%s: no message beside the field", tc.field)
			}
			if tc.field != fStates && tc.field != fActivities && attr(r.one(t, "#"+tc.field), "aria-invalid") != "true" {
				t.Errorf("%s: field not marked invalid", tc.field)
			}
		}
		vs, err := st.Profiles(context.Background(), store.System("test"), e.org.ID)
		if err != nil || len(vs) != 1 {
			t.Fatalf("invalid forms stored a version: %d, %v", len(vs), err)
		}
	})
}

func TestProfileVersionsAndRegistration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, c := memberEnv(t, st)
		page := "/orgs/" + e.org.ID + "/profile"
		r := c.get(page)
		if got := attr(r.one(t, "#name"), "value"); got != testProfile().Name {
			t.Errorf("form not prefilled: name %q", got)
		}
		if !strings.Contains(text(r.one(t, "#registration-status")), "not registered") {
			t.Errorf("registration status: %q", text(r.one(t, "#registration-status")))
		}
		// Submit the registration; it is stamped.
		if r := c.submit(page, "/orgs/"+e.org.ID+"/registration", url.Values{}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("register: %d\n%s", r.StatusCode, r.body)
		}
		r = c.get(page + "?done=registration")
		if !strings.Contains(text(r.one(t, "#registration-status")), "Last registration submitted on") {
			t.Errorf("after registering: %q", text(r.one(t, "#registration-status")))
		}
		r.one(t, "#flash")
		// A change after the registration: a new version with the §33(5) deadline.
		form := profileForm(testProfile())
		form.Set(fPhones, "+49 30 7654321")
		form.Set(fTurnover, "60.000.000")
		e.clock.add(time.Hour)
		c.login(e.member) // the session has been idle too long
		if r := c.submit(page, page, form); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d\n%s", r.StatusCode, r.body)
		}
		r = c.get(page)
		rows := findAll(t, r.doc, "table.versions tbody tr")
		if len(rows) != 2 {
			t.Fatalf("%d versions shown, want 2", len(rows))
		}
		if got := text(rows[0]); !strings.Contains(got, "§ 33 Abs. 5 BSIG") {
			t.Errorf("newest version lacks the §33(5) deadline: %q", got)
		}
		if got := text(rows[1]); strings.Contains(got, "§ 33 Abs. 5") {
			t.Errorf("registered version shows a change deadline: %q", got)
		}
		if got := attr(r.one(t, "#turnover_eur"), "value"); got != "60000000" {
			t.Errorf("turnover = %q", got)
		}
		r.one(t, `form[action="/orgs/`+e.org.ID+`/registration"]`)
	})
}

func TestCreateOrganisation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		c := e.client()
		c.login(e.outsider)
		form := profileForm(testProfile())
		form.Set(fName, "Neue Netze AG")
		form[fActivities] = []string{"A1-6.1.4"}
		r := c.submit("/orgs/new", "/orgs/new", form)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d\n%s", r.StatusCode, r.body)
		}
		r = c.get("/")
		cards := findAll(t, r.doc, "section.org h2")
		if len(cards) != 1 || text(cards[0]) != "Neue Netze AG" {
			t.Errorf("dashboard of the creator: %v", len(cards))
		}
	})
}

func TestEscaping(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, c := memberEnv(t, st)
		evil := `<script>alert(1)</script><img src=x onerror=alert(2)>"'&`
		org := "/orgs/" + e.org.ID
		r := c.submit(org+"/incidents/new", org+"/incidents", url.Values{"title": {evil}, "aware_at": {anHourAgo}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d\n%s", r.StatusCode, r.body)
		}
		inc := r.Header.Get("Location")
		for _, p := range []string{inc, "/"} {
			r := c.get(p)
			if strings.Contains(r.body, "<script>alert") || strings.Contains(r.body, "<img src=x") {
				t.Errorf("%s: raw markup in page", p)
			}
			for _, s := range findAll(t, r.doc, "script") {
				if attr(s, "src") != "/static/countdown.js" {
					t.Errorf("%s: injected script element", p)
				}
			}
			if len(findAll(t, r.doc, "img")) != 0 {
				t.Errorf("%s: injected img element", p)
			}
		}
		r = c.get(inc)
		if got := text(r.one(t, "main h1")); got != evil {
			t.Errorf("title shown as %q", got)
		}
	})
}

// TestIncidentClock walks an incident through its §32 stages: due times in
// Berlin time, a report stamped, an overdue stage shown as a violation
// with its §65 offence and fine exposure.
func TestIncidentClock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, c := memberEnv(t, st)
		org := "/orgs/" + e.org.ID
		// Aware an hour ago.
		r := c.submit(org+"/incidents/new", org+"/incidents", url.Values{"title": {"Ransomware"}, "aware_at": {anHourAgo}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d\n%s", r.StatusCode, r.body)
		}
		inc := strings.TrimSuffix(r.Header.Get("Location"), "?done=incident")
		r = c.get(inc)
		if got := attr(r.one(t, `meta[http-equiv=refresh]`), "content"); got != "60" {
			t.Errorf("refresh = %q", got)
		}
		ew := r.one(t, "#stage-early_warning")
		if attr(ew, "data-status") != "due" {
			t.Errorf("early warning status %q", attr(ew, "data-status"))
		}
		// 24 hours after awareness, shown in Berlin time.
		wantDue := t0.Add(23 * time.Hour)
		due := findAll(t, ew, ".due time")
		if len(due) != 1 || attr(due[0], "datetime") != wantDue.Format(time.RFC3339) ||
			text(due[0]) != wantDue.In(law.Berlin).Format("02.01.2006 15:04 MST") {
			t.Errorf("early warning due %q %q", attr(due[0], "datetime"), text(due[0]))
		}
		if got := text(findAll(t, ew, ".remaining")[0]); got != "23 h 00 min" {
			t.Errorf("remaining %q", got)
		}
		if n := findAll(t, ew, `textarea[name="early_warning.suspected_malicious"][required]`); len(n) != 1 {
			t.Error("early warning lacks its required content field")
		}
		// A report missing required content is refused, naming the field.
		r = c.submit(inc, inc+"/reports", url.Values{"stage": {"early_warning"}, "early_warning.suspected_malicious": {"yes"}})
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("incomplete report: %d", r.StatusCode)
		}
		r.one(t, `.error-summary a[href="#early_warning.cross_border_impact"]`)
		// The complete early warning is stamped and met.
		e.clock.add(time.Hour)
		c.login(e.member) // the session has been idle too long
		r = c.submit(inc, inc+"/reports", url.Values{"stage": {"early_warning"},
			"early_warning.suspected_malicious": {"Yes: <b>ransom note</b>"}, "early_warning.cross_border_impact": {"No"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("report: %d\n%s", r.StatusCode, r.body)
		}
		r = c.get(inc)
		if s := attr(r.one(t, "#stage-early_warning"), "data-status"); s != "met" {
			t.Errorf("early warning after report: %s", s)
		}
		if items := findAll(t, r.doc, "#timeline li"); len(items) != 2 || !strings.Contains(text(items[1]), "Early warning") {
			t.Errorf("timeline: %d items", len(items))
		}
		if strings.Contains(r.body, "<b>ransom note</b>") {
			t.Error("report content not escaped")
		}
		// 72 hours after awareness the notification is overdue: a violation
		// of § 65 Abs. 2 Nr. 4 with the fine for an important entity.
		e.clock.add(72 * time.Hour)
		c.login(e.member)
		r = c.get(inc)
		n := r.one(t, "#stage-notification")
		if s := attr(n, "data-status"); s != "overdue" {
			t.Fatalf("notification: %s", s)
		}
		v := findAll(t, n, ".violation")
		if len(v) != 1 {
			t.Fatalf("no violation shown:\n%s", r.body)
		}
		if got := text(v[0]); !strings.Contains(got, "§ 65 Abs. 2 Nr. 4 BSIG") || !strings.Contains(got, "65.2.4") {
			t.Errorf("violation %q", got)
		}
		if fine := findAll(t, v[0], ".fine strong"); len(fine) != 1 || !strings.HasSuffix(text(fine[0]), "€") {
			t.Errorf("no fine exposure in %q", text(v[0]))
		}
		if got := text(findAll(t, n, ".status")[0]); !strings.Contains(got, "overdue") {
			t.Errorf("status is not in words: %q", got)
		}
		// The dashboard shows the incident with its next clock.
		r = c.get("/")
		row := r.one(t, "table.incidents tbody tr")
		if !strings.Contains(text(row), "Incident notification") || !strings.Contains(text(row), "overdue") {
			t.Errorf("dashboard row %q", text(row))
		}
		// Closed, it leaves the dashboard; its page keeps the stages.
		if r := c.submit(inc, inc+"/status", url.Values{"status": {"closed"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("close: %d", r.StatusCode)
		}
		if c.get("/").has(t, "table.incidents") {
			t.Error("closed incident still on the dashboard")
		}
		r = c.get(inc)
		if got := text(r.one(t, "#incident-status")); got != "closed" || !r.has(t, "#stage-notification .violation") {
			t.Errorf("closed incident page: status %q", got)
		}
	})
}

func TestIncidentOfAnotherOrganisation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		other, err := st.CreateOrganisation(ctx, store.Actor{UserID: e.outsider.ID}, testProfile(), "wichtig")
		if err != nil {
			t.Fatal(err)
		}
		inc, err := st.CreateIncident(ctx, store.Actor{UserID: e.outsider.ID}, store.Incident{OrgID: other.ID, Regime: store.RegimeBSIG, Title: "secret", AwareAt: t0.Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		c := e.client()
		c.login(e.member)
		for _, p := range []string{"/orgs/" + other.ID + "/incidents/" + inc.ID, "/orgs/" + e.org.ID + "/incidents/" + inc.ID} {
			if r := c.get(p); r.StatusCode != http.StatusNotFound || strings.Contains(r.body, "secret") {
				t.Errorf("GET %s: %d", p, r.StatusCode)
			}
		}
	})
}

func TestRegistry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		p := testProfile()
		p.Name = "=HYPERLINK(\"http://evil.example\")"
		if _, err := st.CreateOrganisation(ctx, store.Actor{UserID: e.outsider.ID}, p, "besonders_wichtig"); err != nil {
			t.Fatal(err)
		}
		c := e.client()
		c.login(e.supervisor)
		c.get("/").one(t, "#to-registry a[href=/supervisor/registry]")
		for _, tc := range []struct {
			query string
			want  int
		}{
			{"", 2}, {"class=wichtig", 1}, {"class=besonders_wichtig", 1}, {"sector=A1-1", 2}, {"sector=A2-7", 0},
			{"registered=yes", 0}, {"registered=no", 2},
		} {
			r := c.get("/supervisor/registry?" + tc.query)
			if r.StatusCode != http.StatusOK {
				t.Errorf("%s: %d", tc.query, r.StatusCode)
				continue
			}
			rows := findAll(t, r.doc, "table.registry tbody tr")
			if tc.want == 0 {
				if len(rows) != 1 || !strings.Contains(text(rows[0]), "No organisation") {
					t.Errorf("%s: empty registry not said", tc.query)
				}
				continue
			}
			if len(rows) != tc.want {
				t.Errorf("%s: %d rows, want %d", tc.query, len(rows), tc.want)
			}
		}
		if r := c.get("/supervisor/registry?class=bogus"); r.StatusCode != http.StatusBadRequest || !r.has(t, `.error-summary a[href="#class"]`) {
			t.Errorf("bad filter: %d", r.StatusCode)
		}
		r := c.get("/supervisor/registry.csv?class=besonders_wichtig")
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Fatalf("content type %q", ct)
		}
		recs, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
		if err != nil || len(recs) != 2 {
			t.Fatalf("csv: %v, %d records", err, len(recs))
		}
		if recs[1][1] != "'"+p.Name || recs[1][2] != "besonders_wichtig" {
			t.Errorf("csv row %q", recs[1])
		}
	})
}

func TestRegistryPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		for i := range registryPageSize + 5 {
			p := testProfile()
			p.Name = "Org " + string(rune('A'+i/26)) + string(rune('A'+i%26))
			if _, err := st.CreateOrganisation(ctx, store.Actor{UserID: e.outsider.ID}, p, "wichtig"); err != nil {
				t.Fatal(err)
			}
		}
		c := e.client()
		c.login(e.supervisor)
		r := c.get("/supervisor/registry?class=wichtig")
		if n := len(findAll(t, r.doc, "table.registry tbody tr")); n != registryPageSize {
			t.Fatalf("first page: %d rows", n)
		}
		next := attr(r.one(t, "a[rel=next]"), "href")
		if !strings.Contains(next, "class=wichtig") {
			t.Errorf("next link drops the filter: %s", next)
		}
		r = c.get(next)
		if n := len(findAll(t, r.doc, "table.registry tbody tr")); n != 6 {
			t.Errorf("second page: %d rows, want 6", n)
		}
		if r.has(t, "a[rel=next]") || !r.has(t, "a[rel=first]") {
			t.Error("pager links on the last page")
		}
		if got := text(r.one(t, "table.registry caption")); got != "56 organisations" {
			t.Errorf("caption %q", got)
		}
		csvr := c.get("/supervisor/registry.csv")
		if n := strings.Count(csvr.body, "\n"); n != registryPageSize+7 {
			t.Errorf("csv has %d lines, want header and %d rows", n, registryPageSize+6)
		}
	})
}

func TestMeasures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, c := memberEnv(t, st)
		page := "/orgs/" + e.org.ID + "/measures"
		r := c.get(page)
		if rows := findAll(t, r.doc, "table.measures tbody tr"); len(rows) != 10 {
			t.Fatalf("%d measures, want 10", len(rows))
		}
		form := url.Values{}
		for _, n := range findAll(t, r.doc, "table.measures select, table.measures input") {
			v := attr(n, "value")
			if n.Data == "select" {
				v = "open"
			}
			form.Set(attr(n, "name"), v)
		}
		form.Set("status-30.2.10", "implemented")
		form.Set("owner-30.2.10", "CISO")
		form.Set("review-30.2.10", "2027-03-31")
		if r := c.submit(page, page, form); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d\n%s", r.StatusCode, r.body)
		}
		ms, err := st.Measures(context.Background(), store.System("test"), e.org.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m := ms[9]; m.MeasureID != "30.2.10" || m.Status != "implemented" || m.Owner != "CISO" || m.ReviewDate != "2027-03-31" {
			t.Errorf("stored %+v", m)
		}
		form.Set("review-30.2.1", "31.03.2027")
		r = c.submit(page, page, form)
		if r.StatusCode != http.StatusUnprocessableEntity || !r.has(t, `.error-summary a[href="#review-30.2.1"]`) {
			t.Errorf("bad date: %d", r.StatusCode)
		}
	})
}

func TestLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		c := e.client()
		req, _ := http.NewRequest(http.MethodGet, e.http.URL+"/login", nil)
		req.Header.Set("Accept-Language", "de-DE,de;q=0.9,en;q=0.5")
		r := c.do(req)
		if got := attr(r.one(t, "html"), "lang"); got != "de" {
			t.Errorf("lang %q", got)
		}
		if got := text(r.one(t, "main h1")); got != "Anmelden" {
			t.Errorf("German title %q", got)
		}
		// The link switches to English and returns to the page.
		link := attr(r.one(t, "li.lang a"), "href")
		r = c.do(must(http.NewRequest(http.MethodGet, e.http.URL+link, nil)))
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login" {
			t.Fatalf("switch: %d %q", r.StatusCode, r.Header.Get("Location"))
		}
		req, _ = http.NewRequest(http.MethodGet, e.http.URL+"/login", nil)
		req.Header.Set("Accept-Language", "de")
		if got := text(c.do(req).one(t, "main h1")); got != "Sign in" {
			t.Errorf("after switching: %q", got)
		}
		if r := c.get("/lang/fr"); r.StatusCode != http.StatusNotFound {
			t.Errorf("unknown language: %d", r.StatusCode)
		}
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestHealthAndMetrics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		c := e.client()
		if r := c.get("/healthz"); r.StatusCode != http.StatusOK || r.body != "ok\n" {
			t.Errorf("healthz: %d %q", r.StatusCode, r.body)
		}
		c.get("/login")
		c.get("/does/not/exist")
		r := c.get("/metrics")
		for _, want := range []string{
			`pflicht_http_requests_total{code="200",method="GET",route="GET /login"} 1`,
			`pflicht_http_requests_total{code="404",method="GET",route="/"} 1`,
			`pflicht_http_request_duration_seconds_count{method="GET",route="GET /healthz"} 1`,
		} {
			if !strings.Contains(r.body, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
	})
}

func TestRemaining(t *testing.T) {
	for d, want := range map[time.Duration]string{
		22 * time.Hour:                   "22 h 00 min",
		49*time.Hour + 5*time.Minute:     "2 d 1 h 05 min",
		-(3*time.Hour + 30*time.Minute):  "−3 h 30 min",
		59 * time.Second:                 "0 h 00 min",
		30*24*time.Hour + 61*time.Minute: "30 d 1 h 01 min",
	} {
		if got := remaining(d); got != want {
			t.Errorf("remaining(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestBerlinTime(t *testing.T) {
	// Summer and winter time, as the deadlines are counted in Berlin.
	for in, want := range map[time.Time]string{
		time.Date(2026, 7, 1, 22, 30, 0, 0, time.UTC):  "02.07.2026 00:30 CEST",
		time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC): "01.01.2027 00:00 CET",
	} {
		if got := funcs["berlin"].(func(time.Time) string)(in); got != want {
			t.Errorf("berlin(%v) = %q, want %q", in, got, want)
		}
	}
}
