package portal

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/findings"
	"github.com/pflicht/pflicht/internal/osv"
	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
	"github.com/pflicht/pflicht/internal/testdata"
)

// uploadSBOM posts an SBOM as the upload form does (multipart), with the page's
// CSRF token unless token is "none".
func (c *client) uploadSBOM(page, action, name string, data io.Reader, token string) *response {
	c.e.t.Helper()
	if token == "" {
		token = c.csrf(page)
	}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		if token != "none" {
			mw.WriteField(csrfField, token)
		}
		fw, err := mw.CreateFormFile("sbom", name)
		if err == nil {
			_, err = io.Copy(fw, data)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequest(http.MethodPost, c.e.http.URL+action, pr)
	if err != nil {
		c.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept-Language", "en")
	return c.do(req)
}

// createProduct makes a product with one version through the forms and
// returns the product's and the version's paths.
func createProduct(t *testing.T, c *client, org string, version url.Values) (string, string) {
	t.Helper()
	list := "/orgs/" + org + "/products"
	r := c.submit(list, list, url.Values{"name": {"Router X"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create product: %d\n%s", r.StatusCode, r.body)
	}
	product := strings.TrimSuffix(r.Header.Get("Location"), "?done=product")
	r = c.submit(product, product+"/versions", version)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("add version: %d\n%s", r.StatusCode, r.body)
	}
	return product, strings.TrimSuffix(r.Header.Get("Location"), "?done=version")
}

func TestProductPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, c := memberEnv(t, st)
		list := "/orgs/" + e.org.ID + "/products"
		if r := c.get(list); !r.has(t, "#no-products") || !r.has(t, `form[action="`+list+`"] #name`) {
			t.Fatalf("empty list:\n%s", r.body)
		}
		product, version := createProduct(t, c, e.org.ID, url.Values{
			"version": {"1.0"}, "placed_on": {"2026-01-15"}, "support_years": {"5"},
			"category": {"annex3.1.12"}, "harmonised_standards": {"yes"},
		})
		// The version page: class, routes and the Art. 13 dates from the engine.
		r := c.get(version + "?done=version")
		r.one(t, "#flash")
		if got := attr(r.one(t, "dd.class"), "data-class"); got != "important_class_1" {
			t.Errorf("class = %q", got)
		}
		if got := attr(r.one(t, "#route-module_a"), "data-open"); got != "true" {
			t.Errorf("Module A with harmonised standards applied in full: open = %q", got)
		}
		if got := text(r.one(t, "#support-end")); !strings.Contains(got, "15.01.2031") || !strings.Contains(got, "Art. 13 Abs. 8") {
			t.Errorf("support end = %q", got)
		}
		if got := text(r.one(t, "#support-state")); got != "within support" {
			t.Errorf("support state = %q", got)
		}
		if got := text(r.one(t, "#support")); !strings.Contains(got, "01/2031") || !strings.Contains(got, "Art. 13 Abs. 19") {
			t.Errorf("Art. 13(19) statement missing: %q", got)
		}
		// Placed before Art. 13 applies: the engine's note says so.
		if !strings.Contains(r.body, "Art. 69 Abs. 2") {
			t.Errorf("no Art. 69(2) note")
		}
		// The list shows each version's support end and findings.
		r = c.get(list)
		row := r.one(t, "table.products tbody tr")
		if got := text(row); !strings.Contains(got, "15.01.2031") || !strings.Contains(got, "important product, class I") {
			t.Errorf("list row = %q", got)
		}
		if got := attr(r.one(t, "td.counts"), "data-open"); got != "0" {
			t.Errorf("open findings = %q", got)
		}
		// The product page: class with citation and the open routes.
		r = c.get(product)
		if got := text(r.one(t, "table.versions td.class")); !strings.Contains(got, "Anhang III Klasse I Nr. 12") {
			t.Errorf("class without citation: %q", got)
		}
		if got := text(r.one(t, "table.versions td.routes")); !strings.Contains(got, "Module A") || !strings.Contains(got, "Art. 32 Abs. 2") {
			t.Errorf("open routes = %q", got)
		}
		// The next version's form starts from this one's categories and facts.
		if _, ok := attrOK(r.one(t, `input[value="annex3.1.12"]`), "checked"); !ok {
			t.Errorf("categories not carried over")
		}
		// Editing: an end date under five years brings the engine's note.
		edit := product + "?edit=" + version[strings.LastIndex(version, "/")+1:]
		r = c.get(edit)
		if got := attr(r.one(t, "#version-form"), "action"); got != version {
			t.Fatalf("edit form posts to %q, want %q", got, version)
		}
		if got := attr(r.one(t, "#support_end"), "value"); got != "2031-01-15" {
			t.Errorf("edit form support_end = %q", got)
		}
		form := url.Values{"placed_on": {"2026-01-15"}, "support_end": {"2029-06-30"}, "category": {"annex3.2.2"}}
		if r := c.submit(edit, version, form); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("update: %d\n%s", r.StatusCode, r.body)
		}
		r = c.get(version)
		if got := text(r.one(t, "#support-end")); !strings.Contains(got, "30.06.2029") {
			t.Errorf("support end after update = %q", got)
		}
		if !strings.Contains(r.body, "Support period under 5 years") {
			t.Errorf("no engine note on a period under five years")
		}
		if got := attr(r.one(t, "dd.class"), "data-class"); got != "important_class_2" {
			t.Errorf("class after update = %q", got)
		}
		if got := attr(r.one(t, "#route-module_a"), "data-open"); got != "false" {
			t.Errorf("Module A for class II: open = %q", got)
		}
		// Categories another client stored that the engine does not know
		// are shown as such, with the engine's message, not as a class.
		p, err := st.Product(context.Background(), store.System("test"), product[strings.LastIndex(product, "/")+1:])
		if err != nil {
			t.Fatal(err)
		}
		odd, err := st.AddProductVersion(context.Background(), store.System("test"), store.ProductVersion{ProductID: p.ID, Version: "odd", Categories: []string{"annex-iii-1-12"}})
		if err != nil {
			t.Fatal(err)
		}
		r = c.get(product + "/versions/" + odd.ID)
		if got := text(r.one(t, "#class-error")); !strings.Contains(got, "Categories not readable") || !strings.Contains(got, `"annex-iii-1-12"`) {
			t.Errorf("unknown category: %q", got)
		}
		if got := text(c.get(list).one(t, "#version-"+odd.ID+" td.class")); got != "Categories not readable" {
			t.Errorf("list: unknown category shown as %q", got)
		}
	})
}

func TestProductFormValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, c := memberEnv(t, st)
		list := "/orgs/" + e.org.ID + "/products"
		for _, tc := range []struct {
			name, msg string
		}{
			{"", "Enter a value"},
			{strings.Repeat("x", 201), "at most 200"},
		} {
			r := c.submit(list, list, url.Values{"name": {tc.name}})
			if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text(r.one(t, `.error-summary a[href="#name"]`)), tc.msg) {
				t.Errorf("name %.20q: %d, want 422 with %q", tc.name, r.StatusCode, tc.msg)
			}
		}
		product, _ := createProduct(t, c, e.org.ID, url.Values{"version": {"1.0"}})
		for _, tc := range []struct {
			desc, field, msg string
			form             url.Values
		}{
			{"no version", "version", "Enter a value", url.Values{"version": {" "}}},
			{"years and end", "support_years", "either years or an end date", url.Values{"version": {"2"}, "placed_on": {"2028-01-01"}, "support_years": {"5"}, "support_end": {"2033-01-01"}}},
			{"years without day", "placed_on", "needs the day of placing", url.Values{"version": {"2"}, "support_years": {"5"}}},
			{"years not a number", "support_years", "whole number", url.Values{"version": {"2"}, "placed_on": {"2028-01-01"}, "support_years": {"five"}}},
			{"years refused by the engine", "support_years", "not between 1 and 100", url.Values{"version": {"2"}, "placed_on": {"2028-01-01"}, "support_years": {"0"}}},
			{"end before start", "support_end", "before placing", url.Values{"version": {"2"}, "placed_on": {"2028-01-01"}, "support_end": {"2027-01-01"}}},
			{"end too far", "support_end", "not between 1 and 100", url.Values{"version": {"2"}, "placed_on": {"2028-01-01"}, "support_end": {"2200-01-01"}}},
			{"bad date", "placed_on", "date like", url.Values{"version": {"2"}, "placed_on": {"1.1.2028"}}},
			{"unknown category", "categories", "Choose one of the offered values", url.Values{"version": {"2"}, "category": {"annex9.9"}}},
			{"bad fact", "eu_scheme", "Choose one of the offered values", url.Values{"version": {"2"}, "eu_scheme": {"maybe"}}},
			{"duplicate version", "version", "exists already", url.Values{"version": {"1.0"}}},
		} {
			r := c.submit(product, product+"/versions", tc.form)
			if r.StatusCode != http.StatusUnprocessableEntity && r.StatusCode != http.StatusConflict {
				t.Errorf("%s: status %d\n%s", tc.desc, r.StatusCode, r.body)
				continue
			}
			if got := text(r.one(t, `.error-summary a[href="#`+tc.field+`"]`)); !strings.Contains(got, tc.msg) {
				t.Errorf("%s: summary %q lacks %q", tc.desc, got, tc.msg)
			}
		}
		if p, err := st.Products(context.Background(), store.System("test"), e.org.ID); err != nil || len(p) != 1 || len(p[0].Versions) != 1 {
			t.Errorf("invalid forms stored versions: %+v, %v", p, err)
		}
		// Markup in names is text.
		evil := `<script>alert(1)</script>`
		if r := c.submit(list, list, url.Values{"name": {evil}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d", r.StatusCode)
		}
		if r := c.get(list); strings.Contains(r.body, evil) || !strings.Contains(r.body, "&lt;script&gt;") {
			t.Errorf("product name not escaped")
		}
	})
}

// TestProductAccess: pages of another organisation are not found, a
// supervisor reads without forms, and writes need the CSRF token.
func TestProductAccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e, c := memberEnv(t, st)
		product, version := createProduct(t, c, e.org.ID, url.Values{"version": {"1.0"}})
		other, err := st.CreateOrganisation(ctx, store.Actor{UserID: e.outsider.ID}, store.Profile{Name: "Other GmbH"}, "")
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := st.CreateProduct(ctx, store.Actor{UserID: e.outsider.ID}, other.ID, "Theirs")
		if err != nil {
			t.Fatal(err)
		}
		list := "/orgs/" + e.org.ID + "/products"
		for _, p := range []string{
			"/orgs/" + other.ID + "/products",
			list + "/" + theirs.ID,                         // their product under our organisation
			"/orgs/" + other.ID + "/products/" + theirs.ID, // theirs where we are no member
			product + "/versions/nope",
			product + "?edit=nope",
			"/orgs/" + e.org.ID + "/findings/nope",
		} {
			if r := c.get(p); r.StatusCode != http.StatusNotFound {
				t.Errorf("member GET %s: %d, want 404", p, r.StatusCode)
			}
		}
		out := e.client()
		out.login(e.outsider)
		for _, p := range []string{list, product, version} {
			if r := out.get(p); r.StatusCode != http.StatusNotFound {
				t.Errorf("outsider GET %s: %d, want 404", p, r.StatusCode)
			}
		}
		// A supervisor reads every page but gets no forms; a forged write is not found.
		sup := e.client()
		sup.login(e.supervisor)
		for _, p := range []string{list, product, version} {
			r := sup.get(p)
			if r.StatusCode != http.StatusOK {
				t.Errorf("supervisor GET %s: %d", p, r.StatusCode)
			}
			for _, f := range findAll(t, r.doc, "form") {
				if attr(f, "method") == "post" && attr(f, "action") != "/logout" {
					t.Errorf("supervisor sees a form posting to %s on %s", attr(f, "action"), p)
				}
			}
		}
		if r := sup.submit(list, list, url.Values{"name": {"x"}}); r.StatusCode != http.StatusNotFound {
			t.Errorf("supervisor creates a product: %d, want 404", r.StatusCode)
		}
		// No token, no write: neither a form nor an upload.
		if r := c.post(list, url.Values{"name": {"Forged"}}); r.StatusCode != http.StatusForbidden {
			t.Errorf("create without token: %d, want 403", r.StatusCode)
		}
		if r := c.uploadSBOM(version, version+"/sboms", "bom.json", strings.NewReader("{}"), "none"); r.StatusCode != http.StatusForbidden {
			t.Errorf("upload without token: %d, want 403", r.StatusCode)
		}
		if ps, _ := st.Products(ctx, store.System("test"), e.org.ID); len(ps) != 1 {
			t.Errorf("%d products after refused writes", len(ps))
		}
	})
}

func TestSBOMUploadErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, c := memberEnv(t, st)
		_, version := createProduct(t, c, e.org.ID, url.Values{"version": {"1.0"}})
		invalid, err := os.ReadFile(testdata.Shared(t, "cyclonedx-specification/tools/src/test/resources/1.6/invalid-namespace-1.6.xml"))
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			desc, name, data string
			msg              *regexp.Regexp
		}{
			{"truncated JSON", "broken.cdx.json", `{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"type": "library",`, regexp.MustCompile(`cannot be read: broken\.cdx\.json: .*line 1 column [0-9]+`)},
			{"invalid BOM of the CycloneDX suite", "invalid-namespace-1.6.xml", string(invalid), regexp.MustCompile(`cannot be read: invalid-namespace-1\.6\.xml: .*not a CycloneDX namespace`)},
			{"empty file", "empty.json", "", regexp.MustCompile(`cannot be read: empty\.json: .*empty`)},
			{"not an SBOM", "notes.txt", "hello <b>world</b>", regexp.MustCompile(`cannot be read: notes\.txt`)},
		} {
			r := c.uploadSBOM(version, version+"/sboms", tc.name, strings.NewReader(tc.data), "")
			if r.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%s: status %d, want 422", tc.desc, r.StatusCode)
				continue
			}
			if got := text(r.one(t, "#sbom-error")); !tc.msg.MatchString(got) {
				t.Errorf("%s: message %q does not match %s", tc.desc, got, tc.msg)
			}
			r.one(t, `.error-summary a[href="#sbom"]`)
			if strings.Contains(r.body, "<b>world</b>") {
				t.Errorf("%s: file content not escaped", tc.desc)
			}
		}
		// A form without a file says so.
		form := url.Values{}
		if r := c.submit(version, version+"/sboms", form); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text(r.one(t, "#sbom-error")), "Choose an SBOM file") {
			t.Errorf("no file: %d", r.StatusCode)
		}
		// The upload route takes more than the UI's body limit (64 KiB in
		// tests) ...
		big, err := os.ReadFile(testdata.Shared(t, "bom-shelter/in-the-wild/spdx/helm-controller_0.16.0_sbom.spdx.json"))
		if err != nil {
			t.Fatal(err)
		}
		if r := c.uploadSBOM(version, version+"/sboms", "helm-controller.spdx.json", bytes.NewReader(big), ""); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload of %d bytes: %d\n%s", len(big), r.StatusCode, r.body)
		}
		// ... but not more than its own.
		huge := io.LimitReader(zeros{}, findings.MaxSBOMBytes+1)
		r := c.uploadSBOM(version, version+"/sboms", "huge.json", huge, "")
		if r.StatusCode != http.StatusRequestEntityTooLarge && r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("oversized upload: %d, want 413 or 422", r.StatusCode)
		}
		if got := text(r.doc); !strings.Contains(got, "too large") && !strings.Contains(got, "larger than 50 MiB") {
			t.Errorf("oversized upload: no readable message:\n%s", r.body)
		}
		sboms, err := st.SBOMs(context.Background(), store.System("test"), strings.TrimPrefix(version[strings.LastIndex(version, "/"):], "/"))
		if err != nil || len(sboms) != 1 {
			t.Errorf("stored SBOMs: %d, %v; want only the valid one", len(sboms), err)
		}
	})
}

// TestSBOMProblems: an SBOM read in part shows the parser's problems with
// the upload result and in the history, which names the uploader by e-mail.
func TestSBOMProblems(t *testing.T) {
	data, err := os.ReadFile(testdata.Shared(t, "cyclonedx-specification/tools/src/test/resources/1.6/invalid-bomformat-1.6.json"))
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, c := memberEnv(t, st)
		_, version := createProduct(t, c, e.org.ID, url.Values{"version": {"1.0"}})
		r := c.uploadSBOM(version, version+"/sboms", "invalid-bomformat-1.6.json", bytes.NewReader(data), "")
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: %d\n%s", r.StatusCode, r.body)
		}
		result := r.Header.Get("Location")
		for _, lang := range []string{"en", "de"} {
			if r := c.get("/lang/" + lang + "?next=/"); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("switch to %s: %d", lang, r.StatusCode)
			}
			r = c.get(result)
			checkPage(t, lang+" "+result, r)
			problems := findAll(t, r.doc, "#upload-problems li")
			if len(problems) == 0 || !strings.Contains(text(problems[0]), "bomFormat") || !strings.Contains(text(problems[0]), "AnotherFormat") {
				t.Fatalf("%s: problems not listed:\n%s", lang, r.body)
			}
			if got := text(r.one(t, "#upload-problems-count")); got != strconv.Itoa(len(problems)) {
				t.Errorf("%s: problem count %q, %d listed", lang, got, len(problems))
			}
			row := r.one(t, "table.sboms tbody tr")
			if got := text(row); !strings.Contains(got, "ciso@stadtwerke.example.de") || strings.Contains(got, "user:") {
				t.Errorf("%s: history row %q does not name the uploader by e-mail", lang, got)
			}
			if n := len(findAll(t, r.doc, "table.sboms td.problems-count details li")); n != len(problems) {
				t.Errorf("%s: history lists %d problems, want %d", lang, n, len(problems))
			}
		}
	})
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestSBOMFindingsAndVEX: a real SBOM against a real advisory that a
// known-exploited list names. The upload lists what it could not check and
// opens the CRA Art. 14 track; a VEX decision is recorded with who, when and
// why.
func TestSBOMFindingsAndVEX(t *testing.T) {
	bom := testdata.Shared(t, "spdx-examples/software/example11/spdx2.3/sbom.spdx.json")
	advisory := testdata.Shared(t, "rustsec-advisory-db-osv/crates/RUSTSEC-2023-0001.json") // tokio, CVE-2023-22466
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		var recs []osv.Record
		if _, err := osv.Walk([]string{advisory}, osv.Options{}, func(r osv.Record) error { recs = append(recs, r); return nil }); err != nil {
			t.Fatal(err)
		}
		if _, err := st.ImportVulns(ctx, "test", recs); err != nil {
			t.Fatal(err)
		}
		kev, err := osv.ParseKEVList(osv.CatalogEU, []byte("CVE-2023-22466\n"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.ImportKEV(ctx, "test", kev); err != nil {
			t.Fatal(err)
		}
		e, c := memberEnv(t, st)
		placed := t0.AddDate(-1, 0, 0).Format("2006-01-02")
		_, version := createProduct(t, c, e.org.ID, url.Values{"version": {"1.0"}, "placed_on": {placed}, "support_years": {"5"}})
		data, err := os.ReadFile(bom)
		if err != nil {
			t.Fatal(err)
		}
		r := c.uploadSBOM(version, version+"/sboms", "sbom.spdx.json", bytes.NewReader(data), "")
		result := r.Header.Get("Location")
		if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(result, version+"?sbom=") {
			t.Fatalf("upload: %d, Location %q\n%s", r.StatusCode, result, r.body)
		}
		r = c.get(result)
		if got := text(r.one(t, "#upload-result h2")); !strings.Contains(got, "sbom.spdx.json") {
			t.Errorf("upload result heading %q", got)
		}
		if got := text(r.one(t, "#upload-findings")); got != "1" {
			t.Errorf("findings = %q", got)
		}
		if got := text(r.one(t, "#upload-kev")); got != "1" {
			t.Errorf("known exploited = %q", got)
		}
		// Every component not checked is named with its reason.
		unscanned := findAll(t, r.doc, "#upload-unscanned li")
		if len(unscanned) == 0 || text(r.one(t, "#upload-unscanned-count")) == "0" {
			t.Errorf("no unscanned components listed:\n%s", r.body)
		}
		for _, li := range unscanned {
			if got := text(li); !strings.Contains(got, ": ") {
				t.Errorf("unscanned entry without reason: %q", got)
			}
			// The reason in the page's language, the matcher's words beside.
			if len(findAll(t, li, "span.hint[lang=en]")) == 0 {
				t.Errorf("unscanned entry without its coded reason: %q", text(li))
			}
		}
		// The CRA Art. 14 track opened and links to its incident page.
		track := r.one(t, "#opened-tracks a")
		href := attr(track, "href")
		if !strings.HasPrefix(href, "/orgs/"+e.org.ID+"/incidents/") {
			t.Fatalf("track link %q", href)
		}
		if r := c.get(href); r.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", href, r.StatusCode)
		}
		// The findings table and the counts.
		r = c.get(version)
		row := r.one(t, "table.findings tr.kev")
		if got := text(row); !strings.Contains(got, "RUSTSEC-2023-0001") || !strings.Contains(got, "tokio") || !strings.Contains(got, "known exploited") || !strings.Contains(got, "1.20.3") {
			t.Errorf("finding row = %q", got)
		}
		if got := attr(row, "data-status"); got != "under_investigation" {
			t.Errorf("status = %q", got)
		}
		if r := c.get(version + "?kev=1&status=fixed"); !r.has(t, "#no-findings") {
			t.Errorf("filter status=fixed shows findings")
		}
		if r := c.get(version + "?status=bogus"); r.StatusCode != http.StatusBadRequest {
			t.Errorf("bad filter: %d", r.StatusCode)
		}
		if got := attr(c.get("/orgs/"+e.org.ID+"/products").one(t, "td.counts"), "data-kev"); got != "1" {
			t.Errorf("list KEV count = %q", got)
		}
		finding := attr(r.one(t, "table.findings tr.kev th a"), "href")
		if r := c.get(finding); !r.has(t, "#kev-notice #track-link") {
			t.Errorf("finding page without the track link:\n%s", r.body)
		}
		// VEX decisions: bad ones name the field, good ones enter the history.
		for _, tc := range []struct {
			form  url.Values
			field string
			msg   string
		}{
			{url.Values{"status": {"not_affected"}}, "justification", "Choose one"},
			{url.Values{"status": {"affected"}, "justification": {"component_not_present"}}, "justification", "only with"},
			{url.Values{"status": {"maybe"}}, "status", "Choose one"},
			{url.Values{"status": {"fixed"}, "note": {strings.Repeat("x", store.MaxDecisionNote+1)}}, "note", "at most"},
		} {
			r := c.submit(finding, finding, tc.form)
			if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text(r.one(t, `.error-summary a[href="#`+tc.field+`"]`)), tc.msg) {
				t.Errorf("decision %v: %d\n%s", tc.form, r.StatusCode, r.body)
			}
		}
		note := `Windows named pipes are not used <b>at all</b>`
		r = c.submit(finding, finding, url.Values{"status": {"not_affected"}, "justification": {"vulnerable_code_not_in_execute_path"}, "note": {note}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("decide: %d\n%s", r.StatusCode, r.body)
		}
		if r := c.submit(finding, finding, url.Values{"status": {"under_investigation"}, "note": {"reopened"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("second decision: %d", r.StatusCode)
		}
		r = c.get(finding + "?done=decision")
		r.one(t, "#flash")
		if got := attr(r.one(t, "#finding-status"), "data-status"); got != "under_investigation" {
			t.Errorf("status = %q", got)
		}
		rows := findAll(t, r.doc, "table.decisions tbody tr")
		if len(rows) != 2 {
			t.Fatalf("%d decisions in the history, want 2", len(rows))
		}
		first := text(rows[1])
		for _, want := range []string{"not affected", "Vulnerable code not in execute path", note, "ciso@stadtwerke.example.de"} {
			if !strings.Contains(first, want) {
				t.Errorf("history row %q lacks %q", first, want)
			}
		}
		if strings.Contains(first, "user:") {
			t.Errorf("history names the actor id, not the e-mail address: %q", first)
		}
		if strings.Contains(r.body, "<b>at all</b>") {
			t.Errorf("note not escaped")
		}
		if !strings.Contains(text(rows[0]), "reopened") {
			t.Errorf("newest decision not first: %q", text(rows[0]))
		}
		// Every page in both languages: landmarks, one h1, labels, no missing message.
		product := version[:strings.Index(version, "/versions/")]
		pages := []string{"/orgs/" + e.org.ID + "/products", product, product + "?edit=" + version[strings.LastIndex(version, "/")+1:], version, result, finding}
		for _, lang := range []string{"en", "de"} {
			if r := c.get("/lang/" + lang + "?next=/"); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("switch to %s: %d", lang, r.StatusCode)
			}
			for _, p := range pages {
				checkPage(t, lang+" "+p, c.get(p))
			}
		}
	})
}

// TestProductMessages: every products.* and finding.* key the pages use
// exists (TestCataloguesMatch checks the reverse and both languages).
func TestProductMessages(t *testing.T) {
	cats, err := loadCatalogs()
	if err != nil {
		t.Fatal(err)
	}
	key := regexp.MustCompile(`"((?:products|finding)\.[a-z_0-9]+)"`)
	for _, f := range []string{"products.go", "templates/products.html", "templates/product.html", "templates/product_version.html", "templates/finding.html"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range key.FindAllSubmatch(b, -1) {
			for _, l := range langs {
				if _, ok := cats[l].msgs[string(m[1])]; !ok {
					t.Errorf("%s: key %s missing in %s", f, m[1], l)
				}
			}
		}
	}
}

// FuzzVersionForm: any form either names a field or gives a version the
// store accepts, and never panics.
func FuzzVersionForm(f *testing.F) {
	f.Add("1.0", "2028-01-15", "5", "", "annex3.1.12", "yes")
	f.Add("2", "2028-02-29", "", "2033-02-28", "annex4.1", "")
	f.Add("", "x", "-1", "2027-01-01", "annex9", "no")
	f.Add("3", "2028-01-15", "99999999999999999999", "", "", "")
	f.Fuzz(func(t *testing.T, version, placed, years, end, category, fact string) {
		form := url.Values{"version": {version}, "placed_on": {placed}, "support_years": {years}, "support_end": {end},
			"category": {category}, "eu_scheme": {fact}}
		var fe fieldErrors
		v := parseVersionForm(&fe, form, true)
		if len(fe) > 0 {
			for _, e := range fe {
				if e.Field == "" || e.Label == "" || e.Msg == "" {
					t.Fatalf("error without field, label or message: %+v", e)
				}
			}
			return
		}
		if err := storeValid(v); err != nil {
			t.Fatalf("form accepted %+v, store refuses: %v", form, err)
		}
	})
}

// storeValid checks what the store's validation checks, without a database.
func storeValid(v store.ProductVersion) error {
	switch {
	case strings.TrimSpace(v.Version) == "" || len(v.Version) > store.MaxVersionString:
		return fmt.Errorf("version %q", v.Version)
	case v.SupportEnd != "" && v.SupportStart == "":
		return fmt.Errorf("end without start")
	case v.SupportStart != "" && v.SupportEnd != "" && v.SupportEnd < v.SupportStart:
		return fmt.Errorf("end before start")
	}
	for _, d := range []string{v.SupportStart, v.SupportEnd} {
		if _, err := time.Parse(time.DateOnly, d); d != "" && err != nil {
			return err
		}
	}
	return nil
}
