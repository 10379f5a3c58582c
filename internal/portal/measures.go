package portal

import (
	"net/http"

	"github.com/pflicht/pflicht/internal/law"
	"github.com/pflicht/pflicht/internal/scope"
	"github.com/pflicht/pflicht/internal/store"
)

// measureStatuses are the states a measure can have, in the store's terms.
var measureStatuses = []string{"open", "in_progress", "implemented", "not_applicable"}

type measureRow struct {
	ID, Citation          string
	Title                 law.Text
	Status, Owner, Review string
	stored                store.Measure
}

type measuresData struct {
	OrgID, OrgName string
	Flash          string
	Rows           []measureRow
	Statuses       []string
}

// measureRows joins the ten measures of scope (title, citation) with the
// organisation's state of each from the store.
func measureRows(set []store.Measure) []measureRow {
	byID := make(map[string]store.Measure, len(set))
	for _, m := range set {
		byID[m.MeasureID] = m
	}
	var rows []measureRow
	for _, m := range scope.Measures() {
		st := byID[m.ID]
		if st.Status == "" {
			st = store.Measure{MeasureID: m.ID, Status: "open"}
		}
		rows = append(rows, measureRow{ID: m.ID, Citation: m.Citation, Title: m.Title,
			Status: st.Status, Owner: st.Owner, Review: st.ReviewDate, stored: st})
	}
	return rows
}

func (s *Server) loadMeasures(w http.ResponseWriter, r *http.Request) (measuresData, bool) {
	ctx, a, org := r.Context(), state(r).user.actor(), r.PathValue("org")
	o, err := s.store.Organisation(ctx, a, org)
	if err != nil {
		s.serverError(w, r, err)
		return measuresData{}, false
	}
	set, err := s.store.Measures(ctx, a, org)
	if err != nil {
		s.serverError(w, r, err)
		return measuresData{}, false
	}
	return measuresData{OrgID: o.ID, OrgName: o.Name, Rows: measureRows(set), Statuses: measureStatuses}, true
}

func (s *Server) measuresPage(w http.ResponseWriter, r *http.Request) {
	d, ok := s.loadMeasures(w, r)
	if !ok {
		return
	}
	d.Flash = flash(r)
	s.render(w, r, http.StatusOK, "measures", "measures.title", page{Data: d})
}

// saveMeasures writes the measures whose status, owner or review date
// changed; each is its own audited record.
func (s *Server) saveMeasures(w http.ResponseWriter, r *http.Request) {
	d, ok := s.loadMeasures(w, r)
	if !ok {
		return
	}
	f := r.PostForm
	var fe fieldErrors
	var changed []store.Measure
	for i := range d.Rows {
		row := &d.Rows[i]
		row.Status = oneOf(&fe, "status-"+row.ID, "measures.status", f.Get("status-"+row.ID), measureStatuses...)
		row.Owner = checkText(&fe, "owner-"+row.ID, "measures.owner", f.Get("owner-"+row.ID), false, 200)
		row.Review = checkDate(&fe, "review-"+row.ID, "measures.review", f.Get("review-"+row.ID))
		if m := row.stored; m.Status != row.Status || m.Owner != row.Owner || m.ReviewDate != row.Review {
			m.Status, m.Owner, m.ReviewDate = row.Status, row.Owner, row.Review
			changed = append(changed, m)
		}
	}
	if len(fe) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, "measures", "measures.title", page{Data: d, Errors: fe})
		return
	}
	for _, m := range changed {
		if _, err := s.store.SetMeasure(r.Context(), state(r).user.actor(), d.OrgID, m); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	http.Redirect(w, r, "/orgs/"+d.OrgID+"/measures?done=measures", http.StatusSeeOther)
}

func (s *Server) measureRoutes(handle handleFunc) {
	handle("GET /orgs/{org}/measures", s.signedIn(s.measuresPage))
	handle("POST /orgs/{org}/measures", s.signedIn(s.saveMeasures))
}
