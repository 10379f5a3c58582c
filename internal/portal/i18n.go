package portal

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"golang.org/x/text/language"
)

//go:embed locales/*.json
var localeFS embed.FS

// langs are the UI languages; the first is the fallback, as pflicht serves
// German supervisors and entities first.
var langs = []string{"de", "en"}

var langMatcher = language.NewMatcher([]language.Tag{language.German, language.English})

// langCookie holds an explicit choice made with the language link; it wins
// over Accept-Language.
const langCookie = "pflicht_lang"

// catalog is the message catalogue of one language: key → fmt format.
type catalog struct {
	lang string
	msgs map[string]string
}

// T returns the message for key, formatted with args. A missing key shows
// itself in brackets, so it is seen in review rather than silently empty;
// TestCataloguesMatch keeps that from shipping.
func (c *catalog) T(key string, args ...any) string {
	m, ok := c.msgs[key]
	if !ok {
		return "[" + key + "]"
	}
	if len(args) == 0 {
		return m
	}
	return fmt.Sprintf(m, args...)
}

// Lang is the catalogue's language code ("de" or "en").
func (c *catalog) Lang() string { return c.lang }

// loadCatalogs reads each language's catalogue from locales/<lang>.json and
// the feature files locales/<feature>.<lang>.json beside it, so features keep
// their messages apart. A key defined twice is an error, not a silent
// override.
func loadCatalogs() (map[string]*catalog, error) {
	names, err := fs.Glob(localeFS, "locales/*.json")
	if err != nil {
		return nil, fmt.Errorf("portal: locales: %w", err)
	}
	out := make(map[string]*catalog, len(langs))
	for _, l := range langs {
		c := &catalog{lang: l, msgs: map[string]string{}}
		for _, n := range names {
			base := path.Base(n)
			if base != l+".json" && !strings.HasSuffix(base, "."+l+".json") {
				continue
			}
			b, err := localeFS.ReadFile(n)
			if err != nil {
				return nil, fmt.Errorf("portal: locale %s: %w", base, err)
			}
			var msgs map[string]string
			if err := json.Unmarshal(b, &msgs); err != nil {
				return nil, fmt.Errorf("portal: locale %s: %w", base, err)
			}
			for k, v := range msgs {
				if _, dup := c.msgs[k]; dup {
					return nil, fmt.Errorf("portal: locale %s: key %q is defined twice", base, k)
				}
				c.msgs[k] = v
			}
		}
		if len(c.msgs) == 0 {
			return nil, fmt.Errorf("portal: locale %s: no messages", l)
		}
		out[l] = c
	}
	return out, nil
}

// requestLang picks the language: the cookie set by the language link, else
// the best match of Accept-Language, else German.
func requestLang(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && validLang(c.Value) {
		return c.Value
	}
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	_, i, conf := langMatcher.Match(tags...)
	if conf == language.No {
		return langs[0]
	}
	return langs[i]
}

func validLang(l string) bool {
	for _, x := range langs {
		if l == x {
			return true
		}
	}
	return false
}

// localPath returns p if it is a path on this site, else "/": redirect
// targets taken from a query must not lead elsewhere.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return "/"
	}
	return p
}

// TA is T with the arguments as one slice, for templates that hold them in
// a value (a field error).
func (c *catalog) TA(key string, args []any) string { return c.T(key, args...) }
