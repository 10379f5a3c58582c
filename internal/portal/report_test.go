package portal

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/fines"
	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

func TestManagementPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, c := memberEnv(t, st)
		page := "/orgs/" + e.org.ID + "/management"
		r := c.get(page)
		checkPage(t, page, r)
		// What §38 asks, from the scope data of the organisation's class.
		for id, norm := range map[string]string{"38.1": "§ 38 Abs. 1 BSIG", "38.3": "§ 38 Abs. 3 BSIG"} {
			if got := text(r.one(t, `li[id="duty-`+id+`"] cite`)); got != norm {
				t.Errorf("duty %s cites %q, want %q", id, got, norm)
			}
		}
		if !r.has(t, "#no-records") || !r.has(t, `select#kind option[value="training"]`) {
			t.Errorf("empty page:\n%s", r.body)
		}

		today := berlinDay(t0)
		good := url.Values{"kind": {"training"}, "held_on": {today}, "title": {"Schulung <script>alert(1)</script>"},
			"participants": {"Dr. A. Vorstand\nB. Geschäftsführerin"}, "notes": {"4 h"}}
		r = c.submit(page, page, good)
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != page+"?done=management" {
			t.Fatalf("add: %d\n%s", r.StatusCode, r.body)
		}
		recs, err := st.ManagementRecords(context.Background(), store.System("test"), e.org.ID)
		if err != nil || len(recs) != 1 || recs[0].Participants != "Dr. A. Vorstand\nB. Geschäftsführerin" || recs[0].Kind != "training" {
			t.Fatalf("stored %+v, %v", recs, err)
		}
		r = c.get(page + "?done=management")
		row := r.one(t, "tr#record-"+recs[0].ID)
		if !strings.Contains(text(row), "Schulung <script>alert(1)</script>") || len(findAll(t, row, "script")) != 0 {
			t.Errorf("title not shown escaped: %q", text(row))
		}
		if got := text(findAll(t, row, "cite")[0]); got != "§ 38 Abs. 3 BSIG" || !strings.Contains(text(row), e.member.Email) || !r.has(t, "#flash") {
			t.Errorf("record row %q", text(row))
		}

		tomorrow := berlinDay(t0.Add(24 * time.Hour))
		for _, tc := range []struct {
			name, field, value, errField string
		}{
			{"no date", "held_on", "", "held_on"},
			{"bad date", "held_on", "31.12.2026", "held_on"},
			{"future date", "held_on", tomorrow, "held_on"},
			{"unknown kind", "kind", "approval", "kind"},
			{"no title", "title", " ", "title"},
			{"no participants", "participants", "", "participants"},
			{"title too long", "title", strings.Repeat("x", 301), "title"},
		} {
			f := url.Values{}
			for k, v := range good {
				f[k] = v
			}
			f.Set(tc.field, tc.value)
			r := c.submit(page, page, f)
			if r.StatusCode != http.StatusUnprocessableEntity || !r.has(t, `.error-summary a[href="#`+tc.errField+`"]`) {
				t.Errorf("%s: %d", tc.name, r.StatusCode)
			}
		}
		forged := url.Values{}
		for k, v := range good {
			forged[k] = v
		}
		forged.Del(csrfField)
		if r := c.post(page, forged); r.StatusCode != http.StatusForbidden {
			t.Errorf("without csrf: %d, want 403", r.StatusCode)
		}
		if recs, _ := st.ManagementRecords(context.Background(), store.System("test"), e.org.ID); len(recs) != 1 {
			t.Errorf("%d records after refused input, want 1", len(recs))
		}

		// A supervisor reads, without the form; writing is refused.
		sup := e.client()
		sup.login(e.supervisor)
		if r := sup.get(page); r.StatusCode != http.StatusOK || r.has(t, "form[action=\""+page+"\"]") || !r.has(t, "tr#record-"+recs[0].ID) {
			t.Errorf("supervisor's page: %d", r.StatusCode)
		}
		if r := sup.submit("/", page, good); r.StatusCode != http.StatusNotFound {
			t.Errorf("supervisor adds a record: %d, want 404", r.StatusCode)
		}
		out := e.client()
		out.login(e.outsider)
		if r := out.get(page); r.StatusCode != http.StatusNotFound {
			t.Errorf("outsider: %d, want 404", r.StatusCode)
		}
	})
}

func TestManagementOutOfScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		o, err := st.CreateOrganisation(context.Background(), store.Actor{UserID: e.outsider.ID}, store.Profile{Name: "Neu GmbH"}, "")
		if err != nil {
			t.Fatal(err)
		}
		c := e.client()
		c.login(e.outsider)
		// The name alone is the first profile: scope finds no class, so no
		// §38 duty applies, and the page says so.
		r := c.get("/orgs/" + o.ID + "/management")
		if !r.has(t, "#not-applicable") {
			t.Errorf("no notice that §38 does not apply:\n%s", r.body)
		}
		if r.has(t, `ul.duties li`) {
			t.Errorf("§38 duties shown for an organisation out of scope")
		}
	})
}

func TestBoardReport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		a := store.Actor{UserID: e.member.ID}
		org := "/orgs/" + e.org.ID
		yesterday := berlinDay(t0.Add(-24 * time.Hour))
		for _, m := range []store.Measure{
			{MeasureID: "30.2.1", Status: "implemented", Owner: "CISO", ReviewDate: yesterday},
			{MeasureID: "30.2.2", Status: "implemented", Owner: "SOC", ReviewDate: "2099-01-01"},
			{MeasureID: "30.2.8", Status: "not_applicable"},
		} {
			if _, err := st.SetMeasure(ctx, a, e.org.ID, m); err != nil {
				t.Fatal(err)
			}
		}
		for range 2 {
			if _, err := st.AddEvidence(ctx, a, store.Evidence{OrgID: e.org.ID, MeasureID: "30.2.2", Name: "plan.pdf", ContentType: "application/pdf"}, bytes.NewReader(pdfFile)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := st.AddManagementRecord(ctx, a, store.ManagementRecord{OrgID: e.org.ID, Kind: "supervision", HeldOn: yesterday, Title: "Vorstandssitzung", Participants: "Vorstand"}); err != nil {
			t.Fatal(err)
		}
		// An incident known for 30 hours without an early warning: the
		// 24-hour stage is overdue.
		inc, err := st.CreateIncident(ctx, a, store.Incident{OrgID: e.org.ID, Regime: store.RegimeBSIG, Title: "Ransomware <i>Leitstelle</i>", AwareAt: t0.Add(-30 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}

		c := e.client()
		c.login(e.member)
		r := c.get(org + "/report")
		if r.StatusCode != http.StatusOK {
			t.Fatalf("report: %d\n%s", r.StatusCode, r.body)
		}
		checkPage(t, "report", r)
		if !r.has(t, `link[rel=stylesheet][href="/static/report.css"]`) || !r.has(t, "#print-hint.no-print") {
			t.Errorf("no print stylesheet or hint")
		}
		if got := text(r.one(t, "#report-org")); got != e.org.Name {
			t.Errorf("organisation %q", got)
		}
		if got := attr(r.one(t, "#report-as-of time"), "datetime"); got != t0.UTC().Format(time.RFC3339) {
			t.Errorf("as of %q, want %s", got, t0)
		}
		class := r.one(t, "#report-class")
		if attr(findAll(t, class, ".class")[0], "data-class") != "wichtig" || !strings.Contains(text(findAll(t, class, "cite")[0]), "§ 28") {
			t.Errorf("class %q", text(class))
		}
		// Measures: ten rows with status, evidence count and the review due.
		if n := len(findAll(t, r.doc, "#report-measures tbody tr")); n != 10 {
			t.Errorf("%d measures, want 10", n)
		}
		if !r.has(t, `tr[id="report-measure-30.2.1"].review-due`) || r.has(t, `tr[id="report-measure-30.2.2"].review-due`) {
			t.Errorf("review due marks wrong")
		}
		if got := text(r.one(t, `tr[id="report-measure-30.2.2"] td.evidence-count`)); got != "2" {
			t.Errorf("evidence count %q, want 2", got)
		}
		for sel, want := range map[string]string{"#sum-implemented strong": "2 / 10", "#sum-reviews strong": "1", "#sum-no-evidence strong": "8", "#sum-incidents strong": "1"} {
			if got := text(r.one(t, sel)); got != want {
				t.Errorf("%s = %q, want %q", sel, got, want)
			}
		}
		// §38: the supervision is recorded, the training is not.
		if !strings.Contains(text(r.one(t, "#latest-supervision")), yesterday) || !r.has(t, "#latest-training .status-overdue") {
			t.Errorf("§38 summary: %q / %q", text(r.one(t, "#latest-supervision")), text(r.one(t, "#latest-training")))
		}
		// The incident with its overdue early warning and the fine for it.
		row := r.one(t, "tr#report-incident-"+inc.ID)
		if len(findAll(t, row, "i")) != 0 || !strings.Contains(text(row), "Ransomware <i>Leitstelle</i>") {
			t.Errorf("incident title not escaped: %q", text(row))
		}
		v := findAll(t, row, ".violation")
		if len(v) == 0 || !strings.Contains(text(v[0]), "§ 65") || !strings.Contains(text(v[0]), "7.000.000 €") {
			t.Errorf("overdue early warning without its fine: %q", text(row))
		}
		if !r.has(t, "tr#report-incident-"+inc.ID+" td.next .status") {
			t.Errorf("no next deadline")
		}
		// Fine exposure per duty, from the fines engine for a wichtige
		// Einrichtung with 30 Mio € turnover.
		want, err := fines.Compute(fines.Case{Offence: "65.2.2", EntityClass: fines.Wichtig, LegalPerson: true, TurnoverEUR: ptr(30e6), AsOf: t0})
		if err != nil {
			t.Fatal(err)
		}
		if got := text(findAll(t, r.one(t, `tr[id="fine-65.2.2"]`), "strong")[0]); got != formatEUR(*want.MaxEUR) {
			t.Errorf("fine for 65.2.2 %q, want %s", got, formatEUR(*want.MaxEUR))
		}
		if got := text(r.one(t, "#sum-max-fine strong")); got != "7.000.000 €" {
			t.Errorf("highest maximum %q", got)
		}

		// German, and no leak to an outsider; anonymous users sign in first.
		req, _ := http.NewRequest(http.MethodGet, e.http.URL+org+"/report", nil)
		req.Header.Set("Accept-Language", "de")
		if r := c.do(req); !strings.Contains(text(r.one(t, "h1")), "Bericht an die Geschäftsleitung") {
			t.Errorf("German title %q", text(r.one(t, "h1")))
		}
		out := e.client()
		out.login(e.outsider)
		if r := out.get(org + "/report"); r.StatusCode != http.StatusNotFound {
			t.Errorf("outsider: %d, want 404", r.StatusCode)
		}
		if r := e.client().get(org + "/report"); r.StatusCode != http.StatusSeeOther {
			t.Errorf("anonymous: %d, want 303", r.StatusCode)
		}
		sup := e.client()
		sup.login(e.supervisor)
		if r := sup.get(org + "/report"); r.StatusCode != http.StatusOK {
			t.Errorf("supervisor: %d, want 200", r.StatusCode)
		}
	})
}

func ptr[T any](v T) *T { return &v }

// TestReportPrintStyles: the print stylesheet leaves out the navigation
// and sets page breaks.
func TestReportPrintStyles(t *testing.T) {
	css, err := staticFS.ReadFile("static/report.css")
	if err != nil {
		t.Fatal(err)
	}
	_, print, ok := strings.Cut(string(css), "@media print")
	if !ok {
		t.Fatal("report.css has no @media print")
	}
	for _, want := range []string{".top", ".subnav", ".no-print", "display: none", "break-before: page", "break-inside: avoid", "@page"} {
		if !strings.Contains(print, want) {
			t.Errorf("print styles lack %q", want)
		}
	}
}
