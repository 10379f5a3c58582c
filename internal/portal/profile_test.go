package portal

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pflicht/pflicht/internal/law"
	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

// smallProfile is below every size threshold of §28: only a fact can
// give it a class.
func smallProfile() store.Profile {
	p := testProfile()
	p.Employees, p.TurnoverEUR, p.BalanceSheetEUR = 5, 800_000, 600_000
	return p
}

// factsProfile states every fact and the §33(2), §34(1) data of an
// entity established in the EU.
func factsProfile() store.Profile {
	p := smallProfile()
	no, yes := false, true
	p.KRITISOperator, p.QualifiedTrustServiceProvider, p.DomainRegistrar = &yes, &no, &yes
	p.FederalAdministration, p.FederalSecurityAuthority, p.DORAFinancialEntity = &no, &no, &no
	p.TelematikInfrastruktur, p.KRITISForDORA, p.EnergyEnWG5c, p.LandLaw28Abs8 = &no, &yes, &no, &no
	p.MainEstablishment, p.QualifiedSince = store.InOtherEU, "2026-01-15"
	p.MainEstablishmentAddress = &store.Address{Street: "Ringstraße 1", PostalCode: "1010", City: "Wien", Country: "AT"}
	p.EUEstablishments = []store.Address{{Street: "Hauptstraße 2", PostalCode: "10115", City: "Berlin", Country: "DE"}, {City: "Paris", Country: "FR"}}
	p.RepresentativeContact = &store.Contact{Name: "Vertretung SARL", Address: store.Address{City: "Luxembourg", Country: "LU"},
		Emails: []string{"rep@vertretung.example.lu"}, Phones: []string{"+352 123 456"}}
	p.ContactPoint = &store.Contact{Name: "Leitstelle", Emails: []string{"leitstelle@stadtwerke.example.de"}, Phones: []string{"+49 30 999999"}}
	return p
}

// The form writes back what it read: every fact survives a round trip,
// and an unstated one stays unstated.
func TestProfileFormRoundTrip(t *testing.T) {
	outside := factsProfile()
	outside.MainEstablishment, outside.Representative, outside.MainEstablishmentAddress = store.OutsideEU, store.InOtherEU, nil
	for _, p := range []store.Profile{smallProfile(), factsProfile(), outside} {
		got, fe := parseProfile(profileForm(p))
		if len(fe) > 0 {
			t.Fatalf("errors %+v", fe)
		}
		if diff := cmp.Diff(p, got); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
	}
}

// Every profile field has a label in the version history, in both languages.
func TestChangedLabels(t *testing.T) {
	cats, err := loadCatalogs()
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for f := range reflect.TypeFor[store.Profile]().Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		all = append(all, name)
	}
	for _, k := range changedLabels(all) {
		for lang, c := range cats {
			if _, ok := c.msgs[k]; !ok {
				t.Errorf("%s: no label %q", lang, k)
			}
		}
	}
}

// A KRITIS operator or a qualified trust service provider is besonders
// wichtig whatever its size (§28(1) Nr. 1, 2); the page shows what the
// engine says, with its citation, and the registry files it so.
func TestProfileFactsChangeTheClass(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, c := memberEnv(t, st)
		page := "/orgs/" + e.org.ID + "/profile"
		if _, err := st.SubmitRegistration(context.Background(), store.Actor{UserID: e.member.ID}, e.org.ID); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name, fact, want, cite string
		}{
			{"small", "", "none", ""},
			{"kritis", "kritis_operator", "besonders_wichtig", "§ 28 Abs. 1"},
			{"qtsp", "qualified_trust_service_provider", "besonders_wichtig", "§ 28 Abs. 1"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				form := profileForm(smallProfile())
				if tc.fact != "" {
					form.Set(tc.fact, "yes")
				}
				if r := c.submit(page, page, form); r.StatusCode != http.StatusSeeOther {
					t.Fatalf("save: %d\n%s", r.StatusCode, r.body)
				}
				r := c.get(page)
				class := r.one(t, "#assessment dd.class")
				if attr(class, "data-class") != tc.want || !strings.Contains(text(class), tc.cite) {
					t.Errorf("class %q (%s), want %s with %q", attr(class, "data-class"), text(class), tc.want, tc.cite)
				}
				if tc.fact != "" {
					if got := attr(r.one(t, "#"+tc.fact+" option[selected]"), "value"); got != "yes" {
						t.Errorf("%s shown as %q", tc.fact, got)
					}
					if !r.has(t, `#assessment tr[data-obligation="33.1"]`) {
						t.Errorf("no registration duty listed")
					}
				}
				o, err := st.Organisation(context.Background(), store.System("test"), e.org.ID)
				if want := strings.TrimPrefix(tc.want, "none"); err != nil || o.Class != want {
					t.Errorf("stored class %q, %v; want %q", o.Class, err, want)
				}
			})
		}
		// The history names what changed; the registration is out of date.
		r := c.get(page)
		if got := text(r.one(t, "#registration-status .status-due")); got != "changed since version 1" {
			t.Errorf("registration status %q", got)
		}
		changed := findAll(t, r.doc, "table.versions tbody tr td.changed")
		if len(changed) < 2 || !strings.Contains(text(changed[0]), "Qualified trust service provider") {
			t.Errorf("history: %q", text(changed[0]))
		}
	})
}

func TestProfileFactsValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, c := memberEnv(t, st)
		page := "/orgs/" + e.org.ID + "/profile"
		tomorrow := e.clock.now().AddDate(0, 0, 1).Format(law.DateLayout)
		for _, tc := range []struct {
			name  string
			set   url.Values
			field string
			msg   string
		}{
			{"fact value", url.Values{"kritis_operator": {"maybe"}}, "kritis_operator", "Choose one"},
			{"kritis for dora alone", url.Values{"kritis_for_dora": {"yes"}}, "kritis_for_dora", "operator of critical installations"},
			{"security authority alone", url.Values{"federal_security_authority": {"yes"}, "federal_administration": {"no"}}, "federal_security_authority", "federal administration"},
			{"establishment value", url.Values{"main_establishment": {"US"}}, "main_establishment", "Choose one"},
			{"representative of an EU entity", url.Values{"main_establishment": {"DE"}, "representative": {"DE"}}, "representative", "outside the EU"},
			{"qualified since format", url.Values{"qualified_since": {"15.01.2026"}}, "qualified_since", "Enter a date"},
			{"qualified since ahead", url.Values{"qualified_since": {tomorrow}}, "qualified_since", "in the future"},
			{"establishment line", url.Values{"eu_establishments": {"Ringstraße 1, Wien"}}, "eu_establishments", "street; postal code"},
			{"establishment country", url.Values{"eu_establishments": {"; ; Paris; France"}}, "eu_establishments", "EU member state"},
			{"establishment outside the EU", url.Values{"eu_establishments": {"; ; Zürich; CH"}}, "eu_establishments", "EU member state"},
			{"main establishment outside", url.Values{"main_establishment": {"non-EU"}, "me_city": {"Zürich"}, "me_country": {"CH"}}, "me_country", "representative's address"},
			{"main establishment country", url.Values{"main_establishment": {"DE"}, "me_city": {"Wien"}, "me_country": {"AT"}}, "me_country", "does not match"},
			{"main establishment city", url.Values{"me_country": {"CH"}}, "me_city", "Enter a value"},
			{"representative name", url.Values{"rep_emails": {"rep@example.lu"}}, "rep_name", "Enter a value"},
			{"representative e-mail", url.Values{"rep_name": {"Rep"}, "rep_emails": {"<b>rep</b>"}}, "rep_emails", "e-mail address"},
			{"contact point unreachable", url.Values{"cp_name": {"Leitstelle"}}, "cp_emails", "e-mail address or a telephone number"},
			{"contact point phone", url.Values{"cp_name": {"Leitstelle"}, "cp_phones": {"call us"}}, "cp_phones", "telephone number"},
			{"oversized name", url.Values{"cp_name": {strings.Repeat("x", 301)}, "cp_phones": {"+49 30 1234"}}, "cp_name", "at most 300"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				form := profileForm(smallProfile())
				for k, v := range tc.set {
					form[k] = v
				}
				r := c.submit(page, page, form)
				if r.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("status %d, want 422", r.StatusCode)
				}
				if link := r.one(t, `.error-summary a[href="#`+tc.field+`"]`); !strings.Contains(text(link), tc.msg) {
					t.Errorf("summary %q lacks %q", text(link), tc.msg)
				}
				if n := findAll(t, r.doc, "#"+tc.field+"-error"); len(n) != 1 || !strings.Contains(text(n[0]), tc.msg) {
					t.Errorf("no message beside %s", tc.field)
				}
				if attr(r.one(t, "#"+tc.field), "aria-invalid") != "true" {
					t.Errorf("%s not marked invalid", tc.field)
				}
			})
		}
		if vs, err := st.Profiles(context.Background(), store.System("test"), e.org.ID); err != nil || len(vs) != 1 {
			t.Fatalf("invalid forms stored a version: %d, %v", len(vs), err)
		}
	})
}

func TestRegistrySearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		owner := store.Actor{UserID: e.outsider.ID}
		p := testProfile()
		p.Name = "<script>alert(1)</script> Wasserwerk"
		other, err := st.CreateOrganisation(ctx, owner, p, "wichtig")
		if err != nil {
			t.Fatal(err)
		}
		// Registered, then changed: a change still to be reported.
		if _, err := st.SubmitRegistration(ctx, owner, other.ID); err != nil {
			t.Fatal(err)
		}
		p.Phones = []string{"+49 30 7777777"}
		if _, err := st.UpdateProfile(ctx, owner, other.ID, p, "wichtig"); err != nil {
			t.Fatal(err)
		}
		c := e.client()
		c.login(e.supervisor)
		for _, tc := range []struct {
			query string
			want  []string // ids
		}{
			{"q=STADTWERKE", []string{e.org.ID}},
			{"q=wasser", []string{other.ID}},
			{"q=wasser&class=besonders_wichtig", nil},
			{"class=none", nil},
			{"q=%25", nil},
			{"registered=changed", []string{other.ID}},
			{"registered=no", []string{e.org.ID}},
			{"registered=yes&q=werk", []string{other.ID}},
		} {
			r := c.get("/supervisor/registry?" + tc.query)
			if r.StatusCode != http.StatusOK {
				t.Errorf("%s: %d", tc.query, r.StatusCode)
				continue
			}
			var got []string
			for _, a := range findAll(t, r.doc, "table.registry tbody tr td a") {
				got = append(got, strings.TrimPrefix(attr(a, "href"), "/supervisor/orgs/"))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.query, diff)
			}
			if strings.Contains(r.body, "<script>alert") {
				t.Errorf("%s: name not escaped", tc.query)
			}
		}
		r := c.get("/supervisor/registry?q=wasser")
		if attr(r.one(t, "input#q"), "value") != "wasser" {
			t.Errorf("search not kept in the form")
		}
		if got := attr(r.one(t, `a[download]`), "href"); got != "/supervisor/registry.csv?q=wasser" {
			t.Errorf("CSV link %q", got)
		}
		r = c.get("/supervisor/registry?q=" + strings.Repeat("x", 301))
		if r.StatusCode != http.StatusBadRequest || !r.has(t, `.error-summary a[href="#q"]`) {
			t.Errorf("oversized search: %d", r.StatusCode)
		}
		r = c.get("/supervisor/registry.csv?q=stadtwerke")
		recs, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
		if err != nil || len(recs) != 2 || recs[1][0] != e.org.ID {
			t.Fatalf("csv: %v, %q", err, recs)
		}
		r = c.get("/supervisor/registry.csv?registered=changed")
		recs, err = csv.NewReader(strings.NewReader(r.body)).ReadAll()
		if err != nil || len(recs) != 2 || recs[1][0] != other.ID || recs[1][3] != "2" || recs[1][5] != "1" {
			t.Fatalf("csv changed: %v, %q", err, recs)
		}
	})
}

func TestSupervisorOrgRecord(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		member := store.Actor{UserID: e.member.ID}
		p := factsProfile()
		p.Name = "Stadtwerke <b>Musterstadt</b>"
		if _, err := st.UpdateProfile(ctx, member, e.org.ID, p, "besonders_wichtig"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.SubmitRegistration(ctx, member, e.org.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateIncident(ctx, member, store.Incident{OrgID: e.org.ID, Regime: store.RegimeBSIG, Title: "Leitstelle <i>aus</i>", AwareAt: time.Now().Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.AddManagementRecord(ctx, member, store.ManagementRecord{OrgID: e.org.ID, Kind: "training", HeldOn: "2026-11-02", Title: "Schulung"}); err != nil {
			t.Fatal(err)
		}
		page := "/supervisor/orgs/" + e.org.ID
		for _, tc := range []struct {
			who  string
			user *store.User
			want int
		}{
			{"anonymous", nil, http.StatusSeeOther},
			{"member", &e.member, http.StatusForbidden},
			{"outsider", &e.outsider, http.StatusForbidden},
			{"supervisor", &e.supervisor, http.StatusOK},
			{"admin", &e.admin, http.StatusOK},
		} {
			c := e.client()
			if tc.user != nil {
				c.login(*tc.user)
			}
			if r := c.get(page); r.StatusCode != tc.want {
				t.Errorf("%s: %d, want %d", tc.who, r.StatusCode, tc.want)
			}
		}
		c := e.client()
		c.login(e.supervisor)
		if r := c.get("/supervisor/orgs/NOSUCHORG"); r.StatusCode != http.StatusNotFound {
			t.Errorf("unknown organisation: %d", r.StatusCode)
		}
		r := c.get(page)
		if strings.Contains(r.body, "<b>Musterstadt") || strings.Contains(r.body, "<i>aus") {
			t.Errorf("text not escaped")
		}
		if class := r.one(t, "#assessment dd.class"); attr(class, "data-class") != "besonders_wichtig" || !strings.Contains(text(class), "§ 28") {
			t.Errorf("class %q", text(class))
		}
		for sel, want := range map[string]string{
			`dd[data-fact="kritis_operator"]`:       "yes",
			`dd[data-fact="dora_financial_entity"]`: "no",
			`dd[data-fact="land_law_28_8"]`:         "no",
			"#registrations table tbody tr td":      "",
			"#incidents table tbody tr td a":        "Leitstelle <i>aus</i>",
			"#history table tbody tr td.changed":    "Name",
			"#measures table tbody tr td":           "",
			"#current dl.record":                    "Vertretung SARL",
			"#turnover":                             "800.000 €",
			"#management table tbody tr":            "Training of the management body",
		} {
			ns := findAll(t, r.doc, sel)
			if len(ns) == 0 || !strings.Contains(text(ns[0]), want) {
				t.Errorf("%s: %d matches, want %q", sel, len(ns), want)
			}
		}
		mc := e.client()
		mc.login(e.member)
		// The history (a partial the profile page shares) shows the authority
		// the class of each version; the organisation's own page does not.
		for who, tc := range map[string]struct {
			c    *client
			page string
			want int
		}{"supervisor": {c, page, 6}, "member": {mc, "/orgs/" + e.org.ID + "/profile", 5}} {
			if n := len(findAll(t, tc.c.get(tc.page).doc, "#history table.versions thead th")); n != tc.want {
				t.Errorf("%s: history has %d columns, want %d", who, n, tc.want)
			}
		}
		if n := len(findAll(t, r.doc, "#measures table tbody tr")); n != 10 {
			t.Errorf("%d measures, want the ten of §30(2)", n)
		}
		if r.has(t, "main form") {
			t.Errorf("the record has a form")
		}
		if m := missingKey.FindString(text(r.doc)); m != "" {
			t.Errorf("message %s is missing from the catalogue", m)
		}
		for _, lang := range []string{"de", "en"} {
			req, _ := http.NewRequest(http.MethodGet, e.http.URL+page, nil)
			req.Header.Set("Accept-Language", lang)
			if r := c.do(req); r.StatusCode != http.StatusOK || missingKey.MatchString(text(r.doc)) || len(findAll(t, r.doc, "h1")) != 1 {
				t.Errorf("%s: %d, or a missing message, or not one h1", lang, r.StatusCode)
			}
		}
		// The registry links each row to the record.
		r = c.get("/supervisor/registry")
		r.one(t, `table.registry a[href="`+page+`"]`)
	})
}

// FuzzParseEstablishment: an accepted line names a city in an EU member
// state, and writing it back reads the same.
func FuzzParseEstablishment(f *testing.F) {
	for _, s := range []string{"Ringstraße 1; 1010; Wien; AT", "; ; Paris; fr", "a;b;c", ";;;", "x; y; z; GR", "\x00;\xff;Köln;DE"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		a, ok := parseEstablishment(line)
		if !ok {
			return
		}
		if a.City == "" || !store.EUMemberState(a.Country) {
			t.Fatalf("accepted %q as %+v", line, a)
		}
		if b, ok := parseEstablishment(formatEstablishment(a)); !ok || b != a {
			t.Fatalf("%+v reads back as %+v, %v", a, b, ok)
		}
	})
}
