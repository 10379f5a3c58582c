package portal

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/pflicht/pflicht/internal/clock"
	"github.com/pflicht/pflicht/internal/facts"
	"github.com/pflicht/pflicht/internal/fines"
	"github.com/pflicht/pflicht/internal/law"
	"github.com/pflicht/pflicht/internal/scope"
	"github.com/pflicht/pflicht/internal/store"
)

// This file turns what the store holds into the inputs of the engines and
// arranges their answers for the pages. It holds no legal rule: deadlines
// come from clock (through facts), classes and obligations from scope,
// offences and fines from fines.

// submitted is one report of an incident as stored.
type submitted struct {
	Stage       string
	SubmittedAt time.Time
	SubmittedBy string // the actor as recorded; pages show Who
	Who         string // the submitter's e-mail address, or the actor if no user
	Content     map[string]string
}

// stageView is a clock stage with what the page adds: the report submitted
// for it and, if overdue or late, the offence and fine exposure.
type stageView struct {
	clock.Stage
	// DueDay is the calendar day (Berlin) a period counted in whole days
	// ends with (Stage.DayEnd): Due is 24:00 of it, shown as "end of DueDay".
	DueDay    string
	Report    *submitted
	Violation *violation
}

// violation is a missed or late report: the offence whose sanctioned norm
// covers the stage (fines.OffenceFor), and the maximum fine fines.Compute
// derives.
type violation struct {
	Offence fines.Offence
	Fine    *fines.Result // nil if the fine could not be computed (FineErr says why)
	FineErr string
}

// incidentClock computes an incident's reporting stages from what is
// stored (facts.ClockInput); the profile gives the §32(3) BSIG content.
func incidentClock(inc store.Incident, reports []store.Report, p store.Profile, now time.Time) (clock.Result, error) {
	return clock.Compute(facts.ClockInput(inc, reports, p, now))
}

// submittedOf reads the stored reports. Content the portal did not write
// (another client of the API) may hold non-string values; those are shown
// as their JSON.
func submittedOf(reps []store.Report) []submitted {
	out := make([]submitted, len(reps))
	for i, r := range reps {
		out[i] = submitted{Stage: r.Stage, SubmittedAt: r.SubmittedAt, SubmittedBy: r.SubmittedBy, Who: r.SubmittedBy, Content: map[string]string{}}
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

// stageViews pairs stages with reports and, for overdue or late stages,
// finds the offence and computes the fine exposure.
func stageViews(res clock.Result, reports []submitted, class scope.Class, turnover *float64, now time.Time) []stageView {
	out := make([]stageView, 0, len(res.Stages))
	for _, st := range res.Stages {
		v := stageView{Stage: st}
		if st.DayEnd && st.Due != nil {
			v.DueDay = st.Due.Add(-time.Nanosecond).In(law.Berlin).Format("02.01.2006")
		}
		for i := range reports {
			if reports[i].Stage == st.Stage {
				v.Report = &reports[i]
				break
			}
		}
		if st.Status == clock.Overdue || st.Status == clock.Late {
			v.Violation = violationFor(st.Citation, class, turnover, now)
		}
		out = append(out, v)
	}
	return out
}

// violationFor returns the offence sanctioning the norm citation names,
// with the maximum fine for the organisation's class and turnover; nil if
// no offence names it (fines.OffenceFor).
func violationFor(citation string, class scope.Class, turnover *float64, now time.Time) *violation {
	o, ok := fines.OffenceFor(citation, now)
	if !ok {
		return nil
	}
	v := &violation{Offence: o}
	c := fines.Case{Offence: o.ID, LegalPerson: true, TurnoverEUR: turnover, AsOf: now}
	if class == scope.BesondersWichtig || class == scope.Wichtig {
		c.EntityClass = string(class)
	}
	r, err := fines.Compute(c)
	if err != nil {
		v.FineErr = err.Error()
	} else {
		v.Fine = &r
	}
	return v
}

// remaining formats a remaining time coarsely ("2 d 3 h 05 min"), negative
// when overdue; the page refreshes, so minutes suffice.
func remaining(d time.Duration) string {
	neg := d < 0
	if neg {
		d = -d
	}
	m := int64(d / time.Minute)
	days, hours, mins := m/(24*60), m/60%24, m%60
	var b strings.Builder
	if neg {
		b.WriteString("−")
	}
	if days > 0 {
		b.WriteString(strconv.FormatInt(days, 10) + " d ")
	}
	b.WriteString(strconv.FormatInt(hours, 10) + " h ")
	if mins < 10 {
		b.WriteByte('0')
	}
	b.WriteString(strconv.FormatInt(mins, 10) + " min")
	return b.String()
}
