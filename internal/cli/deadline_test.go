package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// goldenRun runs pflicht and compares the command line, its output and exit
// code with testdata/NAME.golden.
func goldenRun(t *testing.T, name, stdin string, args ...string) {
	t.Helper()
	stdout, stderr, code := runCLI(t, stdin, args...)
	if code != ExitOK {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	golden(t, name, "$ pflicht "+strings.Join(args, " ")+"\n"+stdout)
}

func TestDeadlineGolden(t *testing.T) {
	// The CLI clock is pinned at 2026-11-23 11:00 Berlin (runCLI).
	bsig := []string{"deadline", "--regime", "bsig", "--aware-at", "2026-11-20T09:00:00+01:00",
		"--early-warning-at", "2026-11-20T20:00:00+01:00", "--notified-at", "2026-11-23T08:00:00+01:00", "--kritis-operator"}
	for _, tc := range []struct {
		name, stdin string
		args        []string
	}{
		{"deadline_bsig_en", "", append([]string{"--lang", "en"}, bsig...)},
		{"deadline_bsig_de", "", append([]string{"--lang", "de"}, bsig...)},
		{"deadline_bsig_json", "", append([]string{"--json"}, bsig...)},
		{"deadline_bsig_ongoing_en", `{"regime":"bsig","aware_at":"2026-09-01T10:00:00+02:00","notified_at":"2026-09-03T10:00:00+02:00",
			"incident_ongoing":true,"progress_at":"2026-10-02T12:00:00+02:00","interim_requested_at":"2026-09-10T09:00:00+02:00",
			"interim_due_at":"2026-09-15T12:00:00+02:00","interim_at":"2026-09-16T08:00:00+02:00"}`, []string{"deadline", "--lang", "en"}},
		// Spring DST: 24 h from 28 March 10:00 CET end on 29 March 11:00 CEST.
		{"deadline_bsig_dst_de", "", []string{"deadline", "--lang", "de", "--regime", "bsig", "--aware-at", "2026-03-28T10:00:00+01:00", "--now", "2026-03-28T12:00:00+01:00"}},
		{"deadline_cra_vulnerability_en", "", []string{"deadline", "--lang", "en", "--regime", "cra-vulnerability", "--aware-at", "2026-11-20T10:17:00+01:00",
			"--early-warning-at", "2026-11-21T09:00:00+01:00", "--fix-available-at", "2026-11-22T15:00:00+01:00"}},
		{"deadline_cra_vulnerability_json", "", []string{"deadline", "--json", "--regime", "cra-vulnerability", "--aware-at", "2026-11-20T10:17:00+01:00",
			"--fix-available-at", "2026-11-22T15:00:00+01:00"}},
		{"deadline_cra_incident_de", `{"regime":"cra-incident","aware_at":"2026-10-29T10:00:00+01:00","early_warning_at":"2026-10-29T18:00:00+01:00",
			"notified_at":"2026-10-31T09:00:00+01:00","user_informed_at":"2026-11-02T09:00:00+01:00"}`, []string{"deadline", "--lang", "de"}},
		{"deadline_cra_before_en", `{"regime":"cra-incident","aware_at":"2026-09-10T10:00:00+02:00"}`, []string{"deadline", "--lang", "en"}},
		// Art. 14(7) CRA: the end-point follows the main establishment; without one, the order (a)-(d).
		{"deadline_cra_main_establishment_de", "", []string{"deadline", "--lang", "de", "--regime", "cra-incident", "--aware-at", "2026-11-20T10:00:00+01:00", "--main-establishment", "DE"}},
		{"deadline_cra_no_eu_en", `{"regime":"cra-vulnerability","aware_at":"2027-12-20T10:00:00+01:00","no_eu_establishment":true,"now":"2027-12-21T10:00:00+01:00"}`, []string{"deadline", "--lang", "en"}},
	} {
		t.Run(tc.name, func(t *testing.T) { goldenRun(t, tc.name, tc.stdin, tc.args...) })
	}
}

func TestDeadlineJSONShape(t *testing.T) {
	stdout, _, code := runCLI(t, "", "deadline", "--json", "--regime", "bsig", "--aware-at", "2026-11-20T09:00:00+01:00")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	var v struct {
		Stages []map[string]any `json:"stages"`
	}
	if err := json.Unmarshal([]byte(stdout), &v); err != nil {
		t.Fatal(err)
	}
	for _, s := range v.Stages {
		for _, k := range []string{"stage", "trigger", "citation", "status"} {
			if _, ok := s[k]; !ok {
				t.Errorf("stage %v lacks %q", s["stage"], k)
			}
		}
		// The final report waits for the notification: no due date yet.
		if s["stage"] == "final" {
			if _, ok := s["due"]; ok || s["status"] != "waiting" {
				t.Errorf("final report before notification: %v", s)
			}
		}
		if due, ok := s["due"].(string); ok && !strings.HasSuffix(due, "+01:00") {
			t.Errorf("due %s not in Europe/Berlin", due)
		}
	}
}

func TestDeadlineBadInput(t *testing.T) {
	for _, tc := range []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"malformed time flag", "", []string{"--regime", "bsig", "--aware-at", "2026-03-28 10:00"}, "aware_at: "},
		{"time without offset", `{"regime":"bsig","aware_at":"2026-03-28T10:00:00"}`, nil, "aware_at: "},
		{"malformed notified_at", `{"regime":"bsig","aware_at":"2026-03-28T10:00:00Z","notified_at":"yesterday"}`, nil, "notified_at: "},
		{"unknown regime", `{"regime":"nis2","aware_at":"2026-03-28T10:00:00Z"}`, nil, "regime: "},
		{"missing regime", `{"aware_at":"2026-03-28T10:00:00Z"}`, nil, "regime: required"},
		{"missing aware_at", `{"regime":"bsig"}`, nil, "aware_at: required"},
		{"trailing garbage", `{"regime":"bsig","aware_at":"2026-03-28T10:00:00Z"} x`, nil, "unexpected data after the JSON object"},
		{"unknown field", `{"regime":"bsig","aware":"2026-03-28T10:00:00Z"}`, nil, "aware: unknown field"},
		{"wrong type", `{"regime":"bsig","aware_at":"2026-03-28T10:00:00Z","incident_ongoing":"yes"}`, nil, "incident_ongoing: must be a boolean"},
		{"notified before aware", `{"regime":"bsig","aware_at":"2026-03-28T10:00:00Z","notified_at":"2026-03-27T10:00:00Z"}`, nil, "notified_at: lies before aware_at"},
		{"fix for bsig", `{"regime":"bsig","aware_at":"2026-03-28T10:00:00Z","fix_available_at":"2026-03-29T10:00:00Z"}`, nil, "fix_available_at: applies only to regime cra-vulnerability"},
		{"main establishment for bsig", "", []string{"--regime", "bsig", "--aware-at", "2026-11-20T10:00:00+01:00", "--main-establishment", "DE"}, "main_establishment: applies only to the cra regimes"},
		{"main establishment outside the EU", `{"regime":"cra-incident","aware_at":"2026-11-20T10:00:00+01:00","main_establishment":"CH"}`, nil, "main_establishment: \"CH\" is not an EU member state"},
		{"both establishments", `{"regime":"cra-incident","aware_at":"2026-11-20T10:00:00+01:00","main_establishment":"FR","no_eu_establishment":true}`, nil, "no_eu_establishment: contradicts main_establishment"},
		{"future submission", `{"regime":"bsig","aware_at":"2026-03-28T10:00:00Z","final_at":"2027-03-28T10:00:00Z"}`, nil, "final_at: lies after now"},
		{"no input", "", nil, "no input"},
		{"missing file", "", []string{"--in", "testdata/does-not-exist.json"}, "--in: "},
		{"argument", "", []string{"bsig"}, "unknown command"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runCLI(t, tc.stdin, append([]string{"deadline"}, tc.args...)...)
			if code != ExitInput || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, stderr, tc.want)
			}
		})
	}
}

func TestDeadlineFlagsOverrideFile(t *testing.T) {
	stdout, stderr, code := runCLI(t, "", "deadline", "--json", "--in", "testdata/deadline_input.json", "--regime", "cra-incident")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, `"regime": "cra-incident"`) || !strings.Contains(stdout, `"rule_id": "cra.14.4.c"`) {
		t.Errorf("flag did not override the file's regime:\n%s", stdout)
	}
}

func TestDeadlineHelp(t *testing.T) {
	stdout, _, code := runCLI(t, "", "deadline", "--help")
	if code != ExitOK || !strings.Contains(stdout, "Examples:") || !strings.Contains(stdout, "--fix-available-at") {
		t.Errorf("help without examples or flags (exit %d):\n%s", code, stdout)
	}
}

// FuzzDeadlineInput feeds arbitrary standard input through the decode path:
// the command must answer with exit 0 or 2, never crash (exit 3).
func FuzzDeadlineInput(f *testing.F) {
	for _, s := range []string{
		`{"regime":"bsig","aware_at":"2026-03-28T10:00:00+01:00"}`,
		`{"regime":"cra-vulnerability","aware_at":"2026-10-01T10:17:00+02:00","fix_available_at":"2026-10-05T15:00:00+02:00"}`,
		`{"regime":"bsig","aware_at":"2026-01-28T09:00:00+01:00","notified_at":"2026-01-31T09:00:00+01:00","incident_ongoing":true,"handling_completed_at":"2026-03-10T09:00:00+01:00"}`,
		`{"regime":"cra-incident","aware_at":"0001-01-01T00:00:00Z","now":"9999-12-31T23:59:59Z"}`,
		`{"regime":"bsig","aware_at":"2026-03-28T10:00:00+14:00","interim_requested_at":"2026-03-29T10:00:00Z","interim_due_at":"1999-01-01T00:00:00Z"}`,
		`{"regime":"cra-incident","aware_at":"2026-10-01T10:00:00+02:00","main_establishment":"IE"}`,
		`{"regime":"cra-vulnerability","aware_at":"2026-10-01T10:00:00+02:00","no_eu_establishment":true}`,
		`{}`, `[]`, `null`, `{"regime":1}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, stdin string) {
		_, stderr, code := runCLI(t, stdin, "deadline", "--json", "--now", "2026-11-23T10:00:00Z")
		if code != ExitOK && code != ExitInput {
			t.Fatalf("exit %d for %q: %s", code, stdin, stderr)
		}
	})
}
