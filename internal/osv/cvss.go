package osv

import (
	"fmt"
	"math"
	"strings"
)

// CVSS3 is a parsed CVSS v3.0 or v3.1 vector's base metrics.
type CVSS3 struct {
	Version string // "3.0" or "3.1"
	// Base metric values, each one letter as in the vector.
	AV, AC, PR, UI, S, C, I, A byte
}

// cvss3Base lists the base metrics with their allowed values; cvss3Other
// the temporal and environmental metrics a vector may also carry, which the
// base score ignores.
var (
	cvss3Base = []struct {
		name   string
		values string
	}{
		{"AV", "NALP"}, {"AC", "LH"}, {"PR", "NLH"}, {"UI", "NR"}, {"S", "UC"}, {"C", "HLN"}, {"I", "HLN"}, {"A", "HLN"},
	}
	cvss3Other = map[string]string{
		"E": "XUPFH", "RL": "XOTWU", "RC": "XURC",
		"CR": "XLMH", "IR": "XLMH", "AR": "XLMH",
		"MAV": "XNALP", "MAC": "XLH", "MPR": "XNLH", "MUI": "XNR", "MS": "XUC",
		"MC": "XNLH", "MI": "XNLH", "MA": "XNLH",
	}
)

// ParseCVSS3 parses a vector such as "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".
func ParseCVSS3(vector string) (CVSS3, error) {
	var v CVSS3
	parts := strings.Split(vector, "/")
	switch parts[0] {
	case "CVSS:3.0":
		v.Version = "3.0"
	case "CVSS:3.1":
		v.Version = "3.1"
	default:
		return v, fmt.Errorf("cvss: %q: want prefix CVSS:3.0 or CVSS:3.1", vector)
	}
	seen := map[string]bool{}
	base := map[string]byte{}
	for _, p := range parts[1:] {
		name, val, ok := strings.Cut(p, ":")
		if !ok || len(val) != 1 {
			return v, fmt.Errorf("cvss: %q: malformed metric %q", vector, p)
		}
		if seen[name] {
			return v, fmt.Errorf("cvss: %q: metric %s given twice", vector, name)
		}
		seen[name] = true
		allowed, other := cvss3Other[name]
		if !other {
			for _, m := range cvss3Base {
				if m.name == name {
					allowed = m.values
					base[name] = val[0]
				}
			}
		}
		if allowed == "" {
			return v, fmt.Errorf("cvss: %q: unknown metric %s", vector, name)
		}
		if !strings.Contains(allowed, val) {
			return v, fmt.Errorf("cvss: %q: %s:%s: value must be one of %s", vector, name, val, allowed)
		}
	}
	for _, m := range cvss3Base {
		if base[m.name] == 0 {
			return v, fmt.Errorf("cvss: %q: base metric %s missing", vector, m.name)
		}
	}
	v.AV, v.AC, v.PR, v.UI, v.S, v.C, v.I, v.A = base["AV"], base["AC"], base["PR"], base["UI"], base["S"], base["C"], base["I"], base["A"]
	return v, nil
}

// Weights from the CVSS v3.1 specification, section 7.4.
var (
	cvss3AV        = map[byte]float64{'N': 0.85, 'A': 0.62, 'L': 0.55, 'P': 0.2}
	cvss3AC        = map[byte]float64{'L': 0.77, 'H': 0.44}
	cvss3PR        = map[byte]float64{'N': 0.85, 'L': 0.62, 'H': 0.27}
	cvss3PRChanged = map[byte]float64{'N': 0.85, 'L': 0.68, 'H': 0.5}
	cvss3UI        = map[byte]float64{'N': 0.85, 'R': 0.62}
	cvss3CIA       = map[byte]float64{'H': 0.56, 'L': 0.22, 'N': 0}
)

// BaseScore computes the base score by the formula of the CVSS v3.1
// specification, section 7.1 (v3.0 uses the same weights and formula; its
// Roundup is the same function without v3.1's guard against floating-point
// error, which this applies to both).
func (v CVSS3) BaseScore() float64 {
	changed := v.S == 'C'
	pr := cvss3PR[v.PR]
	if changed {
		pr = cvss3PRChanged[v.PR]
	}
	cia := cvss3CIA
	iss := 1 - (1-cia[v.C])*(1-cia[v.I])*(1-cia[v.A])
	var impact float64
	if changed {
		impact = 7.52*(iss-0.029) - 3.25*math.Pow(iss-0.02, 15)
	} else {
		impact = 6.42 * iss
	}
	if impact <= 0 {
		return 0
	}
	exploitability := 8.22 * cvss3AV[v.AV] * cvss3AC[v.AC] * pr * cvss3UI[v.UI]
	if changed {
		return roundUp(math.Min(1.08*(impact+exploitability), 10))
	}
	return roundUp(math.Min(impact+exploitability, 10))
}

// roundUp is Roundup from CVSS v3.1 Appendix A: the smallest number with one
// decimal place that is not below x, computed in integers.
func roundUp(x float64) float64 {
	i := int64(math.Round(x * 100000))
	if i%10000 == 0 {
		return float64(i) / 100000
	}
	return float64(i/10000+1) / 10
}

// Rating is the qualitative rating of a CVSS v3 score (specification,
// section 5): NONE, LOW, MEDIUM, HIGH or CRITICAL.
func Rating(score float64) string {
	switch {
	case score == 0:
		return "NONE"
	case score < 4:
		return "LOW"
	case score < 7:
		return "MEDIUM"
	case score < 9:
		return "HIGH"
	}
	return "CRITICAL"
}
