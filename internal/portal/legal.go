package portal

import (
	"strconv"
	"strings"
	"time"

	"github.com/pflicht/pflicht/internal/clock"
	"github.com/pflicht/pflicht/internal/fines"
	"github.com/pflicht/pflicht/internal/scope"
)

// This file turns what the store holds into the inputs of the engines and
// arranges their answers for the pages. It holds no legal rule: deadlines
// come from clock, classes and obligations from scope, fines from fines.

// submitted is one report of an incident as stored.
type submitted struct {
	Stage       string
	SubmittedAt time.Time
	SubmittedBy string
	Content     map[string]string
}

// stageView is a clock stage with what the page adds: the report submitted
// for it and, if overdue or late, the offence and fine exposure.
type stageView struct {
	clock.Stage
	Report    *submitted
	Violation *violation
}

// violation is a missed or late report: the §65 offence whose sanctioned
// norm covers the stage, and the maximum fine fines.Compute derives.
type violation struct {
	Offence fines.Offence
	Fine    *fines.Result // nil if the fine could not be computed (FineErr says why)
	FineErr string
}

// incidentClock computes the reporting stages of a BSIG incident. A
// submitted progress report tells that the incident was still ongoing at
// the point of §32(1) Nr. 4 (§32(2) S.1); until then clock shows the final
// report and its note explains the alternative.
//
// The store stamps reports with its own clock; should that run ahead of
// this server's (another app server), now is taken to be at least the last
// stamp, so a stamped report is never "in the future".
func incidentClock(regime clock.Regime, awareAt time.Time, reports []submitted, kritis bool, now time.Time) (clock.Result, error) {
	for _, r := range reports {
		if r.SubmittedAt.After(now) {
			now = r.SubmittedAt
		}
	}
	in := clock.Input{Regime: regime, AwareAt: awareAt, Now: now, KRITISOperator: kritis && regime == clock.BSIG}
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
	in.FinalAt = first("final")
	if regime == clock.BSIG {
		in.ProgressAt = first("progress")
		in.IncidentOngoing = in.ProgressAt != nil
		if in.IncidentOngoing {
			// After a progress report the final report is owed after final
			// handling; its submission marks that handling as completed.
			in.HandlingCompletedAt = in.FinalAt
		}
		if in.InterimAt != nil {
			// An interim report is only ever made on request; the request
			// came at the latest with it.
			in.InterimRequestedAt = in.InterimAt
		}
	} else {
		in.UserInformedAt = first("user_information")
		if in.InterimAt != nil {
			in.InterimRequestedAt = in.InterimAt
		}
	}
	return clock.Compute(in)
}

// stageViews pairs stages with reports and, for overdue or late stages,
// finds the offence and computes the fine exposure.
func stageViews(res clock.Result, reports []submitted, class scope.Class, turnover *float64, now time.Time) []stageView {
	out := make([]stageView, 0, len(res.Stages))
	for _, st := range res.Stages {
		v := stageView{Stage: st}
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

// violationFor returns the offence of the fine catalogue whose sanctioned
// norm covers citation ("§ 32 Abs. 1 Satz 1 BSIG" covers "§ 32 Abs. 1
// Satz 1 Nr. 2 BSIG"), with the maximum fine; nil if no offence names it.
// Only catalogue entries that sanction exactly one norm are matched, so a
// list of norms never yields a wrong offence, at worst none.
func violationFor(citation string, class scope.Class, turnover *float64, now time.Time) *violation {
	for _, o := range fines.Offences(now) {
		norm, ok := strings.CutSuffix(o.Sanctions, " BSIG")
		if !ok || strings.ContainsAny(norm, ",") || strings.Contains(norm, " oder ") {
			continue
		}
		if citation != o.Sanctions && !strings.HasPrefix(citation, norm+" ") {
			continue
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
	return nil
}

// nextDue is the earliest open deadline of an incident, for the dashboard.
func nextDue(res clock.Result) *clock.Stage {
	var best *clock.Stage
	for i := range res.Stages {
		st := &res.Stages[i]
		if st.Due == nil || (st.Status != clock.Due && st.Status != clock.Overdue) {
			continue
		}
		if best == nil || st.Due.Before(*best.Due) {
			best = st
		}
	}
	return best
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
