package cra

import (
	"strings"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/law"
)

func day(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := law.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestCRA_AnnexIII_IV_Categories(t *testing.T) {
	count := map[Class]int{}
	for _, k := range Categories() {
		count[k.Class]++
		if k.Title.DE == "" || k.Title.EN == "" {
			t.Errorf("%s: title needs de and en", k.ID)
		}
	}
	// Annex III: 19 class I, 4 class II; Annex IV: 3 (spec §4.5, §4.6).
	if count[ImportantClass1] != 19 || count[ImportantClass2] != 4 || count[Critical] != 3 {
		t.Errorf("category counts %v; want 19/4/3", count)
	}
	if k := cat.category["annex3.1.11"]; !strings.Contains(k.Title.EN, "Operating systems") {
		t.Errorf("annex3.1.11 = %q, want operating systems", k.Title.EN)
	}
}

func TestCRA_Classify(t *testing.T) {
	for _, tc := range []struct {
		name string
		ids  []string
		want Class
		n    int
	}{
		{"no category", nil, Default, 0},
		{"operating system", []string{"annex3.1.11"}, ImportantClass1, 1},
		{"hypervisor", []string{"annex3.2.1"}, ImportantClass2, 1},
		{"highest wins", []string{"annex3.1.12", "annex3.2.2"}, ImportantClass2, 2},
		{"critical wins", []string{"annex3.2.3", "annex4.3", "annex3.1.3"}, Critical, 3},
		{"duplicates once", []string{"annex4.2", " annex4.2"}, Critical, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Classify(tc.ids)
			if err != nil {
				t.Fatal(err)
			}
			if got.Class != tc.want || len(got.Reasons) != tc.n {
				t.Errorf("Classify(%v) = %s with %d reasons; want %s with %d", tc.ids, got.Class, len(got.Reasons), tc.want, tc.n)
			}
		})
	}
	if _, err := Classify([]string{"annex3.1.1", "annex3.1.20"}); err == nil || !strings.Contains(err.Error(), "category 2") {
		t.Errorf("unknown id: error %v, want one naming category 2", err)
	}
}

// open returns the ids of the open routes.
func open(a Assessment) string {
	var ids []string
	for _, r := range a.Routes {
		if r.Open {
			ids = append(ids, r.ID)
		}
	}
	return strings.Join(ids, ",")
}

func TestCRA_Art32(t *testing.T) {
	asOf := day(t, "2028-01-01")
	for _, tc := range []struct {
		norm  string
		class Class
		facts Facts
		want  string
	}{
		{"Abs1", Default, Facts{}, "module_a,module_bc,module_h"},
		{"Abs1 with scheme", Default, Facts{EUSchemeAvailable: true}, "module_a,module_bc,module_h,eu_scheme"},
		{"Abs2 standards not in full", ImportantClass1, Facts{}, "module_bc,module_h"},
		{"Abs2 standards in full", ImportantClass1, Facts{HarmonisedStandardsAppliedInFull: true}, "module_a,module_bc,module_h"},
		{"Abs3", ImportantClass2, Facts{HarmonisedStandardsAppliedInFull: true}, "module_bc,module_h"},
		{"Abs3 with scheme", ImportantClass2, Facts{EUSchemeAvailable: true}, "module_bc,module_h,eu_scheme"},
		{"Abs4 scheme under Art. 8(1)", Critical, Facts{EUSchemeAvailable: true}, "eu_scheme"},
		{"Abs4 no scheme", Critical, Facts{}, "module_bc,module_h"},
		{"Abs4 FOSS gets no Module A", Critical, Facts{FOSSPublicTechDoc: true}, "module_bc,module_h"},
		{"Abs5 FOSS class I", ImportantClass1, Facts{FOSSPublicTechDoc: true}, "module_a,module_bc,module_h"},
		{"Abs5 FOSS class II", ImportantClass2, Facts{FOSSPublicTechDoc: true}, "module_a,module_bc,module_h"},
	} {
		t.Run(tc.norm, func(t *testing.T) {
			a, err := Routes(tc.class, tc.facts, asOf)
			if err != nil {
				t.Fatal(err)
			}
			if got := open(a); got != tc.want {
				t.Errorf("open routes %s, want %s", got, tc.want)
			}
			for _, r := range a.Routes {
				if r.Basis == "" || r.Why.DE == "" || r.Why.EN == "" {
					t.Errorf("route %s without basis or reason: %+v", r.ID, r)
				}
			}
		})
	}
	a, _ := Routes(ImportantClass2, Facts{FOSSPublicTechDoc: true}, asOf)
	if a.Routes[0].Basis != "Art. 32 Abs. 5 VO (EU) 2024/2847" {
		t.Errorf("FOSS Module A basis %q, want Art. 32(5)", a.Routes[0].Basis)
	}
	if _, err := Routes("foss", Facts{}, asOf); err == nil {
		t.Errorf("Routes accepted class foss")
	}
	if _, err := Routes("important", Facts{}, asOf); err == nil {
		t.Errorf("Routes accepted an unknown class")
	}
}

func TestCRA_Art71_Abs2(t *testing.T) {
	before, _ := Routes(Default, Facts{}, day(t, "2027-12-10"))
	from, _ := Routes(Default, Facts{}, day(t, "2027-12-11"))
	if len(before.Notes) != len(from.Notes)+1 || !strings.Contains(before.Notes[len(before.Notes)-1].Text.EN, "11.12.2027") {
		t.Errorf("no note that Art. 32 applies from 11.12.2027: %+v", before.Notes)
	}
	want := map[string]string{"cra.71.1": "2024-12-10", "cra.71.2.chapter4": "2026-06-11", "cra.71.2.art14": "2026-09-11", "cra.71.2": "2027-12-11", "cra.69.1": "2028-06-11"}
	for _, d := range Dates() {
		if want[d.ID] != d.Date {
			t.Errorf("%s: %s, want %s", d.ID, d.Date, want[d.ID])
		}
		delete(want, d.ID)
	}
	if len(want) != 0 {
		t.Errorf("dates missing: %v", want)
	}
}

func TestCRA_Art13_Abs8(t *testing.T) {
	for _, tc := range []struct {
		start string
		years int
		want  string
	}{
		{"2028-01-15", 5, "2033-01-15"},
		{"2028-02-29", 5, "2033-02-28"},
		{"2028-02-29", 4, "2032-02-29"},
		{"2027-12-31", 5, "2032-12-31"},
	} {
		if got := SupportPeriodEnd(day(t, tc.start), tc.years); !got.Equal(day(t, tc.want)) {
			t.Errorf("SupportPeriodEnd(%s, %d) = %s, want %s", tc.start, tc.years, got.Format(law.DateLayout), tc.want)
		}
	}
	s, err := SupportPeriod(day(t, "2028-03-01"), 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Notes) != 2 || !strings.Contains(s.Notes[0].Text.EN, "under 5 years") {
		t.Errorf("short support period without the Art. 13(8) note: %+v", s.Notes)
	}
	for _, y := range []int{0, -1, 101} {
		if _, err := SupportPeriod(day(t, "2028-03-01"), y); err == nil {
			t.Errorf("SupportPeriod(%d years) accepted", y)
		}
	}
}

func TestCRA_Art13_Abs9(t *testing.T) {
	end := day(t, "2033-01-15")
	if got := UpdateAvailableUntil(day(t, "2029-06-30"), end); !got.Equal(day(t, "2039-06-30")) {
		t.Errorf("update 2029-06-30: %s, want 10 years after issue", got.Format(law.DateLayout))
	}
	// A support period longer than 10 years after issue wins.
	if got := UpdateAvailableUntil(day(t, "2029-06-30"), day(t, "2045-01-01")); !got.Equal(day(t, "2045-01-01")) {
		t.Errorf("long support: %s, want the end of support", got.Format(law.DateLayout))
	}
}

func TestCRA_Art13_Abs13(t *testing.T) {
	for _, tc := range []struct {
		years int
		want  string
	}{
		{5, "2038-01-15"},  // 10 years after placing on the market
		{15, "2043-01-15"}, // the longer support period
	} {
		s, err := SupportPeriod(day(t, "2028-01-15"), tc.years)
		if err != nil {
			t.Fatal(err)
		}
		if !s.DocumentationUntil.Equal(day(t, tc.want)) {
			t.Errorf("%d years: documentation until %s, want %s", tc.years, s.DocumentationUntil.Format(law.DateLayout), tc.want)
		}
	}
}

func TestCRA_Art13_Abs19_Art69_Abs2(t *testing.T) {
	s, err := SupportPeriod(day(t, "2027-06-01"), 5)
	if err != nil {
		t.Fatal(err)
	}
	var cites []string
	for _, n := range s.Notes {
		cites = append(cites, n.Citation)
	}
	if !strings.Contains(strings.Join(cites, ";"), "Art. 69 Abs. 2") {
		t.Errorf("placed before 11.12.2027 without the Art. 69(2) note: %v", cites)
	}
	if !strings.Contains(strings.Join(s.Citations, ";"), "Art. 13 Abs. 19") {
		t.Errorf("citations %v miss Art. 13(19)", s.Citations)
	}
}

// TestCRA_Art32_Abs4_Reading: the routes of Art. 32(4) are statute, but
// reading "EU scheme available" as "an Art. 8(1) scheme" is ours, so the
// entry and the note it gives are UNVERIFIED.
func TestCRA_Art32_Abs4_Reading(t *testing.T) {
	a, err := Routes(Critical, Facts{EUSchemeAvailable: true}, day(t, "2028-01-01"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range a.Notes {
		if n.Citation == "Art. 32 Abs. 4 VO (EU) 2024/2847" && n.Status != law.Unverified {
			t.Errorf("Art. 32(4) note %s, want UNVERIFIED", n.Status)
		}
	}
	if cat.classes[Critical].Status != law.Unverified {
		t.Errorf("cra.32.4 status %s, want UNVERIFIED", cat.classes[Critical].Status)
	}
}

// TestCRA_Art71_Abs2_Citation: the dates are VERIFIED, the subparagraphs of
// Art. 71(2) are not, so the entries cite the paragraph only.
func TestCRA_Art71_Abs2_Citation(t *testing.T) {
	for _, d := range Dates() {
		if strings.HasPrefix(d.ID, "cra.71.2") && (d.Citation != "Art. 71 Abs. 2 VO (EU) 2024/2847" || d.Status != law.Verified) {
			t.Errorf("%s: citation %q status %s", d.ID, d.Citation, d.Status)
		}
	}
}

func TestRules(t *testing.T) {
	rules := Rules()
	if len(rules) != 26+5+5+5 {
		t.Errorf("%d rules; want 26 categories, 5 route rules, 5 periods, 5 dates", len(rules))
	}
	seen := map[string]bool{}
	for _, r := range rules {
		if r.Kind != "cra" || seen[r.ID] {
			t.Errorf("rule %s: kind %q or duplicate", r.ID, r.Kind)
		}
		seen[r.ID] = true
	}
}
