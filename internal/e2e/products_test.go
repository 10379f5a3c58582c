package e2e

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pflicht/pflicht/internal/law"
	"github.com/pflicht/pflicht/internal/testdata"
)

// TestBrowserProducts walks a manufacturer's product pages in headless
// Chromium: create a product and a version with its support period and
// Annex III category, upload a real SBOM whose tokio version has an
// advisory that a known-exploited list names, follow the CRA Art. 14 track
// the upload opened, and record a VEX decision on the finding.
func TestBrowserProducts(t *testing.T) {
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing: CI must install the chromium package", chromium)
		}
		t.Skipf("%s is missing (apt-get install chromium); the browser tests need it", chromium)
	}
	bom := testdata.Shared(t, "spdx-examples/software/example11/spdx2.3/sbom.spdx.json")
	advisory := testdata.Shared(t, "rustsec-advisory-db-osv/crates/RUSTSEC-2023-0001.json") // tokio, CVE-2023-22466
	loc := sqliteAt(t)
	kev := filepath.Join(t.TempDir(), "eu-kev.csv")
	if err := os.WriteFile(kev, []byte("CVE-2023-22466\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cli(t, loc, "", "vulndb", "import", advisory, "--eu-kev", kev)
	s := startServer(t, loc)
	addUser(t, loc, "admin@e2e.example", "admin", "")
	api := newAPI(s, newToken(t, loc, "admin@e2e.example"))

	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1024),
	)
	defer cancel()
	browser, cancel := chromedp.NewContext(alloc)
	defer cancel()
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("starting %s: %v", chromium, err)
	}
	for _, lang := range []string{"de", "en"} {
		t.Run(lang, func(t *testing.T) {
			f := &flow{t: t, base: s.url, lang: lang, msg: productCatalog(t, lang)}
			f.org = api.createOrg(t, "Router GmbH ("+lang+")")
			f.orgAdmin = "psirt-" + lang + "@router.example"
			addUser(t, loc, f.orgAdmin, "org_admin", f.org)
			start := time.Now()
			f.manufacturer(f.tab(browser), bom)
			t.Logf("manufacturer flow: %v", time.Since(start).Round(time.Millisecond))
		})
	}
}

// productCatalog is the portal's catalog for lang with the product pages'
// own messages.
func productCatalog(t *testing.T, lang string) map[string]string {
	t.Helper()
	m := catalog(t, lang)
	b, err := os.ReadFile(filepath.Join("..", "portal", "locales", "products."+lang+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]string
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("locales/products.%s.json: %v", lang, err)
	}
	maps.Copy(m, p)
	return m
}

func (f *flow) manufacturer(ctx context.Context, bom string) {
	f.t.Helper()
	f.login(ctx, f.orgAdmin, "#org-card-"+f.org)
	list := f.base + "/orgs/" + f.org + "/products"
	f.run(ctx, "open products", chromedp.Navigate(list), chromedp.WaitVisible(chromedp.CSS("#name")))
	f.wantText(ctx, "#no-products", "products.none")
	f.run(ctx, "name product", chromedp.SendKeys(chromedp.CSS("#name"), "Router X"))
	f.submit(ctx, "create product", `form[action="/orgs/`+f.org+`/products"] button[type=submit]`, "#version-form")
	f.wantText(ctx, "#flash", "products.flash_created")

	// A version placed on the market a year ago, supported for five years,
	// a router (Annex III class I no. 12).
	placed := time.Now().In(law.Berlin).AddDate(-1, 0, 0)
	f.run(ctx, "fill version",
		chromedp.SendKeys(chromedp.CSS("#version"), "2.4.1"),
		chromedp.SetValue(chromedp.CSS("#placed_on"), placed.Format("2006-01-02")),
		chromedp.SendKeys(chromedp.CSS("#support_years"), "5"),
		chromedp.Click(chromedp.CSS(`input[name="category"][value="annex3.1.12"]`)))
	f.submit(ctx, "add version", `#version-form button[type=submit]`, "#support-state")
	f.wantText(ctx, "#flash", "products.flash_version")
	f.wantText(ctx, "#support-state", "products.support_in")
	f.wantText(ctx, "dd.class", "products.class_important_1")
	if got, want := f.text(ctx, "#support-end"), placed.AddDate(5, 0, 0).Format("02.01.2006"); !strings.Contains(got, want) {
		f.t.Errorf("%s: support end %q, want %s", f.lang, got, want)
	}

	// Upload the SBOM through the file input.
	f.run(ctx, "choose SBOM", chromedp.SetUploadFiles(chromedp.CSS("#sbom"), []string{bom}))
	f.submit(ctx, "upload SBOM", `#sbom-form button[type=submit]`, "#upload-result")
	if got := f.text(ctx, "#upload-kev"); got != "1" {
		f.t.Errorf("%s: known exploited after upload = %q, want 1", f.lang, got)
	}
	if got := f.text(ctx, "#upload-unscanned"); !strings.Contains(got, "hello-server-src") {
		f.t.Errorf("%s: unscanned components %q lack the Debian package", f.lang, got)
	}
	f.wantText(ctx, "table.findings tr.kev", "finding.kev")

	// The Art. 14 track the upload opened is an incident page with its clock.
	version := value(f, ctx, "location", chromedp.Location())
	f.run(ctx, "open track", chromedp.Click(chromedp.CSS("#opened-tracks a")), chromedp.WaitVisible(chromedp.CSS("#timeline")))
	f.run(ctx, "return", chromedp.Navigate(version), chromedp.WaitVisible(chromedp.CSS("table.findings")))
	f.keepScreenshot(ctx, "product-version")

	// Decide the finding: not affected, with justification and why.
	f.run(ctx, "open finding", chromedp.Click(chromedp.CSS("table.findings tr.kev th a")), chromedp.WaitVisible(chromedp.CSS("#decision-form")))
	f.run(ctx, "fill decision",
		chromedp.SetValue(chromedp.CSS("#status"), "not_affected"),
		chromedp.SetValue(chromedp.CSS("#justification"), "vulnerable_code_not_in_execute_path"),
		chromedp.SendKeys(chromedp.CSS("#note"), "Router X runs on Linux; named pipes are Windows only."))
	f.submit(ctx, "record decision", `#decision-form button[type=submit]`, "#flash")
	f.wantText(ctx, "#flash", "finding.flash_decided")
	f.wantText(ctx, "#finding-status", "finding.status_not_affected")
	f.wantText(ctx, "table.decisions", "finding.just_vulnerable_code_not_in_execute_path")
	if got := f.text(ctx, "table.decisions"); !strings.Contains(got, "named pipes") {
		f.t.Errorf("%s: the history lacks the note: %q", f.lang, got)
	}
	f.keepScreenshot(ctx, "finding")
	f.run(ctx, "open product", chromedp.Click(chromedp.CSS(".crumbs a:nth-of-type(2)")), chromedp.WaitVisible(chromedp.CSS("table.versions")))
	f.keepScreenshot(ctx, "product")
}

// keepScreenshot saves the whole page as name-LANG.png in the -screenshots
// directory, if one is given.
func (f *flow) keepScreenshot(ctx context.Context, name string) {
	f.t.Helper()
	if *screenshots == "" {
		return
	}
	if err := os.MkdirAll(*screenshots, 0o755); err != nil {
		f.t.Fatal(err)
	}
	png := value(f, ctx, "screenshot "+name, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(*screenshots, name+"-"+f.lang+".png"), png, 0o644); err != nil {
		f.t.Fatal(err)
	}
}
