package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pflicht/pflicht/internal/clock"
	"github.com/pflicht/pflicht/internal/facts"
	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/view"
)

type createIncidentRequest struct {
	Regime  string    `json:"regime" enum:"bsig,cra-vulnerability,cra-incident" doc:"§32 BSIG, Art. 14(1),(2) CRA or Art. 14(3),(4) CRA"`
	Title   string    `json:"title" doc:"a short name; stored as given"`
	AwareAt time.Time `json:"aware_at" doc:"when the organisation became aware; the reporting clocks start here"`
}

// incidentView is an incident with its reports and its reporting clock.
type incidentView struct {
	store.Incident
	Reports []report      `json:"reports"`
	Clock   view.Timeline `json:"clock" doc:"the reporting stages from clock.Compute, with due instants, status and required content"`
}

func (v incidentView) location() string { return "/incidents/" + v.ID }

// report is a submitted report; content maps the clock's content field ids
// to the text given.
type report struct {
	ID          string            `json:"id"`
	Stage       string            `json:"stage"`
	SubmittedAt time.Time         `json:"submitted_at"`
	SubmittedBy string            `json:"submitted_by"`
	Content     map[string]string `json:"content"`
}

type submitReportRequest struct {
	Stage   string            `json:"stage" doc:"a stage of the incident's clock: early_warning, notification, interim, progress, final, user_information"`
	Content map[string]string `json:"content" doc:"the stage's content field ids (clock.stages[].content[].id) with their text"`
}

type reportResponse struct {
	Report   report       `json:"report"`
	Incident incidentView `json:"incident"`
}

type incidentPage struct {
	Items      []store.Incident `json:"items"`
	NextCursor string           `json:"next_cursor,omitempty" doc:"pass as cursor for the next page; absent on the last page"`
}

func (h *handler) createIncident(c *call, req createIncidentRequest) (incidentView, error) {
	orgID := c.r.PathValue("id")
	inc := store.Incident{OrgID: orgID, Regime: store.Regime(req.Regime), Title: req.Title, AwareAt: req.AwareAt}
	var errs []FieldError
	if req.Regime == "" {
		errs = append(errs, FieldError{"regime", "required: bsig, cra-vulnerability or cra-incident"})
	}
	if strings.TrimSpace(req.Title) == "" {
		errs = append(errs, FieldError{"title", "required"})
	}
	switch {
	case req.AwareAt.IsZero():
		errs = append(errs, FieldError{"aware_at", "required: when the organisation became aware (RFC 3339)"})
	case req.AwareAt.After(c.now):
		// Checked here: facts.ClockInput takes what is on record as having
		// happened, so the clock would not refuse it.
		errs = append(errs, FieldError{"aware_at", "lies after now"})
	}
	if errs != nil {
		return incidentView{}, problem(http.StatusUnprocessableEntity, "", errs...)
	}
	// The clock checks what else it needs of the incident before anything
	// is stored.
	if _, err := clock.Compute(facts.ClockInput(inc, nil, store.Profile{}, c.now)); err != nil {
		return incidentView{}, err
	}
	ctx := c.r.Context()
	inc, err := h.store.CreateIncident(ctx, c.actor, inc, withNextDue)
	if err != nil {
		return incidentView{}, h.orgWriteRefused(c, orgID, err)
	}
	p, err := h.profile(c, orgID)
	if err != nil {
		return incidentView{}, err
	}
	return incidentViewOf(inc, nil, p, c.now)
}

// withNextDue keeps the incident's next due instant with every write, for
// the overdue feed (store.IncidentFeed).
var withNextDue = store.WithNextDue(facts.NextDue)

// profile is the organisation's current profile (zero if it has none):
// facts.ClockInput reads whether it operates a critical installation.
func (h *handler) profile(c *call, orgID string) (store.Profile, error) {
	v, err := h.store.CurrentProfile(c.r.Context(), c.actor, orgID)
	return v.Profile, err
}

func (h *handler) getIncident(c *call, _ noBody) (incidentView, error) {
	ctx := c.r.Context()
	inc, reports, err := h.store.IncidentRecord(ctx, c.actor, c.r.PathValue("id"))
	if err != nil {
		return incidentView{}, err
	}
	p, err := h.profile(c, inc.OrgID)
	if err != nil {
		return incidentView{}, err
	}
	return incidentViewOf(inc, reports, p, c.now)
}

type updateIncidentRequest struct {
	Status string `json:"status" enum:"open,closed"`
}

func (h *handler) updateIncident(c *call, req updateIncidentRequest) (incidentView, error) {
	if req.Status == "" {
		return incidentView{}, invalid("status", "required: open or closed")
	}
	ctx, id := c.r.Context(), c.r.PathValue("id")
	if err := h.store.SetIncidentStatus(ctx, c.actor, id, req.Status); err != nil {
		_, readErr := h.store.Incident(ctx, c.actor, id)
		return incidentView{}, writeRefused(err, readErr)
	}
	return h.getIncident(c, noBody{})
}

func incidentViewOf(inc store.Incident, reports []store.Report, p store.Profile, now time.Time) (incidentView, error) {
	in := facts.ClockInput(inc, reports, p, now)
	res, err := clock.Compute(in)
	if err != nil {
		// The incident's input was checked when stored; a failure now is ours.
		return incidentView{}, fmt.Errorf("api: incident %s: %v", inc.ID, err)
	}
	v := incidentView{Incident: inc, Reports: make([]report, 0, len(reports)), Clock: view.NewTimeline(res, in.Now)}
	for _, r := range reports {
		rv, err := reportOf(r)
		if err != nil {
			return incidentView{}, err
		}
		v.Reports = append(v.Reports, rv)
	}
	return v, nil
}

func reportOf(r store.Report) (report, error) {
	rv := report{ID: r.ID, Stage: r.Stage, SubmittedAt: r.SubmittedAt, SubmittedBy: r.SubmittedBy}
	if err := json.Unmarshal(r.Content, &rv.Content); err != nil {
		return rv, fmt.Errorf("api: report %s: content: %w", r.ID, err)
	}
	return rv, nil
}

// reportTriggers are trigger events that are themselves reports of the
// incident: until they happen, the stage they start is not open. Other
// triggers (a request, a fix, the final handling) are recorded with
// recordIncidentEvents, or told by a report of their stage submitted first
// (facts.ClockInput reads the event from it).
var reportTriggers = []clock.Event{clock.NotificationSubmitted}

func (h *handler) submitIncidentReport(c *call, req submitReportRequest) (reportResponse, error) {
	ctx := c.r.Context()
	inc, reports, err := h.store.IncidentRecord(ctx, c.actor, c.r.PathValue("id"))
	if err != nil {
		return reportResponse{}, err
	}
	p, err := h.profile(c, inc.OrgID)
	if err != nil {
		return reportResponse{}, err
	}
	st, err := openStage(inc, reports, p, req.Stage, c.now)
	if err != nil {
		return reportResponse{}, err
	}
	if err := checkContent(st, req.Content); err != nil {
		return reportResponse{}, err
	}
	content, err := json.Marshal(req.Content)
	if err != nil {
		return reportResponse{}, fmt.Errorf("api: report content: %w", err)
	}
	// A report of the stage racing this one is ErrConflict (409) from the
	// store, which keeps one report per stage.
	r, err := h.store.SubmitReport(ctx, c.actor, inc.ID, req.Stage, content, withNextDue)
	if err != nil {
		return reportResponse{}, writeRefused(err, nil) // the incident was readable above
	}
	// The store stamped the report with its commit time; the clock must not
	// run behind it.
	if c.now = h.now(); c.now.Before(r.SubmittedAt) {
		c.now = r.SubmittedAt
	}
	v, err := incidentViewOf(inc, append(reports, r), p, c.now)
	if err != nil {
		return reportResponse{}, err
	}
	return reportResponse{Report: v.Reports[len(v.Reports)-1], Incident: v}, nil
}

// openStage returns the clock stage a new report of stage would fulfil, or
// a problem if the incident has no such stage, it was reported already, or
// it is not open yet.
func openStage(inc store.Incident, reports []store.Report, p store.Profile, stage string, now time.Time) (clock.Stage, error) {
	if stage == "" {
		return clock.Stage{}, invalid("stage", "required")
	}
	in := facts.ClockInput(inc, reports, p, now)
	if in.Regime == clock.BSIG && stage == "progress" {
		// A progress report is what states that the incident is ongoing;
		// check it against the clock of an ongoing incident.
		in.IncidentOngoing = true
	}
	res, err := clock.Compute(in)
	if err != nil {
		return clock.Stage{}, err
	}
	var names []string
	for _, s := range res.Stages {
		if s.Stage != stage {
			names = append(names, s.Stage)
			continue
		}
		switch {
		case s.SubmittedAt != nil:
			return s, problem(http.StatusConflict, fmt.Sprintf("the %s stage was reported at %s", stage, s.SubmittedAt.Format(time.RFC3339)))
		case s.Status == clock.Waiting && slices.Contains(reportTriggers, s.Trigger):
			return s, invalid("stage", fmt.Sprintf("not open yet: it waits for the %s", s.Trigger.Text().EN))
		}
		return s, nil
	}
	if !res.Applicable {
		return clock.Stage{}, invalid("stage", "no reporting clock runs for this incident; see clock.notes")
	}
	return clock.Stage{}, invalid("stage", fmt.Sprintf("%q is not a stage of %s; one of: %s", stage, inc.Regime, strings.Join(names, ", ")))
}

// checkContent requires every unconditional content field of the stage
// (and the §32(3) fields, which clock.Compute lists only for KRITIS
// operators) and rejects fields the stage does not have.
func checkContent(st clock.Stage, content map[string]string) error {
	var errs []FieldError
	known := map[string]bool{}
	for _, f := range st.Content {
		known[f.ID] = true
		required := f.Condition == "" || f.Condition == clock.KRITISOperator
		if required && strings.TrimSpace(content[f.ID]) == "" {
			errs = append(errs, FieldError{"content." + f.ID, "required: " + f.EN})
		}
	}
	for id := range content {
		if !known[id] {
			errs = append(errs, FieldError{"content." + id, "unknown field for the " + st.Stage + " stage"})
		}
	}
	if errs == nil {
		return nil
	}
	slices.SortFunc(errs, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
	return problem(http.StatusUnprocessableEntity, "", errs...)
}

func (h *handler) listIncidents(c *call, _ noBody) (incidentPage, error) {
	limit, err := c.queryInt("limit", 20, 1, 100)
	if err != nil {
		return incidentPage{}, err
	}
	items, next, err := h.store.IncidentsPage(c.r.Context(), c.actor, c.r.PathValue("id"), limit, c.r.URL.Query().Get("cursor"))
	if err != nil {
		return incidentPage{}, cursorProblem(err)
	}
	if items == nil {
		items = []store.Incident{}
	}
	return incidentPage{Items: items, NextCursor: next}, nil
}

// queryInt reads an integer query parameter the route declares.
func (c *call) queryInt(name string, def, lo, hi int) (int, error) {
	s := c.r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, problem(http.StatusBadRequest, "", FieldError{name, fmt.Sprintf("must be an integer from %d to %d", lo, hi)})
	}
	return n, nil
}

// incidentEventsRequest records events the reporting clocks run from;
// absent fields leave what is recorded.
type incidentEventsRequest struct {
	FixAvailableAt      *time.Time `json:"fix_available_at,omitempty" doc:"cra-vulnerability: a corrective or mitigating measure is available; the final report is due 14 days later (Art. 14(2)(c) CRA). Recorded by the organisation."`
	InterimRequestedAt  *time.Time `json:"interim_requested_at,omitempty" doc:"the authority requested an interim report (§32(1) Nr. 3 BSIG, Art. 14(6) CRA). Recorded by a supervisor only; replaces an earlier request and its deadline."`
	InterimDueAt        *time.Time `json:"interim_due_at,omitempty" doc:"the deadline the authority set with its request; only with interim_requested_at"`
	IncidentOngoing     *bool      `json:"incident_ongoing,omitempty" doc:"bsig: the incident is still ongoing when the final report falls due, so a progress report replaces it (§32(2) S. 1 BSIG). Recorded by the organisation."`
	HandlingCompletedAt *time.Time `json:"handling_completed_at,omitempty" doc:"bsig, ongoing incident: final handling completed; the final report follows (§32(2) S. 2 BSIG). Recorded by the organisation."`
}

// recordIncidentEvents records events of an incident. The clock engine
// checks them on the incident as it would then be before anything is
// stored (an event of another regime, a time after now or before the
// awareness is 422 naming the field); the store checks the roles: only a
// supervisor records the authority's request, only the organisation (and
// admins) its own events (403 otherwise).
func (h *handler) recordIncidentEvents(c *call, req incidentEventsRequest) (incidentView, error) {
	up := store.EventUpdate{FixAvailableAt: req.FixAvailableAt, InterimRequestedAt: req.InterimRequestedAt, InterimDueAt: req.InterimDueAt,
		Ongoing: req.IncidentOngoing, HandlingCompletedAt: req.HandlingCompletedAt}
	switch {
	case up == store.EventUpdate{}:
		return incidentView{}, problem(http.StatusUnprocessableEntity, "give at least one of fix_available_at, interim_requested_at, incident_ongoing, handling_completed_at")
	case req.InterimDueAt != nil && req.InterimRequestedAt == nil:
		return incidentView{}, invalid("interim_due_at", "given without interim_requested_at")
	case req.InterimDueAt != nil && !req.InterimDueAt.After(*req.InterimRequestedAt):
		return incidentView{}, invalid("interim_due_at", "must lie after interim_requested_at")
	}
	ctx, id := c.r.Context(), c.r.PathValue("id")
	inc, reports, err := h.store.IncidentRecord(ctx, c.actor, id)
	if err != nil {
		return incidentView{}, err
	}
	next := inc
	if up.FixAvailableAt != nil {
		next.FixAvailableAt = up.FixAvailableAt
	}
	if up.InterimRequestedAt != nil {
		next.InterimRequestedAt, next.InterimDueAt = up.InterimRequestedAt, up.InterimDueAt
	}
	if up.Ongoing != nil {
		next.Ongoing = *up.Ongoing
	}
	if up.HandlingCompletedAt != nil {
		next.HandlingCompletedAt = up.HandlingCompletedAt
	}
	// Checked against this server's clock: an event must have happened.
	for _, f := range []struct {
		name string
		t    *time.Time
	}{{"fix_available_at", up.FixAvailableAt}, {"interim_requested_at", up.InterimRequestedAt}, {"handling_completed_at", up.HandlingCompletedAt}} {
		if f.t != nil && f.t.After(c.now) {
			return incidentView{}, invalid(f.name, "lies after now; give only events that have happened")
		}
	}
	if _, err := clock.Compute(facts.ClockInput(next, reports, store.Profile{}, c.now)); err != nil {
		return incidentView{}, err
	}
	inc, err = h.store.SetIncidentEvents(ctx, c.actor, id, up, withNextDue)
	if err != nil {
		return incidentView{}, writeRefused(err, nil) // the incident was readable above
	}
	p, err := h.profile(c, inc.OrgID)
	if err != nil {
		return incidentView{}, err
	}
	return incidentViewOf(inc, reports, p, c.now)
}

// feedItem is an incident of the feed with its organisation's name and the
// stage due soonest.
type feedItem struct {
	store.Incident
	OrgName string       `json:"org_name"`
	Next    *clock.Stage `json:"next_stage,omitempty" doc:"the unreported stage due soonest (clock.Compute at the time of the request); absent if none is due"`
}

type feedPage struct {
	Items      []feedItem `json:"items"`
	Overdue    int        `json:"overdue" doc:"incidents with an overdue stage, over all pages (of the regime asked for)"`
	NextCursor string     `json:"next_cursor,omitempty" doc:"pass as cursor for the next page; absent on the last page"`
}

// listAllIncidents is the incident feed: for supervisors and admins every
// organisation's incidents, for others those of their organisations.
func (h *handler) listAllIncidents(c *call, _ noBody) (feedPage, error) {
	limit, err := c.queryInt("limit", 50, 1, store.MaxFeedLimit)
	if err != nil {
		return feedPage{}, err
	}
	q := c.r.URL.Query()
	f := store.FeedQuery{Now: c.now, Limit: limit, Cursor: q.Get("cursor"), Regime: store.Regime(q.Get("regime"))}
	switch q.Get("regime") {
	case "", string(store.RegimeBSIG), string(store.RegimeCRAIncident), string(store.RegimeCRAVulnerability):
	default:
		return feedPage{}, problem(http.StatusBadRequest, "", FieldError{"regime", "one of bsig, cra-incident, cra-vulnerability"})
	}
	switch q.Get("overdue") {
	case "", "false":
	case "true":
		f.Overdue = true
	default:
		return feedPage{}, problem(http.StatusBadRequest, "", FieldError{"overdue", "true or false"})
	}
	pg, err := h.store.IncidentFeed(c.r.Context(), c.actor, f)
	if err != nil {
		return feedPage{}, cursorProblem(err)
	}
	out := feedPage{Items: make([]feedItem, 0, len(pg.Items)), Overdue: pg.Overdue, NextCursor: pg.NextCursor}
	for _, it := range pg.Items {
		res, err := clock.Compute(facts.ClockInput(it.Incident, it.Reports, store.Profile{}, c.now))
		if err != nil {
			return feedPage{}, fmt.Errorf("api: incident %s: %v", it.ID, err)
		}
		out.Items = append(out.Items, feedItem{Incident: it.Incident, OrgName: it.OrgName, Next: facts.NextStage(res)})
	}
	return out, nil
}

// cursorProblem turns the store's refusal of a page cursor into a 400
// naming the field; the handlers check every other parameter first, so an
// ErrInvalid of a paged read is the cursor's.
func cursorProblem(err error) error {
	if errors.Is(err, store.ErrInvalid) {
		return problem(http.StatusBadRequest, "", FieldError{"cursor", "not a cursor of this list; use next_cursor of the previous page"})
	}
	return err
}
