package vuln

import "testing"

func TestCoveredBy(t *testing.T) {
	covered := CoveredBy([]string{"Go", "Debian:12", "Ubuntu:22.04:LTS", "Alpine"})
	for _, tc := range []struct {
		ecosystem string
		want      bool
	}{
		{"Go", true},
		{"npm", false},
		{"Debian:12", true},
		{"Debian:13", false},
		{"Debian", true},
		{"Ubuntu:22.04", true},
		{"Ubuntu:24.04", false},
		{"Alpine:v3.20", true}, // advisories naming no release cover every one
	} {
		// The same verdict as Match gives a package no record names.
		ix := New(nil)
		ix.SetCovered([]string{"Go", "Debian:12", "Ubuntu:22.04:LTS", "Alpine"})
		res := ix.Match([]Package{{Ecosystem: tc.ecosystem, Name: "p", Version: "1"}})
		got, why := covered(tc.ecosystem)
		if got != tc.want || got != (len(res.Unscanned) == 0) || !got && why != res.Unscanned[0].Detail {
			t.Errorf("CoveredBy(%q) = %v, %q; want %v (Match unscanned: %+v)", tc.ecosystem, got, why, tc.want, res.Unscanned)
		}
	}
}
