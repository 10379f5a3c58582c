package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pflicht/pflicht/internal/view"
)

func TestFineGolden(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
	}{
		{"fine_de", "", []string{"fine", "--lang", "de", "--in", "testdata/fine_case.json"}},
		{"fine_en", "", []string{"fine", "--lang", "en", "--in", "testdata/fine_case.json"}},
		{"fine_json", "", []string{"fine", "--json", "--in", "testdata/fine_case.json"}},
		{"fine_cap_en", "", []string{"fine", "--lang", "en", "--offence", "65.2.2", "--class", "wichtig", "--legal-person", "--turnover", "777777777"}},
		// §65(7) for a natural person: unknown role (UNVERIFIED) and a manager (§9 OWiG, fixed maximum).
		{"fine_cap_natural_en", "", []string{"fine", "--lang", "en", "--offence", "65.2.2", "--class", "wichtig", "--negligent", "--turnover", "1000000000", "--as-of", "2026-11-23"}},
		{"fine_cap_manager_de", `{"offence":"65.2.2","entity_class":"wichtig","natural_person_is_entity":false,"as_of":"2026-11-23"}`, []string{"fine", "--lang", "de"}},
		{"fine_cra_de", "", []string{"fine", "--lang", "de", "--offence", "cra.64.2", "--micro-small", "--turnover", "1000000", "--as-of", "2026-11-23"}},
		{"fine_nofine_en", `{"offence": "65.2.4", "federal_administration": true}`, []string{"fine", "--lang", "en"}},
		{"fine_list_de", "", []string{"fine", "--list", "--lang", "de"}},
		{"fine_list_en", "", []string{"fine", "--list", "--lang", "en"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := runCLI(t, tc.stdin, tc.args...)
			if code != ExitOK {
				t.Fatalf("exit %d, stderr %s", code, stderr)
			}
			golden(t, tc.name, stdout)
		})
	}
}

func TestFineJSONFields(t *testing.T) {
	stdout, _, code := runCLI(t, `{"offence":"cra.64.3","turnover_eur":2e9,"as_of":"2028-01-01"}`, "fine", "--json")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"max_eur", "authority", "limitation_years", "citations", "steps", "status"} {
		if _, ok := got[k]; !ok {
			t.Errorf("field %s missing", k)
		}
	}
	// The German CRA implementing act was not found: no authority, no limitation.
	if got["authority"] != nil || got["limitation_years"] != nil || got["max_eur"] != 4e7 {
		t.Errorf("authority %v limitation %v max %v", got["authority"], got["limitation_years"], got["max_eur"])
	}
}

func TestFineFlagsOverrideJSON(t *testing.T) {
	stdout, stderr, code := runCLI(t, "", "fine", "--json", "--in", "testdata/fine_case.json", "--negligent=false")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got view.FineResponse
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	if got.MaxEUR == nil || *got.MaxEUR != 20_000_000 || got.Status != "VERIFIED" {
		t.Errorf("intentional 65.2.1a by a legal person: %v %s", got.MaxEUR, got.Status)
	}
}

func TestFineBadInput(t *testing.T) {
	for _, tc := range []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"unknown offence", `{"offence":"65.9"}`, nil, "offence: unknown offence id"},
		{"unknown offence flag", "", []string{"--offence", "65.9"}, "--offence: unknown offence id"},
		{"missing offence", `{"negligent":true}`, nil, "offence: missing"},
		{"negative turnover", `{"offence":"65.2.6","turnover_eur":-1}`, nil, "turnover_eur: must not be negative"},
		{"negative turnover flag", "", []string{"--offence", "65.2.6", "--turnover", "-5"}, "--turnover: must not be negative"},
		{"NaN turnover flag", "", []string{"--offence", "65.2.6", "--turnover", "NaN"}, "--turnover: must be a finite number"},
		{"non-numeric turnover", `{"offence":"65.2.6","turnover_eur":"viel"}`, nil, "turnover_eur: must be a number"},
		{"non-numeric turnover flag", "", []string{"--offence", "65.2.6", "--turnover", "viel"}, `"--turnover"`},
		{"missing class", `{"offence":"65.2.2","turnover_eur":1}`, nil, "entity_class: missing"},
		{"missing turnover", `{"offence":"65.2.2","entity_class":"wichtig"}`, nil, "turnover_eur: missing"},
		{"malformed as_of", `{"offence":"65.2.6","as_of":"23.11.2026"}`, nil, "as_of:"},
		{"malformed as_of flag", "", []string{"--offence", "65.2.6", "--as-of", "2026-13-01"}, "--as-of:"},
		{"as_of before the law", `{"offence":"65.2.6","as_of":"2025-01-01"}`, nil, "as_of: 2025-01-01 is before BSIG 2025"},
		{"negligent 65.1", `{"offence":"65.1","negligent":true}`, nil, "negligent: offence 65.1"},
		{"trailing garbage", `{"offence":"65.2.6"} x`, nil, "unexpected data after the JSON object"},
		{"unknown field", `{"offence":"65.2.6","umsatz":5}`, nil, "umsatz: unknown field"},
		{"boolean as string", `{"offence":"65.2.6","negligent":"yes"}`, nil, "negligent: must be a boolean"},
		{"role of a legal person", `{"offence":"65.2.2","legal_person":true,"natural_person_is_entity":true}`, nil, "natural_person_is_entity: applies only to a natural person"},
		{"role of a legal person flag", "", []string{"--offence", "65.2.2", "--legal-person", "--natural-person-is-entity"}, "--natural-person-is-entity: applies only to a natural person"},
		{"no input", "", nil, "no input"},
		{"argument", "", []string{"65.2.6"}, "unknown command"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runCLI(t, tc.stdin, append([]string{"fine"}, tc.args...)...)
			if code != ExitInput || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, ExitInput, tc.want)
			}
		})
	}
}

func TestFormatEUR(t *testing.T) {
	for _, tc := range []struct {
		v      float64
		de, en string
	}{
		{0, "0 €", "€0"},
		{500, "500 €", "€500"},
		{10_000_000, "10.000.000 €", "€10,000,000"},
		{8_400_000.5, "8.400.000,50 €", "€8,400,000.50"},
		{1e21, "1.000.000.000.000.000.000.000 €", "€1,000,000,000,000,000,000,000"},
	} {
		if got := formatEUR(tc.v, "de"); got != tc.de {
			t.Errorf("formatEUR(%v, de) = %q, want %q", tc.v, got, tc.de)
		}
		if got := formatEUR(tc.v, "en"); got != tc.en {
			t.Errorf("formatEUR(%v, en) = %q, want %q", tc.v, got, tc.en)
		}
	}
}

// FuzzFineInput feeds arbitrary JSON through the CLI decode path: the command
// must answer with exit 0 and valid JSON or exit 2 with a message, never panic.
func FuzzFineInput(f *testing.F) {
	for _, s := range []string{
		`{"offence":"65.2.2","entity_class":"besonders_wichtig","legal_person":true,"turnover_eur":1e9}`,
		`{"offence":"65.1","negligent":true}`,
		`{"offence":"65.2.4","entity_class":"wichtig","natural_person_is_entity":false,"turnover_eur":2e9}`,
		`{"offence":"65.2.4","entity_class":"wichtig","legal_person":true,"natural_person_is_entity":null}`,
		`{"offence":"cra.64.2.ew24","micro_or_small":true,"turnover_eur":5,"as_of":"2028-01-01"}`,
		`{"offence":"65.2.6","economic_benefit_eur":1e300,"as_of":"2026-01-01"}`,
		`{"offence":"65.2.6"} {}`,
		`{"turnover_eur":-0}`,
		``,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		stdout, stderr, code := runCLI(t, in, "fine", "--json")
		switch code {
		case ExitOK:
			if !json.Valid([]byte(stdout)) {
				t.Fatalf("exit 0 with invalid JSON %q", stdout)
			}
		case ExitInput:
			if stderr == "" {
				t.Fatal("exit 2 without a message")
			}
		default:
			t.Fatalf("exit %d for %q: %s", code, in, stderr)
		}
	})
}
