package portal

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/pflicht/pflicht/internal/law"
)

//go:embed templates/*.html templates/partials/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// views holds one template set per page, each the layout plus the page, and
// the message catalogues.
type views struct {
	pages map[string]*template.Template
	cats  map[string]*catalog
}

var funcs = template.FuncMap{
	// text picks the language of a law.Text.
	"text": func(t law.Text, lang string) string { return t.In(lang) },
	// berlin shows an instant as wall time in Europe/Berlin, where the
	// statutory deadlines are counted.
	"berlin": func(t time.Time) string { return t.In(law.Berlin).Format("02.01.2006 15:04 MST") },
	"iso":    func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	// eur takes the engines' float amounts (often pointers: nil is
	// unknown) and the profile's whole euros.
	"eur": func(v any) (string, error) {
		x := reflect.Indirect(reflect.ValueOf(v))
		switch {
		case x.CanFloat():
			return formatEUR(x.Float()), nil
		case x.CanInt():
			return formatEUR(float64(x.Int())), nil
		}
		return "", fmt.Errorf("portal: eur: %T is not an amount", v)
	},
	"field": field,
	"choice": func(p page, id, label, hint string, opts ...string) input {
		in := field(p, id, label, "select", hint, false)
		in.Options = opts
		return in
	},
	// withData is the page p with Data replaced, so a shared piece
	// (templates/partials) that reads .Data can draw a value of a list.
	"withData":     func(p page, data any) page { p.Data = data; return p },
	"unscannedKey": unscannedKey,
	"remaining": func(d *time.Duration) string {
		if d == nil {
			return ""
		}
		return remaining(*d)
	},
}

func loadViews() (*views, error) {
	cats, err := loadCatalogs()
	if err != nil {
		return nil, err
	}
	// The partials are pieces several pages draw the same way; every page
	// gets them with the layout.
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("portal: templates: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("portal: templates: %w", err)
	}
	v := &views{pages: make(map[string]*template.Template), cats: cats}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("portal: template %s: %w", name, err)
		}
		v.pages[name] = t
	}
	return v, nil
}

// page is what every template gets; Data is the page's own part.
type page struct {
	L     *catalog
	Title string // message key of the page title
	User  *user
	CSRF  string
	Path  string // where the language link returns to
	// Errors is the error summary of a form, linked to the fields.
	Errors fieldErrors
	// Refresh, if set, reloads the page after so many seconds (the
	// server-rendered countdown of reporting deadlines).
	Refresh int
	// Form holds submitted or stored values, for redisplay.
	Form url.Values
	// Unread is the navigation's count of unread notifications, nil if none.
	Unread *unreadBadge
	Data   any
}

// input is one form field as the "input" template draws it.
type input struct {
	L               *catalog
	ID, Label, Type string
	Hint            string // message key, optional
	Value           string
	Values          []string // for multiple choices
	Required        bool
	Err             *fieldError
	Options         []string // for a choice
}

// Has reports whether v is among the field's values (checkboxes, selects).
func (in input) Has(v string) bool { return slices.Contains(in.Values, v) }

// field builds an input from the page's form values and errors. Templates
// call it as: field $ "email" "profile.emails" "email" "hint.key" true.
func field(p page, id, label, typ, hint string, required bool) input {
	return input{L: p.L, ID: id, Label: label, Type: typ, Hint: hint, Value: p.Form.Get(id), Values: p.Form[id],
		Required: required, Err: p.Errors.For(id)}
}

// render writes the page with status. Templates execute into a buffer so a
// template error becomes a clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name, title string, p page) {
	st := state(r)
	p.L, p.Title, p.User, p.CSRF = s.view.cats[st.lang], title, st.user, s.formToken(w, st)
	if st.user != nil {
		p.Unread = s.navUnread(r)
	}
	// The language link returns to this page; after a POST (a form with
	// errors) there is no page to GET again, so it returns to the overview.
	p.Path = "/"
	if r.Method == http.MethodGet {
		p.Path = r.URL.RequestURI()
	}
	t, ok := s.view.pages[name]
	if !ok {
		panic("portal: no template " + name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		s.log.Error("render", "template", name, "err", err)
		if name != "error" {
			s.renderError(w, r, http.StatusInternalServerError, "error.internal")
		}
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	buf.WriteTo(w)
}

// renderError shows a readable error page: msg is a message key.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.render(w, r, status, "error", "error.title", page{Data: struct {
		Status  int
		Message string
	}{status, msg}})
}

// static serves the embedded stylesheet and script.
func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embed directive guarantees the directory
	}
	fsrv := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(w, r)
	})
}

// formatEUR writes an amount in euros with thousands separators, the same
// in both languages so amounts are compared easily.
func formatEUR(v float64) string {
	n := int64(v + 0.5)
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return b.String() + " €"
}
