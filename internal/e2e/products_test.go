package e2e

import (
	"context"
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
	needChromium(t)
	bom := testdata.Shared(t, "spdx-examples/software/example11/spdx2.3/sbom.spdx.json")
	advisory := testdata.Shared(t, "rustsec-advisory-db-osv/crates/RUSTSEC-2023-0001.json") // tokio, CVE-2023-22466
	loc := sqliteAt(t)
	kev := filepath.Join(t.TempDir(), "eu-kev.csv")
	if err := os.WriteFile(kev, []byte("CVE-2023-22466\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cli(t, loc, "", "vulndb", "import", advisory, "--eu-kev", kev)
	s, api := startPortal(t, loc)
	browser := newBrowser(t)
	for _, lang := range []string{"de", "en"} {
		t.Run(lang, func(t *testing.T) {
			f := newFlow(t, s, api, loc, lang, "Router GmbH ("+lang+")", "psirt-"+lang+"@router.example")
			timed(t, "manufacturer flow", func() { f.manufacturer(f.tab(browser), bom) })
		})
	}
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
	f.screenshot(ctx, "product-version")

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
	f.screenshot(ctx, "finding")
	f.run(ctx, "open product", chromedp.Click(chromedp.CSS(".crumbs a:nth-of-type(2)")), chromedp.WaitVisible(chromedp.CSS("table.versions")))
	f.screenshot(ctx, "product")
}
