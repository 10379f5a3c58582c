package facts

import (
	"time"

	"github.com/pflicht/pflicht/internal/clock"
	"github.com/pflicht/pflicht/internal/store"
)

// ClockInput is what the clock engine needs of a stored incident: its
// events, the submission time of the first report of each stage, and from
// the organisation's profile whether it operates a critical installation
// (§32(3) BSIG content). now is raised to the latest instant on record (the
// awareness, the report stamps, the recorded events): each was checked
// against, or stamped by, the clock of the server that wrote it, which may
// run ahead of this one's, and what is on record has happened.
//
// Events not recorded are read from the reports that presuppose them: an
// interim report answers a request (§32(1) Nr. 3 BSIG, Art. 14(6) CRA), a
// progress report states that the BSIG incident is still ongoing (§32(2)
// S. 1), and a final report after it marks the final handling (§32(2) S. 2).
//
// The Art. 14(7) CRA end-point is left to the engine's rule (no member
// state given): the profile's main establishment is the §60(2) BSIG one,
// whose test (where decisions on risk-management measures are taken) is
// not the CRA's (where decisions on the cybersecurity of the products are
// taken), and the profile holds no CRA establishment of its own.
func ClockInput(inc store.Incident, reports []store.Report, p store.Profile, now time.Time) clock.Input {
	later := func(t *time.Time) {
		if t != nil && t.After(now) {
			now = *t
		}
	}
	later(&inc.AwareAt)
	for _, r := range reports {
		later(&r.SubmittedAt)
	}
	later(inc.FixAvailableAt)
	later(inc.InterimRequestedAt)
	later(inc.HandlingCompletedAt)
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
	in.FinalAt = first("final")
	in.InterimRequestedAt, in.InterimDueAt = inc.InterimRequestedAt, inc.InterimDueAt
	if in.InterimRequestedAt == nil {
		in.InterimRequestedAt = in.InterimAt
	}
	// Recorded events go to the engine whatever the regime, so one that
	// does not belong to it is refused there, not ignored here.
	in.FixAvailableAt = inc.FixAvailableAt
	in.IncidentOngoing = inc.Ongoing
	in.HandlingCompletedAt = inc.HandlingCompletedAt
	if in.Regime != clock.BSIG {
		in.UserInformedAt = first("user_information")
		return in
	}
	in.KRITISOperator = yes(p.KRITISOperator)
	in.ProgressAt = first("progress")
	in.IncidentOngoing = in.IncidentOngoing || in.ProgressAt != nil
	if in.IncidentOngoing && in.HandlingCompletedAt == nil {
		in.HandlingCompletedAt = in.FinalAt
	}
	return in
}

// NextStage is the stage due soonest among those not yet reported that
// have a due instant (nil if none): what the dashboard and the supervisor's
// feed show of an incident.
func NextStage(res clock.Result) *clock.Stage {
	var best *clock.Stage
	for i := range res.Stages {
		st := &res.Stages[i]
		if st.Due == nil || st.SubmittedAt != nil {
			continue
		}
		if best == nil || st.Due.Before(*best.Due) {
			best = st
		}
	}
	return best
}

// NextDue is the store's store.NextDueFunc: the due instant of NextStage.
// The profile does not move any due instant, so none is needed.
func NextDue(inc store.Incident, reports []store.Report, now time.Time) (*time.Time, error) {
	res, err := clock.Compute(ClockInput(inc, reports, store.Profile{}, now))
	if err != nil {
		return nil, err
	}
	if st := NextStage(res); st != nil {
		return st.Due, nil
	}
	return nil, nil
}
