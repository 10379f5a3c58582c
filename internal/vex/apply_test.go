package vex

import (
	"strconv"
	"testing"
	"time"
)

func TestApply(t *testing.T) {
	t1 := ts("2026-01-01T00:00:00Z")
	t2 := ts("2026-02-01T00:00:00Z")
	t3 := ts("2026-03-01T00:00:00Z")
	lodash := Finding{
		ComponentRef: "ref-lodash", ComponentPURL: "pkg:npm/lodash@4.17.20",
		VulnID: "GHSA-35jh-r3h4-6jhm", Aliases: []string{"CVE-2021-23337"},
	}
	na := func(id string, products ...string) Statement {
		return Statement{VulnID: id, Products: products, Status: NotAffected,
			Justification: VulnerableCodeNotInExecutePath, ImpactStatement: "not called", Timestamp: t1, Author: "ACME"}
	}
	for _, tc := range []struct {
		name    string
		finding Finding
		stmts   []Statement
		want    Status // "" when no statement applies
		wantIdx int    // index of the statement expected in Applied
	}{
		{"same id and purl", lodash, []Statement{na("GHSA-35jh-r3h4-6jhm", "pkg:npm/lodash@4.17.20")}, NotAffected, 0},
		{"statement id is finding alias", lodash, []Statement{na("CVE-2021-23337", "pkg:npm/lodash@4.17.20")}, NotAffected, 0},
		{"statement alias is finding id", lodash, []Statement{{VulnID: "X-1", Aliases: []string{"ghsa-35jh-r3h4-6jhm"}, Products: []string{"pkg:npm/lodash"}, Status: Affected}}, Affected, 0},
		{"cve case-insensitive", lodash, []Statement{na("cve-2021-23337", "pkg:npm/lodash")}, NotAffected, 0},
		{"other ids exact", Finding{ComponentPURL: "pkg:golang/x@v1", VulnID: "GO-2024-1"}, []Statement{na("go-2024-1", "pkg:golang/x")}, "", 0},
		{"other vulnerability", lodash, []Statement{na("CVE-2020-8203", "pkg:npm/lodash")}, "", 0},
		{"version-less product covers all versions", lodash, []Statement{na("CVE-2021-23337", "pkg:npm/lodash")}, NotAffected, 0},
		{"other version does not match", lodash, []Statement{na("CVE-2021-23337", "pkg:npm/lodash@4.17.21")}, "", 0},
		{"other package does not match", lodash, []Statement{na("CVE-2021-23337", "pkg:npm/lodash-es@4.17.20")}, "", 0},
		{"type case and encoding normalised", Finding{ComponentPURL: "pkg:pypi/Django_Rest@1.0", VulnID: "CVE-1"}, []Statement{na("CVE-1", "PKG:PYPI/django-rest")}, NotAffected, 0},
		{"npm scope percent-encoding", Finding{ComponentPURL: "pkg:npm/@angular/core@16.0.0", VulnID: "CVE-1"}, []Statement{na("CVE-1", "pkg:npm/%40angular/core@16.0.0")}, NotAffected, 0},
		{"qualifier on one side only", Finding{ComponentPURL: "pkg:maven/g/a@1?type=jar", VulnID: "CVE-1"}, []Statement{na("CVE-1", "pkg:maven/g/a@1?repository_url=https://repo.example")}, NotAffected, 0},
		{"qualifier differs on both", Finding{ComponentPURL: "pkg:maven/g/a@1?type=jar", VulnID: "CVE-1"}, []Statement{na("CVE-1", "pkg:maven/g/a@1?type=pom")}, "", 0},
		{"bom-ref product", lodash, []Statement{na("CVE-2021-23337", "ref-lodash")}, NotAffected, 0},
		{"no products applies to nothing", lodash, []Statement{na("CVE-2021-23337")}, "", 0},
		{"subcomponents are matched, not products", lodash, []Statement{{VulnID: "CVE-2021-23337", Products: []string{"pkg:generic/acme/app@1"}, Subcomponents: []string{"pkg:npm/lodash"}, Status: Fixed}}, Fixed, 0},
		{"product ignored when subcomponents exist", lodash, []Statement{{VulnID: "CVE-2021-23337", Products: []string{"pkg:npm/lodash"}, Subcomponents: []string{"pkg:npm/other"}, Status: Fixed}}, "", 0},
		{"latest statement wins", lodash, []Statement{
			{VulnID: "CVE-2021-23337", Products: []string{"pkg:npm/lodash"}, Status: Affected, Timestamp: t3},
			{VulnID: "CVE-2021-23337", Products: []string{"pkg:npm/lodash"}, Status: UnderInvestigation, Timestamp: t2},
		}, Affected, 0},
		{"later in list wins a tie", lodash, []Statement{
			{VulnID: "GHSA-35jh-r3h4-6jhm", Products: []string{"pkg:npm/lodash"}, Status: Affected, Timestamp: t2},
			{VulnID: "CVE-2021-23337", Products: []string{"pkg:npm/lodash"}, Status: Fixed, Timestamp: t2},
		}, Fixed, 1},
		{"newer statement not matching does not win", lodash, []Statement{
			{VulnID: "CVE-2021-23337", Products: []string{"pkg:npm/lodash"}, Status: Affected, Timestamp: t1},
			{VulnID: "CVE-2021-23337", Products: []string{"pkg:npm/other"}, Status: Fixed, Timestamp: t3},
		}, Affected, 0},
		{"newer own decision kept", Finding{ComponentPURL: "pkg:npm/lodash@4.17.20", VulnID: "CVE-2021-23337", Status: Affected, DecidedAt: t3},
			[]Statement{na("CVE-2021-23337", "pkg:npm/lodash")}, Affected, -1},
		{"older own decision replaced", Finding{ComponentPURL: "pkg:npm/lodash@4.17.20", VulnID: "CVE-2021-23337", Status: Affected, DecidedAt: t1.Add(-time.Hour)},
			[]Statement{na("CVE-2021-23337", "pkg:npm/lodash")}, NotAffected, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := []Finding{tc.finding}
			got := Apply(in, tc.stmts)[0]
			if got.Status != tc.want {
				t.Fatalf("Status = %q, want %q", got.Status, tc.want)
			}
			if in[0].Applied != nil {
				t.Error("Apply modified its input")
			}
			switch {
			case tc.want == "" || tc.wantIdx < 0:
				if got.Applied != nil {
					t.Errorf("Applied = %+v, want nil", got.Applied)
				}
			case got.Applied == nil:
				t.Error("Applied = nil")
			case got.Applied.Status != tc.stmts[tc.wantIdx].Status || !got.Applied.Timestamp.Equal(tc.stmts[tc.wantIdx].Timestamp):
				t.Errorf("Applied = %+v, want statement %d", got.Applied, tc.wantIdx)
			}
		})
	}
}

func TestApplyCopiesDecision(t *testing.T) {
	at := ts("2026-02-01T00:00:00Z")
	f := Finding{ComponentPURL: "pkg:npm/a@1", VulnID: "CVE-1"}
	for _, tc := range []struct {
		stmt       Statement
		wantDetail string
	}{
		{Statement{Status: NotAffected, Justification: ComponentNotPresent, ImpactStatement: "impact", ActionStatement: "action"}, "impact"},
		{Statement{Status: Affected, ImpactStatement: "impact", ActionStatement: "action"}, "action"},
		{Statement{Status: Affected, ImpactStatement: "impact"}, "impact"},
		{Statement{Status: UnderInvestigation, ActionStatement: "action"}, "action"},
	} {
		s := tc.stmt
		s.VulnID, s.Products, s.Author, s.Timestamp, s.Origin = "CVE-1", []string{"pkg:npm/a"}, "ACME", at, "doc statements[0]"
		got := Apply([]Finding{f}, []Statement{s})[0]
		if got.Status != s.Status || got.Justification != s.Justification || got.Detail != tc.wantDetail ||
			got.DecidedBy != "ACME" || !got.DecidedAt.Equal(at) || got.Applied == nil || got.Applied.Origin != s.Origin {
			t.Errorf("Apply(%+v) = %+v, want detail %q", s, got, tc.wantDetail)
		}
	}
}

func TestApplyUnparsablePURLComparesExactly(t *testing.T) {
	f := Finding{ComponentPURL: "pkg:bad purl", VulnID: "CVE-1"}
	got := Apply([]Finding{f}, []Statement{{VulnID: "CVE-1", Products: []string{"pkg:bad purl"}, Status: Fixed}})
	if got[0].Status != Fixed {
		t.Errorf("Status = %q, want fixed", got[0].Status)
	}
}

func BenchmarkApply(b *testing.B) {
	const n = 10_000
	findings := make([]Finding, n)
	stmts := make([]Statement, n)
	for i := range n {
		id := "CVE-2026-" + strconv.Itoa(i)
		findings[i] = Finding{ComponentPURL: "pkg:npm/pkg" + strconv.Itoa(i%500) + "@1.0." + strconv.Itoa(i%7), VulnID: id}
		stmts[i] = Statement{VulnID: id, Products: []string{"pkg:npm/pkg" + strconv.Itoa(i%500)}, Status: NotAffected,
			Justification: ComponentNotPresent, Timestamp: time.Unix(int64(i), 0)}
	}
	b.ReportAllocs()
	for b.Loop() {
		Apply(findings, stmts)
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "findings/s")
}
