package clock

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/law"
)

func at(t testing.TB, s string) *time.Time {
	t.Helper()
	v := berlin(t, s)
	return &v
}

// stageOf returns the stage with the given rule id, failing the test if absent.
func stageOf(t *testing.T, r Result, ruleID string) Stage {
	t.Helper()
	for _, s := range r.Stages {
		if s.RuleID == ruleID {
			return s
		}
	}
	t.Fatalf("no stage %s in %+v", ruleID, r.Stages)
	return Stage{}
}

func mustCompute(t *testing.T, in Input) Result {
	t.Helper()
	r, err := Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// stageCase is one row of the per-norm tables: an input, the stage to look
// at, and its expected due instant (Berlin wall clock, "" = nil) and status.
type stageCase struct {
	name   string
	in     Input
	due    string
	status Status
}

func runStageCases(t *testing.T, ruleID string, cases []stageCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := stageOf(t, mustCompute(t, tc.in), ruleID)
			switch {
			case tc.due == "" && s.Due != nil:
				t.Errorf("due = %s, want none", s.Due.In(law.Berlin))
			case tc.due != "" && (s.Due == nil || !s.Due.Equal(berlin(t, tc.due))):
				t.Errorf("due = %v, want %s", s.Due, tc.due)
			}
			if s.Status != tc.status {
				t.Errorf("status = %s, want %s", s.Status, tc.status)
			}
			if s.Due != nil && s.Due.Location() != time.UTC {
				t.Errorf("due not in UTC: %s", s.Due.Location())
			}
		})
	}
}

func bsig(t testing.TB, aware, now string) Input {
	return Input{Regime: BSIG, AwareAt: berlin(t, aware), Now: berlin(t, now)}
}

func with(in Input, f func(*Input)) Input { f(&in); return in }

func TestBSIG_32_Abs1_Nr1(t *testing.T) {
	runStageCases(t, "bsig.32.1.1", []stageCase{
		{"due", bsig(t, "2026-05-05 10:00", "2026-05-05 12:00"), "2026-05-06 10:00", Due},
		{"overdue", bsig(t, "2026-05-05 10:00", "2026-05-06 10:00"), "2026-05-06 10:00", Overdue},
		{"met", with(bsig(t, "2026-05-05 10:00", "2026-05-07 10:00"), func(in *Input) { in.EarlyWarningAt = at(t, "2026-05-06 09:59") }), "2026-05-06 10:00", Met},
		{"met at the last instant", with(bsig(t, "2026-05-05 10:00", "2026-05-07 10:00"), func(in *Input) { in.EarlyWarningAt = at(t, "2026-05-06 10:00") }), "2026-05-06 10:00", Met},
		{"late", with(bsig(t, "2026-05-05 10:00", "2026-05-07 10:00"), func(in *Input) { in.EarlyWarningAt = at(t, "2026-05-06 10:01") }), "2026-05-06 10:00", Late},
		// 24 h of elapsed time across 29 March 2026 (02:00 -> 03:00) end at 11:00.
		{"spring DST", bsig(t, "2026-03-28 10:00", "2026-03-28 11:00"), "2026-03-29 11:00", Due},
		// ... and across 25 October 2026 (03:00 -> 02:00) at 09:00.
		{"autumn DST", bsig(t, "2026-10-24 10:00", "2026-10-24 11:00"), "2026-10-25 09:00", Due},
	})
}

func TestBSIG_32_Abs1_Nr2(t *testing.T) {
	runStageCases(t, "bsig.32.1.2", []stageCase{
		{"due", bsig(t, "2026-05-05 10:00", "2026-05-05 12:00"), "2026-05-08 10:00", Due},
		{"spring DST", bsig(t, "2026-03-27 23:30", "2026-03-28 00:00"), "2026-03-31 00:30", Due},
		{"met", with(bsig(t, "2026-05-05 10:00", "2026-05-20 10:00"), func(in *Input) { in.NotifiedAt = at(t, "2026-05-07 10:00") }), "2026-05-08 10:00", Met},
		{"overdue", bsig(t, "2026-05-05 10:00", "2026-05-09 10:00"), "2026-05-08 10:00", Overdue},
	})
}

func TestBSIG_32_Abs1_Nr3(t *testing.T) {
	runStageCases(t, "bsig.32.1.3", []stageCase{
		{"not requested", bsig(t, "2026-05-05 10:00", "2026-05-06 10:00"), "", OnRequest},
		{"requested without date", with(bsig(t, "2026-05-05 10:00", "2026-05-10 10:00"), func(in *Input) { in.InterimRequestedAt = at(t, "2026-05-09 10:00") }), "", Due},
		{"requested with date", with(bsig(t, "2026-05-05 10:00", "2026-05-10 10:00"), func(in *Input) {
			in.InterimRequestedAt = at(t, "2026-05-09 10:00")
			in.InterimDueAt = at(t, "2026-05-12 12:00")
		}), "2026-05-12 12:00", Due},
		{"submitted", with(bsig(t, "2026-05-05 10:00", "2026-05-13 10:00"), func(in *Input) {
			in.InterimRequestedAt = at(t, "2026-05-09 10:00")
			in.InterimDueAt = at(t, "2026-05-12 12:00")
			in.InterimAt = at(t, "2026-05-12 11:00")
		}), "2026-05-12 12:00", Met},
	})
}

func TestBSIG_32_Abs1_Nr4(t *testing.T) {
	notified := func(aware, notified, now string) Input {
		return with(bsig(t, aware, now), func(in *Input) { in.NotifiedAt = at(t, notified) })
	}
	runStageCases(t, "bsig.32.1.4", []stageCase{
		{"waiting for the notification", bsig(t, "2026-01-28 10:00", "2026-01-29 10:00"), "", Waiting},
		// Counted from the submission on 31 Jan, not from awareness on 28 Jan:
		// ends at the end of 28 Feb (§188(3) BGB).
		{"Jan 31 ends Feb 28", notified("2026-01-28 10:00", "2026-01-31 09:00", "2026-02-01 10:00"), "2026-03-01 00:00", Due},
		{"leap year: Jan 31 ends Feb 29", notified("2028-01-29 10:00", "2028-01-31 09:00", "2028-02-01 10:00"), "2028-03-01 00:00", Due},
		{"leap day", notified("2028-02-27 10:00", "2028-02-29 09:00", "2028-03-01 10:00"), "2028-03-30 00:00", Due},
		{"Dec 31", notified("2026-12-29 10:00", "2026-12-31 23:00", "2027-01-01 10:00"), "2027-02-01 00:00", Due},
		{"overdue on the next day", notified("2026-01-28 10:00", "2026-01-31 09:00", "2026-03-01 00:00"), "2026-03-01 00:00", Overdue},
		{"met on the last day", with(notified("2026-01-28 10:00", "2026-01-31 09:00", "2026-03-05 00:00"), func(in *Input) { in.FinalAt = at(t, "2026-02-28 23:59") }), "2026-03-01 00:00", Met},
		// §193 BGB not applied: 28 Feb 2026 is a Saturday and is not extended.
		{"Saturday not extended", notified("2026-01-28 10:00", "2026-01-31 09:00", "2026-03-02 09:00"), "2026-03-01 00:00", Overdue},
	})
}

func TestBSIG_32_Abs2(t *testing.T) {
	ongoing := with(bsig(t, "2026-05-05 10:00", "2026-06-10 10:00"), func(in *Input) {
		in.NotifiedAt = at(t, "2026-05-07 10:00")
		in.IncidentOngoing = true
	})
	r := mustCompute(t, ongoing)
	for _, s := range r.Stages {
		if s.RuleID == "bsig.32.1.4" {
			t.Errorf("final report under Nr. 4 listed for an ongoing incident")
		}
	}
	runStageCases(t, "bsig.32.2.1", []stageCase{
		{"progress report due with the Nr. 4 date", ongoing, "2026-06-08 00:00", Overdue},
		{"progress report met", with(ongoing, func(in *Input) { in.ProgressAt = at(t, "2026-06-07 10:00") }), "2026-06-08 00:00", Met},
	})
	runStageCases(t, "bsig.32.2.2", []stageCase{
		{"final report waits for final handling", ongoing, "", Waiting},
		{"due after handling, no fixed period", with(ongoing, func(in *Input) { in.HandlingCompletedAt = at(t, "2026-06-09 10:00") }), "", Due},
		{"met", with(ongoing, func(in *Input) {
			in.HandlingCompletedAt = at(t, "2026-06-09 10:00")
			in.FinalAt = at(t, "2026-06-10 09:00")
		}), "", Met},
	})
	if notes := fmtNotes(mustCompute(t, bsig(t, "2026-05-05 10:00", "2026-05-06 10:00")).Notes); !strings.Contains(notes, "§ 32 Abs. 2 BSIG") {
		t.Errorf("no §32(2) hint for an incident not marked ongoing: %s", notes)
	}
}

func TestBSIG_32_Abs3(t *testing.T) {
	in := bsig(t, "2026-05-05 10:00", "2026-05-05 11:00")
	plain := stageOf(t, mustCompute(t, in), "bsig.32.1.2")
	in.KRITISOperator = true
	kritis := stageOf(t, mustCompute(t, in), "bsig.32.1.2")
	if len(kritis.Content)-len(plain.Content) != 3 {
		t.Fatalf("KRITIS operator content %d fields, others %d; want 3 more", len(kritis.Content), len(plain.Content))
	}
	for _, f := range plain.Content {
		if f.Condition == KRITISOperator {
			t.Errorf("§32(3) field %s asked of a non-KRITIS entity", f.ID)
		}
	}
}

func TestBSIG_2025_InForce(t *testing.T) {
	r := mustCompute(t, bsig(t, "2025-12-05 23:00", "2025-12-06 10:00"))
	if r.Applicable || len(r.Stages) != 0 || !strings.Contains(fmtNotes(r.Notes), "BSIG 2009") {
		t.Errorf("awareness before 2025-12-06: %+v", r)
	}
	if r := mustCompute(t, bsig(t, "2025-12-06 00:00", "2025-12-06 10:00")); !r.Applicable {
		t.Errorf("awareness on 2025-12-06 not applicable")
	}
}

// TestBSIG_2025_DueStatus: due instants rest on the counting method
// (UNVERIFIED) and, until the entry into force is settled by §66 on
// 16.03.2026, on the assumed first day; the stage entries themselves are
// VERIFIED.
func TestBSIG_2025_DueStatus(t *testing.T) {
	for _, tc := range []struct {
		aware     string
		statuteIn bool // the note on the assumed entry into force is shown
	}{
		{"2026-03-15 10:00", true},
		{"2026-03-16 00:00", false},
		{"2026-05-05 10:00", false},
	} {
		r := mustCompute(t, bsig(t, tc.aware, "2026-05-20 10:00"))
		for _, s := range r.Stages {
			if s.Due != nil && s.DueStatus != law.Unverified {
				t.Errorf("aware %s: %s due_status %q, want UNVERIFIED", tc.aware, s.RuleID, s.DueStatus)
			}
			if s.Due == nil && s.DueStatus != "" {
				t.Errorf("aware %s: %s has due_status %q without a due instant", tc.aware, s.RuleID, s.DueStatus)
			}
		}
		if s := stageOf(t, r, "bsig.32.1.1"); s.RuleStatus != law.Verified {
			t.Errorf("bsig.32.1.1 rule status %s, want VERIFIED", s.RuleStatus)
		}
		notes := fmtNotes(r.Notes)
		if got := strings.Contains(notes, law.BSIG2025().Citation); got != tc.statuteIn {
			t.Errorf("aware %s: note on the entry into force shown %v, want %v", tc.aware, got, tc.statuteIn)
		}
		if !strings.Contains(notes, cat.method[methodElapsed].Citation) {
			t.Errorf("aware %s: hour-period method not named", tc.aware)
		}
	}
}

// TestMethod: every counting has its method rule, and the clock's hour
// periods are not labelled as BGB periods.
func TestMethod(t *testing.T) {
	for c, id := range map[Counting]string{CountElapsed: methodElapsed, CountBGB: methodBGB, CountEU: methodEU} {
		if m := Method(c); m.ID != id {
			t.Errorf("Method(%s) = %s, want %s", c, m.ID, id)
		}
	}
	for _, p := range cat.periods {
		if l := p.Length; l != nil && l.Unit == Hours && l.Counting == CountBGB {
			t.Errorf("%s: hour period labelled bgb", p.ID)
		}
	}
}

func TestBGB_193_NotApplied(t *testing.T) {
	notes := fmtNotes(mustCompute(t, bsig(t, "2026-05-05 10:00", "2026-05-06 10:00")).Notes)
	if !strings.Contains(notes, "§ 193 BGB") {
		t.Errorf("result does not say that §193 BGB is not applied: %s", notes)
	}
}

func cra(t testing.TB, r Regime, aware, now string) Input {
	return Input{Regime: r, AwareAt: berlin(t, aware), Now: berlin(t, now)}
}

func TestCRA_Art14_Abs2(t *testing.T) {
	fixed := func(fix, now string) Input {
		return with(cra(t, CRAVulnerability, "2026-10-01 10:17", now), func(in *Input) { in.FixAvailableAt = at(t, fix) })
	}
	runStageCases(t, "cra.14.2.a", []stageCase{
		{"24 h", cra(t, CRAVulnerability, "2026-10-01 10:17", "2026-10-01 11:00"), "2026-10-02 10:17", Due},
		{"autumn DST", cra(t, CRAVulnerability, "2026-10-24 10:00", "2026-10-24 11:00"), "2026-10-25 09:00", Due},
	})
	runStageCases(t, "cra.14.2.b", []stageCase{
		{"72 h", cra(t, CRAVulnerability, "2026-10-01 10:17", "2026-10-01 11:00"), "2026-10-04 10:17", Due},
	})
	runStageCases(t, "cra.14.2.c", []stageCase{
		{"waiting for a fix", cra(t, CRAVulnerability, "2026-10-01 10:17", "2026-10-01 11:00"), "", Waiting},
		// 14 × 24 h after the fix, not after awareness; across the autumn
		// change the Berlin wall clock shows one hour less.
		{"14 days after the fix", fixed("2026-10-20 15:00", "2026-10-21 10:00"), "2026-11-03 14:00", Due},
		{"overdue", fixed("2026-10-05 15:00", "2026-10-20 10:00"), "2026-10-19 15:00", Overdue},
	})
	s := stageOf(t, mustCompute(t, fixed("2026-10-05 15:00", "2026-10-06 10:00")), "cra.14.2.c")
	// 1182/71: 14 days after Mon 5 Oct end at the end of Mon 19 Oct.
	if want := berlin(t, "2026-10-20 00:00"); s.LegalEnd == nil || !s.LegalEnd.Equal(want) {
		t.Errorf("legal end = %v, want %s", s.LegalEnd, want)
	}
}

func TestCRA_Art14_Abs4(t *testing.T) {
	notified := func(n, now string) Input {
		return with(cra(t, CRAIncident, "2026-12-30 10:00", now), func(in *Input) { in.NotifiedAt = at(t, n) })
	}
	runStageCases(t, "cra.14.4.a", []stageCase{{"24 h", cra(t, CRAIncident, "2026-12-30 10:00", "2026-12-30 11:00"), "2026-12-31 10:00", Due}})
	runStageCases(t, "cra.14.4.b", []stageCase{{"72 h", cra(t, CRAIncident, "2026-12-30 10:00", "2026-12-30 11:00"), "2027-01-02 10:00", Due}})
	runStageCases(t, "cra.14.4.c", []stageCase{
		{"waiting for the notification", cra(t, CRAIncident, "2026-12-30 10:00", "2026-12-30 11:00"), "", Waiting},
		{"Dec 31 + 1 month", notified("2026-12-31 09:00", "2027-01-01 10:00"), "2027-01-31 09:00", Due},
		{"Jan 31 clamps to Feb 28", with(cra(t, CRAIncident, "2027-01-30 10:00", "2027-02-01 10:00"), func(in *Input) { in.NotifiedAt = at(t, "2027-01-31 09:00") }), "2027-02-28 09:00", Due},
		{"leap year", with(cra(t, CRAIncident, "2028-01-30 10:00", "2028-02-01 10:00"), func(in *Input) { in.NotifiedAt = at(t, "2028-01-31 09:00") }), "2028-02-29 09:00", Due},
		{"met", with(notified("2026-12-31 09:00", "2027-02-10 10:00"), func(in *Input) { in.FinalAt = at(t, "2027-01-30 10:00") }), "2027-01-31 09:00", Met},
	})
	// 1182/71: one month after 31 Dec ends at the end of 31 Jan 2027, a Sunday,
	// so with Art. 3(4) at the end of Monday 1 Feb.
	s := stageOf(t, mustCompute(t, notified("2026-12-31 09:00", "2027-01-01 10:00")), "cra.14.4.c")
	if want := berlin(t, "2027-02-02 00:00"); s.LegalEnd == nil || !s.LegalEnd.Equal(want) {
		t.Errorf("legal end = %v, want %s", s.LegalEnd, want)
	}
}

func TestCRA_Art14_Abs6(t *testing.T) {
	for _, r := range []Regime{CRAVulnerability, CRAIncident} {
		runStageCases(t, "cra.14.6."+strings.TrimPrefix(string(r), "cra-"), []stageCase{
			{string(r) + " on request", cra(t, r, "2026-10-01 10:00", "2026-10-02 10:00"), "", OnRequest},
		})
	}
}

func TestCRA_Art14_Abs8(t *testing.T) {
	runStageCases(t, "cra.14.8.incident", []stageCase{
		{"owed, no fixed period", cra(t, CRAIncident, "2026-10-01 10:00", "2026-10-02 10:00"), "", Due},
		{"informed", with(cra(t, CRAIncident, "2026-10-01 10:00", "2026-10-03 10:00"), func(in *Input) { in.UserInformedAt = at(t, "2026-10-02 10:00") }), "", Met},
	})
}

func TestCRA_Art71_Abs2(t *testing.T) {
	r := mustCompute(t, cra(t, CRAVulnerability, "2026-09-10 23:59", "2026-09-11 10:00"))
	if r.Applicable || len(r.Stages) != 0 || !strings.Contains(fmtNotes(r.Notes), "11.09.2026") {
		t.Errorf("awareness before 2026-09-11: %+v", r)
	}
	if r := mustCompute(t, cra(t, CRAIncident, "2026-09-11 00:00", "2026-09-11 10:00")); !r.Applicable || len(r.Stages) == 0 {
		t.Errorf("awareness on 2026-09-11 not applicable: %+v", r)
	}
}

func recipient(r Result) string { return fmtNotes(r.Recipient) }

// TestCRA_Art14_Abs7: reports go simultaneously to the coordinator CSIRT and
// ENISA through the single reporting platform, at the end-point of the
// CSIRT of the main establishment's member state, or, without an EU
// establishment, of the member state in the order (a)-(d).
func TestCRA_Art14_Abs7(t *testing.T) {
	base := cra(t, CRAVulnerability, "2026-10-01 10:00", "2026-10-02 10:00")
	for _, tc := range []struct {
		name         string
		in           Input
		want, absent []string
	}{
		{"unknown: the rule and the order", base,
			[]string{"ENISA", "single reporting platform", "main establishment", "authorised representative"}, []string{"{ms}"}},
		{"main establishment in Ireland", with(base, func(in *Input) { in.MainEstablishment = "IE" }),
			[]string{"ENISA", "coordinator CSIRT of IE"}, []string{"authorised representative", "{ms}"}},
		{"no EU establishment", with(base, func(in *Input) { in.NoEUEstablishment = true }),
			[]string{"ENISA", "(a) that of the authorised representative", "(b) that of the importer", "(c) that of the distributor", "(d) the member state with the highest number of users"},
			[]string{"Give main_establishment"}},
	} {
		got := recipient(mustCompute(t, tc.in))
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: recipient lacks %q:\n%s", tc.name, w, got)
			}
		}
		for _, w := range tc.absent {
			if strings.Contains(got, w) {
				t.Errorf("%s: recipient has %q:\n%s", tc.name, w, got)
			}
		}
	}
	if r := mustCompute(t, bsig(t, "2026-05-05 10:00", "2026-05-06 10:00")); r.Recipient != nil {
		t.Errorf("bsig has a CRA recipient: %v", r.Recipient)
	}
	if r := mustCompute(t, cra(t, CRAIncident, "2026-09-10 10:00", "2026-09-11 10:00")); r.Recipient != nil {
		t.Errorf("recipient before Art. 14 applies: %v", r.Recipient)
	}
	for _, tc := range []struct {
		in    Input
		field string
	}{
		{with(base, func(in *Input) { in.MainEstablishment = "US" }), "main_establishment"},
		{with(base, func(in *Input) { in.MainEstablishment = "de" }), "main_establishment"},
		{with(base, func(in *Input) { in.MainEstablishment, in.NoEUEstablishment = "DE", true }), "no_eu_establishment"},
		{with(bsig(t, "2026-05-05 10:00", "2026-05-06 10:00"), func(in *Input) { in.MainEstablishment = "DE" }), "main_establishment"},
		{with(bsig(t, "2026-05-05 10:00", "2026-05-06 10:00"), func(in *Input) { in.NoEUEstablishment = true }), "no_eu_establishment"},
	} {
		_, err := Compute(tc.in)
		if fe, ok := err.(*FieldError); !ok || fe.Field != tc.field {
			t.Errorf("%+v: error %v, want a FieldError on %s", tc.in, err, tc.field)
		}
	}
}

// TestCRA_Art14_Abs5: the definition of a severe incident is shown for the
// incident track only.
func TestCRA_Art14_Abs5(t *testing.T) {
	inc := fmtNotes(mustCompute(t, cra(t, CRAIncident, "2026-10-01 10:00", "2026-10-02 10:00")).Notes)
	vul := fmtNotes(mustCompute(t, cra(t, CRAVulnerability, "2026-10-01 10:00", "2026-10-02 10:00")).Notes)
	if !strings.Contains(inc, "Art. 14 Abs. 5") || !strings.Contains(inc, "malicious code") {
		t.Errorf("incident track lacks Art. 14(5): %s", inc)
	}
	if strings.Contains(vul, "Art. 14 Abs. 5") {
		t.Errorf("vulnerability track shows Art. 14(5): %s", vul)
	}
}

// TestCRA_Art24_Abs3_Art19_Abs5_Art20_Abs4: stewards' reporting scope and
// the duty of importers and distributors to inform the manufacturer apply
// with the rest of the Regulation, from 11.12.2027.
func TestCRA_Art24_Abs3_Art19_Abs5_Art20_Abs4(t *testing.T) {
	for _, tc := range []struct {
		aware string
		want  bool
	}{{"2027-12-10 10:00", false}, {"2027-12-11 10:00", true}} {
		for _, r := range []Regime{CRAVulnerability, CRAIncident} {
			notes := fmtNotes(mustCompute(t, cra(t, r, tc.aware, "2027-12-12 10:00")).Notes)
			for _, c := range []string{"Art. 24 Abs. 3", "Art. 19 Abs. 5, Art. 20 Abs. 4"} {
				if strings.Contains(notes, c) != tc.want {
					t.Errorf("%s aware %s: %s shown %v, want %v", r, tc.aware, c, !tc.want, tc.want)
				}
			}
		}
	}
}

func TestEU_1182_71_Art3(t *testing.T) {
	tests := []struct {
		name, event string
		l           Length
		want        string
	}{
		// 3(1): the hour of the event (10:xx) is not counted; 24 full hours from 11:00.
		{"hours", "2026-10-01 10:17", Length{24, Hours, CountEU}, "2026-10-02 11:00"},
		{"on the hour", "2026-10-01 10:00", Length{24, Hours, CountEU}, "2026-10-02 11:00"},
		{"hours across spring DST", "2026-03-28 10:30", Length{24, Hours, CountEU}, "2026-03-29 12:00"},
		{"days, ends on a weekday", "2026-10-05 15:00", Length{14, Days, CountEU}, "2026-10-20 00:00"},
		// 14 days after Thu 1 Oct: Thu 15 Oct.
		{"days", "2026-10-01 15:00", Length{14, Days, CountEU}, "2026-10-16 00:00"},
		// 14 days after Sat 3 Oct 2026 end on Sat 17 Oct: moved to Mon 19 Oct (3(4)).
		{"days, Saturday moved to Monday", "2026-10-03 15:00", Length{14, Days, CountEU}, "2026-10-20 00:00"},
		// 14 days after 11 Dec 2026 end Fri 25 Dec: holidays 25, 26 Dec, weekend 26/27 → Mon 28 Dec.
		{"days, Christmas", "2026-12-11 12:00", Length{14, Days, CountEU}, "2026-12-29 00:00"},
		// 14 days after 12 Mar 2027 end on Good Friday 26 Mar; the weekend and
		// Easter Monday follow, so the period ends with Tuesday 30 Mar.
		{"days, Good Friday and Easter Monday", "2027-03-12 12:00", Length{14, Days, CountEU}, "2027-03-31 00:00"},
		{"months", "2026-10-15 12:00", Length{1, Months, CountEU}, "2026-11-17 00:00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := legalEnd(berlin(t, tc.event), tc.l); !got.Equal(berlin(t, tc.want)) {
				t.Errorf("legalEnd(%s, %v) = %s, want %s", tc.event, tc.l, got.In(law.Berlin), tc.want)
			}
		})
	}
}

func TestWorkingDay(t *testing.T) {
	for day, want := range map[string]bool{
		"2026-04-03": false, // Good Friday
		"2026-04-06": false, // Easter Monday
		"2026-05-14": false, // Ascension
		"2026-05-25": false, // Whit Monday
		"2026-10-03": false, // Saturday and Tag der Deutschen Einheit
		"2027-10-04": true,
		"2026-05-01": false,
		"2026-05-04": true,
		"2027-01-01": false,
	} {
		if got := workingDay(berlin(t, day+" 12:00")); got != want {
			t.Errorf("workingDay(%s) = %v, want %v", day, got, want)
		}
	}
	for y, want := range map[int]string{2024: "2024-03-31", 2026: "2026-04-05", 2027: "2027-03-28", 2028: "2028-04-16", 2038: "2038-04-25"} {
		if got := easterSunday(y).Format(law.DateLayout); got != want {
			t.Errorf("easterSunday(%d) = %s, want %s", y, got, want)
		}
	}
}

func TestComputeErrorsNameTheField(t *testing.T) {
	base := bsig(t, "2026-05-05 10:00", "2026-05-10 10:00")
	for _, tc := range []struct {
		in    Input
		field string
	}{
		{with(base, func(in *Input) { in.Regime = "nis2" }), "regime"},
		{with(base, func(in *Input) { in.AwareAt = time.Time{} }), "aware_at"},
		{with(base, func(in *Input) { in.Now = berlin(t, "2026-05-01 10:00") }), "aware_at"},
		{with(base, func(in *Input) { in.NotifiedAt = at(t, "2026-05-04 10:00") }), "notified_at"},
		{with(base, func(in *Input) { in.NotifiedAt = at(t, "2026-05-11 10:00") }), "notified_at"},
		{with(base, func(in *Input) { in.EarlyWarningAt = at(t, "2026-05-05 09:00") }), "early_warning_at"},
		{with(base, func(in *Input) { in.FinalAt = at(t, "2026-05-05 09:00") }), "final_at"},
		{with(base, func(in *Input) {
			in.NotifiedAt = at(t, "2026-05-06 10:00")
			in.FinalAt = at(t, "2026-05-06 09:00")
		}), "final_at"},
		{with(base, func(in *Input) { in.FixAvailableAt = at(t, "2026-05-06 09:00") }), "fix_available_at"},
		{with(base, func(in *Input) { in.InterimDueAt = at(t, "2026-05-12 09:00") }), "interim_due_at"},
		{with(base, func(in *Input) { in.InterimAt = at(t, "2026-05-08 09:00") }), "interim_at"},
		{with(base, func(in *Input) { in.ProgressAt = at(t, "2026-05-08 09:00") }), "progress_at"},
		{with(base, func(in *Input) { in.UserInformedAt = at(t, "2026-05-08 09:00") }), "user_informed_at"},
		{with(base, func(in *Input) { in.HandlingCompletedAt = at(t, "2026-05-08 09:00") }), "handling_completed_at"},
		{with(cra(t, CRAIncident, "2026-10-01 10:00", "2026-10-02 10:00"), func(in *Input) { in.IncidentOngoing = true }), "incident_ongoing"},
		{with(cra(t, CRAIncident, "2026-10-01 10:00", "2026-10-02 10:00"), func(in *Input) { in.KRITISOperator = true }), "kritis_operator"},
		{with(base, func(in *Input) {
			in.Now = berlin(t, "2026-07-10 10:00")
			in.NotifiedAt = at(t, "2026-05-06 10:00")
			in.IncidentOngoing = true
			in.HandlingCompletedAt = at(t, "2026-05-20 10:00")
		}), "incident_ongoing"},
	} {
		_, err := Compute(tc.in)
		fe, ok := err.(*FieldError)
		if !ok || fe.Field != tc.field {
			t.Errorf("Compute(%+v) error %v; want a FieldError on %s", tc.in, err, tc.field)
		}
	}
}

func TestRemaining(t *testing.T) {
	s := stageOf(t, mustCompute(t, bsig(t, "2026-05-05 10:00", "2026-05-05 22:30")), "bsig.32.1.1")
	if s.Remaining == nil || *s.Remaining != 11*time.Hour+30*time.Minute {
		t.Errorf("remaining = %v, want 11h30m", s.Remaining)
	}
}

// unverifiedEntries are the entries with a reading of their own; every other
// entry says VERIFIED, its content being read in the statute (the entry
// into force and the counting have entries of their own).
var unverifiedEntries = []string{
	"bsig.32.1.2",           // §32(3) fields asked with the Nr. 2 report
	"bsig.33.5.orig.annual", // open end under §66
	methodElapsed, methodBGB, methodBGB193, methodEU,
}

func TestDataLoads(t *testing.T) {
	rules := Rules()
	if len(rules) != len(cat.periods)+len(cat.methods)+len(cat.routes) || len(cat.periods) != 21 || len(cat.routes) != 6 {
		t.Fatalf("%d rules, %d periods, %d routes; want 21 periods, their methods and 6 routes", len(rules), len(cat.periods), len(cat.routes))
	}
	for _, r := range rules {
		want := "period"
		if strings.HasPrefix(r.ID, "cra.") && !strings.HasPrefix(r.ID, "cra.14.2.") && !strings.HasPrefix(r.ID, "cra.14.4.") &&
			!strings.HasPrefix(r.ID, "cra.14.6.") && !strings.HasPrefix(r.ID, "cra.14.8.") {
			want = "cra"
		}
		if r.Kind != want {
			t.Errorf("%s: kind %q, want %q", r.ID, r.Kind, want)
		}
		if unverified := slices.Contains(unverifiedEntries, r.ID); unverified != (r.Status == law.Unverified) {
			t.Errorf("%s: status %s; entries with a reading of their own are UNVERIFIED, the others VERIFIED", r.ID, r.Status)
		}
	}
	// valid_from of every BSIG period repeats the one entry-into-force entry.
	for _, p := range cat.periods {
		if strings.HasPrefix(p.ID, "bsig.") && p.ValidFrom != law.BSIG2025().ValidFrom {
			t.Errorf("%s: valid_from %s, entry into force %s", p.ID, p.ValidFrom, law.BSIG2025().ValidFrom)
		}
	}
	for _, r := range Regimes {
		ps := Periods(r)
		if len(ps) == 0 {
			t.Fatalf("regime %s has no stages", r)
		}
		for _, p := range ps[1:] {
			if p.ValidFrom != ps[0].ValidFrom {
				t.Errorf("%s: valid_from %s differs from %s; Compute checks the first stage only", p.ID, p.ValidFrom, ps[0].ID)
			}
		}
	}
}

func TestBSIG_33_34_Registration(t *testing.T) {
	for _, tc := range []struct {
		id, event, want string
	}{
		{"bsig.33.1", "2025-12-06 00:00", "2026-03-07 00:00"}, // ends 6 March 2026, cf. §49(3)
		{"bsig.33.1", "2026-11-30 12:00", "2027-03-01 00:00"},
		{"bsig.33.5", "2026-03-25 12:00", "2026-04-09 00:00"},
		{"bsig.34.1", "2026-01-31 12:00", "2026-05-01 00:00"},
		{"bsig.34.2", "2026-12-31 12:00", "2027-04-01 00:00"},
	} {
		p, err := Lookup(tc.id)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := p.End(berlin(t, tc.event))
		if !ok || !got.Equal(berlin(t, tc.want)) {
			t.Errorf("%s from %s: %s, want %s", tc.id, tc.event, got.In(law.Berlin), tc.want)
		}
	}
	p, err := Lookup("bsig.33.5.orig.annual")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.End(time.Now()); ok {
		t.Errorf("once a year is not a period from an event")
	}
	if _, err := Lookup("bsig.99"); err == nil {
		t.Errorf("Lookup of an unknown id succeeded")
	}
}

func fmtNotes(ns []Note) string {
	var b strings.Builder
	for _, n := range ns {
		b.WriteString(n.Citation + ": " + n.Text.EN + "\n")
	}
	return b.String()
}

func BenchmarkCompute(b *testing.B) {
	in := Input{Regime: BSIG, AwareAt: berlin(b, "2026-03-28 10:00"), Now: berlin(b, "2026-04-10 10:00")}
	in.EarlyWarningAt, in.NotifiedAt = at(b, "2026-03-28 20:00"), at(b, "2026-03-30 10:00")
	for b.Loop() {
		if _, err := Compute(in); err != nil {
			b.Fatal(err)
		}
	}
}
