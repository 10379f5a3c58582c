package e2e

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pflicht/pflicht/internal/law"
)

// chromium is Debian's package; .ci/run installs it in CI.
const chromium = "/usr/bin/chromium"

var screenshots = flag.String("screenshots", "", "directory to keep the browser tests' screenshots in (default: the test's temp dir)")

// flowTimeout bounds one browser flow; each takes a few seconds.
const flowTimeout = 40 * time.Second

// TestBrowser walks the portal in headless Chromium, once in German and
// once in English: an organisation admin completes and registers the
// profile, records an incident and submits its three BSIG reports through
// the forms, then records an actively exploited vulnerability (CRA) and
// the fix that starts its final report's clock; a supervisor then finds
// the organisation in the registry, opens its record, finds the incident
// in the incident feed and requests an interim report.
func TestBrowser(t *testing.T) {
	needChromium(t)
	loc := sqliteAt(t)
	s, api := startPortal(t, loc)
	addUser(t, loc, "aufsicht@bsi.example", "supervisor", "")
	browser := newBrowser(t)
	for _, lang := range []string{"de", "en"} {
		t.Run(lang, func(t *testing.T) {
			f := newFlow(t, s, api, loc, lang, "Stadtwerke E2E ("+lang+")", "it-"+lang+"@stadtwerke.example")
			timed(t, "organisation admin flow", func() { f.organisationAdmin(f.tab(browser)) })
			timed(t, "supervisor flow", func() { f.supervisor(f.tab(browser)) })
		})
	}
}

// startPortal starts the server on loc with an admin user, and returns it
// with an API client holding the admin's token.
func startPortal(t *testing.T, loc location) (*server, *apiClient) {
	t.Helper()
	s := startServer(t, loc)
	addUser(t, loc, "admin@e2e.example", "admin", "")
	return s, newAPI(s, newToken(t, loc, "admin@e2e.example"))
}

// timed runs one flow and logs how long it took.
func timed(t *testing.T, name string, flow func()) {
	t.Helper()
	start := time.Now()
	flow()
	t.Logf("%s: %v", name, time.Since(start).Round(time.Millisecond))
}

// needChromium skips the test where Chromium is missing, or fails it in CI,
// which must run the browser tests.
func needChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing: CI must install the chromium package", chromium)
		}
		t.Skipf("%s is missing (apt-get install chromium); the browser tests need it", chromium)
	}
}

// newBrowser starts headless Chromium for the test; each flow opens its
// own tabs in it (flow.tab). It stops at the end of the test.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), // containers have a small /dev/shm
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1024),
	)
	t.Cleanup(cancel)
	browser, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("starting %s: %v", chromium, err)
	}
	return browser
}

// flow is one language's run through the portal.
type flow struct {
	t              *testing.T
	base, lang     string
	msg            map[string]string // the portal's message catalog for lang
	org, orgAdmin  string
	incident, path string // the incident's id and page
}

// newFlow is one language's run, as the admin (a new user) of a new
// organisation called org.
func newFlow(t *testing.T, s *server, api *apiClient, loc location, lang, org, admin string) *flow {
	t.Helper()
	f := &flow{t: t, base: s.url, lang: lang, msg: catalog(t, lang), org: api.createOrg(t, org), orgAdmin: admin}
	addUser(t, loc, f.orgAdmin, "org_admin", f.org)
	return f
}

// catalog reads the portal's messages for lang (lang.json and every
// feature's *.lang.json), so the test checks that the page speaks the
// language chosen without repeating its wording.
func catalog(t *testing.T, lang string) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "portal", "locales", "*"+lang+".json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no locales for %s: %v", lang, err)
	}
	m := map[string]string{}
	for _, name := range files {
		if base := filepath.Base(name); base != lang+".json" && !strings.HasSuffix(base, "."+lang+".json") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	return m
}

// T is the catalog's text for key.
func (f *flow) T(key string) string {
	f.t.Helper()
	v, ok := f.msg[key]
	if !ok {
		f.t.Fatalf("no message %q in locales/%s.json", key, f.lang)
	}
	return v
}

// tab opens a tab in a browser context of its own (cookies not shared),
// closed at the end of the test.
func (f *flow) tab(browser context.Context) context.Context {
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	f.t.Cleanup(cancel)
	ctx, cancel = context.WithTimeout(ctx, flowTimeout)
	f.t.Cleanup(cancel)
	return ctx
}

func (f *flow) run(ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	f.t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		f.t.Fatalf("%s: %s: %v", f.lang, step, err)
	}
}

// value runs one action that returns a value.
func value[T any](f *flow, ctx context.Context, step string, a chromedp.Action[T]) T {
	f.t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		f.t.Fatalf("%s: %s: %v", f.lang, step, err)
	}
	return v
}

// submit clicks button and waits for the page that follows to show ok, or
// fails with the error summary or error page the portal showed instead.
func (f *flow) submit(ctx context.Context, step, button, ok string) {
	f.t.Helper()
	f.run(ctx, step, chromedp.Click(chromedp.CSS(button)),
		chromedp.WaitVisible(chromedp.CSS(ok+", .error-summary, #error-message")))
	problem := value(f, ctx, step, chromedp.Evaluate[string](`(document.querySelector('.error-summary, #error-message') || {innerText: ''}).innerText`))
	if problem != "" {
		f.t.Fatalf("%s: %s: the portal answered: %s", f.lang, step, problem)
	}
}

func (f *flow) text(ctx context.Context, sel string) string {
	f.t.Helper()
	return strings.TrimSpace(value(f, ctx, "read "+sel, chromedp.Text(chromedp.CSS(sel))))
}

func (f *flow) wantText(ctx context.Context, sel, key string) {
	f.t.Helper()
	if got, want := f.text(ctx, sel), f.T(key); !strings.Contains(got, want) {
		f.t.Errorf("%s: %s reads %q, want %q (%s)", f.lang, sel, got, want, key)
	}
}

// login chooses the language with the link the pages carry and signs in;
// ok is a selector of the page that follows.
func (f *flow) login(ctx context.Context, email, ok string) {
	f.t.Helper()
	f.run(ctx, "open login", chromedp.Navigate(f.base+"/lang/"+f.lang+"?next=/login"),
		chromedp.WaitVisible(chromedp.CSS("#email")))
	if htmlLang := value(f, ctx, "read lang", chromedp.AttributeValue(chromedp.CSS("html"), "lang")).Value; htmlLang != f.lang {
		f.t.Errorf("login page has <html lang=%q>, want %q", htmlLang, f.lang)
	}
	f.run(ctx, "fill login", chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password))
	f.submit(ctx, "login as "+email, `form[action="/login"] button[type=submit]`, ok)
}

func (f *flow) organisationAdmin(ctx context.Context) {
	f.t.Helper()
	f.login(ctx, f.orgAdmin, "#org-card-"+f.org)
	f.wantText(ctx, "main h1", "dashboard.title")

	// Complete the profile the organisation was created with and register it.
	f.run(ctx, "open profile", chromedp.Click(chromedp.CSS(`#org-card-`+f.org+` a[href="/orgs/`+f.org+`/profile"]`)),
		chromedp.WaitVisible(chromedp.CSS("#phones")),
		chromedp.SetValue(chromedp.CSS("#legal_form"), "GmbH"),
		chromedp.SetValue(chromedp.CSS("#register_number"), "HRB 12345 B"),
		chromedp.SetValue(chromedp.CSS("#phones"), "+49 30 1234567"),
		chromedp.SetValue(chromedp.CSS("#activities"), "A1-1.1.1"), // Anlage 1 Nr. 1.1.1: electricity supply
		chromedp.Click(chromedp.CSS(`input[name="member_states"][value="DE"]`)),
		chromedp.SetValue(chromedp.CSS("#employees"), "300"),
		chromedp.SetValue(chromedp.CSS("#turnover_eur"), "60000000"),
		chromedp.SetValue(chromedp.CSS("#balance_sheet_eur"), "50000000"))
	f.submit(ctx, "save profile", `form[action="/orgs/`+f.org+`/profile"] button[type=submit]`, "#flash")
	f.wantText(ctx, "#flash", "flash.profile_saved")
	f.submit(ctx, "submit registration", `form[action="/orgs/`+f.org+`/registration"] button[type=submit]`,
		"#registration-status .status-ok")
	f.wantText(ctx, "#flash", "flash.registered")
	f.wantText(ctx, "#registration-status", "registration.done")

	// Record an incident two hours after the moment of awareness.
	aware := time.Now().In(law.Berlin).Add(-2 * time.Hour).Format("2006-01-02T15:04")
	f.run(ctx, "new incident", chromedp.Navigate(f.base+"/orgs/"+f.org+"/incidents/new"),
		chromedp.WaitVisible(chromedp.CSS("#aware_at")),
		chromedp.SendKeys(chromedp.CSS("#title"), "Verschlüsselungstrojaner / ransomware"),
		chromedp.SetValue(chromedp.CSS("#aware_at"), aware))
	f.submit(ctx, "record incident", `form[action="/orgs/`+f.org+`/incidents"] button[type=submit]`, "#timeline")
	f.wantText(ctx, "#flash", "flash.incident_created")
	if got := f.text(ctx, "#aware-at"); !strings.Contains(got, strings.ReplaceAll(aware[11:], "T", " ")) {
		f.t.Errorf("%s: moment of awareness shown as %q, want the time %s", f.lang, got, aware[11:])
	}
	loc := value(f, ctx, "location", chromedp.Location())
	f.path = strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], f.base)
	f.incident = f.path[strings.LastIndexByte(f.path, '/')+1:]

	// The three BSIG reports, each through its form; each submission
	// turns its stage to met.
	for _, stage := range []string{"early_warning", "notification", "final"} {
		sel := "#stage-" + stage
		fill := fmt.Sprintf(`document.querySelectorAll('%s textarea').forEach(t => t.value = 'E2E %s: ' + t.id)`, sel, f.lang)
		f.run(ctx, "fill "+stage, chromedp.WaitVisible(chromedp.CSS(sel+" form")), chromedp.Evaluate[chromedp.Void](fill))
		f.submit(ctx, "submit "+stage, sel+` form button[type=submit]`, sel+`[data-status="met"]`)
		f.wantText(ctx, "#flash", "flash.report_saved")
		f.wantText(ctx, sel+" .status", "stage_status.met")
	}
	for _, key := range []string{"timeline.aware", "stage.early_warning", "stage.notification", "stage.final"} {
		f.wantText(ctx, "#timeline", key)
	}
	if entries := value(f, ctx, "count timeline", chromedp.Evaluate[int](`document.querySelectorAll('#timeline li').length`)); entries != 4 {
		f.t.Errorf("%s: the timeline has %d entries, want 4 (awareness and three reports)", f.lang, entries)
	}
	if got := f.text(ctx, "#timeline"); !strings.Contains(got, f.orgAdmin) {
		f.t.Errorf("%s: the timeline does not name who reported (%s): %q", f.lang, f.orgAdmin, got)
	}
	f.screenshot(ctx, "incident")

	// An actively exploited vulnerability (Art. 14(1) CRA): its final report
	// waits for a corrective measure; recording one starts the 14 days.
	f.run(ctx, "new vulnerability", chromedp.Navigate(f.base+"/orgs/"+f.org+"/incidents/new"),
		chromedp.WaitVisible(chromedp.CSS("#regime-cra-vulnerability")),
		chromedp.Click(chromedp.CSS("#regime-cra-vulnerability")),
		chromedp.SendKeys(chromedp.CSS("#title"), "CVE-2026-0001"),
		chromedp.SetValue(chromedp.CSS("#aware_at"), aware))
	f.submit(ctx, "record vulnerability", `form[action="/orgs/`+f.org+`/incidents"] button[type=submit]`, "#timeline")
	f.wantText(ctx, "#regime", "regime.cra_vulnerability")
	f.wantText(ctx, "#stage-final .status", "stage_status.waiting")
	if got := f.text(ctx, "#recipient"); !strings.Contains(got, "Art. 14 Abs. 7") {
		f.t.Errorf("%s: the reporting route is not shown: %q", f.lang, got)
	}
	fix := time.Now().In(law.Berlin).Add(-time.Hour).Format("2006-01-02T15:04")
	f.run(ctx, "fill fix", chromedp.SetValue(chromedp.CSS("#fix_available_at"), fix))
	f.submit(ctx, "record fix", `#event-fix button[type=submit]`, `#stage-final[data-status="due"]`)
	f.wantText(ctx, "#flash", "flash.event_saved")
	f.wantText(ctx, "#timeline", "event.fix_available")
	f.screenshot(ctx, "vulnerability")
}

// screenshot keeps the whole page as a PNG named name-lang.png.
func (f *flow) screenshot(ctx context.Context, name string) {
	f.t.Helper()
	dir := *screenshots
	if dir == "" {
		dir = f.t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		f.t.Fatal(err)
	}
	png := value(f, ctx, "screenshot", chromedp.FullScreenshot(100))
	path := filepath.Join(dir, name+"-"+f.lang+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		f.t.Fatal(err)
	}
	f.t.Logf("screenshot: %s", path)
}

func (f *flow) supervisor(ctx context.Context) {
	f.t.Helper()
	f.login(ctx, "aufsicht@bsi.example", `a[href="/supervisor/registry"]`)
	f.run(ctx, "open registry", chromedp.Click(chromedp.CSS(`a[href="/supervisor/registry"]`)),
		chromedp.WaitVisible(chromedp.CSS("table.registry")))
	f.wantText(ctx, "main h1", "registry.title")
	find := fmt.Sprintf(`(() => {
		const r = [...document.querySelectorAll('table.registry tbody tr')].find(r => r.innerText.includes(%q));
		return r ? {found: true, registered: !!r.querySelector('.status-ok'), text: r.innerText} : {found: false};
	})()`, "Stadtwerke E2E ("+f.lang+")")
	row := value(f, ctx, "find organisation", chromedp.Evaluate[struct {
		Found, Registered bool
		Text              string
	}](find))
	switch {
	case !row.Found:
		f.t.Errorf("%s: the registry does not list the organisation:\n%s", f.lang, f.text(ctx, "table.registry"))
	case !row.Registered:
		f.t.Errorf("%s: the registry row %q does not mark the organisation registered", f.lang, row.Text)
	}

	// From the registry the supervisor opens the organisation's record; the
	// incident it finds in the incident feed.
	f.run(ctx, "open organisation", chromedp.Click(chromedp.CSS(`table.registry a[href="/supervisor/orgs/`+f.org+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("main h1")))
	f.run(ctx, "open incident feed", chromedp.Navigate(f.base+"/supervisor/incidents"), chromedp.WaitVisible(chromedp.CSS("table.feed")))
	f.wantText(ctx, "main h1", "feed.title")
	link := `#feed-` + f.incident + ` a[href="` + f.path + `"]`
	f.run(ctx, "find incident", chromedp.Click(chromedp.CSS(link)), chromedp.WaitVisible(chromedp.CSS("#timeline")))
	for _, stage := range []string{"early_warning", "notification", "final"} {
		f.wantText(ctx, "#stage-"+stage+" .status", "stage_status.met")
	}
	// Supervisors only read (store.RoleSupervisor); the page must not offer
	// them a form the store would refuse.
	forms := value(f, ctx, "count forms", chromedp.Evaluate[[]string](`[...document.querySelectorAll('main form input[name=stage]')].map(i => i.value)`))
	f.t.Run("supervisor gets no report forms", func(t *testing.T) {
		if len(forms) > 0 {
			t.Errorf("%s: the incident page offers a supervisor report forms for %v", f.lang, forms)
		}
	})
	// The authority's own act: it requests an interim report with a deadline.
	now := time.Now().In(law.Berlin)
	f.run(ctx, "fill interim request",
		chromedp.SetValue(chromedp.CSS("#interim_requested_at"), now.Add(-5*time.Minute).Format("2006-01-02T15:04")),
		chromedp.SetValue(chromedp.CSS("#interim_due_at"), now.Add(48*time.Hour).Format("2006-01-02T15:04")))
	f.submit(ctx, "request interim report", `#event-interim button[type=submit]`, `#stage-interim[data-status="due"]`)
	f.wantText(ctx, "#timeline", "event.interim_requested")
	if got := f.text(ctx, "#timeline"); !strings.Contains(got, "aufsicht@bsi.example") {
		f.t.Errorf("%s: the timeline does not name the supervisor: %q", f.lang, got)
	}
}
