package facts

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/cra"
	"github.com/pflicht/pflicht/internal/law"
	"github.com/pflicht/pflicht/internal/store"
)

func day(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := law.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSupportOf(t *testing.T) {
	for _, tc := range []struct {
		start, end, today string
		state             SupportState
		under5            bool // the engine's Art. 13(8) note on periods under five years
		docs              string
	}{
		{"2028-01-15", "2033-01-15", "2030-01-01", InSupport, false, "2038-01-15"},
		{"2028-01-15", "2033-01-14", "2033-01-14", InSupport, true, "2038-01-15"},
		{"2028-01-15", "2028-06-30", "2028-07-01", SupportEnded, true, "2038-01-15"},
		{"2028-02-29", "2033-02-28", "2028-02-28", NotPlaced, false, "2038-02-28"},
		{"2028-01-15", "2045-12-31", "2030-01-01", InSupport, false, "2045-12-31"}, // documentation at least until the end
		{"2028-01-15", "2128-01-15", "2030-01-01", InSupport, false, "2128-01-15"}, // 100 years: the engine's limit
	} {
		t.Run(tc.start+"–"+tc.end, func(t *testing.T) {
			s, err := SupportOf(day(t, tc.start), day(t, tc.end), day(t, tc.today))
			if err != nil {
				t.Fatal(err)
			}
			under5 := slices.ContainsFunc(s.Notes, func(n cra.Note) bool { return strings.Contains(n.Text.EN, "under 5 years") })
			if s.State != tc.state || under5 != tc.under5 || !s.DocsUntil.Equal(day(t, tc.docs)) || !s.End.Equal(day(t, tc.end)) {
				t.Errorf("state %s, under5 %v, docs %s, end %s", s.State, under5, s.DocsUntil, s.End)
			}
			if !s.UpdatesUntil.Equal(cra.UpdateAvailableUntil(s.End, s.End)) {
				t.Errorf("updates until %s", s.UpdatesUntil)
			}
			for c, want := range map[string]string{s.EndCitation: "Art. 13 Abs. 8", s.StatementCitation: "Art. 13 Abs. 19",
				s.UpdatesCitation: "Art. 13 Abs. 9", s.DocsCitation: "Art. 13 Abs. 13"} {
				if !strings.HasPrefix(c, want+" ") {
					t.Errorf("citation %q, want %s …", c, want)
				}
			}
		})
	}
	if _, err := SupportOf(day(t, "2028-01-15"), day(t, "2200-01-01"), day(t, "2028-01-15")); err == nil {
		t.Errorf("a support period of 172 years: no error")
	}
}

func TestAssessVersion(t *testing.T) {
	today := day(t, "2030-06-01")
	for _, tc := range []struct {
		name       string
		v          store.ProductVersion
		class      cra.Class
		open       []string // ids of the open routes
		classErr   bool
		support    SupportState // "" for no support period
		supportErr bool
	}{
		{name: "default class", v: store.ProductVersion{SupportStart: "2028-01-15", SupportEnd: "2033-01-15", Categories: []string{}},
			class: cra.Default, open: []string{"module_a", "module_bc", "module_h"}, support: InSupport},
		{name: "class I without standards", v: store.ProductVersion{Categories: []string{"annex3.1.12"}},
			class: cra.ImportantClass1, open: []string{"module_bc", "module_h"}},
		{name: "class I with harmonised standards", v: store.ProductVersion{Categories: []string{"annex3.1.12"}, HarmonisedStandards: true},
			class: cra.ImportantClass1, open: []string{"module_a", "module_bc", "module_h"}},
		{name: "unknown category", v: store.ProductVersion{Categories: []string{"annex9.9"}, SupportStart: "2028-01-15", SupportEnd: "2029-01-15"},
			classErr: true, support: SupportEnded},
		{name: "placing day without end", v: store.ProductVersion{SupportStart: "2028-01-15", Categories: []string{}}, class: cra.Default},
		{name: "stored period over the engine's limit", v: store.ProductVersion{SupportStart: "2028-01-15", SupportEnd: "2200-01-01", Categories: []string{}},
			class: cra.Default, supportErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := AssessVersion(tc.v, today)
			if (a.ClassErr != "") != tc.classErr {
				t.Fatalf("class error %q", a.ClassErr)
			}
			if !tc.classErr && a.Class.Class != tc.class {
				t.Errorf("class %s, want %s", a.Class.Class, tc.class)
			}
			if tc.open != nil {
				var open []string
				for _, r := range a.OpenRoutes() {
					open = append(open, r.ID)
				}
				if !slices.Equal(open, tc.open) {
					t.Errorf("open routes %v, want %v", open, tc.open)
				}
			}
			switch {
			case (a.SupportErr != "") != tc.supportErr:
				t.Errorf("support error %q", a.SupportErr)
			case tc.support == "" && a.Support != nil:
				t.Errorf("support %+v, want none", a.Support)
			case tc.support != "" && (a.Support == nil || a.Support.State != tc.support):
				t.Errorf("support %+v, want state %s", a.Support, tc.support)
			}
			if strings.HasPrefix(a.ClassErr, "cra:") || strings.HasPrefix(a.SupportErr, "cra:") {
				t.Errorf("engine prefix kept: %q %q", a.ClassErr, a.SupportErr)
			}
		})
	}
}

// TestAssessVersionRoutesAsOf: routes are assessed for the day of placing
// on the market; before 11.12.2027 the engine says Art. 32 does not apply.
func TestAssessVersionRoutesAsOf(t *testing.T) {
	early := AssessVersion(store.ProductVersion{SupportStart: "2027-01-15", Categories: []string{}}, day(t, "2030-01-01"))
	late := AssessVersion(store.ProductVersion{SupportStart: "2028-01-15", Categories: []string{}}, day(t, "2030-01-01"))
	if len(early.Routes.Notes) <= len(late.Routes.Notes) {
		t.Errorf("placed before Art. 32 applies: notes %v, later %v", early.Routes.Notes, late.Routes.Notes)
	}
}

func TestCategoryAndRuleStatus(t *testing.T) {
	for _, c := range cra.Categories() {
		if got := CategoryStatus(c.ID); got != c.Status {
			t.Errorf("%s: %s, want %s", c.ID, got, c.Status)
		}
	}
	if got := CategoryStatus("annex9.9"); got != "" {
		t.Errorf("unknown category: %q", got)
	}
	for _, class := range []cra.Class{cra.Default, cra.ImportantClass1, cra.ImportantClass2, cra.Critical} {
		as, err := cra.Routes(class, cra.Facts{}, day(t, "2028-01-15"))
		if err != nil {
			t.Fatal(err)
		}
		want := law.Verified
		for _, n := range as.Notes {
			if n.Citation == as.Rule && n.Status == law.Unverified {
				want = law.Unverified
			}
		}
		if got := (Assessment{Routes: as}).RuleStatus(); got != want {
			t.Errorf("%s: rule status %s, want %s", class, got, want)
		}
	}
}

func TestProductVersion(t *testing.T) {
	type fe = VersionError
	for _, tc := range []struct {
		name       string
		in         VersionInput
		start, end string
		cats       []string
		errs       []VersionError
	}{
		{name: "nothing stated", cats: []string{}},
		{name: "years", in: VersionInput{PlacedOn: " 2028-01-15 ", Years: "5"}, start: "2028-01-15", end: "2033-01-15", cats: []string{}},
		{name: "years from 29 February", in: VersionInput{PlacedOn: "2028-02-29", Years: "1"}, start: "2028-02-29", end: "2029-02-28", cats: []string{}},
		{name: "end date", in: VersionInput{PlacedOn: "2028-01-15", End: "2030-06-30"}, start: "2028-01-15", end: "2030-06-30", cats: []string{}},
		{name: "end on the placing day", in: VersionInput{PlacedOn: "2028-01-15", End: "2028-01-15"}, start: "2028-01-15", end: "2028-01-15", cats: []string{}},
		{name: "placing day alone", in: VersionInput{PlacedOn: "2028-01-15"}, start: "2028-01-15", cats: []string{}},
		{name: "categories once each", in: VersionInput{Categories: []string{"annex3.1.12", "annex4.1", "annex3.1.12"}}, cats: []string{"annex3.1.12", "annex4.1"}},
		{name: "both years and end", in: VersionInput{PlacedOn: "2028-01-15", Years: "5", End: "2033-01-15"},
			errs: []fe{{"support_years", ReasonYearsOrEnd, ""}}},
		{name: "years without placing day", in: VersionInput{Years: "5"}, errs: []fe{{"placed_on", ReasonPlacedNeeded, ""}}},
		{name: "end without placing day", in: VersionInput{End: "2033-01-15"}, errs: []fe{{"placed_on", ReasonPlacedNeeded, ""}}},
		{name: "bad dates", in: VersionInput{PlacedOn: "15.01.2028", End: "2033-02-30"},
			errs: []fe{{"placed_on", ReasonDate, ""}, {"support_end", ReasonDate, ""}}},
		{name: "years not a number", in: VersionInput{PlacedOn: "2028-01-15", Years: "five"}, errs: []fe{{"support_years", ReasonYears, ""}}},
		{name: "years out of int range", in: VersionInput{PlacedOn: "2028-01-15", Years: "99999999999999999999"}, errs: []fe{{"support_years", ReasonYears, ""}}},
		{name: "zero years", in: VersionInput{PlacedOn: "2028-01-15", Years: "0"}, errs: []fe{{"support_years", ReasonEngine, "*"}}},
		{name: "101 years", in: VersionInput{PlacedOn: "2028-01-15", Years: "101"}, errs: []fe{{"support_years", ReasonEngine, "*"}}},
		{name: "end before placing", in: VersionInput{PlacedOn: "2028-01-15", End: "2028-01-14"}, errs: []fe{{"support_end", ReasonEndBefore, ""}}},
		{name: "end past the engine's limit", in: VersionInput{PlacedOn: "2028-01-15", End: "2200-01-01"}, errs: []fe{{"support_end", ReasonEngine, "*"}}},
		{name: "unknown category", in: VersionInput{Categories: []string{"annex3.1.12", "annex9.9"}}, errs: []fe{{"categories", ReasonCategory, "*"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, errs := ProductVersion(tc.in)
			if len(errs) != len(tc.errs) {
				t.Fatalf("errors %v, want %v", errs, tc.errs)
			}
			for i, e := range errs {
				w := tc.errs[i]
				if e.Field != w.Field || e.Reason != w.Reason || (w.Detail == "*") != (e.Detail != "") {
					t.Errorf("error %d: %+v, want %+v", i, e, w)
				}
				if e.Message() == "" || !strings.HasPrefix(e.Error(), "facts: "+e.Field+": ") || strings.Contains(e.Detail, "cra:") {
					t.Errorf("message %q, error %q", e.Message(), e.Error())
				}
			}
			if len(errs) > 0 {
				return
			}
			if v.SupportStart != tc.start || v.SupportEnd != tc.end || !slices.Equal(v.Categories, tc.cats) {
				t.Errorf("got %q–%q %v, want %q–%q %v", v.SupportStart, v.SupportEnd, v.Categories, tc.start, tc.end, tc.cats)
			}
		})
	}
	v, _ := ProductVersion(VersionInput{HarmonisedStandards: true, EUScheme: true})
	if !v.HarmonisedStandards || v.FOSSPublicDocs || !v.EUScheme {
		t.Errorf("facts not kept: %+v", v)
	}
}

// FuzzProductVersion: any input is refused naming a known field and reason,
// or gives dates the store accepts; nothing panics.
func FuzzProductVersion(f *testing.F) {
	f.Add("2028-01-15", "5", "", "annex3.1.12")
	f.Add("2028-02-29", "", "2033-02-28", "annex4.1")
	f.Add("x", "-1", "2027-01-01", "annex9")
	f.Add("2028-01-15", "99999999999999999999", "", "")
	f.Fuzz(func(t *testing.T, placed, years, end, category string) {
		v, errs := ProductVersion(VersionInput{PlacedOn: placed, Years: years, End: end, Categories: []string{category}})
		for _, e := range errs {
			if _, ok := reasonText[e.Reason]; !ok || !slices.Contains([]string{"placed_on", "support_years", "support_end", "categories"}, e.Field) {
				t.Fatalf("error %+v", e)
			}
		}
		if len(errs) > 0 {
			return
		}
		for _, d := range []string{v.SupportStart, v.SupportEnd} {
			if _, err := time.Parse(time.DateOnly, d); d != "" && err != nil {
				t.Fatalf("accepted date %q: %v", d, err)
			}
		}
		if v.SupportEnd != "" && (v.SupportStart == "" || v.SupportEnd < v.SupportStart) {
			t.Fatal(fmt.Sprintf("accepted period %q–%q", v.SupportStart, v.SupportEnd))
		}
	})
}

func TestFindingOpen(t *testing.T) {
	for _, tc := range []struct {
		status string
		gone   bool
		open   bool
	}{
		{"under_investigation", false, true},
		{"affected", false, true},
		{"not_affected", false, false},
		{"fixed", false, false},
		{"affected", true, false}, // no longer found
	} {
		if got := FindingOpen(store.Finding{Status: tc.status, Gone: tc.gone}); got != tc.open {
			t.Errorf("%s gone=%v: open %v, want %v", tc.status, tc.gone, got, tc.open)
		}
	}
}
