package api

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pflicht/pflicht/internal/clock"
	"github.com/pflicht/pflicht/internal/store"
)

type createIncidentRequest struct {
	Regime  string    `json:"regime" enum:"bsig,cra-vulnerability,cra-incident" doc:"§32 BSIG, Art. 14(1),(2) CRA or Art. 14(3),(4) CRA"`
	Title   string    `json:"title" doc:"a short name; stored as given"`
	AwareAt time.Time `json:"aware_at" doc:"when the organisation became aware; the reporting clocks start here"`
}

// incidentView is an incident with its reports and its reporting clock.
type incidentView struct {
	store.Incident
	Reports []report `json:"reports"`
	Clock   timeline `json:"clock" doc:"the reporting stages from clock.Compute, with due instants, status and required content"`
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
	if req.AwareAt.IsZero() {
		errs = append(errs, FieldError{"aware_at", "required: when the organisation became aware (RFC 3339)"})
	}
	if errs != nil {
		return incidentView{}, problem(http.StatusUnprocessableEntity, "", errs...)
	}
	// The clock checks what it needs of the incident (aware_at not in the
	// future) before anything is stored.
	if _, err := clock.Compute(clockInput(inc, nil, c.now)); err != nil {
		return incidentView{}, err
	}
	ctx := c.r.Context()
	inc, err := h.store.CreateIncident(ctx, c.actor, inc)
	if err != nil {
		return incidentView{}, h.orgWriteRefused(c, orgID, err)
	}
	return incidentViewOf(inc, nil, c.now)
}

func (h *handler) getIncident(c *call, _ noBody) (incidentView, error) {
	ctx := c.r.Context()
	inc, err := h.store.Incident(ctx, c.actor, c.r.PathValue("id"))
	if err != nil {
		return incidentView{}, err
	}
	reports, err := h.store.Reports(ctx, c.actor, inc.ID)
	if err != nil {
		return incidentView{}, err
	}
	return incidentViewOf(inc, reports, c.now)
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

func incidentViewOf(inc store.Incident, reports []store.Report, now time.Time) (incidentView, error) {
	in := clockInput(inc, reports, now)
	res, err := clock.Compute(in)
	if err != nil {
		// The incident's input was checked when stored; a failure now is ours.
		return incidentView{}, fmt.Errorf("api: incident %s: %v", inc.ID, err)
	}
	v := incidentView{Incident: inc, Reports: make([]report, 0, len(reports)), Clock: newTimeline(res, in.Now)}
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

// clockInput is what an incident's reports tell the clock engine. The
// first report of a stage is its submission. Events the API does not
// record are read from the reports that presuppose them: an interim report
// answers a request (§32(1) Nr. 3 BSIG, Art. 14(6) CRA), a progress report
// states that the BSIG incident is still ongoing (§32(2) S. 1), and a final
// report after it marks the final handling (§32(2) S. 2).
func clockInput(inc store.Incident, reports []store.Report, now time.Time) clock.Input {
	in := clock.Input{Regime: clock.Regime(inc.Regime), AwareAt: inc.AwareAt, Now: now}
	first := func(stage string) *time.Time {
		for _, r := range reports {
			if r.Stage == stage {
				t := r.SubmittedAt
				return &t
			}
		}
		return nil
	}
	in.EarlyWarningAt = first("early_warning")
	in.NotifiedAt = first("notification")
	in.InterimAt = first("interim")
	in.InterimRequestedAt = in.InterimAt
	in.FinalAt = first("final")
	if in.Regime == clock.BSIG {
		in.ProgressAt = first("progress")
		in.IncidentOngoing = in.ProgressAt != nil
		if in.IncidentOngoing {
			in.HandlingCompletedAt = in.FinalAt
		}
	} else {
		in.UserInformedAt = first("user_information")
	}
	return in
}

// reportTriggers are trigger events that are themselves reports of the
// incident: until they happen, the stage they start is not open. Other
// triggers (a request, a fix, the final handling) happen outside the API,
// and a report of their stage is what tells of them.
var reportTriggers = []clock.Event{clock.NotificationSubmitted}

func (h *handler) submitIncidentReport(c *call, req submitReportRequest) (reportResponse, error) {
	ctx := c.r.Context()
	inc, err := h.store.Incident(ctx, c.actor, c.r.PathValue("id"))
	if err != nil {
		return reportResponse{}, err
	}
	reports, err := h.store.Reports(ctx, c.actor, inc.ID)
	if err != nil {
		return reportResponse{}, err
	}
	st, err := openStage(inc, reports, req.Stage, c.now)
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
	r, err := h.store.SubmitReport(ctx, c.actor, inc.ID, req.Stage, content)
	if err != nil {
		return reportResponse{}, writeRefused(err, nil) // the incident was readable above
	}
	// The store stamped the report with its commit time; the clock must not
	// run behind it.
	if c.now = h.now(); c.now.Before(r.SubmittedAt) {
		c.now = r.SubmittedAt
	}
	v, err := incidentViewOf(inc, append(reports, r), c.now)
	if err != nil {
		return reportResponse{}, err
	}
	return reportResponse{Report: v.Reports[len(v.Reports)-1], Incident: v}, nil
}

// openStage returns the clock stage a new report of stage would fulfil, or
// a problem if the incident has no such stage, it was reported already, or
// it is not open yet.
func openStage(inc store.Incident, reports []store.Report, stage string, now time.Time) (clock.Stage, error) {
	if stage == "" {
		return clock.Stage{}, invalid("stage", "required")
	}
	in := clockInput(inc, reports, now)
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
	after, afterID, err := decodeCursor(c.r.URL.Query().Get("cursor"))
	if err != nil {
		return incidentPage{}, err
	}
	all, err := h.store.Incidents(c.r.Context(), c.actor, c.r.PathValue("id"))
	if err != nil {
		return incidentPage{}, err
	}
	// The store orders by created_at descending, then id.
	start := 0
	if afterID != "" {
		start = len(all)
		for i, inc := range all {
			if inc.CreatedAt.Before(after) || inc.CreatedAt.Equal(after) && inc.ID > afterID {
				start = i
				break
			}
		}
	}
	page := incidentPage{Items: all[start:min(start+limit, len(all))]}
	if page.Items == nil {
		page.Items = []store.Incident{}
	}
	if start+limit < len(all) {
		last := page.Items[len(page.Items)-1]
		page.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(last.CreatedAt.Format(time.RFC3339Nano) + " " + last.ID))
	}
	return page, nil
}

func decodeCursor(s string) (time.Time, string, error) {
	if s == "" {
		return time.Time{}, "", nil
	}
	bad := problem(http.StatusBadRequest, "", FieldError{"cursor", "not a cursor of this list; use next_cursor of the previous page"})
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return time.Time{}, "", bad
	}
	ts, id, ok := strings.Cut(string(b), " ")
	t, err := time.Parse(time.RFC3339Nano, ts)
	if !ok || err != nil || id == "" {
		return time.Time{}, "", bad
	}
	return t, id, nil
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
