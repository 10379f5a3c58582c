package portal

import (
	"net/http"
	"slices"
	"time"

	"github.com/pflicht/pflicht/internal/clock"
	"github.com/pflicht/pflicht/internal/facts"
	"github.com/pflicht/pflicht/internal/law"
	"github.com/pflicht/pflicht/internal/scope"
	"github.com/pflicht/pflicht/internal/store"
)

// standing is an organisation with what scope says about it on a day.
type standing struct {
	Org        store.Organisation
	HasProfile bool
	Scope      *scope.Result // nil without a profile or if scope refused it (ScopeErr)
	ScopeErr   string
	profile    store.Profile
	class      scope.Class
	turnover   *float64
}

// loadStanding reads the organisation of the path and classifies its
// current profile.
func (s *Server) loadStanding(r *http.Request, now time.Time) (standing, error) {
	ctx, a := r.Context(), state(r).user.actor()
	o, err := s.store.Organisation(ctx, a, r.PathValue("org"))
	if err != nil {
		return standing{}, err
	}
	st := standing{Org: o, class: scope.None}
	if o.ProfileVersion == 0 {
		return st, nil
	}
	vs, err := s.store.Profiles(ctx, a, o.ID)
	if err != nil {
		return standing{}, err
	}
	st.HasProfile, st.profile = true, vs[0].Profile
	sp := facts.ScopeProfile(st.profile)
	st.turnover = sp.TurnoverEUR
	res, err := scope.Check(sp, now)
	if err != nil {
		st.ScopeErr = err.Error()
		return st, nil
	}
	st.Scope, st.class = &res, res.Class
	return st, nil
}

// reportIncident is an incident as the board report shows it: the next
// deadline and every stage that is overdue or was reported late, with the
// fine exposure fines computes for it.
type reportIncident struct {
	store.Incident
	Next       *clock.Stage
	Violations []stageView
}

// exposure is a duty of the organisation with the offence that sanctions
// its breach and the maximum fine.
type exposure struct {
	Duty scope.Obligation
	*violation
}

type reportData struct {
	standing
	Now    time.Time
	Duties []law.Rule
	// Measures with counts for the summary.
	Measures                       []measureRow
	Implemented, ReviewsDue, Empty int
	Kinds                          []recordKind
	Records                        []store.ManagementRecord
	// Latest record of each kind, by kind id.
	Latest    map[string]*store.ManagementRecord
	Incidents []reportIncident
	Exposure  []exposure
	// MaxFine is the highest maximum among Exposure; nil if none was computed.
	MaxFine *float64
}

// Kind returns the kind of a stored record, for its label and citation.
func (reportData) Kind(id string) recordKind { return kindOf(id) }

// boardReport is the report for the management body: the state of the
// measures, the §38 records, incidents with their deadlines and the fine
// exposure, all as of now. It is print-ready HTML (report.css).
func (s *Server) boardReport(w http.ResponseWriter, r *http.Request) {
	ctx, a, now := r.Context(), state(r).user.actor(), s.now()
	st, err := s.loadStanding(r, now)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := reportData{standing: st, Now: now, Duties: measureDuties, Kinds: recordKinds, Latest: map[string]*store.ManagementRecord{}}
	org := st.Org.ID
	set, err := s.store.Measures(ctx, a, org)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	ev, err := s.store.EvidenceList(ctx, a, org)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Measures = measureRows(set, ev, berlinDay(now))
	for _, m := range d.Measures {
		if m.Status == "implemented" {
			d.Implemented++
		}
		if m.ReviewDue {
			d.ReviewsDue++
		}
		if m.Evidence == 0 && m.Status != "not_applicable" {
			d.Empty++
		}
	}
	if d.Records, err = s.store.ManagementRecords(ctx, a, org); err != nil {
		s.serverError(w, r, err)
		return
	}
	for i, rec := range d.Records { // latest first
		if _, ok := d.Latest[rec.Kind]; !ok {
			d.Latest[rec.Kind] = &d.Records[i]
		}
	}
	if d.Incidents, err = s.reportIncidents(r, st, now); err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Exposure = exposures(st, now)
	for _, x := range d.Exposure {
		if x.Fine != nil && x.Fine.MaxEUR != nil && (d.MaxFine == nil || *x.Fine.MaxEUR > *d.MaxFine) {
			d.MaxFine = x.Fine.MaxEUR
		}
	}
	s.render(w, r, http.StatusOK, "report", "board.title", page{Data: d})
}

// reportIncidents lists the open incidents and the closed ones with a
// violation: closing an incident ends no duty in law.
func (s *Server) reportIncidents(r *http.Request, st standing, now time.Time) ([]reportIncident, error) {
	ctx, a := r.Context(), state(r).user.actor()
	incs, err := s.store.Incidents(ctx, a, st.Org.ID)
	if err != nil {
		return nil, err
	}
	var out []reportIncident
	for _, inc := range incs {
		reps, err := s.store.Reports(ctx, a, inc.ID)
		if err != nil {
			return nil, err
		}
		res, err := incidentClock(inc, reps, st.profile, now)
		if err != nil {
			return nil, err
		}
		ri := reportIncident{Incident: inc, Next: facts.NextStage(res)}
		for _, v := range stageViews(res, submittedOf(reps), st.class, st.turnover, now) {
			if v.Violation != nil {
				ri.Violations = append(ri.Violations, v)
			}
		}
		if inc.Status == "open" || len(ri.Violations) > 0 {
			out = append(out, ri)
		}
	}
	return out, nil
}

// exposures pairs each duty scope lists for the organisation with the §65
// offence sanctioning it and the maximum fine for the organisation's class
// and turnover; duties no single offence sanctions are left out, and each
// offence is listed once.
func exposures(st standing, now time.Time) []exposure {
	if st.Scope == nil {
		return nil
	}
	var out []exposure
	for _, ob := range st.Scope.Obligations {
		v := violationFor(ob.Norm, st.class, st.turnover, now)
		if v == nil || slices.ContainsFunc(out, func(x exposure) bool { return x.Offence.ID == v.Offence.ID }) {
			continue
		}
		out = append(out, exposure{Duty: ob, violation: v})
	}
	return out
}

func (s *Server) reportRoutes(handle handleFunc) {
	handle("GET /orgs/{org}/report", s.signedIn(s.boardReport))
}
