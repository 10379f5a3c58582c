package portal

import (
	"io/fs"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"testing"

	"github.com/pflicht/pflicht/internal/clock"
)

// TestCataloguesMatch: both languages have exactly the same keys, and every
// key the templates and the code name exists.
func TestCataloguesMatch(t *testing.T) {
	cats, err := loadCatalogs()
	if err != nil {
		t.Fatal(err)
	}
	de, en := cats["de"], cats["en"]
	for k := range de.msgs {
		if _, ok := en.msgs[k]; !ok {
			t.Errorf("%q is in de.json but not in en.json", k)
		}
	}
	for k := range en.msgs {
		if _, ok := de.msgs[k]; !ok {
			t.Errorf("%q is in en.json but not in de.json", k)
		}
	}
	used := map[string]bool{}
	// Keys in templates (T "key", field/choice labels and hints) and Go files.
	key := regexp.MustCompile(`"((?:[a-z_]+\.)+[a-z_0-9]+)"`)
	scan := func(name string, b []byte) {
		for _, m := range key.FindAllSubmatch(b, -1) {
			k := string(m[1])
			if _, ok := en.msgs[k]; ok || looksLikeKey(k) {
				used[k] = true
			}
		}
	}
	fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := templateFS.ReadFile(p)
			scan(p, b)
		}
		return err
	})
	gofiles, _ := fs.Glob(os.DirFS("."), "*.go")
	for _, f := range gofiles {
		if b, err := os.ReadFile(f); err == nil && !slices.Contains([]string{"i18n_test.go"}, f) {
			scan(f, b)
		}
	}
	// Keys built from values in templates: (print "prefix." value).
	for _, v := range []string{"besonders_wichtig", "wichtig", "none"} {
		used["class."+v] = true
	}
	for _, v := range []string{"met", "not_met", "excluded", "info"} {
		used["outcome."+v] = true
	}
	for _, v := range []clock.Status{clock.Met, clock.Late, clock.Due, clock.Overdue, clock.Waiting, clock.OnRequest} {
		used["stage_status."+string(v)] = true
	}
	for _, v := range []clock.Condition{clock.WhereApplicable, clock.WhereAvailable, clock.WhereNecessary, clock.WhereAppropriate, clock.KRITISOperator} {
		used["condition."+string(v)] = true
	}
	for _, r := range []clock.Regime{clock.BSIG, clock.CRAIncident, clock.CRAVulnerability} {
		for _, p := range clock.Periods(r) {
			used["stage."+p.Stage] = true
		}
	}
	for _, v := range []string{"open", "closed"} {
		used["incident_status."+v] = true
	}
	for _, c := range unscannedCodes {
		used[unscannedKey(c)] = true
	}
	for _, v := range measureStatuses {
		used["measure_status."+v] = true
	}
	for _, v := range []string{"besonders_wichtig", "wichtig", "yes", "no"} {
		used["choice."+v] = true
	}
	for k := range used {
		if _, ok := en.msgs[k]; !ok {
			t.Errorf("key %q is used but not in the catalogues", k)
		}
	}
	for k := range en.msgs {
		if !used[k] {
			t.Errorf("key %q is in the catalogues but never used", k)
		}
	}
}

// looksLikeKey tells message keys from other dotted strings in Go files
// (file names, package paths, clock rule ids).
func looksLikeKey(k string) bool {
	prefix := regexp.MustCompile(`^(incident_status|common|nav|form|error|login|totp|flash|dashboard|scope|class|outcome|obligation|org|profile|registration|incident|timeline|stage|stage_status|condition|report|violation|measures|measure_status|registry|choice|err)\.`)
	return prefix.MatchString(k)
}

func TestRequestLang(t *testing.T) {
	for _, tc := range []struct{ header, cookie, want string }{
		{"", "", "de"},
		{"en-US,en;q=0.9", "", "en"},
		{"de-AT", "", "de"},
		{"fr-FR", "", "de"},
		{"fr-FR, en;q=0.5", "", "en"},
		{"en", "de", "de"},
		{"de", "xx", "de"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		if tc.header != "" {
			r.Header.Set("Accept-Language", tc.header)
		}
		if tc.cookie != "" {
			r.Header.Set("Cookie", langCookie+"="+tc.cookie)
		}
		if got := requestLang(r); got != tc.want {
			t.Errorf("Accept-Language %q, cookie %q: %q, want %q", tc.header, tc.cookie, got, tc.want)
		}
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/orgs/x": "/orgs/x", "": "/", "//evil.example": "/", "/\\evil.example": "/", "https://evil.example": "/",
		"/a\r\nSet-Cookie: x": "/", "evil": "/",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}
