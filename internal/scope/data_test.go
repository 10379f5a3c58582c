package scope

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/law"
)

// TestDataValid checks every entry of the law data: metadata, unique ids,
// and the size of the Anlagen as promulgated (legal-spec.md §1.4, §1.5).
func TestDataValid(t *testing.T) {
	seen := make(map[string]bool)
	for _, r := range Rules() {
		if err := r.Validate(); err != nil {
			t.Error(err)
		}
		if seen[r.ID] {
			t.Errorf("duplicate id %s", r.ID)
		}
		seen[r.ID] = true
		if r.Title.DE == "" || r.Title.EN == "" {
			t.Errorf("%s: title needs German and English", r.ID)
		}
		if !strings.HasPrefix(r.Source, "legal-spec.md §") {
			t.Errorf("%s: source %q does not name a section of the legal spec", r.ID, r.Source)
		}
		if r.Kind != "scope" && r.Kind != "obligation" {
			t.Errorf("%s: kind %q", r.ID, r.Kind)
		}
	}
	count := map[int]int{}
	for _, a := range Activities() {
		count[a.Anlage]++
		if a.Sector.DE == "" || a.Sector.EN == "" || (a.Branch.DE == "") != (a.Branch.EN == "") {
			t.Errorf("%s: sector or branch incomplete", a.ID)
		}
		nr := strings.TrimPrefix(a.ID, fmt.Sprintf("A%d-", a.Anlage))
		if want := fmt.Sprintf("Anlage %d Nr. %s BSIG", a.Anlage, nr); a.Citation != want {
			t.Errorf("%s: citation %q; want %q", a.ID, a.Citation, want)
		}
	}
	if count[1] != 53 || count[2] != 14 {
		t.Errorf("Anlage 1 has %d, Anlage 2 %d Einrichtungsarten; the statute has 53 and 14", count[1], count[2])
	}
	ms := Measures()
	if len(ms) != 10 {
		t.Fatalf("%d measures; §30(2) S.2 lists 10", len(ms))
	}
	for i, m := range ms {
		if want := fmt.Sprintf("30.2.%d", i+1); m.ID != want || m.Citation != fmt.Sprintf("§ 30 Abs. 2 Satz 2 Nr. %d BSIG", i+1) {
			t.Errorf("measure %d: %s %q", i+1, m.ID, m.Citation)
		}
	}
	for _, o := range data.obligations {
		if o.Trigger.DE == "" || o.Trigger.EN == "" || o.Deadline.DE == "" || o.Deadline.EN == "" {
			t.Errorf("obligation %s: trigger and deadline need German and English", o.ID)
		}
		for i, it := range o.Items {
			if it.DE == "" || it.EN == "" {
				t.Errorf("obligation %s item %d: needs German and English", o.ID, i)
			}
		}
	}
}

// TestBSIG_2025_EntryIntoForce_Unverified pins that scope uses the one
// entry-into-force entry (law.BSIG2025), that the assumed date is shown as
// such, and that it fits §49(3)'s fixed date of 6 March 2026.
func TestBSIG_2025_EntryIntoForce_Unverified(t *testing.T) {
	e := data.entry
	if e.ID != law.IDBSIG2025 || e.Status != law.Unverified || e.ValidFrom != "2025-12-06" || e.SettledFrom != "2026-03-16" {
		t.Errorf("entry into force %+v", e)
	}
	if Rules()[0].ID != law.IDBSIG2025 {
		t.Errorf("scope does not list %s first", law.IDBSIG2025)
	}
	from, _ := time.Parse("2006-01-02", e.ValidFrom)
	for _, o := range data.obligations {
		if o.ID == "49" && from.AddDate(0, 3, 0).Format("2006-01-02") != o.DueDate {
			t.Errorf("§49(3) due date %s is not three months after %s", o.DueDate, e.ValidFrom)
		}
	}
}

func TestLookupActivity(t *testing.T) {
	a, ok := LookupActivity("A2-5.4.1")
	if !ok || a.Definition != "NACE C 28" || a.Anlage != 2 {
		t.Errorf("A2-5.4.1 = %+v, %v", a, ok)
	}
	if _, ok := LookupActivity("A1-9.9.9"); ok {
		t.Error("found an activity that does not exist")
	}
}

func TestNumberFormat(t *testing.T) {
	for _, tc := range []struct {
		v      float64
		de, en string
	}{
		{0, "0", "0"}, {49.5, "49,5", "49.5"}, {1000, "1.000", "1,000"}, {10e6, "10.000.000", "10,000,000"}, {123456.25, "123.456,25", "123,456.25"},
	} {
		if got := num(tc.v, "de"); got != tc.de {
			t.Errorf("num(%v, de) = %q; want %q", tc.v, got, tc.de)
		}
		if got := num(tc.v, "en"); got != tc.en {
			t.Errorf("num(%v, en) = %q; want %q", tc.v, got, tc.en)
		}
	}
}

// TestDataReadingsUnverified: entries that carry a reading of their own say
// UNVERIFIED and give the reading in their note (docs/law.md §1.1).
func TestDataReadingsUnverified(t *testing.T) {
	rules := map[string]law.Rule{}
	for _, r := range Rules() {
		rules[r.ID] = r
	}
	for id, why := range map[string]string{
		"28.5.1":       "weitere",    // §28(5) S.2 "weitere kritische Anlagen"
		"28.5.2":       "weitere",    // same
		"66":           "2026-03-17", // valid_from inferred
		"33.2.orig-66": "not found",  // open end under §66, as fines 65.2.7.orig-66
		"33.5.orig-66": "not found",  // same
		"A1-1.2.1":     "GEG",        // definition switched on an unknown date
		"61":           "",           // stays VERIFIED: the §56(6) observation is only flagged
		"32.1":         "",           // stays VERIFIED: §2 Nr. 11 / §56(5) flagged
		"35.2":         "",           // stays VERIFIED: the sectors are the statute's
		"33.2.orig":    "",           // own force until 16.03.2026, a date §66 names
		"33.5.cons":    "",           // the new wording itself
		law.IDBSIG2025: "16.03.2026", // the one entry-into-force entry
	} {
		r, ok := rules[id]
		switch {
		case !ok:
			t.Errorf("%s missing", id)
		case why == "" && r.Status != law.Verified:
			t.Errorf("%s: status %s, want VERIFIED", id, r.Status)
		case why != "" && (r.Status != law.Unverified || !strings.Contains(r.Note, why)):
			t.Errorf("%s: status %s, note %q; want UNVERIFIED with the reading (%q)", id, r.Status, r.Note, why)
		}
	}
	for _, flag := range []struct{ id, text string }{
		{"32.1", "§ 56\n      Absatz 5"}, {"61", "§ 56 Absatz 6"},
	} {
		if n := strings.Join(strings.Fields(rules[flag.id].Note), " "); !strings.Contains(n, strings.Join(strings.Fields(flag.text), " ")) {
			t.Errorf("%s: note does not flag %q: %s", flag.id, flag.text, n)
		}
	}
}
