package scope

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/law"
)

func num64(v float64) *float64 { return &v }

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// asOf is the day the tests check on unless they say otherwise.
var asOf = day("2026-11-23")

// size builds the size part of a profile; a negative value means "not given".
func size(employees, turnover, balance float64) Profile {
	var p Profile
	if employees >= 0 {
		p.Employees = num64(employees)
	}
	if turnover >= 0 {
		p.TurnoverEUR = num64(turnover)
	}
	if balance >= 0 {
		p.BalanceSheetEUR = num64(balance)
	}
	return p
}

func with(p Profile, activities ...string) Profile {
	p.Activities = activities
	return p
}

type classCase struct {
	name string
	p    Profile
	want Class
	rule string // id of the deciding class rule, "" for none
}

func runClassCases(t *testing.T, cases []classCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Check(tc.p, asOf)
			if err != nil {
				t.Fatal(err)
			}
			rule := ""
			if r.Rule != nil {
				rule = r.Rule.ID
			}
			if r.Class != tc.want || rule != tc.rule {
				t.Errorf("class %s by rule %q; want %s by %q\nreasons: %s", r.Class, rule, tc.want, tc.rule, trace(r))
			}
			c, err := Classify(tc.p, asOf)
			if err != nil || c.Class != tc.want {
				t.Errorf("Classify = %v, %v; want %s", c, err, tc.want)
			}
		})
	}
}

func trace(r Result) string {
	var sb strings.Builder
	for _, s := range r.Reasons {
		sb.WriteString("\n  " + s.ID + " " + string(s.Outcome) + ": " + s.Text.EN)
	}
	return sb.String()
}

func TestBSIG_28_Abs1_Nr1_KRITIS(t *testing.T) {
	kritis := func(p Profile) Profile { p.KRITISOperator = true; return p }
	runClassCases(t, []classCase{
		{"no size data", kritis(Profile{}), BesondersWichtig, "28.1.1"},
		{"one employee", kritis(size(1, 1000, 1000)), BesondersWichtig, "28.1.1"},
		{"with Anlage 2 activity", kritis(with(size(3, -1, -1), "A2-5.4.1")), BesondersWichtig, "28.1.1"},
		{"federal administration operating a critical installation", func() Profile {
			p := kritis(Profile{})
			p.FederalAdministration = true
			return p
		}(), BesondersWichtig, "28.1.1"},
	})
	r, _ := Check(Profile{KRITISOperator: true}, asOf)
	if !r.KRITIS {
		t.Error("KRITIS = false for a KRITIS operator")
	}
}

func TestBSIG_28_Abs1_Nr2(t *testing.T) {
	qtsp := Profile{QualifiedTrustServiceProvider: true}
	federalQTSP := Profile{QualifiedTrustServiceProvider: true, FederalAdministration: true}
	runClassCases(t, []classCase{
		{"qualified trust service provider, micro", qtsp, BesondersWichtig, "28.1.2"},
		{"qualified trust service provider with Anlage entry", with(size(2, -1, -1), "A1-6.1.7"), Wichtig, "28.2.1"},
		{"DNS service provider, one employee", with(size(1, 0, 0), "A1-6.1.2"), BesondersWichtig, "28.1.2"},
		{"TLD name registry, no size data", with(Profile{}, "A1-6.1.3"), BesondersWichtig, "28.1.2"},
		{"federal administration is excluded (§28(1) S.2)", federalQTSP, None, "29.1"},
	})
	r, _ := Check(federalQTSP, asOf)
	if !hasStep(r, "28.1.S2", Met) || !hasStep(r, "28.1.2", Excluded) {
		t.Errorf("exclusion §28(1) S.2 not explained: %s", trace(r))
	}
}

func TestBSIG_28_Abs1_Nr3_TK(t *testing.T) {
	runClassCases(t, []classCase{
		{"50 employees", with(size(50, -1, -1), "A1-6.1.9"), BesondersWichtig, "28.1.3"},
		{"49 employees, small", with(size(49, 1e6, 1e6), "A1-6.1.9"), Wichtig, "28.2.2"},
		{"49.5 annual work units", with(size(49.5, -1, -1), "A1-6.1.8"), Wichtig, "28.2.2"},
		{"turnover and balance exactly 10 Mio", with(size(10, 10e6, 10e6), "A1-6.1.9"), Wichtig, "28.2.2"},
		{"turnover and balance above 10 Mio", with(size(10, 10e6+1, 10e6+1), "A1-6.1.9"), BesondersWichtig, "28.1.3"},
		{"turnover above, balance exactly 10 Mio (AND)", with(size(10, 20e6, 10e6), "A1-6.1.9"), Wichtig, "28.2.2"},
		{"balance above, turnover below (AND)", with(size(10, 9e6, 20e6), "A1-6.1.9"), Wichtig, "28.2.2"},
		{"employees below, money above (OR)", with(size(3, 11e6, 11e6), "A1-6.1.8"), BesondersWichtig, "28.1.3"},
	})
}

func TestBSIG_28_Abs1_Nr4(t *testing.T) {
	runClassCases(t, []classCase{
		{"250 employees", with(size(250, -1, -1), "A1-1.1.2"), BesondersWichtig, "28.1.4"},
		{"249.9 employees", with(size(249.9, -1, -1), "A1-1.1.2"), Wichtig, "28.2.3"},
		{"turnover exactly 50 Mio", with(size(100, 50e6, 44e6), "A1-4.1.1"), Wichtig, "28.2.3"},
		{"balance exactly 43 Mio", with(size(100, 51e6, 43e6), "A1-4.1.1"), Wichtig, "28.2.3"},
		{"both above", with(size(100, 50e6+1, 43e6+1), "A1-4.1.1"), BesondersWichtig, "28.1.4"},
		{"Anlage 2 is never besonders wichtig", with(size(5000, 1e9, 1e9), "A2-5.4.1"), Wichtig, "28.2.3"},
		{"Anlage 1 and 2, large", with(size(300, -1, -1), "A2-5.4.1", "A1-6.1.4"), BesondersWichtig, "28.1.4"},
	})
}

func TestBSIG_28_Abs2_Nr1_Trust(t *testing.T) {
	runClassCases(t, []classCase{
		{"trust service provider, one employee", with(size(1, -1, -1), "A1-6.1.7"), Wichtig, "28.2.1"},
		{"trust service provider, large, not qualified", with(size(1000, -1, -1), "A1-6.1.7"), BesondersWichtig, "28.1.4"},
	})
}

func TestBSIG_28_Abs2_Nr2_TK(t *testing.T) {
	runClassCases(t, []classCase{
		{"micro TK provider", with(size(1, 50000, 20000), "A1-6.1.9"), Wichtig, "28.2.2"},
		{"TK provider without size data", with(Profile{}, "A1-6.1.8"), Wichtig, "28.2.2"},
	})
}

func TestBSIG_28_Abs2_Nr3(t *testing.T) {
	runClassCases(t, []classCase{
		{"49 employees", with(size(49, -1, -1), "A2-5.4.1"), None, ""},
		{"50 employees", with(size(50, -1, -1), "A2-5.4.1"), Wichtig, "28.2.3"},
		{"exactly 10 Mio both", with(size(49, 10e6, 10e6), "A2-5.4.1"), None, ""},
		{"above 10 Mio both", with(size(49, 10e6+0.01, 10e6+0.01), "A2-5.4.1"), Wichtig, "28.2.3"},
		{"turnover above only", with(size(49, 30e6, 5e6), "A2-5.4.1"), None, ""},
		{"balance not given", with(size(49, 30e6, -1), "A2-5.4.1"), None, ""},
		{"Anlage 1, medium", with(size(60, -1, -1), "A1-6.1.4"), Wichtig, "28.2.3"},
		{"no activity, large", size(1000, 1e9, 1e9), None, ""},
		{"federal administration is excluded (§28(2) S.2)", func() Profile {
			p := with(size(60, -1, -1), "A1-6.1.4")
			p.FederalAdministration = true
			return p
		}(), None, "29.1"},
	})
	r, _ := Check(with(size(49, 30e6, -1), "A2-5.4.1"), asOf)
	if !slices.Contains(r.Missing, "balance_sheet_eur") {
		t.Errorf("Missing = %v; want balance_sheet_eur", r.Missing)
	}
	if !strings.Contains(r.Reasons[len(r.Reasons)-1].Text.DE, "keine besonders wichtige oder wichtige Einrichtung") {
		t.Errorf("last reason does not state the result: %s", trace(r))
	}
}

func TestBSIG_28_Threshold_Explained(t *testing.T) {
	r, _ := Check(with(size(49, 12e6, 9e6), "A2-5.4.1"), asOf)
	s := step(r, "28.2.3")
	for _, want := range []string{"49 < 50", "12.000.000 € > 10.000.000 €", "9.000.000 € ≤ 10.000.000 €"} {
		if !strings.Contains(s.Text.DE, want) {
			t.Errorf("28.2.3 text %q lacks %q", s.Text.DE, want)
		}
	}
	if !strings.Contains(s.Text.EN, "EUR 12,000,000 > EUR 10,000,000") {
		t.Errorf("28.2.3 English text %q", s.Text.EN)
	}
	if !hasStep(r, "28.4.S1", Info) || step(r, "2003/361/EG").Status != "UNVERIFIED" {
		t.Errorf("size rules §28(4) not explained or 2003/361/EC details not marked UNVERIFIED: %s", trace(r))
	}
}

func TestBSIG_29_Abs2_Federal(t *testing.T) {
	p := with(size(5000, -1, -1), "A1-6.1.4")
	p.FederalAdministration = true
	r, err := Check(p, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if r.Class != None || !r.InScope || !hasStep(r, "29.1", Met) {
		t.Fatalf("class %s, in scope %v; want none under the §29 regime: %s", r.Class, r.InScope, trace(r))
	}
	ids := obligationIDs(r)
	for _, want := range []string{"30.1", "44.2", "32.1", "33.1", "34.1"} {
		if !slices.Contains(ids, want) {
			t.Errorf("obligation %s missing: %v", want, ids)
		}
	}
	for _, not := range []string{"38.1", "38.2", "38.3", "61", "62"} {
		if slices.Contains(ids, not) {
			t.Errorf("obligation %s applies to a federal entity (§29(2) excludes it)", not)
		}
	}
	co := carveOut(r, "29.2")
	if co == nil || !co.Applied || !slices.Contains(co.Disabled, "38.1") || !slices.Contains(co.Disabled, "61") {
		t.Errorf("carve-out 29.2 = %+v", co)
	}
	if !strings.Contains(co.Text.DE, "65") {
		t.Error("29.2 does not say that §65 (fines) does not apply")
	}

	// A federal entity operating a critical installation is besonders
	// wichtig (§28(1) S.2), and §29(2) still takes §§38, 61 away.
	r, _ = Check(Profile{FederalAdministration: true, KRITISOperator: true}, asOf)
	if r.Class != BesondersWichtig || obligation(r, "61") != nil || obligation(r, "38.1") != nil || obligation(r, "31") == nil {
		t.Errorf("federal KRITIS operator: class %s, obligations %v", r.Class, obligationIDs(r))
	}
}

func TestBSIG_29_Abs3_SecurityAuthorities(t *testing.T) {
	r, _ := Check(Profile{FederalAdministration: true, FederalSecurityAuthority: true}, asOf)
	for _, id := range obligationIDs(r) {
		if strings.HasPrefix(id, "30.") || strings.HasPrefix(id, "33.") || strings.HasPrefix(id, "35.") || id == "44.2" {
			t.Errorf("obligation %s applies despite §29(3)", id)
		}
	}
	if !slices.Contains(obligationIDs(r), "32.1") {
		t.Error("§32 should still apply under §29(3)")
	}
}

func TestBSIG_28_Abs5_Nr1_TK(t *testing.T) {
	tkOnly := with(size(10, -1, -1), "A1-6.1.9")
	r, _ := Check(tkOnly, asOf)
	co := carveOut(r, "28.5.1")
	if co == nil || !co.Applied {
		t.Fatalf("carve-out 28.5.1 not applied: %+v", r.CarveOuts)
	}
	ids := obligationIDs(r)
	for _, off := range []string{"30.1", "32.1", "35.2", "38.1", "62"} {
		if slices.Contains(ids, off) {
			t.Errorf("obligation %s not switched off by §28(5) Nr. 1", off)
		}
	}
	if !slices.Contains(ids, "33.1") {
		t.Errorf("§33 registration must stay: %v", ids)
	}
	for name, p := range map[string]Profile{
		"other activity":        with(size(60, -1, -1), "A1-6.1.9", "A1-6.1.4"),
		"critical installation": func() Profile { p := tkOnly; p.KRITISOperator = true; return p }(),
	} {
		r, _ := Check(p, asOf)
		co := carveOut(r, "28.5.1")
		if co == nil || co.Applied || co.Limited == nil {
			t.Errorf("%s: carve-out 28.5.1 = %+v; want limited", name, co)
		}
		if ob := obligation(r, "30.1"); ob == nil || !slices.Contains(ob.LimitedBy, "28.5.1") {
			t.Errorf("%s: §30 should apply, marked as limited carve-out: %+v", name, ob)
		}
	}
}

func TestBSIG_28_Abs5_Nr2_Energy(t *testing.T) {
	p := with(size(300, -1, -1), "A1-1.1.2")
	r, _ := Check(p, asOf)
	if carveOut(r, "28.5.2") != nil || obligation(r, "30.1") == nil {
		t.Error("without energy_enwg_5c the carve-out must not apply")
	}
	p.EnergyEnWG5c = true
	r, _ = Check(p, asOf)
	if co := carveOut(r, "28.5.2"); co == nil || !co.Applied || obligation(r, "30.1") != nil || obligation(r, "61") != nil {
		t.Errorf("§28(5) Nr. 2 not applied: %+v", r.CarveOuts)
	}
	p.Activities = append(p.Activities, "A1-6.1.5")
	r, _ = Check(p, asOf)
	if co := carveOut(r, "28.5.2"); co == nil || co.Applied || obligation(r, "30.1") == nil {
		t.Errorf("with a data-centre activity the carve-out must be limited: %+v", co)
	}
	p = Profile{EnergyEnWG5c: true, Activities: []string{"A1-6.1.4"}, Employees: num64(300)}
	r, _ = Check(p, asOf)
	if carveOut(r, "28.5.2") != nil {
		t.Error("energy_enwg_5c without an energy activity must not trigger §28(5) Nr. 2")
	}
}

func TestBSIG_28_Abs6_DORA(t *testing.T) {
	p := with(size(1000, -1, -1), "A1-3.1.1")
	p.DORAFinancialEntity = true
	r, _ := Check(p, asOf)
	if r.Class != BesondersWichtig {
		t.Fatalf("class %s; DORA does not change the class", r.Class)
	}
	ids := obligationIDs(r)
	for _, off := range []string{"30.1", "32.1", "35.2", "38.1", "38.3"} {
		if slices.Contains(ids, off) {
			t.Errorf("obligation %s not switched off by §28(6)", off)
		}
	}
	for _, on := range []string{"33.1", "61"} {
		if !slices.Contains(ids, on) {
			t.Errorf("obligation %s must stay under §28(6): %v", on, ids)
		}
	}
	if len(r.Measures) != 0 {
		t.Error("§30(2) measures listed although §30 is switched off")
	}
	p = Profile{TelematikInfrastruktur: true, Employees: num64(100), Activities: []string{"A1-4.1.1"}}
	r, _ = Check(p, asOf)
	if co := carveOut(r, "28.6.2"); co == nil || !co.Applied || obligation(r, "30.1") != nil {
		t.Errorf("§28(6) Nr. 2 not applied: %+v", r.CarveOuts)
	}
}

func TestBSIG_28_Abs7_KRITISForDORA(t *testing.T) {
	r, _ := Check(Profile{KRITISOperator: true, KRITISForDORA: true, Activities: []string{"A1-6.1.5"}}, asOf)
	if obligation(r, "32.1") != nil || obligation(r, "32.3") != nil {
		t.Error("§32 not switched off by §28(7)")
	}
	if obligation(r, "30.1") == nil || obligation(r, "31") == nil {
		t.Error("§28(7) switches off only §32")
	}
}

func TestBSIG_28_Abs8_LandLaw(t *testing.T) {
	p := with(size(1000, -1, -1), "A1-6.1.5")
	p.LandLaw28Abs8 = true
	r, _ := Check(p, asOf)
	if r.Class != None || r.InScope || len(r.Obligations) != 0 || !hasStep(r, "28.8", Met) {
		t.Errorf("§28(8): class %s, in scope %v, %d obligations: %s", r.Class, r.InScope, len(r.Obligations), trace(r))
	}
	if c, _ := Classify(p, asOf); c.Class != None {
		t.Errorf("Classify = %s under §28(8)", c.Class)
	}
}

func TestBSIG_2025_EntryIntoForce(t *testing.T) {
	p := with(size(1000, -1, -1), "A1-6.1.4")
	p.KRITISOperator = true
	for _, tc := range []struct {
		asOf    string
		inForce bool
		class   Class
	}{
		{"2025-12-05", false, None},
		{"2025-12-06", true, BesondersWichtig},
		{"2026-03-15", true, BesondersWichtig}, // still rests on the assumed date
		{"2026-03-16", true, BesondersWichtig}, // settled by §66
		{"2024-01-01", false, None},
	} {
		r, err := Check(p, day(tc.asOf))
		if err != nil {
			t.Fatal(err)
		}
		if r.InForce != tc.inForce || r.Class != tc.class || r.InForce != r.KRITIS || !tc.inForce && len(r.Obligations) != 0 {
			t.Errorf("%s: in force %v, class %s, kritis %v, %d obligations", tc.asOf, r.InForce, r.Class, r.KRITIS, len(r.Obligations))
		}
		if !tc.inForce && (len(r.Reasons) != 1 || r.Reasons[0].Status != "UNVERIFIED" || !strings.Contains(r.Reasons[0].Text.EN, "not yet in force")) {
			t.Errorf("%s: reasons %s", tc.asOf, trace(r))
		}
		if tc.inForce && (r.Reasons[0].ID != law.IDBSIG2025 || r.Reasons[0].Status != law.BSIG2025().StatusOn(tc.asOf)) {
			t.Errorf("%s: first reason %+v", tc.asOf, r.Reasons[0])
		}
		c, _ := Classify(p, day(tc.asOf))
		if c.Class != tc.class || c.KRITIS != tc.inForce {
			t.Errorf("%s: Classify = %+v", tc.asOf, c)
		}
	}
}

func TestBSIG_33_Abs1_RegistrationDeadline(t *testing.T) {
	base := with(size(60, -1, -1), "A2-5.4.1")
	for _, tc := range []struct {
		qualified, asOf, lastDay string
		passed                   bool
	}{
		{"2026-01-31", "2026-04-30", "2026-04-30", false}, // §188(3) BGB: no 31 April
		{"2026-01-31", "2026-05-01", "2026-04-30", true},
		{"2026-08-15", "2026-11-23", "2026-11-15", true},
		{"2026-10-01", "2026-11-23", "2027-01-01", false},
		{"2020-05-01", "2026-01-01", "2026-03-06", false}, // qualified before the law: runs from entry into force
		{"2020-05-01", "2026-11-23", "2026-03-06", true},  // the law is settled, its first day is not
	} {
		p := base
		p.QualifiedSince = day(tc.qualified)
		r, err := Check(p, day(tc.asOf))
		if err != nil {
			t.Fatal(err)
		}
		ob := obligation(r, "33.1")
		if ob == nil || ob.Due == nil {
			t.Fatalf("qualified %s: no due date for §33(1)", tc.qualified)
		}
		if ob.DueLastDay != tc.lastDay || ob.DeadlinePassed != tc.passed {
			t.Errorf("qualified %s, as of %s: last day %s (passed %v); want %s (%v)", tc.qualified, tc.asOf, ob.DueLastDay, ob.DeadlinePassed, tc.lastDay, tc.passed)
		}
		// Counted under §§187, 188 BGB, an UNVERIFIED method: the due date says so.
		if ob.DueStatus != law.Unverified {
			t.Errorf("qualified %s: due_status %q, want UNVERIFIED", tc.qualified, ob.DueStatus)
		}
	}
	p := base
	p.QualifiedSince = day("2020-05-01")
	if r, _ := Check(p, asOf); !hasStep(r, "qualified_since", Info) {
		t.Errorf("clamping qualified_since to the entry into force is not explained: %s", trace(r))
	}
	r, _ := Check(base, asOf)
	if ob := obligation(r, "33.1"); ob == nil || ob.Due != nil || !slices.Contains(r.Missing, "qualified_since") {
		t.Errorf("without qualified_since: %+v, missing %v", ob, r.Missing)
	}
}

func TestBSIG_33_Abs2_Abs5_WordingByDate(t *testing.T) {
	p := Profile{KRITISOperator: true, Activities: []string{"A1-5.1.1"}}
	for _, tc := range []struct {
		asOf    string
		s33_2   string
		s33_5   string
		pending []string
	}{
		{"2026-02-01", "33.2.orig", "33.5.orig", nil},
		{"2026-03-16", "33.2.orig", "33.5.orig", nil},
		{"2026-03-17", "33.2.orig-66", "33.5.orig", []string{"33.2.cons"}},
		{"2026-07-29", "33.2.orig-66", "33.5.orig-66", []string{"33.2.cons", "33.5.cons"}},
		{"2026-11-23", "33.2.orig-66", "33.5.orig-66", []string{"33.2.cons", "33.5.cons"}},
	} {
		r, _ := Check(p, day(tc.asOf))
		ids := obligationIDs(r)
		if !slices.Contains(ids, tc.s33_2) || !slices.Contains(ids, tc.s33_5) {
			t.Errorf("%s: obligations %v; want %s and %s", tc.asOf, ids, tc.s33_2, tc.s33_5)
		}
		var pending []string
		for _, o := range r.Pending {
			pending = append(pending, o.ID)
		}
		if !slices.Equal(pending, tc.pending) {
			t.Errorf("%s: pending %v; want %v", tc.asOf, pending, tc.pending)
		}
		if len(tc.pending) > 0 != hasStep(r, "66", Info) {
			t.Errorf("%s: §66 note shown = %v", tc.asOf, hasStep(r, "66", Info))
		}
	}
	r, _ := Check(p, asOf)
	if ob := obligation(r, "33.2.orig-66"); ob == nil || !strings.Contains(ob.Norm, "§ 66") || ob.Wording != "BSIG 2025 original (BGBl. 2025 I Nr. 301)" {
		t.Errorf("continued original wording not cited with §66: %+v", ob)
	}
}

func TestBSIG_34_DomainRegistrar(t *testing.T) {
	r, _ := Check(Profile{DomainRegistrar: true}, asOf)
	if r.Class != None || !r.InScope || !hasStep(r, "DNR", Met) {
		t.Fatalf("registrar: class %s, in scope %v", r.Class, r.InScope)
	}
	if got := obligationIDs(r); !slices.Equal(got, []string{"33.1", "33.5.orig-66", "34.1", "34.2", "49", "50"}) {
		t.Errorf("registrar obligations %v", got)
	}
	r, _ = Check(with(size(60, -1, -1), "A1-6.1.4"), asOf)
	if obligation(r, "34.1") == nil {
		t.Error("cloud provider: §34 missing")
	}
	r, _ = Check(with(size(60, -1, -1), "A1-1.1.1"), asOf)
	if obligation(r, "34.1") != nil {
		t.Error("electricity supplier is no §60(1) type: no §34")
	}
}

func TestBSIG_30_Abs2_Measures(t *testing.T) {
	r, _ := Check(with(size(60, -1, -1), "A2-5.4.1"), asOf)
	if len(r.Measures) != 10 || r.Measures[0].ID != "30.2.1" || r.Measures[9].ID != "30.2.10" {
		t.Errorf("measures %d", len(r.Measures))
	}
	if obligation(r, "30.3") != nil {
		t.Error("§30(3) for a machine builder")
	}
	r, _ = Check(with(size(60, -1, -1), "A2-6.1.1"), asOf)
	if obligation(r, "30.3") == nil {
		t.Error("online marketplace: §30(3) DVO 2024/2690 missing")
	}
}

func TestBSIG_35_Abs2_Sectors(t *testing.T) {
	for id, want := range map[string]bool{"A1-3.1.1": true, "A1-6.1.1": true, "A2-6.1.3": true, "A2-5.4.1": false, "A1-1.1.1": false} {
		r, _ := Check(with(size(60, -1, -1), id), asOf)
		if got := obligation(r, "35.2") != nil; got != want {
			t.Errorf("%s: §35(2) = %v; want %v", id, got, want)
		}
	}
	// The trigger names all five sectors of §35(2); the note says that two
	// of them have no Einrichtungsart, so no activity can carry them.
	ob := obligation(mustCheck(t, with(size(60, -1, -1), "A1-3.1.1")), "35.2")
	for _, s := range []string{"Finanzwesen", "Sozialversicherung", "Grundsicherung für Arbeitsuchende", "digitale Infrastruktur", "Verwaltung von IKT-Diensten", "digitale Dienste"} {
		if !strings.Contains(ob.Trigger.DE, s) {
			t.Errorf("35.2 trigger lacks %q", s)
		}
	}
	if !strings.Contains(ob.Note, "no type of entity") {
		t.Errorf("35.2 note: %q", ob.Note)
	}
}

func mustCheck(t *testing.T, p Profile) Result {
	t.Helper()
	r, err := Check(p, asOf)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestBSIG_49_50_TLD(t *testing.T) {
	r, _ := Check(with(Profile{}, "A1-6.1.3"), asOf)
	for _, id := range []string{"49", "50"} {
		ob := obligation(r, id)
		if ob == nil || ob.DueLastDay != "2026-03-06" || !ob.DeadlinePassed {
			t.Errorf("§%s: %+v", id, ob)
		}
	}
}

func TestBSIG_61_62_Supervision(t *testing.T) {
	bw, _ := Check(with(size(300, -1, -1), "A1-6.1.4"), asOf)
	w, _ := Check(with(size(60, -1, -1), "A1-6.1.4"), asOf)
	if obligation(bw, "61") == nil || obligation(bw, "62") != nil || obligation(w, "62") == nil || obligation(w, "61") != nil {
		t.Error("§61 is for besonders wichtige, §62 for wichtige Einrichtungen")
	}
	if obligation(bw, "31") != nil || obligation(bw, "39.1") != nil {
		t.Error("§§31, 39 only for KRITIS operators")
	}
}

func TestBSIG_60_Jurisdiction(t *testing.T) {
	for _, tc := range []struct {
		main, rep string
		want      []string
	}{
		{"DE", "", []string{"59", "60.1"}},
		{"EU-other", "", []string{"59", "60.1-other"}},
		{"non-EU", "DE", []string{"59", "60.3", "60.4"}},
		{"non-EU", "", []string{"59", "60.3", "60.3-none", "60.4"}},
		{"non-EU", "none", []string{"59", "60.3", "60.3-none", "60.4"}},
		{"", "", []string{"59", "60.2"}},
	} {
		p := with(size(60, -1, -1), "A1-6.1.4")
		p.MainEstablishment, p.Representative = tc.main, tc.rep
		r, _ := Check(p, asOf)
		var got []string
		for _, s := range r.Jurisdiction {
			got = append(got, s.ID)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q/%q: jurisdiction %v; want %v", tc.main, tc.rep, got, tc.want)
		}
	}
	r, _ := Check(with(size(60, -1, -1), "A2-5.4.1"), asOf)
	if len(r.Jurisdiction) != 1 || r.Jurisdiction[0].ID != "59" {
		t.Errorf("non-§60 type: %v", r.Jurisdiction)
	}
}

func TestValidationNamesTheField(t *testing.T) {
	for _, tc := range []struct {
		p     Profile
		field string
	}{
		{Profile{Employees: num64(-1)}, "employees"},
		{Profile{TurnoverEUR: num64(math.NaN())}, "turnover_eur"},
		{Profile{BalanceSheetEUR: num64(math.Inf(1))}, "balance_sheet_eur"},
		{Profile{Activities: []string{"A1-6.1.4", "A3-1.1.1"}}, "activities[1]"},
		{Profile{Activities: []string{"a1-6.1.4"}}, "activities[0]"},
		{Profile{MainEstablishment: "US"}, "main_establishment"},
		{Profile{Representative: "FR"}, "representative"},
	} {
		for name, run := range map[string]func() error{
			"Check":    func() error { _, err := Check(tc.p, asOf); return err },
			"Classify": func() error { _, err := Classify(tc.p, asOf); return err },
		} {
			var fe *FieldError
			if err := run(); !errors.As(err, &fe) || fe.Field != tc.field {
				t.Errorf("%s(%+v) = %v; want a FieldError for %s", name, tc.p, err, tc.field)
			}
		}
	}
}

func TestCheckRejectsUnrepresentableDates(t *testing.T) {
	var fe *FieldError
	if _, err := Check(Profile{KRITISOperator: true}, day("9999-10-01")); !errors.As(err, &fe) || fe.Field != "as_of" {
		t.Errorf("as_of 9999-10-01: %v", err)
	}
	p := Profile{KRITISOperator: true, QualifiedSince: day("2026-12-01")}
	if _, err := Check(p, asOf); !errors.As(err, &fe) || fe.Field != "qualified_since" {
		t.Errorf("qualified_since after as_of: %v", err)
	}
}

// TestCheckAgreesWithClassify holds the explained path and the fast path
// together on random profiles.
func TestCheckAgreesWithClassify(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ids := make([]string, 0, len(data.activities))
	for _, a := range data.activities {
		ids = append(ids, a.ID)
	}
	pick := func(vals ...float64) *float64 {
		i := rng.IntN(len(vals) + 1)
		if i == len(vals) {
			return nil
		}
		return num64(vals[i])
	}
	for i := range 5000 {
		p := Profile{
			Employees:                     pick(0, 49, 49.99, 50, 249, 250, 1000),
			TurnoverEUR:                   pick(0, 10e6, 10e6+1, 50e6, 50e6+1),
			BalanceSheetEUR:               pick(0, 10e6, 10e6+1, 43e6, 43e6+1),
			KRITISOperator:                rng.IntN(8) == 0,
			QualifiedTrustServiceProvider: rng.IntN(10) == 0,
			FederalAdministration:         rng.IntN(10) == 0,
			DomainRegistrar:               rng.IntN(10) == 0,
			LandLaw28Abs8:                 rng.IntN(20) == 0,
			EnergyEnWG5c:                  rng.IntN(5) == 0,
		}
		for range rng.IntN(3) {
			p.Activities = append(p.Activities, ids[rng.IntN(len(ids))])
		}
		when := day("2025-11-01").AddDate(0, 0, rng.IntN(400))
		r, err1 := Check(p, when)
		c, err2 := Classify(p, when)
		if err1 != nil || err2 != nil || r.Class != c.Class || r.KRITIS != c.KRITIS {
			t.Fatalf("case %d (%+v on %s): Check %s/%v/%v, Classify %+v/%v", i, p, when.Format("2006-01-02"), r.Class, r.KRITIS, err1, c, err2)
		}
		if len(r.Citations) == 0 || r.Class != None && r.Rule == nil {
			t.Fatalf("case %d: no citations or no deciding rule", i)
		}
	}
}

func TestClassifyDoesNotAllocate(t *testing.T) {
	p := with(size(120, 30e6, 20e6), "A1-6.1.4", "A2-5.4.1")
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := Classify(p, asOf); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Classify allocates %.1f times per call", allocs)
	}
}

func TestCitationsAreCollected(t *testing.T) {
	r, _ := Check(with(size(60, -1, -1), "A1-6.1.4"), asOf)
	for _, want := range []string{"§ 28 Abs. 2 Satz 1 Nr. 3 BSIG", "§ 30 Abs. 1 Satz 1 BSIG", "§ 30 Abs. 2 Satz 2 Nr. 10 BSIG", "§ 59 BSIG"} {
		if !slices.Contains(r.Citations, want) {
			t.Errorf("citations lack %q: %v", want, r.Citations)
		}
	}
}

func hasStep(r Result, id string, o Outcome) bool {
	s := step(r, id)
	return s.ID == id && s.Outcome == o
}

func step(r Result, id string) Step {
	for _, s := range r.Reasons {
		if s.ID == id {
			return s
		}
	}
	return Step{}
}

func obligationIDs(r Result) []string {
	var ids []string
	for _, o := range r.Obligations {
		ids = append(ids, o.ID)
	}
	return ids
}

func obligation(r Result, id string) *Obligation {
	for i := range r.Obligations {
		if r.Obligations[i].ID == id {
			return &r.Obligations[i]
		}
	}
	return nil
}

func carveOut(r Result, id string) *CarveOut {
	for i := range r.CarveOuts {
		if r.CarveOuts[i].ID == id {
			return &r.CarveOuts[i]
		}
	}
	return nil
}
