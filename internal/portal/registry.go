package portal

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pflicht/pflicht/internal/store"
)

const registryPageSize = 50

// registryClasses are the class filter's choices: the §28 classes and
// "none" for the organisations without one (registrars, or out of scope).
var registryClasses = []option{{"besonders_wichtig", "choice.besonders_wichtig"}, {"wichtig", "choice.wichtig"}, {"none", "choice.none"}}

// maxRegistryQuery is the longest search; no organisation name is longer
// (the profile form allows 300 characters).
const maxRegistryQuery = 300

// registryFilter reads the filters of the registry page; unknown values
// are errors that name the field.
func registryFilter(q url.Values) (store.RegistryFilter, fieldErrors) {
	var fe fieldErrors
	f := store.RegistryFilter{Query: strings.TrimSpace(q.Get("q")), Class: q.Get("class"), Sector: q.Get("sector"), After: q.Get("after"), Limit: registryPageSize}
	if len(f.Query) > maxRegistryQuery {
		fe.add("q", "registry.search", "err.too_long", maxRegistryQuery)
		f.Query = ""
	}
	if f.Class != "" && !slices.ContainsFunc(registryClasses, func(o option) bool { return o.Value == f.Class }) {
		fe.add("class", "registry.class", "err.choice")
		f.Class = ""
	}
	if f.Sector != "" && !validSector(f.Sector) {
		fe.add("sector", "registry.sector", "err.choice")
		f.Sector = ""
	}
	switch q.Get("registered") {
	case "":
	case "yes":
		t := true
		f.Registered = &t
	case "no":
		no := false
		f.Registered = &no
	case "changed":
		t := true
		f.Registered, f.Changed = &t, true
	default:
		fe.add("registered", "registry.registered", "err.choice")
	}
	return f, fe
}

func validSector(id string) bool {
	for _, g := range sectorGroups {
		if g.ID == id {
			return true
		}
	}
	return false
}

type registryData struct {
	Rows    []store.Organisation
	Total   int
	Classes []option
	Sectors []sectorGroup
	// CSV exports the filtered registry; Next and First are the pager
	// links ("" if none).
	CSV, Next, First string
}

func (s *Server) registry(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, fe := registryFilter(q)
	status := http.StatusOK
	if len(fe) > 0 {
		status = http.StatusBadRequest
	}
	pg, err := s.store.Registry(r.Context(), state(r).user.actor(), f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	filters := url.Values{}
	for _, k := range []string{"q", "class", "sector", "registered"} {
		if v := q.Get(k); v != "" {
			filters.Set(k, v)
		}
	}
	d := registryData{Rows: pg.Organisations, Total: pg.Total, Classes: registryClasses, Sectors: sectorGroups, CSV: "/supervisor/registry.csv?" + filters.Encode()}
	if pg.Next != "" {
		next := url.Values{}
		for k, v := range filters {
			next[k] = v
		}
		next.Set("after", pg.Next)
		d.Next = "/supervisor/registry?" + next.Encode()
	}
	if f.After != "" {
		d.First = "/supervisor/registry?" + filters.Encode()
	}
	s.render(w, r, status, "registry", "registry.title", page{Data: d, Form: q, Errors: fe})
}

// registryCSV exports every organisation matching the filters. Cells that
// a spreadsheet would run as a formula are prefixed with an apostrophe.
func (s *Server) registryCSV(w http.ResponseWriter, r *http.Request) {
	f, fe := registryFilter(r.URL.Query())
	if len(fe) > 0 {
		s.renderError(w, r, http.StatusBadRequest, "error.bad_request")
		return
	}
	f.Limit, f.After = 500, ""
	a := state(r).user.actor()
	var rows []store.Organisation
	for {
		pg, err := s.store.Registry(r.Context(), a, f)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		rows = append(rows, pg.Organisations...)
		if pg.Next == "" {
			break
		}
		f.After = pg.Next
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="pflicht-registry.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "name", "class", "profile_version", "registered_at", "registered_version"})
	for _, o := range rows {
		reg, regVersion := "", ""
		if o.RegisteredAt != nil {
			reg, regVersion = o.RegisteredAt.UTC().Format(time.RFC3339), strconv.Itoa(o.RegisteredVersion)
		}
		cw.Write([]string{o.ID, csvSafe(o.Name), o.Class, strconv.Itoa(o.ProfileVersion), reg, regVersion})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		s.log.Error("registry csv", "err", err)
	}
}

func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// supervisorOrgData is one organisation's full record for its authority:
// the profile page's data (current profile, assessment, versions) and
// what the other features keep, read through their store calls.
type supervisorOrgData struct {
	profileData
	Profile store.Profile
	Facts   []factView
	// MainEstablishment and Representative are the labels of the stated
	// values, "" if not stated.
	MainEstablishment, Representative string
	Registrations                     []store.Registration
	Incidents                         []store.Incident
	Measures                          []measureRow
	Management                        []store.ManagementRecord
	Products                          []store.Product
}

// factView is one yes/no fact as stated: Value "yes", "no" or "" (not
// stated).
type factView struct {
	ID, Label, Norm, Value string
}

func factViews(p store.Profile) []factView {
	var out []factView
	for _, g := range factGroups {
		for _, ff := range g.Facts {
			v := ""
			if b := *ff.get(&p); b != nil {
				v = map[bool]string{true: "yes", false: "no"}[*b]
			}
			out = append(out, factView{ID: ff.ID, Label: ff.Label, Norm: ff.Norm, Value: v})
		}
	}
	return out
}

// supervisorOrg shows one organisation's full record, read-only.
func (s *Server) supervisorOrg(w http.ResponseWriter, r *http.Request) {
	pd, vs, ok := s.loadProfile(w, r)
	if !ok {
		return
	}
	ctx, a, id := r.Context(), state(r).user.actor(), pd.Org.ID
	cur := vs[0].Profile
	d := supervisorOrgData{profileData: pd, Profile: cur, Facts: factViews(cur),
		MainEstablishment: labelOf(mainEstOptions, cur.MainEstablishment), Representative: labelOf(repOptions, cur.Representative)}
	for _, read := range []func() error{
		func() (err error) { d.Registrations, err = s.store.Registrations(ctx, a, id); return err },
		func() (err error) { d.Incidents, err = s.store.Incidents(ctx, a, id); return err },
		func() error {
			set, err := s.store.Measures(ctx, a, id)
			d.Measures = measureRows(set, nil, berlinDay(s.now()))
			return err
		},
		func() (err error) { d.Management, err = s.store.ManagementRecords(ctx, a, id); return err },
		func() (err error) { d.Products, err = s.store.Products(ctx, a, id); return err },
	} {
		if err := read(); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "supervisor_org", "supervisor_org.title", page{Data: d})
}

func (s *Server) supervisorRoutes(handle handleFunc) {
	handle("GET /supervisor/registry", s.supervisor(s.registry))
	handle("GET /supervisor/registry.csv", s.supervisor(s.registryCSV))
	handle("GET /supervisor/orgs/{org}", s.supervisor(s.supervisorOrg))
}
