package clock

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pflicht/pflicht/internal/law"
)

// Regime is a set of reporting rules.
type Regime string

// Regimes Compute accepts, and the registration periods of §§33, 34 BSIG.
const (
	BSIG             Regime = "bsig"
	CRAVulnerability Regime = "cra-vulnerability"
	CRAIncident      Regime = "cra-incident"
	BSIGRegistration Regime = "bsig-registration"
)

// Regimes lists what Compute accepts.
var Regimes = []Regime{BSIG, CRAVulnerability, CRAIncident}

// Event is what starts a stage's period.
type Event string

// Trigger events used in the data files.
const (
	Awareness             Event = "awareness"
	NotificationSubmitted Event = "notification_submitted"
	FixAvailable          Event = "fix_available"
	Request               Event = "request"
	HandlingCompleted     Event = "handling_completed"
	Qualification         Event = "qualification"
	ChangeKnown           Event = "change_known"
	ChangeOccurred        Event = "change_occurred"
)

var eventText = map[Event]law.Text{
	Awareness:             {DE: "Kenntniserlangung", EN: "becoming aware"},
	NotificationSubmitted: {DE: "Übermittlung der Meldung (72-h-Stufe)", EN: "submission of the notification (72-hour stage)"},
	FixAvailable:          {DE: "Verfügbarkeit einer Korrektur- oder Risikominderungsmaßnahme", EN: "a corrective or mitigating measure becoming available"},
	Request:               {DE: "Ersuchen der Behörde", EN: "request of the authority"},
	HandlingCompleted:     {DE: "abschließende Bearbeitung des Vorfalls", EN: "final handling of the incident"},
	Qualification:         {DE: "erstmaliges oder erneutes Gelten als Einrichtung", EN: "first or renewed qualification as an entity"},
	ChangeKnown:           {DE: "Kenntnis von der Änderung", EN: "becoming aware of the change"},
	ChangeOccurred:        {DE: "Eintritt der Änderung", EN: "the change occurring"},
}

func (e Event) known() bool { _, ok := eventText[e]; return ok }

// Text describes the event in German and English.
func (e Event) Text() law.Text { return eventText[e] }

// Status of a stage relative to Input.Now.
type Status string

const (
	// Met: submitted in time.
	Met Status = "met"
	// Late: submitted, but after the due instant.
	Late Status = "late"
	// Due: not yet submitted; the due instant (if any) has not passed.
	Due Status = "due"
	// Overdue: not submitted and the due instant has passed.
	Overdue Status = "overdue"
	// Waiting: the trigger event has not happened (or is not known) yet.
	Waiting Status = "waiting"
	// OnRequest: owed only if the authority asks, and it has not.
	OnRequest Status = "on_request"
)

// Input is what is known about one incident or vulnerability. Times are
// instants; nil means "not (yet) happened or not known".
type Input struct {
	Regime  Regime
	AwareAt time.Time
	// Submission times of the stages.
	EarlyWarningAt, NotifiedAt, InterimAt, ProgressAt, FinalAt, UserInformedAt *time.Time
	// FixAvailableAt: a corrective or mitigating measure is available (CRA vulnerability).
	FixAvailableAt *time.Time
	// InterimRequestedAt and the deadline the authority set with it, if any.
	InterimRequestedAt, InterimDueAt *time.Time
	// IncidentOngoing: the BSIG incident is still ongoing at the §32(1) Nr. 4
	// point in time, so a progress report replaces the final report (§32(2)).
	IncidentOngoing bool
	// HandlingCompletedAt: final handling of the BSIG incident (§32(2) S. 2).
	HandlingCompletedAt *time.Time
	// KRITISOperator adds the §32(3) BSIG content fields.
	KRITISOperator bool
	// MainEstablishment is the member state (ISO 3166-1 alpha-2, e.g. "DE")
	// of the manufacturer's main establishment in the Union, and
	// NoEUEstablishment says it has none; they decide the Art. 14(7) CRA
	// end-point shown in Result.Recipient. Both empty: the rule is shown.
	MainEstablishment string
	NoEUEstablishment bool
	Now               time.Time
}

// FieldError is bad input; Field is the JSON name of the offending field.
type FieldError struct {
	Field, Msg string
}

func (e *FieldError) Error() string { return "clock: " + e.Field + ": " + e.Msg }

// Note is an explanation attached to a result: a reading, a caveat, or why no clock runs.
type Note struct {
	Citation string     `json:"citation"`
	Text     law.Text   `json:"text"`
	Status   law.Status `json:"status"`
}

// Stage is one report with its deadline and state.
type Stage struct {
	Stage    string   `json:"stage"`
	RuleID   string   `json:"rule_id"`
	Title    law.Text `json:"title"`
	Citation string   `json:"citation"`
	// RuleStatus is whether our reading of the rule is verified.
	RuleStatus law.Status `json:"rule_status"`
	Trigger    Event      `json:"trigger"`
	TriggerAt  *time.Time `json:"trigger_at,omitempty"`
	Timing     law.Text   `json:"timing"`
	// Due is the instant by which the report must be in, in UTC: nil while the
	// trigger has not happened or when the law sets no fixed period.
	Due *time.Time `json:"due,omitempty"`
	// DayEnd: Due is 24:00 Europe/Berlin of a calendar day (BGB counting), so
	// it is best shown as "by the end of <day>".
	DayEnd bool `json:"day_end,omitempty"`
	// DueStatus is how sure Due is where this package computed it: the
	// status of the counting method (Method) and, for BSIG, of the law being
	// in force on the day of awareness. Empty where Due is not computed.
	DueStatus law.Status `json:"due_status,omitempty"`
	// LegalEnd is the end under Regulation 1182/71 (CRA only), a reading.
	LegalEnd    *time.Time `json:"legal_end,omitempty"`
	Status      Status     `json:"status"`
	SubmittedAt *time.Time `json:"submitted_at,omitempty"`
	// Remaining is Due − Now for unsubmitted stages with a due instant
	// (negative when overdue).
	Remaining *time.Duration `json:"-"`
	Content   []Field        `json:"content,omitempty"`
	Note      string         `json:"note,omitempty"`
}

// Result is the reporting timeline for one Input.
type Result struct {
	Regime Regime `json:"regime"`
	// Applicable is false when the rules are not yet in force for the
	// awareness date; Notes then say why and Stages is empty.
	Applicable bool    `json:"applicable"`
	Stages     []Stage `json:"stages"`
	// Recipient says to whom the reports go (CRA regimes, Art. 14(1), (3), (7)).
	Recipient []Note `json:"recipient,omitempty"`
	Notes     []Note `json:"notes"`
}

// Compute returns the stages of in.Regime with due instants and status at in.Now.
func Compute(in Input) (Result, error) {
	if err := in.validate(); err != nil {
		return Result{}, err
	}
	res := Result{Regime: in.Regime, Stages: []Stage{}}
	periods := cat.byRegime[in.Regime]
	awareDay := in.AwareAt.In(law.Berlin)
	if !periods[0].InForce(awareDay) {
		res.Notes = append(res.Notes, notInForce(in.Regime, periods[0]))
		return res, nil
	}
	res.Applicable = true
	// Whether the law applied on the day of awareness: for BSIG that rests on
	// the entry into force until it is settled.
	applies := law.Verified
	if in.Regime == BSIG {
		applies = law.BSIG2025().StatusOn(awareDay.Format(law.DateLayout))
	}
	for _, p := range periods {
		if !p.InForce(awareDay) || !in.selects(p) {
			continue
		}
		res.Stages = append(res.Stages, in.stage(p, applies))
	}
	res.Notes = in.notes(applies)
	if in.Regime != BSIG {
		res.Recipient, res.Notes = in.route(awareDay, res.Notes)
	}
	return res, nil
}

// route returns to whom the CRA reports go, for the establishment the input
// names, and adds the notes on who else reports or what is reportable.
func (in Input) route(awareDay time.Time, notes []Note) ([]Note, []Note) {
	var recipient []Note
	for _, r := range cat.routes {
		if !r.InForce(awareDay) || len(r.Regimes) > 0 && !slices.Contains(r.Regimes, in.Regime) {
			continue
		}
		switch {
		case r.Role == roleRecipient:
			recipient = append(recipient, r.note(r.Text))
		case r.Role == roleMain && in.MainEstablishment != "":
			recipient = append(recipient, r.note(law.Text{
				DE: strings.ReplaceAll(r.Given.DE, "{ms}", in.MainEstablishment),
				EN: strings.ReplaceAll(r.Given.EN, "{ms}", in.MainEstablishment)}))
		case r.Role == roleMain && !in.NoEUEstablishment,
			r.Role == roleNoEU && in.MainEstablishment == "":
			recipient = append(recipient, r.note(r.Text))
		case r.Role == roleScope:
			notes = append(notes, r.note(r.Text))
		}
	}
	return recipient, notes
}

// selects reports whether a conditional stage belongs to this incident.
// Without a statement that the incident is ongoing we show the final report
// under §32(1) Nr. 4 and say in a note that §32(2) may replace it.
func (in Input) selects(p Period) bool {
	switch p.When {
	case "ongoing":
		return in.IncidentOngoing
	case "not_ongoing":
		return !in.IncidentOngoing
	}
	return true
}

func (in Input) trigger(e Event) *time.Time {
	switch e {
	case Awareness:
		return &in.AwareAt
	case NotificationSubmitted:
		return in.NotifiedAt
	case FixAvailable:
		return in.FixAvailableAt
	case Request:
		return in.InterimRequestedAt
	case HandlingCompleted:
		return in.HandlingCompletedAt
	}
	return nil
}

func (in Input) submitted(stage string) *time.Time {
	switch stage {
	case "early_warning":
		return in.EarlyWarningAt
	case "notification":
		return in.NotifiedAt
	case "interim":
		return in.InterimAt
	case "progress":
		return in.ProgressAt
	case "final":
		return in.FinalAt
	case "user_information":
		return in.UserInformedAt
	}
	return nil
}

func (in Input) stage(p Period, applies law.Status) Stage {
	s := Stage{
		Stage: p.Stage, RuleID: p.ID, Title: p.Title, Citation: p.Citation, RuleStatus: p.Status,
		Trigger: p.Trigger, Timing: p.Timing, Note: p.Note,
		Content:     in.content(p.Content),
		SubmittedAt: utc(in.submitted(p.Stage)),
	}
	at := in.trigger(p.Trigger)
	if at == nil {
		s.Status = Waiting
		if p.Trigger == Request {
			s.Status = OnRequest
		}
		if s.SubmittedAt != nil {
			// Submitted before its trigger is known (e.g. a final report before
			// the fix date was entered): the duty is fulfilled either way.
			s.Status = Met
		}
		return s
	}
	s.TriggerAt = utc(at)
	if end, ok := p.End(*at); ok {
		s.Due = &end
		s.DueStatus = Method(p.Length.Counting).Status
		if applies == law.Unverified {
			s.DueStatus = law.Unverified
		}
		s.DayEnd = p.Length.Unit != Hours && p.Length.Counting == CountBGB
		if p.Length.Counting == CountEU {
			le := legalEnd(*at, *p.Length)
			s.LegalEnd = &le
		}
	} else if p.Trigger == Request && in.InterimDueAt != nil {
		s.Due = utc(in.InterimDueAt)
	}
	switch {
	case s.SubmittedAt != nil && (s.Due == nil || !s.SubmittedAt.After(*s.Due)):
		s.Status = Met
	case s.SubmittedAt != nil:
		s.Status = Late
	case s.Due != nil && !in.Now.Before(*s.Due):
		s.Status = Overdue
	default:
		s.Status = Due
	}
	if s.SubmittedAt == nil && s.Due != nil {
		r := s.Due.Sub(in.Now)
		s.Remaining = &r
	}
	return s
}

// content drops the §32(3) fields for entities that operate no critical installation.
func (in Input) content(fields []Field) []Field {
	out := make([]Field, 0, len(fields))
	for _, f := range fields {
		if f.Condition == KRITISOperator && !in.KRITISOperator {
			continue
		}
		out = append(out, f)
	}
	return out
}

func (in Input) notes(applies law.Status) []Note {
	var notes []Note
	switch in.Regime {
	case BSIG:
		if applies == law.Unverified {
			st := law.BSIG2025()
			notes = append(notes, Note{Citation: st.Citation, Status: applies, Text: st.Text})
		}
		notes = append(notes,
			Note{Citation: "§ 32 Abs. 1 Satz 2 BSIG", Status: law.Verified, Text: law.Text{
				DE: "Die Meldepflicht gilt frühestens ab Einrichtung des Meldewegs durch BSI und BBK.",
				EN: "The reporting duty applies at the earliest from the establishment of the reporting channel by BSI and BBK."}},
			methodNote(methodElapsed),
			methodNote(methodBGB),
			methodNote(methodBGB193))
		if !in.IncidentOngoing {
			notes = append(notes, Note{Citation: "§ 32 Abs. 2 BSIG", Status: law.Verified, Text: law.Text{
				DE: "Dauert der Vorfall zum Zeitpunkt der Abschlussmeldung noch an, ist stattdessen eine Fortschrittsmeldung fällig und die Abschlussmeldung nach abschließender Bearbeitung (incident_ongoing: true).",
				EN: "If the incident is still ongoing when the final report is due, a progress report is due instead and the final report after final handling (incident_ongoing: true)."}})
		}
	case CRAVulnerability, CRAIncident:
		notes = append(notes, methodNote(methodEU), Note{Citation: "Art. 64 Abs. 10 Buchst. a VO (EU) 2024/2847", Status: law.Verified, Text: law.Text{
			DE: "Kleinst- und Kleinunternehmen werden für das Versäumen der 24-Stunden-Frist der Frühwarnung nicht mit Geldbuße belegt; die 72-Stunden- und die Abschlussfrist sind nicht ausgenommen.",
			EN: "Micro and small enterprises are not fined for missing the 24-hour early-warning deadline; the 72-hour and final-report deadlines are not exempt."}})
		if in.FixAvailableAt != nil && in.FixAvailableAt.Before(in.AwareAt) {
			notes = append(notes, Note{Citation: "Art. 14 Abs. 2 Buchst. c VO (EU) 2024/2847", Status: law.Unverified, Text: law.Text{
				DE: "Die Maßnahme war vor der Kenntnis verfügbar; die 14 Tage laufen nach dem Wortlaut ab ihrer Verfügbarkeit.",
				EN: "The measure was available before awareness; by the wording, the 14 days run from its availability."}})
		}
	}
	return notes
}

func methodNote(id string) Note {
	m := cat.method[id]
	return Note{Citation: m.Citation, Status: m.Status, Text: m.Explain}
}

func notInForce(r Regime, first Period) Note {
	if r == BSIG {
		st := law.BSIG2025()
		from, _ := law.ParseDate(st.ValidFrom) // validated by package law
		day := from.Format("02.01.2006")
		return Note{Citation: st.Citation, Status: st.Status, Text: law.Text{
			DE: fmt.Sprintf("Kenntniserlangung vor dem %s: die Meldepflichten des BSIG 2025 galten noch nicht (Inkrafttreten UNVERIFIED); es galt das BSIG 2009.", day),
			EN: fmt.Sprintf("Awareness before %s: the BSIG 2025 reporting duties did not apply yet (entry into force UNVERIFIED); BSIG 2009 applied.", day)}}
	}
	from, _ := law.ParseDate(first.ValidFrom) // validated at load
	day := from.Format("02.01.2006")
	return Note{Citation: "Art. 71 Abs. 2, Art. 69 Abs. 3 VO (EU) 2024/2847", Status: law.Unverified, Text: law.Text{
		DE: fmt.Sprintf("Art. 14 CRA gilt erst ab dem %s; für eine Kenntnis davor läuft keine CRA-Meldefrist. Ob eine am %s noch andauernde Ausnutzung oder ein noch andauernder Vorfall ab diesem Tag meldepflichtig wird, ist offen: im Zweifel ab dann melden.", day, day),
		EN: fmt.Sprintf("Art. 14 CRA applies only from %s; no CRA reporting clock runs for awareness before that day. Whether an exploitation or incident still ongoing on %s becomes reportable from that day is open: if in doubt, report from then.", day, day)}}
}

func (in Input) validate() error {
	known := false
	for _, r := range Regimes {
		known = known || in.Regime == r
	}
	if !known {
		return &FieldError{"regime", fmt.Sprintf("%q is not one of bsig, cra-vulnerability, cra-incident", in.Regime)}
	}
	if in.AwareAt.IsZero() {
		return &FieldError{"aware_at", "required"}
	}
	if in.Now.Before(in.AwareAt) {
		return &FieldError{"aware_at", "lies after now"}
	}
	for _, f := range []struct {
		name  string
		t     *time.Time
		after *time.Time
		what  string
	}{
		{"early_warning_at", in.EarlyWarningAt, nil, ""},
		{"notified_at", in.NotifiedAt, nil, ""},
		{"interim_requested_at", in.InterimRequestedAt, nil, ""},
		{"interim_due_at", in.InterimDueAt, in.InterimRequestedAt, "interim_requested_at"},
		{"interim_at", in.InterimAt, in.InterimRequestedAt, "interim_requested_at"},
		{"progress_at", in.ProgressAt, in.NotifiedAt, "notified_at"},
		{"final_at", in.FinalAt, in.NotifiedAt, "notified_at"},
		{"user_informed_at", in.UserInformedAt, nil, ""},
		{"handling_completed_at", in.HandlingCompletedAt, nil, ""},
		{"fix_available_at", in.FixAvailableAt, nil, ""},
	} {
		if f.t == nil {
			continue
		}
		if f.name != "interim_due_at" && f.t.After(in.Now) {
			return &FieldError{f.name, "lies after now; give only events that have happened"}
		}
		if f.name != "fix_available_at" && f.name != "interim_due_at" && f.t.Before(in.AwareAt) {
			return &FieldError{f.name, "lies before aware_at"}
		}
		if f.after != nil && f.t.Before(*f.after) {
			return &FieldError{f.name, "lies before " + f.what}
		}
	}
	if in.InterimDueAt != nil && in.InterimRequestedAt == nil {
		return &FieldError{"interim_due_at", "given without interim_requested_at"}
	}
	if in.InterimAt != nil && in.InterimRequestedAt == nil {
		return &FieldError{"interim_at", "given without interim_requested_at"}
	}
	if in.ProgressAt != nil && !in.IncidentOngoing {
		return &FieldError{"progress_at", "a progress report belongs to an ongoing incident; set incident_ongoing"}
	}
	bsigOnly := []struct {
		name string
		set  bool
	}{
		{"incident_ongoing", in.IncidentOngoing},
		{"handling_completed_at", in.HandlingCompletedAt != nil},
		{"progress_at", in.ProgressAt != nil},
		{"kritis_operator", in.KRITISOperator},
	}
	for _, f := range bsigOnly {
		if f.set && in.Regime != BSIG {
			return &FieldError{f.name, "applies only to regime bsig"}
		}
	}
	if in.MainEstablishment != "" || in.NoEUEstablishment {
		field := "main_establishment"
		if in.NoEUEstablishment {
			field = "no_eu_establishment"
		}
		switch {
		case in.Regime == BSIG:
			return &FieldError{field, "applies only to the cra regimes (Art. 14(7) CRA)"}
		case in.MainEstablishment != "" && in.NoEUEstablishment:
			return &FieldError{"no_eu_establishment", "contradicts main_establishment; give one of them"}
		case in.MainEstablishment != "" && !slices.Contains(memberStates, in.MainEstablishment):
			return &FieldError{"main_establishment", fmt.Sprintf("%q is not an EU member state code (ISO 3166-1 alpha-2, upper case, e.g. DE, FR, IE)", in.MainEstablishment)}
		}
	}
	if in.FixAvailableAt != nil && in.Regime != CRAVulnerability {
		return &FieldError{"fix_available_at", "applies only to regime cra-vulnerability"}
	}
	if in.UserInformedAt != nil && in.Regime == BSIG {
		return &FieldError{"user_informed_at", "applies only to the cra regimes"}
	}
	if in.HandlingCompletedAt != nil && !in.IncidentOngoing && in.Regime == BSIG {
		return &FieldError{"handling_completed_at", "matters only for an incident still ongoing when the final report is due; set incident_ongoing"}
	}
	if in.IncidentOngoing && in.HandlingCompletedAt != nil && in.NotifiedAt != nil {
		if d := PeriodEnd(*in.NotifiedAt, 1, Months); in.HandlingCompletedAt.Before(d) {
			return &FieldError{"incident_ongoing", "contradicts handling_completed_at, which lies before the final report was due"}
		}
	}
	return nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// memberStates are the EU member states by ISO 3166-1 alpha-2 code (Greece
// is GR here, not the EU's own EL).
var memberStates = []string{"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
	"IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}
