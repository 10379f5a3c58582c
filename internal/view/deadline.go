package view

import (
	"fmt"
	"strings"
	"time"

	"github.com/pflicht/pflicht/internal/clock"
	"github.com/pflicht/pflicht/internal/law"
)

// DeadlineRequest is the JSON input of `pflicht deadline` and POST
// /deadline. Times are kept as strings so that a malformed one is reported
// with its field name.
type DeadlineRequest struct {
	Regime              string `json:"regime" enum:"bsig,cra-vulnerability,cra-incident"`
	AwareAt             string `json:"aware_at" format:"date-time" doc:"when the entity or manufacturer became aware"`
	NotifiedAt          string `json:"notified_at,omitempty" format:"date-time" doc:"when the notification (72-hour stage) was submitted"`
	FixAvailableAt      string `json:"fix_available_at,omitempty" format:"date-time" doc:"when a corrective or mitigating measure became available (cra-vulnerability)"`
	EarlyWarningAt      string `json:"early_warning_at,omitempty" format:"date-time"`
	InterimRequestedAt  string `json:"interim_requested_at,omitempty" format:"date-time"`
	InterimDueAt        string `json:"interim_due_at,omitempty" format:"date-time" doc:"the deadline the authority set for the interim report"`
	InterimAt           string `json:"interim_at,omitempty" format:"date-time"`
	ProgressAt          string `json:"progress_at,omitempty" format:"date-time"`
	FinalAt             string `json:"final_at,omitempty" format:"date-time"`
	UserInformedAt      string `json:"user_informed_at,omitempty" format:"date-time"`
	HandlingCompletedAt string `json:"handling_completed_at,omitempty" format:"date-time"`
	IncidentOngoing     bool   `json:"incident_ongoing,omitempty" doc:"the BSIG incident is still ongoing when the final report is due (§32(2))"`
	KRITISOperator      bool   `json:"kritis_operator,omitempty" doc:"adds the §32(3) BSIG content"`
	MainEstablishment   string `json:"main_establishment,omitempty" doc:"member state (ISO 3166-1 alpha-2) of the manufacturer's main establishment in the Union; names the Art. 14(7) CRA end-point"`
	NoEUEstablishment   bool   `json:"no_eu_establishment,omitempty" doc:"the manufacturer has no establishment in the Union (Art. 14(7) CRA)"`
	Now                 string `json:"now,omitempty" format:"date-time" doc:"compute as of this time (default: the server's clock)"`
}

// TimeField is one optional event time of a DeadlineRequest and where it
// goes in the engine's input.
type TimeField struct {
	JSON string                         // the JSON field, e.g. notified_at
	Of   func(*DeadlineRequest) *string // the field in the request
	to   func(*clock.Input) **time.Time
}

// DeadlineTimes are the optional event times, in the order of the stages.
var DeadlineTimes = []TimeField{
	{"notified_at", func(d *DeadlineRequest) *string { return &d.NotifiedAt }, func(in *clock.Input) **time.Time { return &in.NotifiedAt }},
	{"fix_available_at", func(d *DeadlineRequest) *string { return &d.FixAvailableAt }, func(in *clock.Input) **time.Time { return &in.FixAvailableAt }},
	{"early_warning_at", func(d *DeadlineRequest) *string { return &d.EarlyWarningAt }, func(in *clock.Input) **time.Time { return &in.EarlyWarningAt }},
	{"interim_requested_at", func(d *DeadlineRequest) *string { return &d.InterimRequestedAt }, func(in *clock.Input) **time.Time { return &in.InterimRequestedAt }},
	{"interim_due_at", func(d *DeadlineRequest) *string { return &d.InterimDueAt }, func(in *clock.Input) **time.Time { return &in.InterimDueAt }},
	{"interim_at", func(d *DeadlineRequest) *string { return &d.InterimAt }, func(in *clock.Input) **time.Time { return &in.InterimAt }},
	{"progress_at", func(d *DeadlineRequest) *string { return &d.ProgressAt }, func(in *clock.Input) **time.Time { return &in.ProgressAt }},
	{"final_at", func(d *DeadlineRequest) *string { return &d.FinalAt }, func(in *clock.Input) **time.Time { return &in.FinalAt }},
	{"user_informed_at", func(d *DeadlineRequest) *string { return &d.UserInformedAt }, func(in *clock.Input) **time.Time { return &in.UserInformedAt }},
	{"handling_completed_at", func(d *DeadlineRequest) *string { return &d.HandlingCompletedAt }, func(in *clock.Input) **time.Time { return &in.HandlingCompletedAt }},
}

// Input parses the times into the engine's input; now is used unless the
// request gives its own. Errors are *clock.FieldError naming the JSON field.
func (d *DeadlineRequest) Input(now time.Time) (clock.Input, error) {
	in := clock.Input{
		Regime: clock.Regime(strings.TrimSpace(d.Regime)), Now: now,
		IncidentOngoing: d.IncidentOngoing, KRITISOperator: d.KRITISOperator,
		MainEstablishment: strings.TrimSpace(d.MainEstablishment), NoEUEstablishment: d.NoEUEstablishment,
	}
	if in.Regime == "" {
		return in, &clock.FieldError{Field: "regime", Msg: "required: bsig, cra-vulnerability or cra-incident"}
	}
	if d.AwareAt == "" {
		return in, &clock.FieldError{Field: "aware_at", Msg: "required: when the entity or manufacturer became aware (RFC 3339)"}
	}
	var err error
	if in.AwareAt, err = parseInstant("aware_at", d.AwareAt); err != nil {
		return in, err
	}
	if d.Now != "" {
		if in.Now, err = parseInstant("now", d.Now); err != nil {
			return in, err
		}
	}
	for _, tf := range DeadlineTimes {
		s := *tf.Of(d)
		if s == "" {
			continue
		}
		t, err := parseInstant(tf.JSON, s)
		if err != nil {
			return in, err
		}
		*tf.to(&in) = &t
	}
	return in, nil
}

// parseInstant accepts RFC 3339 only: a time without an offset is
// ambiguous. The error is a *clock.FieldError naming field.
func parseInstant(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, &clock.FieldError{Field: field, Msg: fmt.Sprintf("%q is not an RFC 3339 time with offset, e.g. 2026-03-28T10:00:00+01:00", s)}
	}
	return t, nil
}

// Timeline is a reporting clock as `pflicht deadline --json` and the API
// show it: times are RFC 3339 in Europe/Berlin.
type Timeline struct {
	Regime     string      `json:"regime"`
	Now        string      `json:"now" format:"date-time"`
	Applicable bool        `json:"applicable" doc:"false when the rules were not in force on the awareness date; notes say why"`
	Stages     []Stage     `json:"stages"`
	Recipient  []ClockNote `json:"recipient,omitempty" doc:"to whom the reports go (CRA regimes, Art. 14(1), (3), (7))"`
	Notes      []ClockNote `json:"notes"`
}

// Stage is one reporting stage of a Timeline.
type Stage struct {
	Stage      string        `json:"stage"`
	RuleID     string        `json:"rule_id"`
	Title      law.Text      `json:"title"`
	Due        string        `json:"due,omitempty" format:"date-time"`
	DueStatus  string        `json:"due_status,omitempty" enum:"VERIFIED,UNVERIFIED" doc:"how sure due is"`
	DayEnd     bool          `json:"due_is_end_of_day,omitempty"`
	LegalEnd   string        `json:"legal_end,omitempty" format:"date-time" doc:"end under Regulation 1182/71 (CRA), a reading"`
	Trigger    string        `json:"trigger"`
	TriggerAt  string        `json:"trigger_at,omitempty" format:"date-time"`
	Citation   string        `json:"citation"`
	RuleStatus string        `json:"rule_status" enum:"VERIFIED,UNVERIFIED"`
	Status     string        `json:"status" enum:"met,late,due,overdue,waiting,on_request"`
	Submitted  string        `json:"submitted_at,omitempty" format:"date-time"`
	Remaining  *int64        `json:"remaining_seconds,omitempty"`
	Timing     law.Text      `json:"timing"`
	Content    []clock.Field `json:"content" doc:"what the report must contain; fields with a condition are required only where it holds"`
	Note       string        `json:"note,omitempty"`
}

// ClockNote is a recipient or a note of a Timeline.
type ClockNote struct {
	Citation string   `json:"citation"`
	Status   string   `json:"status" enum:"VERIFIED,UNVERIFIED"`
	Text     law.Text `json:"text"`
}

// berlin is t as RFC 3339 in Europe/Berlin; nil is "".
func berlin(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(law.Berlin).Format(time.RFC3339)
}

// NewTimeline is r, computed at now, in its JSON form.
func NewTimeline(r clock.Result, now time.Time) Timeline {
	v := Timeline{Regime: string(r.Regime), Now: berlin(&now), Applicable: r.Applicable, Stages: []Stage{}, Notes: []ClockNote{}}
	for _, s := range r.Stages {
		st := Stage{
			Stage: s.Stage, RuleID: s.RuleID, Title: s.Title, Due: berlin(s.Due), DueStatus: string(s.DueStatus), DayEnd: s.DayEnd,
			LegalEnd: berlin(s.LegalEnd), Trigger: string(s.Trigger), TriggerAt: berlin(s.TriggerAt),
			Citation: s.Citation, RuleStatus: string(s.RuleStatus), Status: string(s.Status),
			Submitted: berlin(s.SubmittedAt), Timing: s.Timing, Content: s.Content, Note: s.Note,
		}
		if s.Remaining != nil {
			secs := int64(s.Remaining.Seconds())
			st.Remaining = &secs
		}
		if st.Content == nil {
			st.Content = []clock.Field{}
		}
		v.Stages = append(v.Stages, st)
	}
	for _, n := range r.Recipient {
		v.Recipient = append(v.Recipient, ClockNote{Citation: n.Citation, Status: string(n.Status), Text: n.Text})
	}
	for _, n := range r.Notes {
		v.Notes = append(v.Notes, ClockNote{Citation: n.Citation, Status: string(n.Status), Text: n.Text})
	}
	return v
}
