package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/pflicht/pflicht/internal/clock"
	"github.com/pflicht/pflicht/internal/facts"
	"github.com/pflicht/pflicht/internal/law"
	"github.com/pflicht/pflicht/internal/scope"
	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/view"
)

type createOrganisationRequest struct {
	Profile store.Profile `json:"profile" doc:"the registration data of §33(1), §34(1) BSIG and the size figures"`
}

type updateOrganisationRequest struct {
	Profile store.Profile `json:"profile"`
	// The two events the change periods run from; see changeDeadline.
	ChangeKnownAt    *time.Time `json:"change_known_at,omitempty" doc:"when the organisation learnt of the change (§33(5) BSIG); default: now"`
	ChangeOccurredAt *time.Time `json:"change_occurred_at,omitempty" doc:"when the change occurred (§34(2) BSIG); default: change_known_at, marked trigger_assumed"`
}

// organisationView is an organisation as the API shows it: the stored
// profile and what the scope engine says about it today.
type organisationView struct {
	ID               string            `json:"id"`
	Name             string            `json:"name"`
	CreatedAt        time.Time         `json:"created_at"`
	ProfileVersion   int               `json:"profile_version"`
	ProfileUpdatedAt time.Time         `json:"profile_updated_at"`
	Profile          store.Profile     `json:"profile"`
	Assessment       scope.Result      `json:"assessment" doc:"scope.Check of the current profile on today's date (Europe/Berlin)"`
	Registration     registrationState `json:"registration"`
}

func (v organisationView) location() string { return "/organisations/" + v.ID }

// registrationState is the §33/§34 registration status.
type registrationState struct {
	Status       string     `json:"status" enum:"registered,due,overdue,not_required" doc:"registered: a registration was submitted; otherwise from the registration duties of the assessment"`
	RegisteredAt *time.Time `json:"registered_at,omitempty"`
	// Duties are the registration obligations the assessment lists.
	Duties []scope.Obligation `json:"duties" doc:"the registration obligations (§33(1), §34(1) BSIG) of the assessment, with their due dates where qualified_since is known"`
}

// registrationDuties are the ids of the scope obligations to register.
var registrationDuties = []string{"33.1", "34.1"}

// changeDuties link the scope obligations on changed registration data to
// the clock periods that count their deadline. Which duty applies is the
// scope engine's answer; when the period ends is the clock's.
var changeDuties = []struct{ obligation, period string }{
	{"33.5", "bsig.33.5"}, // ids 33.5.orig, 33.5.orig-66, 33.5.cons: two weeks from knowledge
	{"34.2", "bsig.34.2"}, // three months from the day the change occurred
}

// changeDeadline is when a change of the registration data must be reported.
type changeDeadline struct {
	Obligation     string     `json:"obligation" doc:"the scope obligation id, e.g. 33.5.cons"`
	Citation       string     `json:"citation"`
	Deadline       law.Text   `json:"deadline" doc:"the statutory wording of the period, including any annual rule that is not computed here"`
	RuleID         string     `json:"rule_id" doc:"the clock period that computed due"`
	RuleStatus     law.Status `json:"rule_status"`
	Trigger        string     `json:"trigger" enum:"change_known,change_occurred"`
	TriggerAt      time.Time  `json:"trigger_at"`
	TriggerAssumed bool       `json:"trigger_assumed,omitempty" doc:"the request did not give the trigger instant; another one was used"`
	Due            time.Time  `json:"due" doc:"the instant the period ends (24:00 Europe/Berlin of due_last_day)"`
	DueLastDay     string     `json:"due_last_day" format:"date"`
}

type updateOrganisationResponse struct {
	Organisation    organisationView `json:"organisation"`
	ChangedFields   []string         `json:"changed_fields" doc:"the profile fields that differ from the previous version"`
	ChangeDeadlines []changeDeadline `json:"change_deadlines" doc:"one per change duty the assessment lists, if any field changed; which fields are registration data is for the cited norm to say"`
}

// storedClass is the class in the store's registry column, where no class
// is the empty string.
func storedClass(c scope.Class) string {
	if c == scope.None {
		return ""
	}
	return string(c)
}

// assess runs the scope engine on p; its field errors name the field
// inside the request's profile.
func assess(p store.Profile, day time.Time) (scope.Result, error) {
	res, err := scope.Check(facts.ScopeProfile(p), day)
	if fe, ok := errors.AsType[*scope.FieldError](err); ok {
		return res, invalid("profile."+fe.Field, fe.Msg)
	}
	return res, err
}

// checkProfile validates p with the store's rules before anything is
// written, naming the field.
func checkProfile(p store.Profile) error {
	if err := p.Validate(); err != nil {
		return profileProblem(err)
	}
	return nil
}

// profileProblem turns the store's "store: profile: FIELD: MESSAGE: invalid"
// into a problem naming profile.FIELD.
func profileProblem(err error) error {
	msg := strings.TrimSuffix(strings.TrimPrefix(err.Error(), "store: profile: "), ": "+store.ErrInvalid.Error())
	if f, m, ok := strings.Cut(msg, ": "); ok && errors.Is(err, store.ErrInvalid) {
		return invalid("profile."+f, m)
	}
	return err
}

func (h *handler) createOrganisation(c *call, req createOrganisationRequest) (organisationView, error) {
	if err := checkProfile(req.Profile); err != nil {
		return organisationView{}, err
	}
	res, err := assess(req.Profile, c.today())
	if err != nil {
		return organisationView{}, err
	}
	o, err := h.store.CreateOrganisation(c.r.Context(), c.actor, req.Profile, storedClass(res.Class))
	if errors.Is(err, store.ErrNotFound) {
		// Nothing to be not found: the store refuses the actor.
		return organisationView{}, problem(http.StatusForbidden, "supervisors and read-only tokens cannot create organisations")
	}
	if err != nil {
		return organisationView{}, err
	}
	return h.organisation(c, o.ID)
}

func (h *handler) getOrganisation(c *call, _ noBody) (organisationView, error) {
	return h.organisation(c, c.r.PathValue("id"))
}

// organisation loads an organisation with its current profile and assesses it.
func (h *handler) organisation(c *call, id string) (organisationView, error) {
	ctx := c.r.Context()
	o, err := h.store.Organisation(ctx, c.actor, id)
	if err != nil {
		return organisationView{}, err
	}
	cur, err := h.store.CurrentProfile(ctx, c.actor, id)
	if err != nil {
		return organisationView{}, err
	}
	res, err := scope.Check(facts.ScopeProfile(cur.Profile), c.today())
	if err != nil {
		// Stored profiles were checked when written; only changed law data
		// can make one unreadable, which is no fault of this request.
		return organisationView{}, fmt.Errorf("api: organisation %s: profile %d: %v", id, cur.Version, err)
	}
	return organisationView{
		ID: o.ID, Name: o.Name, CreatedAt: o.CreatedAt, ProfileVersion: cur.Version, ProfileUpdatedAt: cur.CreatedAt,
		Profile: cur.Profile, Assessment: res, Registration: registrationStatus(o.RegisteredAt, res),
	}, nil
}

func registrationStatus(registeredAt *time.Time, res scope.Result) registrationState {
	r := registrationState{Status: "not_required", RegisteredAt: registeredAt, Duties: []scope.Obligation{}}
	for _, ob := range res.Obligations {
		for _, id := range registrationDuties {
			if ob.ID == id {
				r.Duties = append(r.Duties, ob)
			}
		}
	}
	switch {
	case registeredAt != nil:
		r.Status = "registered"
	case len(r.Duties) > 0:
		r.Status = "due"
		for _, d := range r.Duties {
			if d.DeadlinePassed {
				r.Status = "overdue"
			}
		}
	}
	return r
}

func (h *handler) updateOrganisation(c *call, req updateOrganisationRequest) (updateOrganisationResponse, error) {
	id := c.r.PathValue("id")
	if err := checkProfile(req.Profile); err != nil {
		return updateOrganisationResponse{}, err
	}
	known := c.now
	if req.ChangeKnownAt != nil {
		known = *req.ChangeKnownAt
	}
	occurred, assumed := known, req.ChangeOccurredAt == nil
	if !assumed {
		occurred = *req.ChangeOccurredAt
	}
	switch {
	case known.After(c.now):
		return updateOrganisationResponse{}, invalid("change_known_at", "lies in the future")
	case occurred.After(known):
		return updateOrganisationResponse{}, invalid("change_occurred_at", "lies after change_known_at")
	}
	res, err := assess(req.Profile, c.today())
	if err != nil {
		return updateOrganisationResponse{}, err
	}
	ctx := c.r.Context()
	prev, err := h.store.CurrentProfile(ctx, c.actor, id)
	if err != nil {
		return updateOrganisationResponse{}, err
	}
	if _, err := h.store.UpdateProfile(ctx, c.actor, id, req.Profile, storedClass(res.Class)); err != nil {
		return updateOrganisationResponse{}, h.orgWriteRefused(c, id, err)
	}
	v, err := h.organisation(c, id)
	if err != nil {
		return updateOrganisationResponse{}, err
	}
	out := updateOrganisationResponse{Organisation: v, ChangedFields: prev.Profile.Changed(req.Profile), ChangeDeadlines: []changeDeadline{}}
	if len(out.ChangedFields) == 0 {
		return out, nil
	}
	for _, ob := range v.Assessment.Obligations {
		for _, cd := range changeDuties {
			if ob.ID != cd.obligation && !strings.HasPrefix(ob.ID, cd.obligation+".") {
				continue
			}
			p, err := clock.Lookup(cd.period)
			if err != nil {
				return out, err
			}
			d := changeDeadline{Obligation: ob.ID, Citation: ob.Norm, Deadline: ob.Deadline, RuleID: p.ID, RuleStatus: p.Status,
				Trigger: string(p.Trigger), TriggerAt: known}
			if p.Trigger == clock.ChangeOccurred {
				d.TriggerAt, d.TriggerAssumed = occurred, assumed
			}
			due, ok := p.End(d.TriggerAt)
			if !ok {
				continue // no fixed period: the deadline text says what holds
			}
			d.Due = due
			d.DueLastDay = due.Add(-time.Nanosecond).In(law.Berlin).Format(law.DateLayout)
			out.ChangeDeadlines = append(out.ChangeDeadlines, d)
		}
	}
	return out, nil
}

// writeRefused turns the store's ErrNotFound on a write into 403 when
// reading the same record succeeded (readErr is nil): the record is no
// secret to the actor, only the write is beyond its role. Otherwise err
// stays, and an unreadable record is 404.
func writeRefused(err, readErr error) error {
	if errors.Is(err, store.ErrNotFound) && readErr == nil {
		return problem(http.StatusForbidden, "your role in this organisation does not allow this")
	}
	return err
}

// orgWriteRefused is writeRefused for a write to organisation id.
func (h *handler) orgWriteRefused(c *call, id string, err error) error {
	_, readErr := h.store.Organisation(c.r.Context(), c.actor, id)
	return writeRefused(err, readErr)
}

// today is the calendar day of the request in Europe/Berlin, as midnight UTC:
// the day the CLI takes too.
func (c *call) today() time.Time { return view.Today(c.now) }

// registrationResponse is a submitted registration and the status it gives.
type registrationResponse struct {
	Registration store.Registration `json:"registration"`
	Status       registrationState  `json:"status"`
}

func (h *handler) submitRegistration(c *call, _ noBody) (registrationResponse, error) {
	ctx, id := c.r.Context(), c.r.PathValue("id")
	reg, err := h.store.SubmitRegistration(ctx, c.actor, id)
	if err != nil {
		return registrationResponse{}, h.orgWriteRefused(c, id, err)
	}
	v, err := h.organisation(c, id)
	if err != nil {
		return registrationResponse{}, err
	}
	return registrationResponse{Registration: reg, Status: v.Registration}, nil
}

// maxQuery is the longest name search; the store refuses longer ones.
const maxQuery = 300

type organisationPage struct {
	Items      []store.Organisation `json:"items"`
	Total      int                  `json:"total" doc:"matching organisations over all pages"`
	NextCursor string               `json:"next_cursor,omitempty" doc:"pass as cursor for the next page; absent on the last page"`
}

func (h *handler) listOrganisations(c *call, _ noBody) (organisationPage, error) {
	q := c.r.URL.Query()
	f := store.RegistryFilter{Query: strings.TrimSpace(q.Get("q")), Class: q.Get("class"), Sector: q.Get("sector"), After: q.Get("cursor")}
	if len(f.Query) > maxQuery {
		return organisationPage{}, problem(http.StatusBadRequest, "", FieldError{"q", fmt.Sprintf("longer than %d bytes", maxQuery)})
	}
	var err error
	if f.Limit, err = c.queryInt("limit", 50, 1, 500); err != nil {
		return organisationPage{}, err
	}
	switch q.Get("registered") {
	case "":
	case "true", "false":
		reg := q.Get("registered") == "true"
		f.Registered = &reg
	default:
		return organisationPage{}, problem(http.StatusBadRequest, "", FieldError{"registered", "must be true or false"})
	}
	switch q.Get("changed") {
	case "", "false":
	case "true":
		f.Changed = true
	default:
		return organisationPage{}, problem(http.StatusBadRequest, "", FieldError{"changed", "must be true or false"})
	}
	page, err := h.store.Registry(c.r.Context(), c.actor, f)
	if errors.Is(err, store.ErrInvalid) {
		// The limit is checked above; what is left is a cursor the store cannot read.
		return organisationPage{}, problem(http.StatusBadRequest, "", FieldError{"cursor", "not a cursor of this list; use next_cursor of the previous page"})
	}
	if err != nil {
		return organisationPage{}, err
	}
	out := organisationPage{Items: page.Organisations, Total: page.Total, NextCursor: page.Next}
	if out.Items == nil {
		out.Items = []store.Organisation{}
	}
	return out, nil
}
