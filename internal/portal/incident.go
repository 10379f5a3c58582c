package portal

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/pflicht/pflicht/internal/clock"
	"github.com/pflicht/pflicht/internal/scope"
	"github.com/pflicht/pflicht/internal/store"
)

// refreshSeconds: the incident page reloads itself this often, so the
// server-rendered remaining time stays current without JavaScript.
const refreshSeconds = 60

// openIncidents lists the organisation's open incidents with their next
// deadline, for the dashboard.
func (s *Server) openIncidents(r *http.Request, o store.Organisation, now time.Time) ([]incidentRow, error) {
	a := state(r).user.actor()
	incs, err := s.store.Incidents(r.Context(), a, o.ID)
	if err != nil {
		return nil, err
	}
	var rows []incidentRow
	for _, inc := range incs {
		if inc.Status != "open" {
			continue
		}
		reps, err := s.store.Reports(r.Context(), a, inc.ID)
		if err != nil {
			return nil, err
		}
		row := incidentRow{OrgID: o.ID, ID: inc.ID, Title: inc.Title, AwareAt: inc.AwareAt}
		if res, err := incidentClock(clock.Regime(inc.Regime), inc.AwareAt, submittedOf(reps), false, now); err == nil {
			row.Next = nextDue(res)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// submittedOf reads the stored reports. Content the portal did not write
// (another client of the API) may hold non-string values; those are shown
// as their JSON.
func submittedOf(reps []store.Report) []submitted {
	out := make([]submitted, len(reps))
	for i, r := range reps {
		out[i] = submitted{Stage: r.Stage, SubmittedAt: r.SubmittedAt, SubmittedBy: r.SubmittedBy, Content: map[string]string{}}
		var raw map[string]json.RawMessage
		if json.Unmarshal(r.Content, &raw) != nil {
			continue
		}
		for k, v := range raw {
			var str string
			if json.Unmarshal(v, &str) != nil {
				str = string(v)
			}
			out[i].Content[k] = str
		}
	}
	return out
}

type newIncidentData struct {
	OrgID, OrgName string
}

func (s *Server) newIncident(w http.ResponseWriter, r *http.Request) {
	o, err := s.store.Organisation(r.Context(), state(r).user.actor(), r.PathValue("org"))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "incident_new", "incident.new_title", page{Data: newIncidentData{o.ID, o.Name}})
}

func (s *Server) createIncident(w http.ResponseWriter, r *http.Request) {
	ctx, a, org := r.Context(), state(r).user.actor(), r.PathValue("org")
	var fe fieldErrors
	title := checkText(&fe, "title", "incident.title", r.PostForm.Get("title"), true, 300)
	aware := checkDateTime(&fe, "aware_at", "incident.aware_at", r.PostForm.Get("aware_at"), true, s.now())
	if len(fe) > 0 {
		o, err := s.store.Organisation(ctx, a, org)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		s.render(w, r, http.StatusUnprocessableEntity, "incident_new", "incident.new_title",
			page{Data: newIncidentData{o.ID, o.Name}, Form: r.PostForm, Errors: fe})
		return
	}
	inc, err := s.store.CreateIncident(ctx, a, store.Incident{OrgID: org, Regime: store.RegimeBSIG, Title: title, AwareAt: *aware})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+org+"/incidents/"+inc.ID+"?done=incident", http.StatusSeeOther)
}

// incidentData is the incident page.
type incidentData struct {
	store.Incident
	OrgName string
	Now     time.Time
	Flash   string
	Clock   clock.Result
	Stages  []stageView
	Reports []submitted
	// reportable are the stages a report may be submitted for now.
	reportable []string
}

// CanReport: the stage has no report yet and its trigger has happened (or
// it is owed on request, which only the entity knows of).
func (d incidentData) CanReport(v stageView) bool {
	return slices.Contains(d.reportable, v.Stage.Stage)
}

func (s *Server) incidentPage(w http.ResponseWriter, r *http.Request) {
	d, ok := s.loadIncident(w, r)
	if !ok {
		return
	}
	d.Flash = flash(r)
	s.render(w, r, http.StatusOK, "incident", "incident.title_page", page{Data: d, Refresh: refreshSeconds})
}

// loadIncident reads the incident, its reports and the organisation's
// profile, and computes the stages with clock and any violation with fines.
func (s *Server) loadIncident(w http.ResponseWriter, r *http.Request) (incidentData, bool) {
	ctx, a, org, id := r.Context(), state(r).user.actor(), r.PathValue("org"), r.PathValue("id")
	inc, err := s.store.Incident(ctx, a, id)
	if err == nil && inc.OrgID != org {
		err = store.ErrNotFound // the path must name the incident's own organisation
	}
	if err != nil {
		s.serverError(w, r, err)
		return incidentData{}, false
	}
	o, err := s.store.Organisation(ctx, a, org)
	if err != nil {
		s.serverError(w, r, err)
		return incidentData{}, false
	}
	reps, err := s.store.Reports(ctx, a, id)
	if err != nil {
		s.serverError(w, r, err)
		return incidentData{}, false
	}
	now := s.now()
	class, turnover := scope.None, (*float64)(nil)
	kritis := false
	if o.ProfileVersion > 0 {
		vs, err := s.store.Profiles(ctx, a, org)
		if err != nil {
			s.serverError(w, r, err)
			return incidentData{}, false
		}
		sp := scopeProfile(vs[0].Profile)
		if c, err := scope.Classify(sp, now); err == nil {
			class, kritis = c.Class, c.KRITIS
		}
		turnover = sp.TurnoverEUR
	}
	sub := submittedOf(reps)
	res, err := incidentClock(clock.Regime(inc.Regime), inc.AwareAt, sub, kritis, now)
	if err != nil {
		s.serverError(w, r, err)
		return incidentData{}, false
	}
	d := incidentData{Incident: inc, OrgName: o.Name, Now: now, Clock: res, Reports: sub,
		Stages: stageViews(res, sub, class, turnover, now)}
	for _, st := range res.Stages {
		if state(r).user.CanWrite() && st.SubmittedAt == nil && st.Status != clock.Waiting {
			d.reportable = append(d.reportable, st.Stage)
		}
	}
	return d, true
}

// submitReport stores the report of one stage with the content the law
// requires for it (clock lists the fields; unconditional ones are required).
func (s *Server) submitReport(w http.ResponseWriter, r *http.Request) {
	d, ok := s.loadIncident(w, r)
	if !ok {
		return
	}
	stage := r.PostForm.Get("stage")
	var sv *stageView
	for i := range d.Stages {
		if d.Stages[i].Stage.Stage == stage && d.CanReport(d.Stages[i]) {
			sv = &d.Stages[i]
		}
	}
	if sv == nil {
		s.renderError(w, r, http.StatusBadRequest, "error.stage")
		return
	}
	var fe fieldErrors
	content := make(map[string]string)
	for _, f := range sv.Content {
		id := stage + "." + f.ID
		content[f.ID] = checkText(&fe, id, "report.field", r.PostForm.Get(id), f.Condition == "", 20000)
	}
	if len(fe) > 0 {
		for i := range fe {
			fe[i].Label = "stage." + stage
		}
		s.render(w, r, http.StatusUnprocessableEntity, "incident", "incident.title_page", page{Data: d, Form: r.PostForm, Errors: fe})
		return
	}
	body, err := json.Marshal(content)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if _, err := s.store.SubmitReport(r.Context(), state(r).user.actor(), d.ID, stage, body); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+d.OrgID+"/incidents/"+d.ID+"?done=report", http.StatusSeeOther)
}

// setIncidentStatus closes or reopens an incident. Closing ends nothing in
// law: the page keeps showing every stage and its status.
func (s *Server) setIncidentStatus(w http.ResponseWriter, r *http.Request) {
	d, ok := s.loadIncident(w, r)
	if !ok {
		return
	}
	status := r.PostForm.Get("status")
	if status != "open" && status != "closed" {
		s.renderError(w, r, http.StatusBadRequest, "error.bad_request")
		return
	}
	if err := s.store.SetIncidentStatus(r.Context(), state(r).user.actor(), d.ID, status); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+d.OrgID+"/incidents/"+d.ID+"?done="+status, http.StatusSeeOther)
}

func (s *Server) incidentRoutes(handle handleFunc) {
	handle("GET /orgs/{org}/incidents/new", s.signedIn(s.newIncident))
	handle("POST /orgs/{org}/incidents", s.signedIn(s.createIncident))
	handle("GET /orgs/{org}/incidents/{id}", s.signedIn(s.incidentPage))
	handle("POST /orgs/{org}/incidents/{id}/reports", s.signedIn(s.submitReport))
	handle("POST /orgs/{org}/incidents/{id}/status", s.signedIn(s.setIncidentStatus))
}
