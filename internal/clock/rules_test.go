package clock

import (
	"strings"
	"testing"
	"testing/fstest"
)

// TestLoadRejectsBadData: a typo in a data file must fail, not be ignored.
func TestLoadRejectsBadData(t *testing.T) {
	good, err := dataFS.ReadFile("data/methods.yaml")
	if err != nil {
		t.Fatal(err)
	}
	stage := func(extra string) string {
		return `stages:
  - id: x.1
    citation: "§ 1"
    title: {de: a, en: b}
    valid_from: "2026-01-01"
    wording: w
    status: VERIFIED
    source: s
    regime: bsig
    stage: early_warning
    timing: {de: a, en: b}
` + extra
	}
	for _, tc := range []struct{ name, bsig, want string }{
		{"unknown key", stage("    trigger: awareness\n    deadline: 3\n"), "field deadline not found"},
		{"unknown unit", stage("    trigger: awareness\n    period: {n: 1, unit: years, counting: bgb}\n"), `unknown unit "years"`},
		{"unknown trigger", stage("    trigger: sunrise\n"), `unknown trigger "sunrise"`},
		{"zero length", stage("    trigger: awareness\n    period: {n: 0, unit: hours, counting: bgb}\n"), "not positive"},
		{"bad counting", stage("    trigger: awareness\n    period: {n: 1, unit: hours, counting: roman}\n"), "counting"},
		{"hours labelled bgb", stage("    trigger: awareness\n    period: {n: 24, unit: hours, counting: bgb}\n"), "hours are counting elapsed"},
		{"elapsed months", stage("    trigger: awareness\n    period: {n: 1, unit: months, counting: elapsed}\n"), "counting elapsed is for hours"},
		{"bad when", stage("    trigger: awareness\n    when: sometimes\n"), "when"},
		{"no status", strings.Replace(stage("    trigger: awareness\n"), "status: VERIFIED", "status: MAYBE", 1), "neither VERIFIED nor UNVERIFIED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{
				"data/bsig32.yaml":       {Data: []byte(tc.bsig)},
				"data/cra14.yaml":        {Data: []byte("stages: []\n")},
				"data/registration.yaml": {Data: []byte("periods: []\n")},
				"data/methods.yaml":      {Data: good},
			}
			_, err := load(fsys)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("load: %v; want an error containing %q", err, tc.want)
			}
		})
	}
}
