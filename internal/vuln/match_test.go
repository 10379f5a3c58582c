package vuln

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pflicht/pflicht/internal/osv"
)

// events builds range events from "introduced=0", "fixed=1.2.0", … pairs.
func events(spec ...string) []osv.Event {
	var out []osv.Event
	for _, s := range spec {
		k, v, _ := strings.Cut(s, "=")
		var e osv.Event
		switch k {
		case "introduced":
			e.Introduced = v
		case "fixed":
			e.Fixed = v
		case "last_affected":
			e.LastAffected = v
		case "limit":
			e.Limit = v
		}
		out = append(out, e)
	}
	return out
}

func rng(typ string, spec ...string) osv.Range {
	r := osv.Range{Type: typ, Events: events(spec...)}
	if typ == osv.RangeGit {
		r.Repo = "https://example.org/repo"
	}
	return r
}

func advisory(id, eco, name string, ranges ...osv.Range) osv.Record {
	return osv.Record{
		ID: id, Summary: "summary of " + id, Modified: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Affected: []osv.Affected{{Package: osv.Package{Ecosystem: eco, Name: name}, Ranges: ranges}},
	}
}

// outcome is what one component gets from one advisory, in short.
type outcome struct {
	Affected     bool
	FixedIn      string
	NotEvaluable string // substring of the reason
}

func outcomeOf(t *testing.T, res Result) outcome {
	t.Helper()
	if len(res.Unscanned) > 0 {
		t.Fatalf("unscanned: %+v", res.Unscanned)
	}
	switch {
	case len(res.Findings) == 1 && len(res.NotEvaluable) == 0:
		return outcome{Affected: true, FixedIn: res.Findings[0].FixedIn}
	case len(res.NotEvaluable) == 1 && len(res.Findings) == 0:
		return outcome{NotEvaluable: res.NotEvaluable[0].Reason}
	case len(res.Findings) == 0 && len(res.NotEvaluable) == 0:
		return outcome{}
	}
	t.Fatalf("unexpected result %+v", res)
	return outcome{}
}

func TestRangeSemantics(t *testing.T) {
	semver := osv.RangeSemVer
	twoIntervals := []string{"introduced=1.0.0", "fixed=1.2.0", "introduced=2.0.0", "fixed=2.1.0"}
	tests := []struct {
		name     string
		eco      string
		ranges   []osv.Range
		versions []string
		version  string
		want     outcome
	}{
		{"introduced 0, below fix", "Go", []osv.Range{rng(semver, "introduced=0", "fixed=1.6.0")}, nil, "1.5.9", outcome{Affected: true, FixedIn: "1.6.0"}},
		{"introduced 0, at fix", "Go", []osv.Range{rng(semver, "introduced=0", "fixed=1.6.0")}, nil, "1.6.0", outcome{}},
		{"introduced 0, lowest version", "Go", []osv.Range{rng(semver, "introduced=0", "fixed=1.6.0")}, nil, "0.0.0", outcome{Affected: true, FixedIn: "1.6.0"}},
		{"Go v prefix", "Go", []osv.Range{rng(semver, "introduced=0", "fixed=1.6.0")}, nil, "v1.5.0", outcome{Affected: true, FixedIn: "1.6.0"}},
		{"below introduced", "Go", []osv.Range{rng(semver, "introduced=1.0.0", "fixed=1.2.0")}, nil, "0.9.0", outcome{}},
		{"at introduced", "Go", []osv.Range{rng(semver, "introduced=1.0.0", "fixed=1.2.0")}, nil, "1.0.0", outcome{Affected: true, FixedIn: "1.2.0"}},
		{"two intervals, first", "Go", []osv.Range{rng(semver, twoIntervals...)}, nil, "1.1.0", outcome{Affected: true, FixedIn: "1.2.0"}},
		{"two intervals, gap", "Go", []osv.Range{rng(semver, twoIntervals...)}, nil, "1.5.0", outcome{}},
		{"two intervals, second", "Go", []osv.Range{rng(semver, twoIntervals...)}, nil, "2.0.5", outcome{Affected: true, FixedIn: "2.1.0"}},
		{"two intervals, above", "Go", []osv.Range{rng(semver, twoIntervals...)}, nil, "3.0.0", outcome{}},
		{"unsorted events", "Go", []osv.Range{rng(semver, "fixed=2.1.0", "introduced=2.0.0", "fixed=1.2.0", "introduced=1.0.0")}, nil, "2.0.5", outcome{Affected: true, FixedIn: "2.1.0"}},
		{"unsorted events, gap", "Go", []osv.Range{rng(semver, "fixed=2.1.0", "introduced=2.0.0", "fixed=1.2.0", "introduced=1.0.0")}, nil, "1.5.0", outcome{}},
		{"multiple introduced", "Go", []osv.Range{rng(semver, "introduced=1.0.0", "introduced=1.5.0", "fixed=2.0.0")}, nil, "1.2.0", outcome{Affected: true, FixedIn: "2.0.0"}},
		{"introduced only", "Go", []osv.Range{rng(semver, "introduced=1.0.0")}, nil, "9.0.0", outcome{Affected: true}},
		{"last_affected, at", "Go", []osv.Range{rng(semver, "introduced=1.0.0", "last_affected=1.4.0")}, nil, "1.4.0", outcome{Affected: true}},
		{"last_affected, above", "Go", []osv.Range{rng(semver, "introduced=1.0.0", "last_affected=1.4.0")}, nil, "1.4.1", outcome{}},
		{"single version via last_affected", "Go", []osv.Range{rng(semver, "introduced=3.0.0", "last_affected=3.0.0")}, nil, "3.0.0", outcome{Affected: true}},
		{"introduced equals fixed is empty", "Go", []osv.Range{rng(semver, "introduced=1.0.0", "fixed=1.0.0")}, nil, "1.0.0", outcome{}},
		{"limit bounds an open range", "Go", []osv.Range{rng(semver, "introduced=0", "limit=2.0.0")}, nil, "1.9.9", outcome{Affected: true}},
		{"at limit", "Go", []osv.Range{rng(semver, "introduced=0", "limit=2.0.0")}, nil, "2.0.0", outcome{}},
		{"limit *", "Go", []osv.Range{rng(semver, "introduced=1.0.0", "limit=*")}, nil, "7.0.0", outcome{Affected: true}},
		{"prerelease before release fix", "Go", []osv.Range{rng(semver, "introduced=0", "fixed=1.0.0")}, nil, "1.0.0-rc.1", outcome{Affected: true, FixedIn: "1.0.0"}},
		{"prerelease before introduced release", "Go", []osv.Range{rng(semver, "introduced=1.0.0", "fixed=1.1.0")}, nil, "1.0.0-rc.1", outcome{}},
		{"prerelease numeric identifiers", "Go", []osv.Range{rng(semver, "introduced=0", "fixed=1.0.0-beta.2")}, nil, "1.0.0-beta.10", outcome{}},
		{"prerelease below prerelease fix", "Go", []osv.Range{rng(semver, "introduced=0", "fixed=1.0.0-beta.2")}, nil, "1.0.0-beta.1", outcome{Affected: true, FixedIn: "1.0.0-beta.2"}},
		{"PEP 440 release candidate", "PyPI", []osv.Range{rng(osv.RangeEcosystem, "introduced=0", "fixed=2.0.0")}, nil, "2.0.0rc1", outcome{Affected: true, FixedIn: "2.0.0"}},
		{"PEP 440 post release", "PyPI", []osv.Range{rng(osv.RangeEcosystem, "introduced=0", "fixed=2.0.0")}, nil, "2.0.0.post1", outcome{}},
		{"versions list hit", "PyPI", nil, []string{"1.0.1", "1.0.3"}, "1.0.1", outcome{Affected: true}},
		{"versions list miss", "PyPI", nil, []string{"1.0.1", "1.0.3"}, "1.0.2", outcome{}},
		{"versions list, equal after parsing", "PyPI", nil, []string{"1.0"}, "1.0.0", outcome{Affected: true}},
		{"versions list beside a range", "PyPI", []osv.Range{rng(osv.RangeEcosystem, "introduced=2.0")}, []string{"1.0.1"}, "1.0.1", outcome{Affected: true}},
		{"overlapping ranges: fixed past both", "Go", []osv.Range{rng(semver, "introduced=1.0.0", "fixed=1.3.0"), rng(semver, "introduced=1.2.0", "fixed=1.5.0")}, nil, "1.2.5", outcome{Affected: true, FixedIn: "1.5.0"}},
		{"overlapping ranges, one unfixed", "Go", []osv.Range{rng(semver, "introduced=1.0.0", "fixed=1.3.0"), rng(semver, "introduced=1.2.0")}, nil, "1.2.5", outcome{Affected: true}},
		{"GIT only", "Go", []osv.Range{rng(osv.RangeGit, "introduced=0", "fixed=0123456789012345678901234567890123456789")}, nil, "1.0.0", outcome{NotEvaluable: "GIT range"}},
		{"GIT beside SEMVER", "Go", []osv.Range{rng(osv.RangeGit, "introduced=0", "fixed=0123456789012345678901234567890123456789"), rng(semver, "introduced=0", "fixed=1.0.0")}, nil, "1.0.0", outcome{}},
		{"GIT beside versions", "Go", []osv.Range{rng(osv.RangeGit, "introduced=0")}, []string{"0.9.0"}, "1.0.0", outcome{}},
		{"unknown range type", "Go", []osv.Range{rng("FANCY", "introduced=0")}, nil, "1.0.0", outcome{NotEvaluable: `unknown range type "FANCY"`}},
		{"no introduced event", "Go", []osv.Range{rng(semver, "fixed=1.0.0")}, nil, "0.5.0", outcome{NotEvaluable: "no introduced event"}},
		{"event does not parse", "Go", []osv.Range{rng(semver, "introduced=0", "fixed=one.two")}, nil, "0.5.0", outcome{NotEvaluable: `fixed "one.two"`}},
		{"unparsable range beside a clean one", "Go", []osv.Range{rng(semver, "introduced=0", "fixed=one.two"), rng(semver, "introduced=0", "fixed=0.1.0")}, nil, "0.5.0", outcome{NotEvaluable: `fixed "one.two"`}},
		{"no ranges, no versions", "Go", nil, nil, "1.0.0", outcome{NotEvaluable: "neither ranges nor versions"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := advisory("TEST-1", tt.eco, "example.org/pkg", tt.ranges...)
			r.Affected[0].Versions = tt.versions
			ix := New([]osv.Record{r})
			got := outcomeOf(t, ix.Match([]Package{{Ref: "c1", Ecosystem: tt.eco, Name: "example.org/pkg", Version: tt.version}}))
			if tt.want.NotEvaluable != "" && strings.Contains(got.NotEvaluable, tt.want.NotEvaluable) {
				got.NotEvaluable = tt.want.NotEvaluable
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestEcosystemSuffix(t *testing.T) {
	deb12 := advisory("DEB-1", "Debian:12", "openssl", rng(osv.RangeEcosystem, "introduced=0", "fixed=3.0.11-1~deb12u1"))
	ubuntu := advisory("USN-1", "Ubuntu:22.04:LTS", "openssl", rng(osv.RangeEcosystem, "introduced=0", "fixed=3.0.2-0ubuntu1.10"))
	drupal := advisory("DRUPAL-1", "Packagist:https://packages.drupal.org/8", "drupal/admin_toolbar", rng(osv.RangeEcosystem, "introduced=0", "fixed=2.5.0"))
	ix := New([]osv.Record{deb12, ubuntu, drupal})
	tests := []struct {
		eco, name, version string
		want               outcome
	}{
		{"Debian:12", "openssl", "3.0.9-1", outcome{Affected: true, FixedIn: "3.0.11-1~deb12u1"}},
		{"Debian", "openssl", "3.0.9-1", outcome{Affected: true, FixedIn: "3.0.11-1~deb12u1"}},
		{"Ubuntu:22.04", "openssl", "3.0.2-0ubuntu1.9", outcome{Affected: true, FixedIn: "3.0.2-0ubuntu1.10"}},
		{"Ubuntu:22.04:LTS", "openssl", "3.0.2-0ubuntu1.9", outcome{Affected: true, FixedIn: "3.0.2-0ubuntu1.10"}},
		{"Packagist", "drupal/admin_toolbar", "2.4.0", outcome{Affected: true, FixedIn: "2.5.0"}},
	}
	for _, tt := range tests {
		t.Run(tt.eco+"/"+tt.name, func(t *testing.T) {
			got := outcomeOf(t, ix.Match([]Package{{Ecosystem: tt.eco, Name: tt.name, Version: tt.version}}))
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestReleaseWithoutAdvisories(t *testing.T) {
	ix := New([]osv.Record{
		advisory("DEB-1", "Debian:12", "openssl", rng(osv.RangeEcosystem, "introduced=0", "fixed=3.0.11-1~deb12u1")),
		advisory("USN-1", "Ubuntu:22.04:LTS", "openssl", rng(osv.RangeEcosystem, "introduced=0", "fixed=3.0.2-0ubuntu1.10")),
	})
	res := ix.Match([]Package{
		{Ref: "deb11", Ecosystem: "Debian:11", Name: "openssl", Version: "1.1.1n-0+deb11u4"},
		{Ref: "deb12-other", Ecosystem: "Debian:12", Name: "zlib", Version: "1.2.13"},
		{Ref: "ubuntu20", Ecosystem: "Ubuntu:20.04", Name: "openssl", Version: "1.1.1f-1ubuntu2"},
	})
	var got []string
	for _, u := range res.Unscanned {
		got = append(got, u.Ref+": "+u.Detail)
	}
	want := []string{
		"deb11: advisories for ecosystem Debian are loaded, but none for release 11, so absence of findings would mean nothing",
		"ubuntu20: advisories for ecosystem Ubuntu are loaded, but none for release 20.04, so absence of findings would mean nothing",
	}
	if diff := cmp.Diff(want, got); diff != "" || res.Scanned != 1 {
		t.Errorf("scanned %d; unscanned (-want +got):\n%s", res.Scanned, diff)
	}
	// An advisory without a release covers every release.
	ix.Update([]osv.Record{advisory("DEB-2", "Debian", "zlib", rng(osv.RangeEcosystem, "introduced=0"))})
	if res := ix.Match([]Package{{Ecosystem: "Debian:11", Name: "openssl", Version: "1.1.1n-0+deb11u4"}}); res.Scanned != 1 {
		t.Errorf("with a release-independent advisory loaded: %+v", res)
	}
}

// TestNotEvaluableCodes: each kind of range that cannot be evaluated has
// its code, once per finding however many records or ranges give it.
func TestNotEvaluableCodes(t *testing.T) {
	git := rng(osv.RangeGit, "introduced=0", "fixed=0123456789012345678901234567890123456789")
	for _, tc := range []struct {
		name   string
		eco    string
		ranges []osv.Range
		want   []string
	}{
		{"GIT", "Go", []osv.Range{git, git}, []string{GitRange}},
		{"unknown type", "Go", []osv.Range{rng("FANCY", "introduced=0")}, []string{UnknownRangeType}},
		{"bad event", "Go", []osv.Range{rng(osv.RangeSemVer, "introduced=0", "fixed=one.two")}, []string{BadRange}},
		{"no introduced", "Go", []osv.Range{rng(osv.RangeSemVer, "fixed=1.0.0")}, []string{BadRange}},
		{"mixed", "Go", []osv.Range{rng("FANCY", "introduced=0"), git}, []string{UnknownRangeType, GitRange}},
		{"no ranges", "Go", nil, []string{NoRanges}},
		{"no ordering", "GitHub Actions", []osv.Range{rng(osv.RangeEcosystem, "introduced=0", "fixed=2.0.0")}, nil},
	} {
		ix := New([]osv.Record{advisory("X-1", tc.eco, "example.org/a", tc.ranges...)})
		res := ix.Match([]Package{{Ecosystem: tc.eco, Name: "example.org/a", Version: "0.5.0"}})
		var got []string
		if len(res.NotEvaluable) == 1 {
			got = res.NotEvaluable[0].Codes
		}
		if !cmp.Equal(got, tc.want) {
			t.Errorf("%s: codes %v, want %v (result %+v)", tc.name, got, tc.want, res)
		}
	}
}

// TestSetCovered: an index holding only one SBOM's records learns from
// the database which ecosystems and releases have advisories, so a package
// none of them names is clean, while an ecosystem or a distribution release
// without advisories stays unscanned.
func TestSetCovered(t *testing.T) {
	ix := New([]osv.Record{advisory("GO-1", "Go", "example.org/a", rng(osv.RangeSemVer, "introduced=0", "fixed=1.0.0"))})
	pkgs := []Package{
		{Ref: "npm", Ecosystem: "npm", Name: "left-pad", Version: "1.0.0"},
		{Ref: "deb13", Ecosystem: "Debian:13", Name: "zlib", Version: "1.3"},
		{Ref: "deb", Ecosystem: "Debian", Name: "zlib", Version: "1.3"},
		{Ref: "ubuntu", Ecosystem: "Ubuntu:22.04", Name: "zlib", Version: "1.3"},
		{Ref: "alpine", Ecosystem: "Alpine:v3.20", Name: "zlib", Version: "1.3"},
		{Ref: "cargo", Ecosystem: "crates.io", Name: "serde", Version: "1.0.0"},
		{Ref: "affected", Ecosystem: "Go", Name: "example.org/a", Version: "0.1.0"},
	}
	for _, tc := range []struct {
		name    string
		covered []string
		want    []string // unscanned, Ref:reason
		detail  string   // of deb13, if unscanned
	}{
		{"none", nil, []string{"npm:no_advisories", "deb13:no_advisories", "deb:no_advisories", "ubuntu:no_advisories", "alpine:no_advisories", "cargo:no_advisories"}, "no advisories are loaded for ecosystem Debian"},
		// Debian:12 does not cover Debian:13; a package without a release
		// is matched against every release.
		{"other release", []string{"Alpine:v3.19", "Debian:12", "Go", "Ubuntu:22.04:LTS", "npm"}, []string{"deb13:no_advisories", "alpine:no_advisories", "cargo:no_advisories"}, "none for release 13"},
		{"same release", []string{"Alpine:v3.20", "Debian:13", "Go", "Ubuntu:22.04:LTS", "npm"}, []string{"cargo:no_advisories"}, ""},
		// An advisory naming no release covers every release.
		{"every release", []string{"Alpine", "Debian", "Go", "Ubuntu", "npm"}, []string{"cargo:no_advisories"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ix.SetCovered(tc.covered)
			res := ix.Match(pkgs)
			var got []string
			detail := ""
			for _, u := range res.Unscanned {
				got = append(got, u.Ref+":"+string(u.Reason))
				if u.Ref == "deb13" {
					detail = u.Detail
				}
			}
			if !cmp.Equal(got, tc.want) || res.Scanned != len(pkgs)-len(tc.want) {
				t.Errorf("unscanned %v, want %v; scanned %d", got, tc.want, res.Scanned)
			}
			if !strings.Contains(detail, tc.detail) {
				t.Errorf("Debian:13 detail %q, want it to say %q", detail, tc.detail)
			}
			if len(res.Findings) != 1 {
				t.Errorf("findings %v, want GO-1", res.Findings)
			}
		})
	}
}

func TestUnscanned(t *testing.T) {
	ix := New([]osv.Record{
		advisory("GO-1", "Go", "example.org/a", rng(osv.RangeSemVer, "introduced=0", "fixed=1.0.0")),
		advisory("X-1", "GitHub Actions", "actions/checkout", rng(osv.RangeEcosystem, "introduced=0", "fixed=2.0.0")),
	})
	pkgs := []Package{
		{Ref: "no-name", Ecosystem: "Go"},
		{Ref: "npm", Ecosystem: "npm", Name: "left-pad", Version: "1.0.0"},
		{Ref: "no-version", Ecosystem: "Go", Name: "example.org/a"},
		{Ref: "bad-version", Ecosystem: "Go", Name: "example.org/a", Version: "not-a-version"},
		{Ref: "no-ordering", Ecosystem: "GitHub Actions", Name: "actions/checkout", Version: "v1"},
		{Ref: "clean-any-version", Ecosystem: "Go", Name: "example.org/b", Version: "whatever"},
		{Ref: "affected", Ecosystem: "Go", Name: "example.org/a", Version: "0.1.0"},
	}
	res := ix.Match(pkgs)
	var got []string
	for _, u := range res.Unscanned {
		got = append(got, u.Ref+":"+string(u.Reason))
	}
	want := []string{"no-name:no_coordinates", "npm:no_advisories", "no-version:no_version", "bad-version:bad_version", "no-ordering:no_ordering"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("unscanned (-want +got):\n%s", diff)
	}
	if res.Components != 7 || res.Scanned != 2 || len(res.Findings) != 1 || res.Findings[0].Ref != "affected" {
		t.Errorf("components %d, scanned %d, findings %+v", res.Components, res.Scanned, res.Findings)
	}
	if d := res.Unscanned[3].Detail; !strings.Contains(d, `"not-a-version"`) {
		t.Errorf("bad_version detail does not name the version: %q", d)
	}
}

func TestPyPINameNormalisation(t *testing.T) {
	ix := New([]osv.Record{advisory("PYSEC-1", "PyPI", "Zope.Interface", rng(osv.RangeEcosystem, "introduced=0", "fixed=5.0"))})
	res := ix.Match([]Package{{Ecosystem: "PyPI", Name: "zope-interface", Version: "4.0"}})
	if len(res.Findings) != 1 {
		t.Fatalf("want a finding for the PEP 503 spelling, got %+v", res)
	}
}

func TestWithdrawn(t *testing.T) {
	r := advisory("GO-1", "Go", "example.org/a", rng(osv.RangeSemVer, "introduced=0"))
	w := r
	w.Withdrawn = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	w.Modified = w.Withdrawn
	pkg := []Package{{Ecosystem: "Go", Name: "example.org/a", Version: "1.0.0"}}
	if res := New([]osv.Record{w}).Match(pkg); len(res.Findings) != 0 {
		t.Errorf("withdrawn record matched: %+v", res.Findings)
	}
	ix := New([]osv.Record{r})
	if len(ix.Match(pkg).Findings) != 1 {
		t.Fatal("record did not match")
	}
	ch := ix.Update([]osv.Record{w})
	if ch.Removed != 1 || ix.Len() != 0 || len(ix.Match(pkg).Findings) != 0 {
		t.Errorf("withdrawal not applied: %+v, %d records", ch, ix.Len())
	}
	if res := ix.Match(pkg); len(res.Unscanned) != 1 || res.Unscanned[0].Reason != NoAdvisories {
		t.Errorf("after the last Go record is withdrawn, want no_advisories: %+v", res)
	}
}

func TestAliasMerging(t *testing.T) {
	goRec := advisory("GO-2022-0274", "Go", "github.com/opencontainers/runc", rng(osv.RangeSemVer, "introduced=0", "fixed=1.1.0"))
	goRec.Aliases = []string{"CVE-2021-43784", "GHSA-v95c-p5hm-xq8f"}
	ghsa := advisory("GHSA-v95c-p5hm-xq8f", "Go", "github.com/opencontainers/runc", rng(osv.RangeEcosystem, "introduced=0", "fixed=1.0.3"))
	ghsa.Aliases = []string{"CVE-2021-43784"}
	ghsa.Severity = []osv.Severity{{Type: osv.CVSSv3, Score: "CVSS:3.1/AV:L/AC:H/PR:H/UI:N/S:U/C:N/I:H/A:N"}}
	// A chain through a record of another ecosystem: A ~ X, C ~ X and Y, B ~ Y.
	a := advisory("A-1", "PyPI", "p", rng(osv.RangeEcosystem, "introduced=0"))
	a.Aliases = []string{"X-1"}
	c := advisory("C-1", "npm", "q", rng(osv.RangeSemVer, "introduced=0"))
	c.Aliases = []string{"X-1", "Y-1"}
	b := advisory("B-1", "PyPI", "p", rng(osv.RangeEcosystem, "introduced=0"))
	b.Aliases = []string{"Y-1"}
	ix := New([]osv.Record{ghsa, goRec, a, b, c})

	res := ix.Match([]Package{
		{Ref: "runc", Ecosystem: "Go", Name: "github.com/opencontainers/runc", Version: "v1.0.1"},
		{Ref: "p", Ecosystem: "PyPI", Name: "p", Version: "1.0"},
	})
	if len(res.Findings) != 2 {
		t.Fatalf("want one finding per vulnerability, got %+v", res.Findings)
	}
	f := res.Findings[0]
	want := Finding{
		Package: Package{Ref: "runc", Ecosystem: "Go", Name: "github.com/opencontainers/runc", Version: "v1.0.1"},
		ID:      "GO-2022-0274", Aliases: []string{"CVE-2021-43784", "GHSA-v95c-p5hm-xq8f"},
		Summary:  "summary of GO-2022-0274",
		Severity: Severity{Score: 4.1, Rating: "MEDIUM", Vector: "CVSS:3.1/AV:L/AC:H/PR:H/UI:N/S:U/C:N/I:H/A:N", Source: osv.CVSSv3},
		FixedIn:  "1.1.0",
	}
	if diff := cmp.Diff(want, f); diff != "" {
		t.Errorf("merged finding (-want +got):\n%s", diff)
	}
	if g := res.Findings[1]; g.ID != "A-1" || !cmp.Equal(g.Aliases, []string{"B-1", "C-1", "X-1", "Y-1"}) {
		t.Errorf("transitive group: %s %v", g.ID, g.Aliases)
	}
}

func TestKEVJoin(t *testing.T) {
	goRec := advisory("GO-1", "Go", "example.org/a", rng(osv.RangeSemVer, "introduced=0"))
	goRec.Aliases = []string{"CVE-2021-44228"}
	alpine := advisory("ALPINE-CVE-2022-37434", "Alpine:v3.17", "zlib", rng(osv.RangeEcosystem, "introduced=0", "fixed=1.2.12-r2"))
	alpine.Upstream = []string{"CVE-2022-37434"}
	other := advisory("GO-2", "Go", "example.org/b", rng(osv.RangeSemVer, "introduced=0"))
	other.Aliases = []string{"CVE-2000-0001"}
	ix := New([]osv.Record{goRec, alpine, other})
	cisa := &osv.KEV{Catalog: osv.CatalogCISA, Entries: []osv.KEVEntry{
		{CVE: "CVE-2021-44228", DateAdded: "2021-12-10", DueDate: "2021-12-24", RansomwareUse: "Known"},
		{CVE: "CVE-2022-37434", DateAdded: "2025-01-01", DueDate: "2025-01-22"},
	}}
	eu := &osv.KEV{Catalog: osv.CatalogEU, Entries: []osv.KEVEntry{{CVE: "CVE-2021-44228", DateAdded: "2021-12-11"}}}
	changed := ix.SetKEV(cisa, eu)
	wantKeys := []Key{{"Alpine", "zlib"}, {"Go", "example.org/a"}}
	if diff := cmp.Diff(wantKeys, changed); diff != "" {
		t.Errorf("changed keys (-want +got):\n%s", diff)
	}
	res := ix.Match([]Package{
		{Ecosystem: "Go", Name: "example.org/a", Version: "1.0.0"},
		{Ecosystem: "Alpine:v3.17", Name: "zlib", Version: "1.2.10-r0"},
		{Ecosystem: "Go", Name: "example.org/b", Version: "1.0.0"},
	})
	want := [][]Exploited{
		{
			{Catalog: osv.CatalogCISA, CVE: "CVE-2021-44228", Via: "alias", DateAdded: "2021-12-10", DueDate: "2021-12-24", RansomwareUse: "Known"},
			{Catalog: osv.CatalogEU, CVE: "CVE-2021-44228", Via: "alias", DateAdded: "2021-12-11"},
		},
		{{Catalog: osv.CatalogCISA, CVE: "CVE-2022-37434", Via: "upstream", DateAdded: "2025-01-01", DueDate: "2025-01-22"}},
		nil,
	}
	for i, f := range res.Findings {
		if diff := cmp.Diff(want[i], f.KnownExploited); diff != "" {
			t.Errorf("%s (-want +got):\n%s", f.ID, diff)
		}
	}
	if again := ix.SetKEV(cisa, eu); len(again) != 0 {
		t.Errorf("unchanged catalogues report changed keys %v", again)
	}
}

func TestUpdate(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC) }
	a := advisory("GO-1", "Go", "example.org/a", rng(osv.RangeSemVer, "introduced=0", "fixed=1.0.0"))
	a.Aliases = []string{"CVE-1"}
	b := advisory("GHSA-1", "Go", "example.org/b", rng(osv.RangeSemVer, "introduced=0"))
	c := advisory("GO-3", "Go", "example.org/c", rng(osv.RangeSemVer, "introduced=0"))
	ix := New([]osv.Record{a, b, c})

	// b now also says it is CVE-1: it joins a's group, so a's package
	// changes too (its finding gains an alias).
	b2 := b
	b2.Modified = day(2)
	b2.Aliases = []string{"CVE-1"}
	ch := ix.Update([]osv.Record{b2})
	want := Changes{Keys: []Key{{"Go", "example.org/a"}, {"Go", "example.org/b"}}, Replaced: 1}
	if diff := cmp.Diff(want, ch); diff != "" {
		t.Errorf("join (-want +got):\n%s", diff)
	}
	if f := ix.Match([]Package{{Ecosystem: "Go", Name: "example.org/a", Version: "0.1.0"}}).Findings; len(f) != 1 || !cmp.Equal(f[0].Aliases, []string{"CVE-1", "GHSA-1"}) {
		t.Errorf("after join: %+v", f)
	}

	// An older copy is ignored.
	if ch := ix.Update([]osv.Record{b}); ch.Stale != 1 || ch.Replaced != 0 {
		t.Errorf("stale: %+v", ch)
	}

	// Withdrawing b splits the group again: a's aliases shrink.
	w := b2
	w.Modified, w.Withdrawn = day(3), day(3)
	ch = ix.Update([]osv.Record{w})
	want = Changes{Keys: []Key{{"Go", "example.org/a"}, {"Go", "example.org/b"}}, Removed: 1}
	if diff := cmp.Diff(want, ch); diff != "" {
		t.Errorf("withdraw (-want +got):\n%s", diff)
	}
	if f := ix.Match([]Package{{Ecosystem: "Go", Name: "example.org/a", Version: "0.1.0"}}).Findings; len(f) != 1 || !cmp.Equal(f[0].Aliases, []string{"CVE-1"}) {
		t.Errorf("after withdrawal: %+v", f)
	}

	// A new record for a new package.
	d := advisory("GO-4", "Go", "example.org/d", rng(osv.RangeSemVer, "introduced=0"))
	if ch := ix.Update([]osv.Record{d}); ch.Added != 1 || !cmp.Equal(ch.Keys, []Key{{"Go", "example.org/d"}}) {
		t.Errorf("add: %+v", ch)
	}

	// MatchChanged leaves other packages alone.
	pkgs := []Package{
		{Ecosystem: "Go", Name: "example.org/c", Version: "1.0.0"},
		{Ecosystem: "Go", Name: "example.org/d", Version: "1.0.0"},
	}
	res := ix.MatchChanged(pkgs, []Key{{"Go", "example.org/d"}})
	if res.Components != 1 || len(res.Findings) != 1 || res.Findings[0].ID != "GO-4" {
		t.Errorf("MatchChanged: %+v", res)
	}
}

func TestSeverity(t *testing.T) {
	tests := []struct {
		name string
		rec  osv.Record
		want Severity
	}{
		{"CVSS v3", osv.Record{Severity: []osv.Severity{{Type: osv.CVSSv3, Score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}},
			Severity{Score: 9.8, Rating: "CRITICAL", Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Source: osv.CVSSv3}},
		{"CVSS v3 per package", osv.Record{Affected: []osv.Affected{{Severity: []osv.Severity{{Type: osv.CVSSv3, Score: "CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"}}}}},
			Severity{Score: 6.1, Rating: "MEDIUM", Vector: "CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", Source: osv.CVSSv3}},
		{"v4 with database severity", osv.Record{
			Severity:         []osv.Severity{{Type: osv.CVSSv4, Score: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}},
			DatabaseSpecific: osv.Specific{"severity": "moderate"}},
			Severity{Rating: "MODERATE", Source: "database_specific"}},
		{"v4 alone", osv.Record{Severity: []osv.Severity{{Type: osv.CVSSv4, Score: "CVSS:4.0/AV:N"}}},
			Severity{Rating: RatingUnknown, Vector: "CVSS:4.0/AV:N", Source: "none", Note: "CVSS_V4 vector not scored (only CVSS v3 base scores are computed) and the record has no database severity"}},
		{"distribution label", osv.Record{Severity: []osv.Severity{{Type: "Ubuntu", Score: "medium"}}},
			Severity{Rating: "MEDIUM", Source: "Ubuntu"}},
		{"none", osv.Record{}, Severity{Rating: RatingUnknown, Source: "none"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, severityOf(&tt.rec)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestConcurrentMatchAndUpdate(t *testing.T) {
	a := advisory("GO-1", "Go", "example.org/a", rng(osv.RangeSemVer, "introduced=0"))
	a.Aliases = []string{"CVE-1"}
	ix := New([]osv.Record{a})
	pkgs := []Package{{Ecosystem: "Go", Name: "example.org/a", Version: "1.0.0"}}
	done := make(chan bool)
	for range 4 {
		go func() {
			for range 200 {
				if len(ix.Match(pkgs).Findings) != 1 {
					t.Error("finding lost during update")
				}
			}
			done <- true
		}()
	}
	for i := range 200 {
		b := advisory(fmt.Sprintf("GHSA-%d", i), "Go", "example.org/b", rng(osv.RangeSemVer, "introduced=0"))
		b.Aliases = []string{"CVE-1"}
		ix.Update([]osv.Record{b})
	}
	for range 4 {
		<-done
	}
}
