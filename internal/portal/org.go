package portal

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pflicht/pflicht/internal/clock"
	"github.com/pflicht/pflicht/internal/facts"
	"github.com/pflicht/pflicht/internal/law"
	"github.com/pflicht/pflicht/internal/scope"
	"github.com/pflicht/pflicht/internal/store"
)

// flashes are the confirmations a redirect after a POST may show
// (?done=KEY); a fixed set, so the query cannot put text on the page.
var flashes = map[string]string{
	"profile":      "flash.profile_saved",
	"created":      "flash.org_created",
	"registration": "flash.registered",
	"report":       "flash.report_saved",
	"incident":     "flash.incident_created",
	"measures":     "flash.measures_saved",
	"closed":       "flash.incident_closed",
	"open":         "flash.incident_reopened",
}

func flash(r *http.Request) string { return flashes[r.URL.Query().Get("done")] }

// pathOrg reads the organisation of the path for an entity just read
// (err is that read's error): the path must name the entity's own
// organisation (orgID), so another organisation's entity is not found.
func (s *Server) pathOrg(r *http.Request, orgID string, err error) (store.Organisation, error) {
	if err != nil {
		return store.Organisation{}, err
	}
	if orgID != r.PathValue("org") {
		return store.Organisation{}, store.ErrNotFound
	}
	return s.store.Organisation(r.Context(), state(r).user.actor(), orgID)
}

// orgCard is one organisation on the dashboard.
type orgCard struct {
	store.Organisation
	HasProfile bool
	Scope      *scope.Result
	ScopeErr   string
	Incidents  []incidentRow
}

type incidentRow struct {
	OrgID, ID, Title string
	AwareAt          time.Time
	Next             *clock.Stage
}

// dashboard shows the user's organisations. Supervisors reach every
// organisation; theirs is the registry, so their overview points there.
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	u := state(r).user
	ctx := r.Context()
	var orgs []store.Organisation
	if !u.Supervisor() {
		var err error
		if orgs, err = s.store.Organisations(ctx, u.actor()); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	// The profiles and the open incidents of all organisations shown, one
	// read each.
	now := s.now()
	var profiles map[string]store.ProfileVersion
	var incidents map[string][]incidentRow
	if len(orgs) > 0 {
		var err error
		if profiles, err = s.store.CurrentProfiles(ctx, u.actor()); err != nil {
			s.serverError(w, r, err)
			return
		}
		if incidents, err = s.openIncidents(r, now); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	cards := make([]orgCard, 0, len(orgs))
	for _, o := range orgs {
		c := orgCard{Organisation: o, Incidents: incidents[o.ID]}
		if v, ok := profiles[o.ID]; ok {
			c.HasProfile = true
			res, err := scope.Check(facts.ScopeProfile(v.Profile), now)
			if err != nil {
				c.ScopeErr = err.Error()
			} else {
				c.Scope = &res
			}
		}
		cards = append(cards, c)
	}
	s.render(w, r, http.StatusOK, "dashboard", "dashboard.title", page{Data: struct {
		Orgs       []orgCard
		Flash      string
		Supervisor bool
	}{cards, flash(r), u.Supervisor()}})
}

// profileData is the profile page: the form, the registration state and
// the version history with the change deadlines.
type profileData struct {
	Org          store.Organisation
	Action       string
	Flash        string
	Sectors      []sectorGroup
	MemberStates []string
	FactGroups   []factGroup
	Where        []whereSelect
	// Scope is scope.Check of the current profile; Due its registration
	// duties.
	Scope *scope.Result
	Due   []scope.Obligation
	// Unregistered: the current version has not been submitted.
	Unregistered bool
	Versions     []versionRow
}

type versionRow struct {
	store.ProfileVersion
	// Changed are the labels (message keys) of the fields this version
	// changed against the one before it.
	Changed   []string
	Deadlines []changeDeadline
}

// changeDeadline is the period for reporting a change of registration
// data, counted by clock from the moment the change was saved here.
type changeDeadline struct {
	Title    law.Text
	Citation string
	Due      time.Time
	Late     bool
}

// sectorGroup is one Anlage sector with its activities, for the select.
type sectorGroup struct {
	ID         string
	Title      law.Text
	Activities []scope.Activity
}

var sectorGroups = func() []sectorGroup {
	var out []sectorGroup
	for _, a := range scope.Activities() {
		id := sectorOf(a.ID)
		if len(out) == 0 || out[len(out)-1].ID != id {
			out = append(out, sectorGroup{ID: id, Title: a.Sector})
		}
		out[len(out)-1].Activities = append(out[len(out)-1].Activities, a)
	}
	return out
}()

var memberStateList = store.EUMemberStates()

func (s *Server) newOrgForm(w http.ResponseWriter, r *http.Request) {
	s.renderProfile(w, r, http.StatusOK, profileData{Action: "/orgs/new"}, url.Values{fCountry: {"DE"}}, nil)
}

func (s *Server) createOrg(w http.ResponseWriter, r *http.Request) {
	p, fe := s.readProfile(r.PostForm)
	if len(fe) > 0 {
		s.renderProfile(w, r, http.StatusUnprocessableEntity, profileData{Action: "/orgs/new"}, r.PostForm, fe)
		return
	}
	o, err := s.store.CreateOrganisation(r.Context(), state(r).user.actor(), p, s.classOf(p))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+o.ID+"/profile?done=created", http.StatusSeeOther)
}

func (s *Server) profilePage(w http.ResponseWriter, r *http.Request) {
	d, vs, ok := s.loadProfile(w, r)
	if !ok {
		return
	}
	d.Flash = flash(r)
	s.renderProfile(w, r, http.StatusOK, d, profileForm(vs[0].Profile), nil)
}

func (s *Server) saveProfile(w http.ResponseWriter, r *http.Request) {
	p, fe := s.readProfile(r.PostForm)
	if len(fe) > 0 {
		d, _, ok := s.loadProfile(w, r)
		if ok {
			s.renderProfile(w, r, http.StatusUnprocessableEntity, d, r.PostForm, fe)
		}
		return
	}
	org := r.PathValue("org")
	if _, err := s.store.UpdateProfile(r.Context(), state(r).user.actor(), org, p, s.classOf(p)); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+org+"/profile?done=profile", http.StatusSeeOther)
}

func (s *Server) submitRegistration(w http.ResponseWriter, r *http.Request) {
	org := r.PathValue("org")
	if _, err := s.store.SubmitRegistration(r.Context(), state(r).user.actor(), org); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+org+"/profile?done=registration", http.StatusSeeOther)
}

// classOf is the class the store files the organisation under, for the
// registry filter; scope.Classify decides it.
func (s *Server) classOf(p store.Profile) string {
	c, err := scope.Classify(facts.ScopeProfile(p), s.now())
	if err != nil || c.Class == scope.None {
		return ""
	}
	return string(c.Class)
}

// loadProfile reads the organisation and its versions and works out the
// registration duties and change deadlines.
func (s *Server) loadProfile(w http.ResponseWriter, r *http.Request) (profileData, []store.ProfileVersion, bool) {
	ctx, a, id := r.Context(), state(r).user.actor(), r.PathValue("org")
	o, err := s.store.Organisation(ctx, a, id)
	if err != nil {
		s.serverError(w, r, err)
		return profileData{}, nil, false
	}
	vs, err := s.store.Profiles(ctx, a, id)
	if err != nil {
		s.serverError(w, r, err)
		return profileData{}, nil, false
	}
	now := s.now()
	d := profileData{Org: o, Action: "/orgs/" + o.ID + "/profile"}
	d.Unregistered = o.RegisteredVersion < o.ProfileVersion
	res, err := scope.Check(facts.ScopeProfile(vs[0].Profile), now)
	if err == nil {
		d.Scope = &res
		for _, ob := range res.Obligations {
			if ob.ID == "33.1" || ob.ID == "34.1" {
				d.Due = append(d.Due, ob)
			}
		}
	}
	periods := changePeriods(res.Obligations)
	for i, v := range vs {
		row := versionRow{ProfileVersion: v}
		if i+1 < len(vs) {
			row.Changed = changedLabels(vs[i+1].Profile.Changed(v.Profile))
		}
		// Versions after the first that the last registration does not yet
		// cover are changes the entity must report within the period.
		if v.Version > 1 && v.Version > o.RegisteredVersion {
			for _, p := range periods {
				if due, ok := p.End(v.CreatedAt); ok {
					row.Deadlines = append(row.Deadlines, changeDeadline{Title: p.Title, Citation: p.Citation, Due: due, Late: now.After(due)})
				}
			}
		}
		d.Versions = append(d.Versions, row)
	}
	return d, vs, true
}

// changePeriods are the clock periods for changes of registration data
// that apply to the entity: §33(5) where scope lists a §33(5) duty, §34(2)
// where it lists that one.
func changePeriods(obs []scope.Obligation) []clock.Period {
	var out []clock.Period
	for _, id := range []struct{ obligation, period string }{{"33.5", "bsig.33.5"}, {"34.2", "bsig.34.2"}} {
		for _, ob := range obs {
			if ob.ID == id.obligation || strings.HasPrefix(ob.ID, id.obligation+".") {
				if p, err := clock.Lookup(id.period); err == nil {
					out = append(out, p)
				}
				break
			}
		}
	}
	return out
}

func (s *Server) renderProfile(w http.ResponseWriter, r *http.Request, status int, d profileData, form url.Values, fe fieldErrors) {
	d.Sectors, d.MemberStates, d.FactGroups, d.Where = sectorGroups, memberStateList, factGroups, whereSelects
	title := "profile.title"
	if d.Org.ID == "" {
		title = "org.new_title"
	}
	s.render(w, r, status, "profile", title, page{Data: d, Form: form, Errors: fe})
}

func (s *Server) orgRoutes(handle handleFunc) {
	handle("GET /{$}", s.signedIn(s.dashboard))
	handle("GET /orgs/new", s.signedIn(s.newOrgForm))
	handle("POST /orgs/new", s.signedIn(s.createOrg))
	handle("GET /orgs/{org}/profile", s.signedIn(s.profilePage))
	handle("POST /orgs/{org}/profile", s.signedIn(s.saveProfile))
	handle("POST /orgs/{org}/registration", s.signedIn(s.submitRegistration))
}
