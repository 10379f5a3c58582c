package fines

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/law"
)

// today is the reference date of the tests: the consolidated wording applies.
var today = day("2026-11-23")

func day(s string) time.Time {
	t, err := law.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return t
}

func eur(v float64) *float64 { return &v }

// row is one case and its expected maximum (nil: no fine).
type row struct {
	name string
	c    Case
	want *float64
	// status is the expected result status; empty means VERIFIED.
	status law.Status
}

func runRows(t *testing.T, rows []row) {
	t.Helper()
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			c := r.c
			if c.AsOf.IsZero() {
				c.AsOf = today
			}
			got, err := Compute(c)
			if err != nil {
				t.Fatalf("Compute(%+v): %v", c, err)
			}
			switch {
			case r.want == nil && got.MaxEUR != nil:
				t.Errorf("max = %v, want no fine", *got.MaxEUR)
			case r.want != nil && got.MaxEUR == nil:
				t.Errorf("no fine (%v), want %v", got.NoFine, *r.want)
			case r.want != nil && *got.MaxEUR != *r.want:
				t.Errorf("max = %.2f, want %.2f", *got.MaxEUR, *r.want)
			}
			want := r.status
			if want == "" {
				want = law.Verified
			}
			if got.Status != want {
				t.Errorf("status = %s, want %s", got.Status, want)
			}
			checkTrace(t, got)
		})
	}
}

// checkTrace checks what every result must carry: cited steps in two
// languages, a running amount that ends at the maximum.
func checkTrace(t *testing.T, r Result) {
	t.Helper()
	if len(r.Steps) == 0 || len(r.Citations) == 0 {
		t.Fatal("no steps or citations")
	}
	for i, s := range r.Steps {
		if s.Citation == "" || s.Text.DE == "" || s.Text.EN == "" || s.Rule == "" {
			t.Errorf("step %d incomplete: %+v", i, s)
		}
	}
	last := r.Steps[len(r.Steps)-1].AmountEUR
	if (last == nil) != (r.MaxEUR == nil) || last != nil && *last != *r.MaxEUR {
		t.Errorf("last running amount %v does not match max %v", last, r.MaxEUR)
	}
	if (r.MaxEUR == nil) != (r.NoFine != nil) {
		t.Errorf("max %v and no_fine %v disagree", r.MaxEUR, r.NoFine)
	}
}

func hasRule(r Result, id string) (Step, bool) {
	for _, s := range r.Steps {
		if s.Rule == id {
			return s, true
		}
	}
	return Step{}, false
}

func mustCompute(t *testing.T, c Case) Result {
	t.Helper()
	if c.AsOf.IsZero() {
		c.AsOf = today
	}
	r, err := Compute(c)
	if err != nil {
		t.Fatalf("Compute(%+v): %v", c, err)
	}
	return r
}

// Nr. 1 offences: 65.2.1d, 65.2.2-5, 65.2.9.
var nr1 = []string{"65.2.1d", "65.2.2", "65.2.3", "65.2.4", "65.2.5", "65.2.9"}

func TestBSIG_65_Abs5_Nr1a(t *testing.T) {
	var rows []row
	for _, id := range nr1 {
		rows = append(rows,
			row{name: id, c: Case{Offence: id, EntityClass: BesondersWichtig, TurnoverEUR: eur(1e8)}, want: eur(10_000_000)},
			row{name: id + "/legal", c: Case{Offence: id, EntityClass: BesondersWichtig, LegalPerson: true, TurnoverEUR: eur(0)}, want: eur(10_000_000)},
		)
	}
	runRows(t, rows)
	r := mustCompute(t, Case{Offence: "65.2.2", EntityClass: BesondersWichtig, TurnoverEUR: eur(1)})
	if r.Tier != "1a" || r.Authority != "BSI" {
		t.Errorf("tier %q authority %q", r.Tier, r.Authority)
	}
}

func TestBSIG_65_Abs5_Nr1b(t *testing.T) {
	var rows []row
	for _, id := range nr1 {
		rows = append(rows, row{name: id, c: Case{Offence: id, EntityClass: Wichtig, LegalPerson: true, TurnoverEUR: eur(499e6)}, want: eur(7_000_000)})
	}
	runRows(t, rows)
}

func TestBSIG_65_Abs6(t *testing.T) {
	bwe := func(turnover float64) Case {
		return Case{Offence: "65.2.2", EntityClass: BesondersWichtig, LegalPerson: true, TurnoverEUR: &turnover}
	}
	runRows(t, []row{
		{name: "at 500 Mio fixed", c: bwe(500_000_000), want: eur(10_000_000)},
		{name: "one euro above", c: bwe(500_000_001), want: eur(10_000_000.02)},
		{name: "1 bn", c: bwe(1e9), want: eur(20_000_000)},
		{name: "0.02 T rounded down to cents", c: bwe(1_234_567_891), want: eur(24_691_357.82)},
	})
	r := mustCompute(t, bwe(1e9))
	if _, ok := hasRule(r, "bsig.65.6"); !ok {
		t.Error("no §65(6) step")
	}
	if _, ok := hasRule(r, "bsig.65.8"); !ok {
		t.Error("no §65(8) step")
	}
}

func TestBSIG_65_Abs7(t *testing.T) {
	we := func(turnover float64) Case {
		return Case{Offence: "65.2.9", EntityClass: Wichtig, LegalPerson: true, TurnoverEUR: &turnover}
	}
	runRows(t, []row{
		{name: "at 500 Mio fixed", c: we(500_000_000), want: eur(7_000_000)},
		{name: "600 Mio 1.4 % exact", c: we(600_000_000), want: eur(8_400_000)},
		{name: "1 bn", c: we(1e9), want: eur(14_000_000)},
		{name: "0.014 T rounded down to cents", c: we(777_777_777), want: eur(10_888_888.87)},
	})
}

// TestBSIG_65_Abs6_Abs7_NaturalPerson: the caps apply "gegenüber einer …
// Einrichtung". A natural person is reached as the entity itself (sole
// trader), not when fined for acting for it (§9 OWiG); unknown, the
// percentage is shown and marked UNVERIFIED.
func TestBSIG_65_Abs6_Abs7_NaturalPerson(t *testing.T) {
	yes, no := true, false
	runRows(t, []row{
		{name: "bwE unknown", c: Case{Offence: "65.2.4", EntityClass: BesondersWichtig, TurnoverEUR: eur(2e9)}, want: eur(40_000_000), status: law.Unverified},
		{name: "wE negligent unknown", c: Case{Offence: "65.2.2", EntityClass: Wichtig, Negligent: true, TurnoverEUR: eur(1e9)}, want: eur(14_000_000), status: law.Unverified},
		{name: "bwE sole trader", c: Case{Offence: "65.2.4", EntityClass: BesondersWichtig, TurnoverEUR: eur(2e9), NaturalPersonIsEntity: &yes}, want: eur(40_000_000)},
		{name: "wE sole trader", c: Case{Offence: "65.2.2", EntityClass: Wichtig, Negligent: true, TurnoverEUR: eur(1e9), NaturalPersonIsEntity: &yes}, want: eur(14_000_000)},
		{name: "bwE manager", c: Case{Offence: "65.2.4", EntityClass: BesondersWichtig, TurnoverEUR: eur(2e9), NaturalPersonIsEntity: &no}, want: eur(10_000_000), status: law.Unverified},
		{name: "wE manager, turnover not needed", c: Case{Offence: "65.2.2", EntityClass: Wichtig, NaturalPersonIsEntity: &no}, want: eur(7_000_000), status: law.Unverified},
		// Below the threshold the question does not matter.
		{name: "bwE unknown, 500 Mio", c: Case{Offence: "65.2.4", EntityClass: BesondersWichtig, TurnoverEUR: eur(5e8)}, want: eur(10_000_000)},
	})
	r := mustCompute(t, Case{Offence: "65.2.2", EntityClass: Wichtig, Negligent: true, TurnoverEUR: eur(1e9)})
	s, ok := hasRule(r, "bsig.65.7")
	if !ok || s.Status != law.Unverified {
		t.Errorf("§65(7) step %+v: want UNVERIFIED for a natural person of unknown role", s)
	}
	if _, ok := hasRule(r, ruleCapNatural); !ok {
		t.Error("no step explaining the two cases")
	}
	r = mustCompute(t, Case{Offence: "65.2.2", EntityClass: Wichtig, LegalPerson: true, TurnoverEUR: eur(1e9)})
	if s, _ := hasRule(r, "bsig.65.7"); s.Status != law.Verified || r.Status != law.Verified {
		t.Errorf("legal person: §65(7) step %s, result %s; want VERIFIED", s.Status, r.Status)
	}
	if _, ok := hasRule(r, ruleCapNatural); ok {
		t.Error("legal person: natural-person step shown")
	}
}

// TestBSIG_63: Zwangsgeld is no fine; it is named beside the offences for
// disobeying an enforceable order and changes no maximum.
func TestBSIG_63(t *testing.T) {
	for _, id := range []string{"65.2.1a", "65.2.1b", "65.2.1c", "65.2.1d"} {
		r := mustCompute(t, Case{Offence: id, EntityClass: Wichtig, LegalPerson: true, TurnoverEUR: eur(1)})
		s, ok := hasRule(r, "bsig.63")
		if !ok || s.AmountEUR == nil || *s.AmountEUR != *r.MaxEUR || !strings.Contains(s.Text.EN, "not a fine") {
			t.Errorf("%s: §63 step %+v (found %v)", id, s, ok)
		}
	}
	if r := mustCompute(t, Case{Offence: "65.2.6"}); func() bool { _, ok := hasRule(r, "bsig.63"); return ok }() {
		t.Error("65.2.6: §63 named for an offence that is no disobeyed order")
	}
	if _, ok := reg.offences["bsig.63"]; ok {
		t.Error("§63 is an offence in the catalogue")
	}
}

func TestBSIG_65_Abs5_Nr2(t *testing.T) {
	runRows(t, []row{
		{name: "natural", c: Case{Offence: "65.2.11"}, want: eur(5_000_000)},
		{name: "legal, no tenfold", c: Case{Offence: "65.2.11", LegalPerson: true}, want: eur(5_000_000)},
		{name: "negligent halved", c: Case{Offence: "65.2.11", Negligent: true}, want: eur(2_500_000)},
	})
}

func TestBSIG_65_Abs5_Nr3(t *testing.T) {
	runRows(t, []row{
		{name: "natural", c: Case{Offence: "65.2.1a"}, want: eur(2_000_000)},
		{name: "natural negligent", c: Case{Offence: "65.2.1a", Negligent: true}, want: eur(1_000_000)},
	})
}

func TestBSIG_65_Abs5_Nr4(t *testing.T) {
	runRows(t, []row{
		{name: "65.1", c: Case{Offence: "65.1"}, want: eur(1_000_000)},
		{name: "65.2.10", c: Case{Offence: "65.2.10"}, want: eur(1_000_000)},
		{name: "65.2.10 negligent", c: Case{Offence: "65.2.10", Negligent: true}, want: eur(500_000)},
	})
}

func TestBSIG_65_Abs5_Nr5(t *testing.T) {
	var rows []row
	for _, id := range []string{"65.2.1c", "65.2.6", "65.2.8", "65.2.12", "65.2.13", "65.2.14", "65.2.15", "65.2.16", "65.4.1", "65.4.2"} {
		rows = append(rows,
			row{name: id, c: Case{Offence: id, LegalPerson: true}, want: eur(500_000)},
			row{name: id + "/negligent", c: Case{Offence: id, Negligent: true}, want: eur(250_000)},
		)
	}
	runRows(t, rows)
}

func TestBSIG_65_Abs5_Nr6(t *testing.T) {
	runRows(t, []row{
		{name: "65.2.1b", c: Case{Offence: "65.2.1b", LegalPerson: true}, want: eur(100_000)},
		{name: "65.2.17", c: Case{Offence: "65.2.17", EntityClass: BesondersWichtig}, want: eur(100_000)},
		{name: "65.2.17 negligent", c: Case{Offence: "65.2.17", Negligent: true}, want: eur(50_000)},
		{name: "65.3 own maximum, not halved", c: Case{Offence: "65.3", Negligent: true}, want: eur(100_000)},
		{name: "65.3 legal, no tenfold", c: Case{Offence: "65.3", Negligent: true, LegalPerson: true}, want: eur(100_000)},
	})
}

func TestOWiG_30_Abs2_S2(t *testing.T) {
	for _, id := range []string{"65.2.11", "65.2.6", "65.2.1b", "65.2.2"} {
		r := mustCompute(t, Case{Offence: id, LegalPerson: true, EntityClass: Wichtig, TurnoverEUR: eur(1)})
		if _, ok := hasRule(r, ruleCorporate); !ok {
			t.Errorf("%s: no §30(2) S.2 step", id)
		}
		if _, ok := hasRule(r, ruleTenfold); ok {
			t.Errorf("%s: tenfold applied", id)
		}
	}
}

func TestOWiG_30_Abs2_S3(t *testing.T) {
	runRows(t, []row{
		{name: "Nr. 3 intent: 2 Mio x 10", c: Case{Offence: "65.2.1a", LegalPerson: true}, want: eur(20_000_000)},
		{name: "Nr. 4 65.1: 1 Mio x 10", c: Case{Offence: "65.1", LegalPerson: true}, want: eur(10_000_000)},
		{name: "Nr. 4 65.2.10: 1 Mio x 10", c: Case{Offence: "65.2.10", LegalPerson: true}, want: eur(10_000_000)},
		// The order halve-then-tenfold is the commentary reading, shown as UNVERIFIED.
		{name: "Nr. 3 negligent: halve then x 10", c: Case{Offence: "65.2.1a", LegalPerson: true, Negligent: true}, want: eur(10_000_000), status: law.Unverified},
		{name: "Nr. 4 negligent: halve then x 10", c: Case{Offence: "65.2.10", LegalPerson: true, Negligent: true}, want: eur(5_000_000), status: law.Unverified},
	})
	r := mustCompute(t, Case{Offence: "65.2.1a", LegalPerson: true, Negligent: true})
	s, ok := hasRule(r, ruleTenfoldOrder)
	if !ok || s.Status != law.Unverified || *s.AmountEUR != 1_000_000 {
		t.Errorf("order step %+v", s)
	}
}

func TestOWiG_17_Abs2(t *testing.T) {
	runRows(t, []row{
		{name: "Nr. 2", c: Case{Offence: "65.2.11", Negligent: true}, want: eur(2_500_000)},
		{name: "Nr. 3", c: Case{Offence: "65.2.1a", Negligent: true}, want: eur(1_000_000)},
		{name: "Nr. 5 registration", c: Case{Offence: "65.2.6", Negligent: true}, want: eur(250_000)},
		{name: "Nr. 6", c: Case{Offence: "65.2.7", Negligent: true}, want: eur(50_000), status: law.Unverified},
	})
}

func TestBSIG_65_Abs9(t *testing.T) {
	var rows []row
	for _, id := range nr1 {
		rows = append(rows,
			row{name: id + "/bwE", c: Case{Offence: id, EntityClass: BesondersWichtig, Negligent: true, TurnoverEUR: eur(1)}, want: eur(10_000_000)},
			row{name: id + "/wE 2 bn", c: Case{Offence: id, EntityClass: Wichtig, Negligent: true, LegalPerson: true, TurnoverEUR: eur(2e9)}, want: eur(28_000_000)},
		)
	}
	runRows(t, rows)
	r := mustCompute(t, Case{Offence: "65.2.2", EntityClass: Wichtig, Negligent: true, TurnoverEUR: eur(1)})
	if _, ok := hasRule(r, ruleNoHalving); !ok {
		t.Error("no §65(9) step")
	}
	if _, ok := hasRule(r, ruleHalving); ok {
		t.Error("halved despite §65(9)")
	}
}

func TestOWiG_10(t *testing.T) {
	_, err := Compute(Case{Offence: "65.1", Negligent: true, AsOf: today})
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "negligent" || !strings.Contains(fe.Msg, "65.3") {
		t.Errorf("negligent 65.1: %v", err)
	}
	_, err = Compute(Case{Offence: "65.3", AsOf: today})
	if !errors.As(err, &fe) || fe.Field != "negligent" || !strings.Contains(fe.Msg, "65.1") {
		t.Errorf("intentional 65.3: %v", err)
	}
	r := mustCompute(t, Case{Offence: "65.1"})
	if _, ok := hasRule(r, ruleIntentOnly); !ok {
		t.Error("no §10 OWiG step for 65.1")
	}
}

func TestBSIG_65_Abs10(t *testing.T) {
	for _, o := range Offences(today) {
		if o.cat != reg.bsig {
			continue
		}
		r := mustCompute(t, Case{Offence: o.ID, EntityClass: Wichtig, TurnoverEUR: eur(1), Negligent: o.MensRea == Negligence})
		want := "BSI"
		if o.ID == "65.2.11" {
			want = "BMI"
		}
		if r.Authority != want {
			t.Errorf("%s: authority %q, want %q", o.ID, r.Authority, want)
		}
	}
}

func TestBSIG_65_Abs11(t *testing.T) {
	runRows(t, []row{{name: "GDPR fine for same conduct", c: Case{Offence: "65.2.2", GDPRFinedSameConduct: true}}})
}

func TestBSIG_29_Abs2(t *testing.T) {
	runRows(t, []row{
		{name: "federal administration", c: Case{Offence: "65.2.4", FederalAdministration: true}},
		{name: "before class and turnover are asked", c: Case{Offence: "65.2.2", LegalPerson: true, FederalAdministration: true}},
	})
}

func TestOWiG_17_Abs4(t *testing.T) {
	r := mustCompute(t, Case{Offence: "65.2.6", LegalPerson: true, EconomicBenefitEUR: eur(800_000)})
	if *r.MaxEUR != 500_000 || r.Benefit == nil || !r.Benefit.ExceedsMax {
		t.Errorf("benefit above max: max %v benefit %+v", *r.MaxEUR, r.Benefit)
	}
	if _, ok := hasRule(r, ruleBenefit); !ok {
		t.Error("no §17(4) step")
	}
	r = mustCompute(t, Case{Offence: "65.2.6", EconomicBenefitEUR: eur(500_000)})
	if r.Benefit == nil || r.Benefit.ExceedsMax {
		t.Errorf("benefit equal to max: %+v", r.Benefit)
	}
}

func TestOWiG_31_Abs2_Nr1(t *testing.T) {
	for _, o := range Offences(today) {
		if o.cat != reg.bsig {
			continue
		}
		r := mustCompute(t, Case{Offence: o.ID, EntityClass: Wichtig, TurnoverEUR: eur(1), Negligent: o.MensRea != Intent})
		if r.LimitationYears != 3 {
			t.Errorf("%s: limitation %d years", o.ID, r.LimitationYears)
		}
	}
}

func TestBSIG_65_Abs2_Nr1a_Wordings(t *testing.T) {
	for _, tc := range []struct {
		asOf, rule string
		status     law.Status
	}{
		{"2025-12-06", "65.2.1a.original", law.Unverified},
		{"2026-03-16", "65.2.1a.original", law.Unverified},
		{"2026-03-17", "65.2.1a.consolidated", law.Unverified},
		{"2026-07-28", "65.2.1a.consolidated", law.Unverified},
		{"2026-07-29", "65.2.1a.consolidated", law.Verified},
	} {
		r := mustCompute(t, Case{Offence: "65.2.1a", AsOf: day(tc.asOf)})
		s, ok := hasRule(r, tc.rule)
		if !ok || s.Status != tc.status {
			t.Errorf("as_of %s: step %s = %+v (found %v), want status %s", tc.asOf, tc.rule, s, ok, tc.status)
		}
		if *r.MaxEUR != 2_000_000 {
			t.Errorf("as_of %s: max %v", tc.asOf, *r.MaxEUR)
		}
	}
}

func TestBSIG2025_ValidFrom(t *testing.T) {
	_, err := Compute(Case{Offence: "65.2.6", AsOf: day("2025-12-05")})
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "as_of" {
		t.Errorf("before entry into force: %v", err)
	}
	runRows(t, []row{
		{name: "first day, date unverified", c: Case{Offence: "65.2.6", AsOf: day("2025-12-06")}, want: eur(500_000), status: law.Unverified},
		{name: "§49(3) date settles nothing", c: Case{Offence: "65.2.6", AsOf: day("2026-03-06")}, want: eur(500_000), status: law.Unverified},
		{name: "day before §66's date", c: Case{Offence: "65.2.6", AsOf: day("2026-03-15")}, want: eur(500_000), status: law.Unverified},
		{name: "settled by §66", c: Case{Offence: "65.2.6", AsOf: day("2026-03-16")}, want: eur(500_000)},
	})
	r := mustCompute(t, Case{Offence: "65.2.6"})
	if r.Steps[0].Rule != law.IDBSIG2025 || r.Steps[0].Citation != law.BSIG2025().Citation {
		t.Errorf("first step %+v: want the shared statute entry %s", r.Steps[0], law.IDBSIG2025)
	}
}

func TestBSIG_65_Abs2_Nr7(t *testing.T) {
	// §33(2) S.2 survives only through §66 until an ordinance not found: UNVERIFIED.
	runRows(t, []row{
		{name: "continued by §66", c: Case{Offence: "65.2.7"}, want: eur(100_000), status: law.Unverified},
		// On 16.03.2026 the original §33(2) applies in its own right and the law is settled.
		{name: "own force, settled", c: Case{Offence: "65.2.7", AsOf: day("2026-03-16")}, want: eur(100_000)},
		{name: "first day under §66", c: Case{Offence: "65.2.7", AsOf: day("2026-03-17")}, want: eur(100_000), status: law.Unverified},
	})
	for _, tc := range []struct{ asOf, rule string }{
		{"2025-12-06", "65.2.7.orig"}, {"2026-03-16", "65.2.7.orig"}, {"2026-03-17", "65.2.7.orig-66"}, {"2026-11-23", "65.2.7.orig-66"},
	} {
		if _, ok := hasRule(mustCompute(t, Case{Offence: "65.2.7", AsOf: day(tc.asOf)}), tc.rule); !ok {
			t.Errorf("as_of %s: no step %s", tc.asOf, tc.rule)
		}
	}
}

func TestBSIG_65_Abs2_Nr17_Wichtig(t *testing.T) {
	r := mustCompute(t, Case{Offence: "65.2.17", EntityClass: Wichtig})
	if s, ok := hasRule(r, rule17Wichtig); !ok || s.Status != law.Unverified || r.Status != law.Unverified {
		t.Errorf("wichtig: %+v", r.Steps)
	}
}

func TestCRA_Art64_Abs2(t *testing.T) {
	runRows(t, []row{
		{name: "fixed higher", c: Case{Offence: "cra.64.2", TurnoverEUR: eur(1e8), AsOf: day("2027-12-11")}, want: eur(15_000_000), status: law.Unverified},
		{name: "equal at 600 Mio", c: Case{Offence: "cra.64.2", TurnoverEUR: eur(6e8), AsOf: day("2027-12-11")}, want: eur(15_000_000), status: law.Unverified},
		{name: "2.5 % higher", c: Case{Offence: "cra.64.2", TurnoverEUR: eur(1e9), AsOf: day("2027-12-11")}, want: eur(25_000_000), status: law.Unverified},
	})
}

func TestCRA_Art64_Abs3(t *testing.T) {
	runRows(t, []row{
		{name: "fixed", c: Case{Offence: "cra.64.3", TurnoverEUR: eur(1e8), AsOf: day("2028-01-01")}, want: eur(10_000_000), status: law.Unverified},
		{name: "2 %", c: Case{Offence: "cra.64.3", TurnoverEUR: eur(1e9), AsOf: day("2028-01-01")}, want: eur(20_000_000), status: law.Unverified},
	})
}

func TestCRA_Art64_Abs4(t *testing.T) {
	runRows(t, []row{
		{name: "fixed", c: Case{Offence: "cra.64.4", TurnoverEUR: eur(5e8), AsOf: day("2028-01-01")}, want: eur(5_000_000), status: law.Unverified},
		{name: "1 %", c: Case{Offence: "cra.64.4", TurnoverEUR: eur(2e9), AsOf: day("2028-01-01")}, want: eur(20_000_000), status: law.Unverified},
	})
}

func TestCRA_Art64_Abs10(t *testing.T) {
	asOf := day("2028-01-01")
	runRows(t, []row{
		{name: "a: micro missed 24 h", c: Case{Offence: "cra.64.2.ew24", MicroOrSmall: true, AsOf: asOf}},
		{name: "a: large missed 24 h", c: Case{Offence: "cra.64.2.ew24", TurnoverEUR: eur(1e9), AsOf: asOf}, want: eur(25_000_000), status: law.Unverified},
		{name: "a: micro, other Art. 14 duty", c: Case{Offence: "cra.64.2", MicroOrSmall: true, TurnoverEUR: eur(1e6), AsOf: asOf}, want: eur(15_000_000), status: law.Unverified},
		{name: "b: steward", c: Case{Offence: "cra.64.3", OpenSourceSteward: true, AsOf: asOf}},
		{name: "b: steward 24 h", c: Case{Offence: "cra.64.2.ew24", OpenSourceSteward: true, AsOf: asOf}},
	})
	r := mustCompute(t, Case{Offence: "cra.64.2", MicroOrSmall: true, TurnoverEUR: eur(1e6), AsOf: asOf})
	if _, ok := hasRule(r, ruleCRAMicroScope); !ok {
		t.Error("micro enterprise on cra.64.2 is not told that only the 24-h warning is exempt")
	}
}

func TestCRA_Art71_Abs2(t *testing.T) {
	_, err := Compute(Case{Offence: "cra.64.2", TurnoverEUR: eur(1), AsOf: day("2026-09-10")})
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "as_of" {
		t.Errorf("before Art. 14 applies: %v", err)
	}
	// Between 11.09.2026 and 10.12.2027 the reading is shown, not silently computed.
	r := mustCompute(t, Case{Offence: "cra.64.2.ew24", TurnoverEUR: eur(1), AsOf: day("2026-11-23")})
	if s, ok := hasRule(r, ruleCRAEarly); !ok || s.Status != law.Unverified {
		t.Errorf("early window: %+v", r.Steps)
	}
	r = mustCompute(t, Case{Offence: "cra.64.3", TurnoverEUR: eur(1), AsOf: day("2027-12-11")})
	if _, ok := hasRule(r, ruleCRAEarly); ok {
		t.Error("early reading shown after Art. 64 applies")
	}
	if r.Authority != "" || r.LimitationYears != 0 {
		t.Errorf("CRA authority %q limitation %d: the German act was not found", r.Authority, r.LimitationYears)
	}
	if _, ok := hasRule(r, "cra.64.national"); !ok {
		t.Error("no step on national penalty law")
	}
}

func TestComputeErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		c     Case
		field string
	}{
		{"missing offence", Case{AsOf: today}, "offence"},
		{"unknown offence", Case{Offence: "65.2.18", AsOf: today}, "offence"},
		{"missing as_of", Case{Offence: "65.2.6"}, "as_of"},
		{"class needed", Case{Offence: "65.2.2", TurnoverEUR: eur(1), AsOf: today}, "entity_class"},
		{"bad class", Case{Offence: "65.2.6", EntityClass: "kritisch", AsOf: today}, "entity_class"},
		{"turnover needed for %-cap", Case{Offence: "65.2.2", EntityClass: Wichtig, AsOf: today}, "turnover_eur"},
		{"turnover needed for CRA", Case{Offence: "cra.64.4", AsOf: day("2028-01-01")}, "turnover_eur"},
		{"negative turnover", Case{Offence: "65.2.6", TurnoverEUR: eur(-1), AsOf: today}, "turnover_eur"},
		{"NaN turnover", Case{Offence: "65.2.6", TurnoverEUR: eur(math.NaN()), AsOf: today}, "turnover_eur"},
		{"infinite turnover", Case{Offence: "65.2.6", TurnoverEUR: eur(math.Inf(1)), AsOf: today}, "turnover_eur"},
		{"negative benefit", Case{Offence: "65.2.6", EconomicBenefitEUR: eur(-5), AsOf: today}, "economic_benefit_eur"},
		{"CRA before in force", Case{Offence: "cra.64.3", TurnoverEUR: eur(1), AsOf: day("2024-12-09")}, "as_of"},
		{"role of a legal person", Case{Offence: "65.2.2", LegalPerson: true, NaturalPersonIsEntity: new(bool), AsOf: today}, "natural_person_is_entity"},
	} {
		_, err := Compute(tc.c)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != tc.field {
			t.Errorf("%s: error %v, want field %s", tc.name, err, tc.field)
		}
	}
}

func BenchmarkCompute(b *testing.B) {
	c := Case{Offence: "65.2.2", EntityClass: BesondersWichtig, LegalPerson: true, Negligent: true, TurnoverEUR: eur(1e9), AsOf: today, EconomicBenefitEUR: eur(3e7)}
	for b.Loop() {
		if _, err := Compute(c); err != nil {
			b.Fatal(err)
		}
	}
}
