package cli

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestCheckGolden(t *testing.T) {
	profile, err := os.ReadFile("testdata/check_profile.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, stdin string
		args        []string
	}{
		{"check_human_de", "", []string{"check", "--lang", "de", "--employees", "49", "--turnover", "12e6", "--balance-sheet", "11e6", "--activity", "A1-6.1.9", "--kritis", "--qualified-since", "2026-01-31"}},
		{"check_human_en", string(profile), []string{"check", "--lang", "en", "--in", "-"}},
		{"check_json", string(profile), []string{"check", "--json"}},
		{"check_federal_en", "", []string{"check", "--lang", "en", "--federal", "--employees", "400", "--activity", "A1-6.1.5"}},
		{"check_before_entry_into_force_de", "", []string{"check", "--lang", "de", "--kritis", "--as-of", "2025-12-05"}},
		{"check_list_activities_de", "", []string{"check", "--lang", "de", "--list-activities"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := runCLI(t, tc.stdin, tc.args...)
			if code != ExitOK || stderr != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			golden(t, tc.name, stdout)
		})
	}
}

func TestCheckJSONContract(t *testing.T) {
	stdout, _, code := runCLI(t, `{"employees": 60, "activities": ["A2-5.4.1"]}`, "check", "--json")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	var out struct {
		AsOf        string `json:"as_of"`
		Class       string `json:"class"`
		KRITIS      *bool  `json:"kritis"`
		Reasons     []struct{ Citation string }
		Obligations []struct {
			Norm string `json:"norm"`
		} `json:"obligations"`
		Citations []string `json:"citations"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	if out.AsOf != "2026-11-23" || out.Class != "wichtig" || out.KRITIS == nil || *out.KRITIS || len(out.Reasons) == 0 || len(out.Citations) == 0 {
		t.Errorf("JSON %+v", out)
	}
	for _, o := range out.Obligations {
		if o.Norm == "" {
			t.Error("obligation without norm")
		}
	}
	if len(out.Obligations) == 0 {
		t.Error("no obligations for a wichtige Einrichtung")
	}
}

func TestCheckBadInput(t *testing.T) {
	for _, tc := range []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"negative turnover flag", "", []string{"check", "--turnover", "-5", "--activity", "A1-6.1.4"}, "--turnover: -5 is not a finite, non-negative number"},
		{"non-numeric turnover flag", "", []string{"check", "--turnover", "viel"}, `--turnover: "viel" is not a number`},
		{"NaN employees flag", "", []string{"check", "--employees", "NaN"}, "--employees"},
		{"unknown activity flag", "", []string{"check", "--activity", "A3-1.1.1"}, `--activity: "A3-1.1.1" is not an Anlage id`},
		{"malformed as_of flag", "", []string{"check", "--kritis", "--as-of", "23.11.2026"}, "--as-of:"},
		{"malformed qualified_since flag", "", []string{"check", "--kritis", "--qualified-since", "2026-13-01"}, "--qualified-since:"},
		{"bad main establishment flag", "", []string{"check", "--kritis", "--main-establishment", "US"}, "--main-establishment:"},
		{"negative turnover JSON", `{"turnover_eur": -1}`, []string{"check"}, "turnover_eur: -1 is not a finite, non-negative number"},
		{"non-numeric turnover JSON", `{"turnover_eur": "10 Mio"}`, []string{"check"}, "turnover_eur: must be a number"},
		{"unknown activity JSON", `{"activities": ["A1-6.1.4", "cloud"]}`, []string{"check"}, `activities[1]: "cloud" is not an Anlage id`},
		{"malformed as_of JSON", `{"as_of": "2026-02-30"}`, []string{"check"}, "as_of:"},
		{"unknown field JSON", `{"employes": 3}`, []string{"check"}, "employes: unknown field"},
		{"trailing garbage", `{"employees": 3} {}`, []string{"check"}, "unexpected data after the JSON object"},
		{"missing input", "", []string{"check"}, "no input"},
		{"flags and --in", "", []string{"check", "--kritis", "--in", "x.json"}, "--in: give the profile either as flags or as JSON"},
		{"missing file", "", []string{"check", "--in", "testdata/does-not-exist.json"}, "--in:"},
		{"qualified after as-of flag", "", []string{"check", "--kritis", "--qualified-since", "2026-12-01"}, "--qualified-since: 2026-12-01 is after as_of 2026-11-23"},
		{"as-of with JSON as_of", `{"as_of": "2026-01-01"}`, []string{"check", "--as-of", "2026-02-01"}, "--as-of: as_of is also given"},
		{"malformed as-of with JSON", `{"kritis_operator": true}`, []string{"check", "--as-of", "2026-1-1"}, "--as-of:"},
		{"extra argument", "", []string{"check", "A1-6.1.4"}, "unknown command"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := runCLI(t, tc.stdin, tc.args...)
			if code != ExitInput || !strings.Contains(stderr, tc.want) || stdout != "" {
				t.Errorf("exit %d, stderr %q, stdout %q; want exit 2 with %q", code, stderr, stdout, tc.want)
			}
		})
	}
}

func TestCheckAsOfFlagWithJSON(t *testing.T) {
	stdout, stderr, code := runCLI(t, `{"kritis_operator": true}`, "check", "--json", "--as-of", "2025-12-05")
	if code != ExitOK || !strings.Contains(stdout, `"as_of": "2025-12-05"`) || !strings.Contains(stdout, `"in_force": false`) {
		t.Errorf("exit %d, stderr %q, stdout %.200s", code, stderr, stdout)
	}
}

func TestCheckListActivitiesJSON(t *testing.T) {
	stdout, _, code := runCLI(t, "", "check", "--list-activities", "--json")
	var acts []struct {
		ID     string `json:"id"`
		Anlage int    `json:"anlage"`
	}
	if err := json.Unmarshal([]byte(stdout), &acts); code != ExitOK || err != nil || len(acts) != 67 || acts[0].ID != "A1-1.1.1" {
		t.Errorf("exit %d, %v, %d activities", code, err, len(acts))
	}
}

// FuzzCheckJSON feeds arbitrary input through the CLI decode path: it must
// answer (exit 0) or name the problem (exit 2), never fail or panic (exit 3).
func FuzzCheckJSON(f *testing.F) {
	for _, s := range []string{
		`{"employees": 120, "turnover_eur": 3e7, "balance_sheet_eur": 2e7, "activities": ["A1-6.1.4"]}`,
		`{"kritis_operator": true, "qualified_since": "2026-01-31", "as_of": "2026-11-23"}`,
		`{"domain_registrar": true, "main_establishment": "non-EU", "representative": "none"}`,
		`{"employees": 1e400}`,
		`{"activities": [null]}`,
		`{"as_of": "0001-01-01", "qualified_since": "9999-12-31", "kritis_operator": true}`,
		`[]`,
		``,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		_, stderr, code := runCLI(t, in, "check", "--json")
		if code != ExitOK && code != ExitInput {
			t.Fatalf("input %q: exit %d, %s", in, code, stderr)
		}
		if code == ExitInput && !strings.HasPrefix(stderr, "pflicht: ") {
			t.Fatalf("input %q: error without message: %q", in, stderr)
		}
	})
}
