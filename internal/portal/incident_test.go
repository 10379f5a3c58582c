package portal

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/law"
	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

// formTime is t as a datetime-local input sends it (Berlin wall time).
func formTime(t time.Time) string { return t.In(law.Berlin).Format(datetimeLayout) }

// newIncident records an incident of the test organisation, aware an hour
// before the test clock's now, and returns its page.
func newIncident(t *testing.T, c *client, e *env, regime, title string) string {
	t.Helper()
	org := "/orgs/" + e.org.ID
	aware := formTime(e.clock.now().Add(-time.Hour))
	r := c.submit(org+"/incidents/new", org+"/incidents", url.Values{"regime": {regime}, "title": {title}, "aware_at": {aware}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create %s: %d\n%s", regime, r.StatusCode, r.body)
	}
	return strings.TrimSuffix(r.Header.Get("Location"), "?done=incident")
}

// TestIncidentSupervisor: the authority reads the incident without report
// forms, records its request for an interim report with a deadline, and
// the organisation sees the stage due with it; who did what is shown by
// e-mail address.
func TestIncidentSupervisor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, c := memberEnv(t, st)
		inc := newIncident(t, c, e, "bsig", "Ransomware")
		if r := c.submit(inc, inc+"/reports", url.Values{"stage": {"early_warning"},
			"early_warning.suspected_malicious": {"yes"}, "early_warning.cross_border_impact": {"no"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("early warning: %d\n%s", r.StatusCode, r.body)
		}
		r := c.get(inc)
		if r.has(t, "#event-interim") {
			t.Error("the organisation is offered the authority's interim request form")
		}
		if got := text(r.one(t, "#stage-early_warning .submitted-by")); got != e.member.Email {
			t.Errorf("early warning submitted by %q, want %s", got, e.member.Email)
		}

		sup := e.client()
		sup.login(e.supervisor)
		r = sup.get(inc)
		if forms := findAll(t, r.doc, "main form input[name=stage]"); len(forms) > 0 {
			t.Errorf("supervisor is offered %d report forms", len(forms))
		}
		for _, sel := range []string{`form[action$="/status"]`, "#event-ongoing", "#event-fix", "#event-handling"} {
			if r.has(t, sel) {
				t.Errorf("supervisor is offered %s", sel)
			}
		}
		r.one(t, "#event-interim label[for=interim_requested_at]")
		r.one(t, "#event-interim label[for=interim_due_at]")
		// A forged report of the supervisor is refused.
		if r := sup.submit(inc, inc+"/reports", url.Values{"stage": {"notification"}}); r.StatusCode != http.StatusBadRequest {
			t.Errorf("supervisor report: %d, want 400", r.StatusCode)
		}
		// A deadline before the request is named.
		requested, deadline := e.clock.now().Add(-10*time.Minute), e.clock.now().Add(48*time.Hour)
		r = sup.submit(inc, inc+"/events", url.Values{"event": {"interim_requested"},
			"interim_requested_at": {formTime(requested)}, "interim_due_at": {formTime(requested.Add(-time.Hour))}})
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("deadline before request: %d", r.StatusCode)
		}
		r.one(t, `.error-summary a[href="#interim_due_at"]`)
		r = sup.submit(inc, inc+"/events", url.Values{"event": {"interim_requested"},
			"interim_requested_at": {formTime(requested)}, "interim_due_at": {formTime(deadline)}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("interim request: %d\n%s", r.StatusCode, r.body)
		}

		r = c.get(inc)
		interim := r.one(t, "#stage-interim")
		if attr(interim, "data-status") != "due" {
			t.Errorf("interim stage %s, want due", attr(interim, "data-status"))
		}
		if due := findAll(t, interim, ".due time"); len(due) != 1 || attr(due[0], "datetime") != deadline.UTC().Format(time.RFC3339) {
			t.Errorf("interim due %v, want %s", due, deadline)
		}
		tl := text(r.one(t, "#timeline"))
		if !strings.Contains(tl, "interim report requested") || !strings.Contains(tl, e.supervisor.Email) || !strings.Contains(tl, e.member.Email) {
			t.Errorf("timeline %q: want the request by %s and the report by %s", tl, e.supervisor.Email, e.member.Email)
		}
		// The organisation cannot make the authority's request.
		if r := c.submit(inc, inc+"/events", url.Values{"event": {"interim_requested"}, "interim_requested_at": {formTime(requested)}}); r.StatusCode != http.StatusNotFound {
			t.Errorf("member records a request: %d, want 404", r.StatusCode)
		}
		// Once the interim report is in, the request form goes.
		if r := c.submit(inc, inc+"/reports", url.Values{"stage": {"interim"}, "interim.status_updates": {"contained"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("interim report: %d\n%s", r.StatusCode, r.body)
		}
		if sup.get(inc).has(t, "#event-interim") {
			t.Error("request form still offered after the interim report")
		}
	})
}

// TestIncidentCRAVulnerability: a manufacturer records an actively
// exploited vulnerability; the reporting route and the user information
// come from the engine, and the final report waits for the fix.
func TestIncidentCRAVulnerability(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, c := memberEnv(t, st)
		r := c.get("/orgs/" + e.org.ID + "/incidents/new")
		for _, id := range []string{"regime-bsig", "regime-cra-incident", "regime-cra-vulnerability"} {
			r.one(t, `label[for="`+id+`"]`)
		}
		inc := newIncident(t, c, e, "cra-vulnerability", "CVE-2026-4242 exploited")
		r = c.get(inc)
		if got := text(r.one(t, "#recipient")); !strings.Contains(got, "Art. 14 Abs. 7") || !strings.Contains(got, "ENISA") {
			t.Errorf("recipient %q", got)
		}
		for stage, status := range map[string]string{"early_warning": "due", "notification": "due", "final": "waiting", "user_information": "due"} {
			if got := attr(r.one(t, "#stage-"+stage), "data-status"); got != status {
				t.Errorf("%s: %s, want %s", stage, got, status)
			}
		}
		if r.has(t, "#event-ongoing") || r.has(t, "#event-handling") {
			t.Error("BSIG events offered for a CRA vulnerability")
		}
		// A fix in the future is refused, naming the field.
		r = c.submit(inc, inc+"/events", url.Values{"event": {"fix_available"}, "fix_available_at": {formTime(e.clock.now().Add(time.Hour))}})
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("future fix: %d", r.StatusCode)
		}
		r.one(t, `.error-summary a[href="#fix_available_at"]`)
		if r := c.submit(inc, inc+"/events", url.Values{"event": {"fix_available"}, "fix_available_at": {"tomorrow"}}); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("malformed fix time: %d", r.StatusCode)
		}
		if r := c.submit(inc, inc+"/events", url.Values{"event": {"<script>"}}); r.StatusCode != http.StatusBadRequest {
			t.Errorf("unknown event: %d", r.StatusCode)
		}
		fix := e.clock.now().Add(-30 * time.Minute)
		r = c.submit(inc, inc+"/events", url.Values{"event": {"fix_available"}, "fix_available_at": {formTime(fix)}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("fix: %d\n%s", r.StatusCode, r.body)
		}
		r = c.get(r.Header.Get("Location"))
		final := r.one(t, "#stage-final")
		want := fix.Truncate(time.Minute).Add(14 * 24 * time.Hour)
		if due := findAll(t, final, ".due time"); attr(final, "data-status") != "due" || len(due) != 1 || attr(due[0], "datetime") != want.UTC().Format(time.RFC3339) {
			t.Errorf("final report after the fix: %s %v, want due %s", attr(final, "data-status"), due, want)
		}
		if got := text(r.one(t, "#flash")); got == "" {
			t.Error("no confirmation")
		}
		if got := text(r.one(t, "#stage-final .legal-end")); !strings.Contains(got, "1182/71") {
			t.Errorf("final report: legal end %q, want the reading under Regulation 1182/71", got)
		}
		if got := attr(r.one(t, "#event-fix input#fix_available_at"), "value"); got != formTime(fix) {
			t.Errorf("fix form shows %q, want the recorded %s", got, formTime(fix))
		}
		if !strings.Contains(text(r.one(t, "#timeline")), "corrective or mitigating measure available") {
			t.Error("the fix is not on the timeline")
		}
		// Missed: the early warning overdue is an Art. 64 CRA violation.
		e.clock.add(25 * time.Hour)
		c.login(e.member)
		v := findAll(t, c.get(inc).doc, "#stage-early_warning .violation")
		if len(v) != 1 || !strings.Contains(text(v[0]), "cra.64.2.ew24") {
			t.Errorf("early warning violation: %v", v)
		}
	})
}

// TestIncidentOngoing: §32(2) BSIG. Stated ongoing, the progress report
// replaces the final report and the final handling can be recorded.
func TestIncidentOngoing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, c := memberEnv(t, st)
		inc := newIncident(t, c, e, "bsig", "Outage")
		r := c.get(inc)
		if r.has(t, "#event-fix") || r.has(t, "#event-handling") {
			t.Error("events of other regimes or states offered")
		}
		r.one(t, "#event-ongoing input#ongoing-no[checked]")
		if r := c.submit(inc, inc+"/events", url.Values{"event": {"ongoing"}, "ongoing": {"maybe"}}); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("ongoing=maybe: %d", r.StatusCode)
		}
		if r := c.submit(inc, inc+"/events", url.Values{"event": {"ongoing"}, "ongoing": {"yes"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("ongoing: %d\n%s", r.StatusCode, r.body)
		}
		r = c.get(inc)
		r.one(t, "#stage-progress")
		r.one(t, "#event-ongoing input#ongoing-yes[checked]")
		r.one(t, "#event-handling label[for=handling_completed_at]")
		// Final handling before the final report would have been due
		// contradicts "ongoing": the engine says so.
		if r := c.submit(inc, inc+"/reports", url.Values{"stage": {"notification"}, "notification.early_warning_update": {"a"},
			"notification.initial_assessment": {"b"}, "notification.severity": {"c"}, "notification.impact": {"d"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("notification: %d\n%s", r.StatusCode, r.body)
		}
		// A period in months ends at 24:00 of a day (§§ 187, 188 BGB); the
		// page says so, and that the counting is a reading.
		due := c.get(inc).one(t, "#stage-progress .due")
		at, err := time.Parse(time.RFC3339, attr(findAll(t, due, "time")[0], "datetime"))
		if err != nil {
			t.Fatal(err)
		}
		if h := at.In(law.Berlin); h.Hour() != 0 || h.Minute() != 0 {
			t.Errorf("progress report due %v, want 24:00 Berlin time", h)
		}
		wantDay := at.Add(-time.Nanosecond).In(law.Berlin).Format("02.01.2006")
		if got := text(due); !strings.Contains(got, "end of "+wantDay) || !strings.Contains(got, "UNVERIFIED") {
			t.Errorf("progress report due %q, want the end of %s marked UNVERIFIED", got, wantDay)
		}
		r = c.submit(inc, inc+"/events", url.Values{"event": {"handling_completed"}, "handling_completed_at": {formTime(e.clock.now())}})
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text(r.one(t, ".error-summary")), "incident_ongoing") {
			t.Errorf("early handling: %d", r.StatusCode)
		}
	})
}

// TestIncidentFeed: the supervisor's feed of every organisation's
// incidents, with the overdue filter, the regime filter and bad input.
func TestIncidentFeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, c := memberEnv(t, st)
		evil := `<script>alert("x")</script>`
		old := newIncident(t, c, e, "bsig", evil)
		e.clock.add(30 * time.Hour) // the first incident's early warning is overdue now
		c.login(e.member)
		recent := newIncident(t, c, e, "cra-incident", "Build server compromised")

		if r := c.get("/supervisor/incidents"); r.StatusCode != http.StatusForbidden {
			t.Errorf("member opens the feed: %d, want 403", r.StatusCode)
		}
		sup := e.client()
		sup.login(e.supervisor)
		r := sup.get("/supervisor/incidents")
		if r.StatusCode != http.StatusOK {
			t.Fatalf("feed: %d", r.StatusCode)
		}
		rows := findAll(t, r.doc, "table.feed tbody tr")
		if len(rows) != 2 || !strings.Contains(text(rows[0]), "Build server compromised") || !strings.Contains(text(rows[1]), evil) {
			t.Fatalf("feed rows: %d, newest first wanted", len(rows))
		}
		if strings.Contains(r.body, evil) {
			t.Error("title not escaped")
		}
		if got := text(rows[1]); !strings.Contains(got, e.org.Name) || !strings.Contains(got, "Early warning") || !strings.Contains(got, "overdue") {
			t.Errorf("overdue row %q", got)
		}
		if got := text(r.one(t, "#overdue-count")); !strings.HasPrefix(got, "1 ") {
			t.Errorf("overdue count %q", got)
		}
		r.one(t, `a#registry-link[href="/supervisor/registry"]`)
		r.one(t, `table.feed a[href="`+old+`"]`)

		r = sup.get("/supervisor/incidents?overdue=yes")
		if rows := findAll(t, r.doc, "table.feed tbody tr"); len(rows) != 1 || findAll(t, rows[0], `a[href="`+old+`"]`) == nil {
			t.Errorf("overdue filter: %d rows", len(rows))
		}
		r = sup.get("/supervisor/incidents?regime=cra-incident")
		if rows := findAll(t, r.doc, "table.feed tbody tr"); len(rows) != 1 || findAll(t, rows[0], `a[href="`+recent+`"]`) == nil {
			t.Errorf("regime filter: %d rows", len(rows))
		}
		for _, q := range []string{"regime=gdpr", "overdue=maybe", "cursor=forged"} {
			r = sup.get("/supervisor/incidents?" + q)
			if r.StatusCode != http.StatusBadRequest || !r.has(t, ".error-summary") {
				t.Errorf("%s: %d, want 400 with the error summary", q, r.StatusCode)
			}
		}
		// Every page of the feature labels its controls and has one h1.
		for _, page := range []struct {
			c    *client
			path string
		}{{sup, "/supervisor/incidents?overdue=yes"}, {sup, old}, {c, old}, {c, recent}, {c, "/orgs/" + e.org.ID + "/incidents/new"}} {
			r := page.c.get(page.path)
			if n := len(findAll(t, r.doc, "h1")); n != 1 {
				t.Errorf("%s: %d h1", page.path, n)
			}
			for _, in := range findAll(t, r.doc, "main input, main select, main textarea") {
				if typ := attr(in, "type"); typ != "hidden" && !labelled(t, r.doc, in) {
					t.Errorf("%s: %s name=%q has no label", page.path, in.Data, attr(in, "name"))
				}
			}
			if m := missingKey.FindString(text(r.doc)); m != "" {
				t.Errorf("%s: message %s is missing from the catalogue", page.path, m)
			}
		}
		// A CSRF-less write is refused before anything else.
		if r := c.post(old+"/events", url.Values{"event": {"ongoing"}, "ongoing": {"yes"}}); r.StatusCode != http.StatusForbidden {
			t.Errorf("events without csrf: %d, want 403", r.StatusCode)
		}
	})
}
