package facts

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pflicht/pflicht/internal/clock"
	"github.com/pflicht/pflicht/internal/store"
)

func TestClockInput(t *testing.T) {
	aware := time.Date(2026, 10, 5, 8, 0, 0, 0, time.UTC)
	at := func(h int) *time.Time { v := aware.Add(time.Duration(h) * time.Hour); return &v }
	now := *at(100)
	rep := func(stage string, h int) store.Report { return store.Report{Stage: stage, SubmittedAt: *at(h)} }
	inc := func(r store.Regime, ev store.IncidentEvents) store.Incident {
		return store.Incident{Regime: r, AwareAt: aware, IncidentEvents: ev}
	}
	kritis := store.Profile{KRITISOperator: ptr(true)}
	tests := []struct {
		name    string
		inc     store.Incident
		reports []store.Report
		profile store.Profile
		now     time.Time
		want    clock.Input
	}{
		{"bsig, nothing reported", inc(store.RegimeBSIG, store.IncidentEvents{}), nil, store.Profile{}, now,
			clock.Input{Regime: clock.BSIG, AwareAt: aware, Now: now}},
		{"bsig stages, first report of a stage counts", inc(store.RegimeBSIG, store.IncidentEvents{}),
			[]store.Report{rep("early_warning", 2), rep("notification", 50), rep("early_warning", 60)}, kritis, now,
			clock.Input{Regime: clock.BSIG, AwareAt: aware, Now: now, EarlyWarningAt: at(2), NotifiedAt: at(50), KRITISOperator: true}},
		{"interim request recorded by the authority", inc(store.RegimeBSIG, store.IncidentEvents{InterimRequestedAt: at(10), InterimDueAt: at(40)}),
			[]store.Report{rep("interim", 30)}, store.Profile{}, now,
			clock.Input{Regime: clock.BSIG, AwareAt: aware, Now: now, InterimRequestedAt: at(10), InterimDueAt: at(40), InterimAt: at(30)}},
		{"interim report presupposes a request", inc(store.RegimeCRAIncident, store.IncidentEvents{}),
			[]store.Report{rep("interim", 30)}, kritis, now,
			clock.Input{Regime: clock.CRAIncident, AwareAt: aware, Now: now, InterimRequestedAt: at(30), InterimAt: at(30)}},
		{"ongoing stated, handling completed", inc(store.RegimeBSIG, store.IncidentEvents{Ongoing: true, HandlingCompletedAt: at(1000)}),
			[]store.Report{rep("notification", 5)}, store.Profile{}, *at(2000),
			clock.Input{Regime: clock.BSIG, AwareAt: aware, Now: *at(2000), NotifiedAt: at(5), IncidentOngoing: true, HandlingCompletedAt: at(1000)}},
		{"progress report: ongoing; final report marks the handling", inc(store.RegimeBSIG, store.IncidentEvents{}),
			[]store.Report{rep("notification", 5), rep("progress", 700), rep("final", 1000)}, store.Profile{}, *at(2000),
			clock.Input{Regime: clock.BSIG, AwareAt: aware, Now: *at(2000), NotifiedAt: at(5), ProgressAt: at(700), FinalAt: at(1000),
				IncidentOngoing: true, HandlingCompletedAt: at(1000)}},
		{"final report without ongoing is no handling event", inc(store.RegimeBSIG, store.IncidentEvents{}),
			[]store.Report{rep("notification", 5), rep("final", 95)}, store.Profile{}, now,
			clock.Input{Regime: clock.BSIG, AwareAt: aware, Now: now, NotifiedAt: at(5), FinalAt: at(95)}},
		{"cra vulnerability: fix and users informed; no KRITIS", inc(store.RegimeCRAVulnerability, store.IncidentEvents{FixAvailableAt: at(-5)}),
			[]store.Report{rep("user_information", 3)}, kritis, now,
			clock.Input{Regime: clock.CRAVulnerability, AwareAt: aware, Now: now, FixAvailableAt: at(-5), UserInformedAt: at(3)}},
		{"now raised to the latest report stamp", inc(store.RegimeBSIG, store.IncidentEvents{}),
			[]store.Report{rep("early_warning", 120)}, store.Profile{}, now,
			clock.Input{Regime: clock.BSIG, AwareAt: aware, Now: *at(120), EarlyWarningAt: at(120)}},
		{"now raised to the latest event", inc(store.RegimeCRAVulnerability, store.IncidentEvents{FixAvailableAt: at(130)}),
			nil, store.Profile{}, now,
			clock.Input{Regime: clock.CRAVulnerability, AwareAt: aware, Now: *at(130), FixAvailableAt: at(130)}},
		{"now raised to the awareness", inc(store.RegimeBSIG, store.IncidentEvents{}), nil, store.Profile{}, *at(-2),
			clock.Input{Regime: clock.BSIG, AwareAt: aware, Now: aware}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ClockInput(tt.inc, tt.reports, tt.profile, tt.now)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ClockInput (-want +got):\n%s", diff)
			}
			if _, err := clock.Compute(got); err != nil {
				t.Errorf("clock.Compute: %v", err)
			}
		})
	}
}

func TestNextDue(t *testing.T) {
	aware := time.Date(2026, 10, 5, 8, 0, 0, 0, time.UTC)
	at := func(h int) *time.Time { v := aware.Add(time.Duration(h) * time.Hour); return &v }
	rep := func(stage string, h int) store.Report { return store.Report{Stage: stage, SubmittedAt: *at(h)} }
	tests := []struct {
		name    string
		inc     store.Incident
		reports []store.Report
		now     time.Time
		want    *time.Time
		wantErr bool
	}{
		{"bsig: early warning first", store.Incident{Regime: store.RegimeBSIG, AwareAt: aware}, nil, *at(1), at(24), false},
		{"bsig: still the early warning once overdue", store.Incident{Regime: store.RegimeBSIG, AwareAt: aware}, nil, *at(30), at(24), false},
		{"bsig: then the notification", store.Incident{Regime: store.RegimeBSIG, AwareAt: aware},
			[]store.Report{rep("early_warning", 3)}, *at(4), at(72), false},
		{"bsig: final one month after the notification (end of day, Berlin)", store.Incident{Regime: store.RegimeBSIG, AwareAt: aware},
			[]store.Report{rep("early_warning", 3), rep("notification", 10)}, *at(11),
			ptr(time.Date(2026, 11, 5, 23, 0, 0, 0, time.UTC)), false},
		{"bsig: the authority's date for the interim report comes first",
			store.Incident{Regime: store.RegimeBSIG, AwareAt: aware, IncidentEvents: store.IncidentEvents{InterimRequestedAt: at(12), InterimDueAt: at(48)}},
			[]store.Report{rep("early_warning", 3), rep("notification", 10)}, *at(13), at(48), false},
		{"bsig: ongoing; final after handling has no fixed period",
			store.Incident{Regime: store.RegimeBSIG, AwareAt: aware, IncidentEvents: store.IncidentEvents{Ongoing: true}},
			[]store.Report{rep("early_warning", 3), rep("notification", 10), rep("progress", 20)}, *at(21), nil, false},
		{"cra vulnerability: final 14 days after the fix",
			store.Incident{Regime: store.RegimeCRAVulnerability, AwareAt: aware, IncidentEvents: store.IncidentEvents{FixAvailableAt: at(30)}},
			[]store.Report{rep("early_warning", 3), rep("notification", 10)}, *at(31), at(30 + 14*24), false},
		{"everything reported", store.Incident{Regime: store.RegimeCRAIncident, AwareAt: aware},
			[]store.Report{rep("early_warning", 3), rep("notification", 10), rep("final", 40)}, *at(41), nil, false},
		{"contradiction: fix of a bsig incident",
			store.Incident{Regime: store.RegimeBSIG, AwareAt: aware, IncidentEvents: store.IncidentEvents{FixAvailableAt: at(30)}},
			nil, *at(31), nil, true},
		{"contradiction: ongoing cra incident",
			store.Incident{Regime: store.RegimeCRAIncident, AwareAt: aware, IncidentEvents: store.IncidentEvents{Ongoing: true}},
			nil, *at(31), nil, true},
		{"contradiction: handling before the final report was due",
			store.Incident{Regime: store.RegimeBSIG, AwareAt: aware, IncidentEvents: store.IncidentEvents{Ongoing: true, HandlingCompletedAt: at(40)}},
			[]store.Report{rep("notification", 10)}, *at(50), nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NextDue(tt.inc, tt.reports, tt.now)
			if (err != nil) != tt.wantErr {
				t.Fatalf("NextDue error = %v, want error %v", err, tt.wantErr)
			}
			if !(got == nil && tt.want == nil || got != nil && tt.want != nil && got.Equal(*tt.want)) {
				t.Errorf("NextDue = %v, want %v", got, tt.want)
			}
		})
	}
}
