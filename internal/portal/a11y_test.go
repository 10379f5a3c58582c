package portal

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"golang.org/x/net/html"

	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

// TestAccessibility checks every page for the structure assistive
// technology relies on: a skip link to the main landmark, navigation with
// a name, one h1, and a label for every form control.
func TestAccessibility(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, c := memberEnv(t, st)
		org := "/orgs/" + e.org.ID
		r := c.submit(org+"/incidents/new", org+"/incidents", url.Values{"title": {"Outage"}, "aware_at": {anHourAgo}})
		inc := r.Header.Get("Location")
		sup := e.client()
		sup.login(e.supervisor)
		pages := map[string]*client{
			"/": c, org + "/profile": c, org + "/incidents/new": c, inc: c, org + "/measures": c, "/orgs/new": c,
			"/supervisor/registry": sup, "/nope": c,
		}
		for p, cl := range pages {
			checkStructure(t, p, cl.get(p))
		}
		// Without a session the login page too.
		r = e.client().get("/login")
		for _, in := range findAll(t, r.doc, "input[id]") {
			if !labelled(t, r.doc, in) {
				t.Errorf("/login: %s has no label", attr(in, "id"))
			}
		}
	})
}

// checkPage checks a page that loads (200 OK) as TestAccessibility checks
// every page.
func checkPage(t *testing.T, name string, r *response) {
	t.Helper()
	if r.StatusCode != http.StatusOK {
		t.Errorf("%s: status %d", name, r.StatusCode)
		return
	}
	checkStructure(t, name, r)
}

// checkStructure checks what assistive technology relies on: the
// landmarks, one h1, labels on every control; and that no message is
// missing.
func checkStructure(t *testing.T, name string, r *response) {
	t.Helper()
	if m := missingKey.FindString(text(r.doc)); m != "" {
		t.Errorf("%s: message %s is missing from the catalogue", name, m)
	}
	for _, sel := range []string{`a.skip[href="#main"]`, "main#main", "header nav[aria-label]", "footer", "h1"} {
		if n := len(findAll(t, r.doc, sel)); n != 1 {
			t.Errorf("%s: %d × %s, want 1", name, n, sel)
		}
	}
	for _, in := range findAll(t, r.doc, "input, select, textarea") {
		if typ := attr(in, "type"); typ != "hidden" && typ != "submit" && !labelled(t, r.doc, in) {
			t.Errorf("%s: %s name=%q has no label", name, in.Data, attr(in, "name"))
		}
	}
}

// missingKey is how catalog.T shows a key it does not know.
var missingKey = regexp.MustCompile(`\[[a-z_]+\.[a-z_.0-9]+\]`)

// labelled: a label names the control by for=id, or wraps it.
func labelled(t *testing.T, doc, in *html.Node) bool {
	if id := attr(in, "id"); id != "" && len(findAll(t, doc, `label[for="`+id+`"]`)) == 1 {
		return true
	}
	for p := in.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && p.Data == "label" {
			return true
		}
	}
	return false
}
