package vex

import "testing"

func TestParseStatus(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Status
	}{
		{"not_affected", NotAffected},
		{"affected", Affected},
		{"fixed", Fixed},
		{"under_investigation", UnderInvestigation},
		// CycloneDX analysis.state
		{"exploitable", Affected},
		{"in_triage", UnderInvestigation},
		{"false_positive", NotAffected},
		{"resolved", Fixed},
		{"resolved_with_pedigree", Fixed},
		{"bogus", ""},
		{"", ""},
		{"Affected", ""},
	} {
		got, err := ParseStatus(tc.in)
		if got != tc.want || (err != nil) != (tc.want == "") {
			t.Errorf("ParseStatus(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestParseJustification(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Justification
	}{
		// OpenVEX and CSAF labels
		{"component_not_present", ComponentNotPresent},
		{"vulnerable_code_not_present", VulnerableCodeNotPresent},
		{"vulnerable_code_not_in_execute_path", VulnerableCodeNotInExecutePath},
		{"vulnerable_code_cannot_be_controlled_by_adversary", VulnerableCodeCannotBeControlledByAdversary},
		{"inline_mitigations_already_exist", InlineMitigationsAlreadyExist},
		// CycloneDX analysis.justification
		{"code_not_present", VulnerableCodeNotPresent},
		{"code_not_reachable", VulnerableCodeNotInExecutePath},
		{"requires_configuration", VulnerableCodeCannotBeControlledByAdversary},
		{"requires_dependency", ComponentNotPresent},
		{"requires_environment", VulnerableCodeCannotBeControlledByAdversary},
		{"protected_by_compiler", InlineMitigationsAlreadyExist},
		{"protected_at_runtime", InlineMitigationsAlreadyExist},
		{"protected_at_perimeter", InlineMitigationsAlreadyExist},
		{"protected_by_mitigating_control", InlineMitigationsAlreadyExist},
		{"not_reachable", ""},
		{"", ""},
	} {
		got, err := ParseJustification(tc.in)
		if got != tc.want || (err != nil) != (tc.want == "") {
			t.Errorf("ParseJustification(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

// TestCycloneDXRoundTrip checks that what the writer emits reads back to the
// value it came from.
func TestCycloneDXRoundTrip(t *testing.T) {
	for _, j := range []Justification{ComponentNotPresent, VulnerableCodeNotPresent, VulnerableCodeNotInExecutePath,
		VulnerableCodeCannotBeControlledByAdversary, InlineMitigationsAlreadyExist} {
		if got, err := ParseJustification(j.CycloneDX()); got != j {
			t.Errorf("ParseJustification(%q.CycloneDX() = %q) = %q, %v", j, j.CycloneDX(), got, err)
		}
	}
	if got := Justification("").CycloneDX(); got != "" {
		t.Errorf(`Justification("").CycloneDX() = %q`, got)
	}
	for _, s := range []Status{NotAffected, Affected, Fixed, UnderInvestigation} {
		if got, err := cdxStatus(s.CycloneDX()); got != s {
			t.Errorf("cdxStatus(%q.CycloneDX() = %q) = %q, %v", s, s.CycloneDX(), got, err)
		}
	}
	if got := Status("").CycloneDX(); got != "in_triage" {
		t.Errorf(`Status("").CycloneDX() = %q, want in_triage`, got)
	}
}
