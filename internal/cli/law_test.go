package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestLawGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"law_kind_cra_en", []string{"law", "--kind", "cra", "--lang", "en"}},
		{"law_show_de", []string{"law", "65.2.6", "--lang", "de"}},
		{"law_show_json", []string{"law", "--json", "65.2.1a"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, "", tc.args...)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			golden(t, tc.name, out)
		})
	}
}

func TestLawListsEveryKindAndFilters(t *testing.T) {
	out, _, code := runCLI(t, "", "law", "--json")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	var all struct {
		Count int `json:"count"`
		Rules []struct {
			ID, Kind, Citation, Status string
		} `json:"rules"`
	}
	if err := json.Unmarshal([]byte(out), &all); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	ids := map[string]bool{}
	for _, r := range all.Rules {
		kinds[r.Kind]++
		key := r.Kind + "/" + r.ID
		if ids[key] {
			t.Errorf("rule %s listed twice", key)
		}
		ids[key] = true
		if r.Citation == "" || (r.Status != "VERIFIED" && r.Status != "UNVERIFIED") {
			t.Errorf("rule %s: citation %q, status %q", key, r.Citation, r.Status)
		}
	}
	for _, k := range []string{"scope", "obligation", "fine", "period", "cra"} {
		if kinds[k] == 0 {
			t.Errorf("no rules of kind %s", k)
		}
	}
	out, _, _ = runCLI(t, "", "law", "--json", "--unverified")
	if strings.Contains(out, `"status": "VERIFIED"`) {
		t.Error("--unverified lists a VERIFIED rule")
	}
	// Before BSIG 2025 entered into force, no BSIG rule is in force.
	out, _, _ = runCLI(t, "", "law", "--as-of", "2025-01-01", "--kind", "fine")
	if strings.Contains(out, "65.2.6") {
		t.Error("--as-of 2025-01-01 lists §65 rules")
	}
}

func TestLawBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"law", "no-such-rule"}, `ID: no rule "no-such-rule"`},
		{[]string{"law", "--kind", "poetry"}, "--kind"},
		{[]string{"law", "--as-of", "2026-13-01"}, "--as-of"},
		{[]string{"law", "a", "b"}, "arg(s)"},
	} {
		_, errOut, code := runCLI(t, "", tc.args...)
		if code != ExitInput || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 naming %q", tc.args, code, errOut, tc.want)
		}
	}
}

func TestNaturalCompare(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"65.2.2", "65.2.10", -1},
		{"65.2.1a", "65.2.1b", -1},
		{"65.2.1d", "65.2.2", -1},
		{"A1-6.1.10", "A1-6.1.9", 1},
		{"30.2.1", "30.2.1", 0},
		{"65.2", "65.2.1", -1},
	} {
		if got := naturalCompare(tc.a, tc.b); got != tc.want {
			t.Errorf("naturalCompare(%q, %q) = %d; want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
