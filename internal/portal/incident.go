package portal

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/pflicht/pflicht/internal/clock"
	"github.com/pflicht/pflicht/internal/facts"
	"github.com/pflicht/pflicht/internal/law"
	"github.com/pflicht/pflicht/internal/scope"
	"github.com/pflicht/pflicht/internal/store"
)

// refreshSeconds: the incident page reloads itself this often, so the
// server-rendered remaining time stays current without JavaScript.
const refreshSeconds = 60

// withNextDue keeps the incident's next due instant with every write, for
// the supervisor's overdue feed.
var withNextDue = store.WithNextDue(facts.NextDue)

// regimeText is how pages name a regime: message keys of its label, of a
// hint on what it asks, and of a short form for tables.
type regimeText struct {
	Regime             store.Regime
	Label, Hint, Short string
}

// regimes are the incident types the new-incident form offers, in order.
var regimes = []regimeText{
	{store.RegimeBSIG, "regime.bsig", "regime_hint.bsig", "regime_short.bsig"},
	{store.RegimeCRAIncident, "regime.cra_incident", "regime_hint.cra_incident", "regime_short.cra_incident"},
	{store.RegimeCRAVulnerability, "regime.cra_vulnerability", "regime_hint.cra_vulnerability", "regime_short.cra_vulnerability"},
}

// regimeOf returns the texts of r (zero if r is not one of regimes).
func regimeOf(r store.Regime) regimeText {
	for _, t := range regimes {
		if t.Regime == r {
			return t
		}
	}
	return regimeText{}
}

// openIncidents groups the open incidents of every organisation the user
// reaches by organisation, each with its next deadline, for the dashboard:
// one store read for all of them.
func (s *Server) openIncidents(r *http.Request, now time.Time) (map[string][]incidentRow, error) {
	items, err := s.store.OpenIncidents(r.Context(), state(r).user.actor())
	if err != nil {
		return nil, err
	}
	rows := make(map[string][]incidentRow)
	for _, it := range items {
		row := incidentRow{OrgID: it.OrgID, ID: it.ID, Title: it.Title, AwareAt: it.AwareAt}
		// The profile moves no due instant, so none is read here.
		if res, err := incidentClock(it.Incident, it.Reports, store.Profile{}, now); err == nil {
			row.Next = facts.NextStage(res)
		}
		rows[it.OrgID] = append(rows[it.OrgID], row)
	}
	return rows, nil
}

type newIncidentData struct {
	OrgID, OrgName string
	Regimes        []regimeText
}

func (s *Server) newIncident(w http.ResponseWriter, r *http.Request) {
	o, err := s.store.Organisation(r.Context(), state(r).user.actor(), r.PathValue("org"))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "incident_new", "incident.new_title",
		page{Data: newIncidentData{o.ID, o.Name, regimes}, Form: url.Values{"regime": {string(store.RegimeBSIG)}}})
}

func (s *Server) createIncident(w http.ResponseWriter, r *http.Request) {
	ctx, a, org := r.Context(), state(r).user.actor(), r.PathValue("org")
	var fe fieldErrors
	// The form preselects BSIG; a post without the field (as the form sent
	// before the CRA regimes) means the same.
	regime := store.RegimeBSIG
	if v, ok := r.PostForm["regime"]; ok {
		regime = store.Regime(strings.Join(v, ","))
	}
	if regimeOf(regime).Regime == "" {
		fe.add("regime-"+string(store.RegimeBSIG), "incident.regime", "err.choice")
	}
	title := checkText(&fe, "title", "incident.title", r.PostForm.Get("title"), true, 300)
	aware := checkDateTime(&fe, "aware_at", "incident.aware_at", r.PostForm.Get("aware_at"), true, s.now())
	inc := store.Incident{OrgID: org, Regime: regime, Title: title}
	if aware != nil && len(fe) == 0 {
		inc.AwareAt = *aware
		if _, err := incidentClock(inc, nil, store.Profile{}, s.now()); err != nil {
			fe.add("aware_at", "incident.aware_at", "incident.err_engine", engineMessage(err))
		}
	}
	if len(fe) > 0 {
		o, err := s.store.Organisation(ctx, a, org)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		s.render(w, r, http.StatusUnprocessableEntity, "incident_new", "incident.new_title",
			page{Data: newIncidentData{o.ID, o.Name, regimes}, Form: r.PostForm, Errors: fe})
		return
	}
	inc, err := s.store.CreateIncident(ctx, a, inc, withNextDue)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+org+"/incidents/"+inc.ID+"?done=incident", http.StatusSeeOther)
}

// engineMessage is the engine's own words on bad input (English; the
// field it names is the page's field).
func engineMessage(err error) string {
	var fe *clock.FieldError
	if errors.As(err, &fe) {
		return fe.Field + ": " + fe.Msg
	}
	return err.Error()
}

// incidentData is the incident page.
type incidentData struct {
	store.Incident
	RegimeText regimeText
	OrgName    string
	Now        time.Time
	Flash      string
	Clock      clock.Result
	Stages     []stageView
	Timeline   []timelineEntry
	// Who may do what on this page: write the organisation's records
	// (report, record its own events) or, as the authority, request an
	// interim report. The store enforces both; this only spares users
	// forms they cannot send.
	CanWrite, CanRequest bool
	// Ongoing is the clock's reading: stated, or presupposed by a progress
	// report (facts.ClockInput).
	Ongoing bool
	// FinalReported: the final report is in, so §32(2) BSIG no longer asks
	// whether the incident is ongoing.
	FinalReported bool
	// InterimReported: the interim report is in; no new request is taken.
	InterimReported bool
	reports         []store.Report // as read for the page, for the checks of a post
}

// timelineEntry is one dated line of the timeline: the awareness, a report
// or an event, with who recorded it.
type timelineEntry struct {
	At   time.Time
	Key  string // message key of what happened
	Who  string // e-mail address, the recording actor if no user, "" for the awareness
	Due  *time.Time
	Kind string // "aware", "report" or "event", for the page's styling and tests
}

// CanReport: the user may write, the stage has no report yet, and its
// trigger has happened (or it is owed on request, which the organisation
// may know of before anyone records the request).
func (d incidentData) CanReport(v stageView) bool {
	return d.CanWrite && v.SubmittedAt == nil && v.Status != clock.Waiting
}

func (s *Server) incidentPage(w http.ResponseWriter, r *http.Request) {
	d, ok := s.loadIncident(w, r)
	if !ok {
		return
	}
	d.Flash = flash(r)
	if r.URL.Query().Get("done") == "event" {
		d.Flash = "flash.event_saved"
	}
	s.render(w, r, http.StatusOK, "incident", "incident.title_page", page{Data: d, Refresh: refreshSeconds, Form: eventForm(d.Incident)})
}

// eventForm fills the event forms with what is recorded, so a correction
// starts from it.
func eventForm(inc store.Incident) url.Values {
	v := url.Values{}
	for field, t := range map[string]*time.Time{"fix_available_at": inc.FixAvailableAt, "interim_requested_at": inc.InterimRequestedAt,
		"interim_due_at": inc.InterimDueAt, "handling_completed_at": inc.HandlingCompletedAt} {
		if t != nil {
			v.Set(field, t.In(law.Berlin).Format(datetimeLayout))
		}
	}
	return v
}

// loadIncident reads the incident, its reports and the organisation's
// profile, and computes the stages with clock and any violation with fines.
func (s *Server) loadIncident(w http.ResponseWriter, r *http.Request) (incidentData, bool) {
	ctx, u, org, id := r.Context(), state(r).user, r.PathValue("org"), r.PathValue("id")
	a := u.actor()
	inc, err := s.store.Incident(ctx, a, id)
	o, err := s.pathOrg(r, inc.OrgID, err)
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
	var profile store.Profile
	if o.ProfileVersion > 0 {
		vs, err := s.store.Profiles(ctx, a, org)
		if err != nil {
			s.serverError(w, r, err)
			return incidentData{}, false
		}
		profile = vs[0].Profile
		sp := facts.ScopeProfile(profile)
		if c, err := scope.Classify(sp, now); err == nil {
			class = c.Class
		}
		turnover = sp.TurnoverEUR
	}
	in := facts.ClockInput(inc, reps, profile, now)
	res, err := clock.Compute(in)
	if err != nil {
		s.serverError(w, r, err)
		return incidentData{}, false
	}
	sub := submittedOf(reps)
	tl, err := s.timeline(ctx, inc, sub)
	if err != nil {
		s.serverError(w, r, err)
		return incidentData{}, false
	}
	d := incidentData{Incident: inc, RegimeText: regimeOf(inc.Regime), OrgName: o.Name, Now: in.Now, Clock: res, Timeline: tl, reports: reps,
		Stages:   stageViews(res, sub, class, turnover, in.Now),
		CanWrite: u.CanWrite(), CanRequest: u.Role == store.RoleSupervisor && !u.ReadOnly,
		Ongoing: in.IncidentOngoing, FinalReported: in.FinalAt != nil, InterimReported: in.InterimAt != nil}
	return d, true
}

// timeline lists the awareness, the reports and the recorded events in
// time order, each with the e-mail address of who recorded it (sub gets
// them too, for the stages' report details).
func (s *Server) timeline(ctx context.Context, inc store.Incident, sub []submitted) ([]timelineEntry, error) {
	actors := []string{inc.FixAvailableBy, inc.InterimRequestedBy, inc.HandlingCompletedBy}
	for _, r := range sub {
		actors = append(actors, r.SubmittedBy)
	}
	who, err := s.emailsOf(ctx, actors)
	if err != nil {
		return nil, err
	}
	tl := []timelineEntry{{At: inc.AwareAt, Key: "timeline.aware", Kind: "aware"}}
	for i := range sub {
		sub[i].Who = who(sub[i].SubmittedBy)
		tl = append(tl, timelineEntry{At: sub[i].SubmittedAt, Key: "stage." + sub[i].Stage, Who: sub[i].Who, Kind: "report"})
	}
	if t := inc.FixAvailableAt; t != nil {
		tl = append(tl, timelineEntry{At: *t, Key: "event.fix_available", Who: who(inc.FixAvailableBy), Kind: "event"})
	}
	if t := inc.InterimRequestedAt; t != nil {
		tl = append(tl, timelineEntry{At: *t, Key: "event.interim_requested", Who: who(inc.InterimRequestedBy), Due: inc.InterimDueAt, Kind: "event"})
	}
	if t := inc.HandlingCompletedAt; t != nil {
		tl = append(tl, timelineEntry{At: *t, Key: "event.handling_completed", Who: who(inc.HandlingCompletedBy), Kind: "event"})
	}
	slices.SortStableFunc(tl, func(a, b timelineEntry) int { return a.At.Compare(b.At) })
	return tl, nil
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
		content[f.ID] = checkText(&fe, id, "report.field", r.PostForm.Get(id), f.Condition == "" || f.Condition == clock.KRITISOperator, 20000)
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
	if _, err := s.store.SubmitReport(r.Context(), state(r).user.actor(), d.ID, stage, body, withNextDue); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+d.OrgID+"/incidents/"+d.ID+"?done=report", http.StatusSeeOther)
}

// The events the page records, by the value of the form's "event" field.
const (
	eventFix      = "fix_available"      // cra-vulnerability, by the organisation
	eventInterim  = "interim_requested"  // by the authority (a supervisor)
	eventOngoing  = "ongoing"            // bsig, by the organisation
	eventHandling = "handling_completed" // bsig, ongoing, by the organisation
)

// recordEvent records one event of the incident. The event's times are
// checked by the clock engine on the incident as it would then be, so a
// date that contradicts the others is named before anything is stored; the
// store checks the same again inside its write.
func (s *Server) recordEvent(w http.ResponseWriter, r *http.Request) {
	d, ok := s.loadIncident(w, r)
	if !ok {
		return
	}
	var fe fieldErrors
	var up store.EventUpdate
	next := d.Incident
	field := ""
	switch ev := r.PostForm.Get("event"); ev {
	case eventFix:
		field = "fix_available_at"
		up.FixAvailableAt = checkDateTime(&fe, field, "event.fix_available_at", r.PostForm.Get(field), true, d.Now)
		next.FixAvailableAt = up.FixAvailableAt
	case eventInterim:
		field = "interim_requested_at"
		up.InterimRequestedAt = checkDateTime(&fe, field, "event.interim_requested_at", r.PostForm.Get(field), true, d.Now)
		up.InterimDueAt = checkDeadline(&fe, "interim_due_at", "event.interim_due_at", r.PostForm.Get("interim_due_at"), up.InterimRequestedAt)
		next.InterimRequestedAt, next.InterimDueAt = up.InterimRequestedAt, up.InterimDueAt
	case eventOngoing:
		field = "ongoing"
		v := r.PostForm.Get(field) == "yes"
		if r.PostForm.Get(field) != "yes" && r.PostForm.Get(field) != "no" {
			fe.add(field, "event.ongoing", "err.choice")
		}
		up.Ongoing, next.Ongoing = &v, v
	case eventHandling:
		field = "handling_completed_at"
		up.HandlingCompletedAt = checkDateTime(&fe, field, "event.handling_completed_at", r.PostForm.Get(field), true, d.Now)
		next.HandlingCompletedAt = up.HandlingCompletedAt
	default:
		s.renderError(w, r, http.StatusBadRequest, "error.bad_request")
		return
	}
	if len(fe) == 0 {
		if _, err := incidentClock(next, d.reports, store.Profile{}, d.Now); err != nil {
			fe.add(field, "event."+field, "incident.err_engine", engineMessage(err))
		}
	}
	if len(fe) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, "incident", "incident.title_page", page{Data: d, Form: r.PostForm, Errors: fe})
		return
	}
	if _, err := s.store.SetIncidentEvents(r.Context(), state(r).user.actor(), d.ID, up, withNextDue); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+d.OrgID+"/incidents/"+d.ID+"?done=event", http.StatusSeeOther)
}

// checkDeadline reads an optional date and time (Berlin) that must lie
// after the instant it is set at; unlike checkDateTime it may lie ahead.
func checkDeadline(fe *fieldErrors, field, label, v string, after *time.Time) *time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	t, err := time.ParseInLocation(datetimeLayout, v, law.Berlin)
	if err != nil {
		fe.add(field, label, "err.datetime")
		return nil
	}
	if after != nil && !t.After(*after) {
		fe.add(field, label, "event.err_deadline")
		return nil
	}
	return &t
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

// feedPageSize is the number of incidents per page of the feed.
const feedPageSize = 50

// feedRow is one incident of the supervisor's feed with what the clock
// says of it now.
type feedRow struct {
	store.FeedItem
	RegimeText regimeText
	Next       *clock.Stage // the stage due soonest, nil if none
	Err        string       // the clock refused the stored data (shown, not hidden)
}

type feedData struct {
	Rows    []feedRow
	Overdue int
	Regimes []regimeText
	// Next and First are the pager's links; "" where there is none.
	Next, First string
}

// incidentFeed is the supervisor's view of every organisation's
// incidents: newest first, or only those with an overdue stage, longest
// overdue first (store.IncidentFeed), optionally of one regime.
func (s *Server) incidentFeed(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	now := s.now()
	f := store.FeedQuery{Now: now, Limit: feedPageSize, Cursor: q.Get("cursor"), Overdue: q.Get("overdue") == "yes", Regime: store.Regime(q.Get("regime"))}
	var fe fieldErrors
	if f.Regime != "" && regimeOf(f.Regime).Regime == "" {
		fe.add("regime", "incident.regime", "err.choice")
		f.Regime = ""
	}
	if o := q.Get("overdue"); o != "" && o != "yes" {
		fe.add("overdue", "feed.overdue", "err.choice")
	}
	if len(fe) > 0 {
		f.Cursor = ""
	}
	pg, err := s.store.IncidentFeed(r.Context(), state(r).user.actor(), f)
	if errors.Is(err, store.ErrInvalid) && f.Cursor != "" {
		fe.add("cursor", "feed.pages", "feed.err_cursor")
		f.Cursor = ""
		pg, err = s.store.IncidentFeed(r.Context(), state(r).user.actor(), f)
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := feedData{Overdue: pg.Overdue, Regimes: regimes}
	for _, it := range pg.Items {
		row := feedRow{FeedItem: it, RegimeText: regimeOf(it.Regime)}
		if res, err := incidentClock(it.Incident, it.Reports, store.Profile{}, now); err != nil {
			row.Err = engineMessage(err)
		} else {
			row.Next = facts.NextStage(res)
		}
		d.Rows = append(d.Rows, row)
	}
	filters := url.Values{}
	if f.Regime != "" {
		filters.Set("regime", string(f.Regime))
	}
	if f.Overdue {
		filters.Set("overdue", "yes")
	}
	if pg.NextCursor != "" {
		next := url.Values{"cursor": {pg.NextCursor}}
		for k, v := range filters {
			next[k] = v
		}
		d.Next = "/supervisor/incidents?" + next.Encode()
	}
	if f.Cursor != "" {
		d.First = "/supervisor/incidents?" + filters.Encode()
	}
	status := http.StatusOK
	if len(fe) > 0 {
		status = http.StatusBadRequest
	}
	s.render(w, r, status, "supervisor_incidents", "feed.title", page{Data: d, Form: q, Errors: fe})
}

func (s *Server) incidentRoutes(handle handleFunc) {
	handle("GET /orgs/{org}/incidents/new", s.signedIn(s.newIncident))
	handle("POST /orgs/{org}/incidents", s.signedIn(s.createIncident))
	handle("GET /orgs/{org}/incidents/{id}", s.signedIn(s.incidentPage))
	handle("POST /orgs/{org}/incidents/{id}/reports", s.signedIn(s.submitReport))
	handle("POST /orgs/{org}/incidents/{id}/events", s.signedIn(s.recordEvent))
	handle("POST /orgs/{org}/incidents/{id}/status", s.signedIn(s.setIncidentStatus))
	handle("GET /supervisor/incidents", s.supervisor(s.incidentFeed))
}
