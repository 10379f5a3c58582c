package portal

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/pflicht/pflicht/internal/law"
	"github.com/pflicht/pflicht/internal/scope"
	"github.com/pflicht/pflicht/internal/store"
)

// recordKind is a kind of §38 record with the rule it documents.
type recordKind struct {
	ID    string
	Label string // message key
	Rule  law.Rule
}

// recordKinds: supervision documents §38(1) (the management body
// implements and supervises the measures), training §38(3).
var recordKinds = func() []recordKind {
	rules := lawRules("38.1", "38.3")
	if len(rules) != 2 {
		panic("portal: scope data lacks § 38 Abs. 1 or 3 BSIG")
	}
	return []recordKind{
		{ID: "supervision", Label: "management.kind_supervision", Rule: rules[0]},
		{ID: "training", Label: "management.kind_training", Rule: rules[1]},
	}
}()

func kindOf(id string) recordKind {
	if i := slices.IndexFunc(recordKinds, func(k recordKind) bool { return k.ID == id }); i >= 0 {
		return recordKinds[i]
	}
	return recordKind{ID: id, Label: "management.kind_other"}
}

// managementDuties are the §38 duties of the organisation's scope result;
// carvedOut the carve-outs that switched them off.
func managementDuties(res *scope.Result) (duties []scope.Obligation, carvedOut []scope.CarveOut) {
	if res == nil {
		return nil, nil
	}
	is38 := func(id string) bool { return strings.HasPrefix(id, "38.") }
	for _, ob := range res.Obligations {
		if is38(ob.ID) {
			duties = append(duties, ob)
		}
	}
	for _, c := range res.CarveOuts {
		if c.Applied && slices.ContainsFunc(c.Disabled, is38) {
			carvedOut = append(carvedOut, c)
		}
	}
	return duties, carvedOut
}

type managementData struct {
	standing
	Flash     string
	Duties    []scope.Obligation
	CarvedOut []scope.CarveOut
	Kinds     []recordKind
	Records   []store.ManagementRecord
	Today     string
}

// Kind returns the kind of a stored record, for its label and citation.
func (managementData) Kind(id string) recordKind { return kindOf(id) }

func (s *Server) loadManagement(w http.ResponseWriter, r *http.Request) (managementData, bool) {
	now := s.now()
	st, err := s.loadStanding(r, now)
	if err != nil {
		s.serverError(w, r, err)
		return managementData{}, false
	}
	recs, err := s.store.ManagementRecords(r.Context(), state(r).user.actor(), st.Org.ID)
	if err != nil {
		s.serverError(w, r, err)
		return managementData{}, false
	}
	d := managementData{standing: st, Kinds: recordKinds, Records: recs, Today: berlinDay(now)}
	d.Duties, d.CarvedOut = managementDuties(st.Scope)
	return d, true
}

func (s *Server) managementPage(w http.ResponseWriter, r *http.Request) {
	d, ok := s.loadManagement(w, r)
	if !ok {
		return
	}
	if r.URL.Query().Get("done") == "management" {
		d.Flash = "management.flash_saved"
	}
	s.render(w, r, http.StatusOK, "management", "management.title", page{Data: d, Form: url.Values{"kind": {"supervision"}}})
}

// addManagementRecord records a training or a supervision that took
// place: the date may not lie in the future.
func (s *Server) addManagementRecord(w http.ResponseWriter, r *http.Request) {
	d, ok := s.loadManagement(w, r)
	if !ok {
		return
	}
	f := r.PostForm
	var fe fieldErrors
	kinds := make([]string, len(recordKinds))
	for i, k := range recordKinds {
		kinds[i] = k.ID
	}
	rec := store.ManagementRecord{OrgID: d.Org.ID}
	rec.Kind = oneOf(&fe, "kind", "management.kind", f.Get("kind"), kinds...)
	rec.HeldOn = checkDate(&fe, "held_on", "management.held_on", f.Get("held_on"))
	switch {
	case rec.HeldOn == "" && fe.For("held_on") == nil:
		fe.add("held_on", "management.held_on", "err.required")
	case rec.HeldOn > d.Today && fe.For("held_on") == nil:
		fe.add("held_on", "management.held_on", "err.future")
	}
	rec.Title = checkText(&fe, "title", "management.record_title", f.Get("title"), true, 300)
	rec.Participants = checkText(&fe, "participants", "management.participants", f.Get("participants"), true, 2000)
	rec.Notes = checkText(&fe, "notes", "management.notes", f.Get("notes"), false, 10000)
	if len(fe) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, "management", "management.title", page{Data: d, Form: f, Errors: fe})
		return
	}
	if _, err := s.store.AddManagementRecord(r.Context(), state(r).user.actor(), rec); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+d.Org.ID+"/management?done=management", http.StatusSeeOther)
}

func (s *Server) managementRoutes(handle handleFunc) {
	handle("GET /orgs/{org}/management", s.signedIn(s.managementPage))
	handle("POST /orgs/{org}/management", s.signedIn(s.addManagementRecord))
}
