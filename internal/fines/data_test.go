package fines

import (
	"slices"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/law"
)

// The offence ids of legal-spec table 3.1, and the CRA ids; pinned so that an
// added or lost entry fails here.
var (
	bsigIDs = []string{"65.1", "65.2.1a", "65.2.1b", "65.2.1c", "65.2.1d", "65.2.2", "65.2.3", "65.2.4", "65.2.5",
		"65.2.6", "65.2.7", "65.2.8", "65.2.9", "65.2.10", "65.2.11", "65.2.12", "65.2.13", "65.2.14", "65.2.15",
		"65.2.16", "65.2.17", "65.3", "65.4.1", "65.4.2"}
	craIDs = []string{"cra.64.2", "cra.64.2.ew24", "cra.64.3", "cra.64.4"}
)

func TestDataLoads(t *testing.T) {
	if _, err := load(dataFS); err != nil {
		t.Fatal(err)
	}
}

func TestDataOffenceIDs(t *testing.T) {
	var bsig, cra []string
	for _, o := range reg.order {
		if o.cat == reg.bsig {
			bsig = append(bsig, o.ID)
		} else {
			cra = append(cra, o.ID)
		}
	}
	if !slices.Equal(bsig, bsigIDs) {
		t.Errorf("BSIG offences %v\nwant %v", bsig, bsigIDs)
	}
	if !slices.Equal(cra, craIDs) {
		t.Errorf("CRA offences %v\nwant %v", cra, craIDs)
	}
}

func TestDataRules(t *testing.T) {
	known := []string{law.WordingBSIGOriginal, law.WordingBSIGConsolidated, law.WordingBSIGBoth, law.WordingOWiG, law.WordingCRA}
	seen := map[string]bool{}
	rules := Rules()
	for _, r := range rules {
		if err := r.Validate(); err != nil {
			t.Error(err)
		}
		if seen[r.ID] {
			t.Errorf("duplicate rule id %s", r.ID)
		}
		seen[r.ID] = true
		if r.Kind != "fine" {
			t.Errorf("%s: kind %q", r.ID, r.Kind)
		}
		if !slices.Contains(known, r.Wording) {
			t.Errorf("%s: wording %q is not a law.Wording* constant", r.ID, r.Wording)
		}
		if r.Title.DE == "" || r.Title.EN == "" {
			t.Errorf("%s: title not in both languages", r.ID)
		}
	}
	// 1 statute (the CRA; BSIG 2025 is law.BSIG2025, listed by scope), 25
	// provisions, 1 limitation, 10 tiers, 5 caps, 28 offences, 4 wordings.
	if len(rules) != 74 {
		t.Errorf("%d rules, want 74", len(rules))
	}
	if seen[law.IDBSIG2025] {
		t.Errorf("%s is listed by fines; it belongs to package law and is listed once, by scope", law.IDBSIG2025)
	}
}

func TestDataOffences(t *testing.T) {
	for _, o := range reg.order {
		if o.Conduct.DE == "" || o.Conduct.EN == "" || o.Addressee.DE == "" || o.Addressee.EN == "" || o.Sanctions == "" {
			t.Errorf("%s: conduct, addressee or sanctioned norm missing", o.ID)
		}
		if o.cat == reg.bsig && o.Authority == "" {
			t.Errorf("%s: no authority", o.ID)
		}
		if o.cat == reg.cra && (o.EarlyFrom == "" || o.EarlyFrom >= o.ValidFrom) {
			t.Errorf("%s: early_from %q must precede valid_from %s", o.ID, o.EarlyFrom, o.ValidFrom)
		}
	}
}

// The wordings of an offence must cover its whole life without gap or overlap.
func TestDataWordingsContiguous(t *testing.T) {
	for _, o := range reg.order {
		if len(o.Wordings) == 0 {
			continue
		}
		if o.Wordings[0].ValidFrom != o.ValidFrom {
			t.Errorf("%s: first wording starts %s, offence %s", o.ID, o.Wordings[0].ValidFrom, o.ValidFrom)
		}
		for i := 1; i < len(o.Wordings); i++ {
			end, err := law.ParseDate(o.Wordings[i-1].ValidTo)
			if err != nil {
				t.Fatalf("%s: %v", o.Wordings[i-1].ID, err)
			}
			if next := end.Add(24 * time.Hour).Format(law.DateLayout); next != o.Wordings[i].ValidFrom {
				t.Errorf("%s: %s ends %s but %s starts %s", o.ID, o.Wordings[i-1].ID, o.Wordings[i-1].ValidTo, o.Wordings[i].ID, o.Wordings[i].ValidFrom)
			}
		}
		if last := o.Wordings[len(o.Wordings)-1]; last.ValidTo != o.ValidTo {
			t.Errorf("%s: last wording ends %q, offence %q", o.ID, last.ValidTo, o.ValidTo)
		}
	}
}

func TestOffencesAsOf(t *testing.T) {
	for _, tc := range []struct {
		asOf string
		n    int
	}{
		{"2025-12-05", 0},
		{"2025-12-06", 24},
		{"2026-06-11", 26}, // cra.64.3, cra.64.4: Chapter IV duties
		{"2026-09-11", 28}, // Art. 14
		{"2028-01-01", 28},
	} {
		if got := len(Offences(day(tc.asOf))); got != tc.n {
			t.Errorf("Offences(%s): %d, want %d", tc.asOf, got, tc.n)
		}
	}
}
