package portal

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pflicht/pflicht/internal/store"
)

const registryPageSize = 50

// registryFilter reads the filters of the registry page; unknown values
// are errors that name the field.
func registryFilter(q url.Values) (store.RegistryFilter, fieldErrors) {
	var fe fieldErrors
	f := store.RegistryFilter{Class: q.Get("class"), Sector: q.Get("sector"), After: q.Get("after"), Limit: registryPageSize}
	switch f.Class {
	case "", "besonders_wichtig", "wichtig":
	default:
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
	for _, k := range []string{"class", "sector", "registered"} {
		if v := q.Get(k); v != "" {
			filters.Set(k, v)
		}
	}
	d := registryData{Rows: pg.Organisations, Total: pg.Total, Sectors: sectorGroups, CSV: "/supervisor/registry.csv?" + filters.Encode()}
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
	cw.Write([]string{"id", "name", "class", "profile_version", "registered_at"})
	for _, o := range rows {
		reg := ""
		if o.RegisteredAt != nil {
			reg = o.RegisteredAt.UTC().Format(time.RFC3339)
		}
		cw.Write([]string{o.ID, csvSafe(o.Name), o.Class, strconv.Itoa(o.ProfileVersion), reg})
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

func (s *Server) supervisorRoutes(handle handleFunc) {
	handle("GET /supervisor/registry", s.supervisor(s.registry))
	handle("GET /supervisor/registry.csv", s.supervisor(s.registryCSV))
}
