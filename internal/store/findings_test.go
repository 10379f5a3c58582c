package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
	"github.com/pflicht/pflicht/internal/vuln"
)

// productVersion creates a product with one version in tn's organisation.
func productVersion(t *testing.T, s *store.Store, tn tenant, name, version string) store.ProductVersion {
	t.Helper()
	ctx := context.Background()
	p, err := s.CreateProduct(ctx, tn.member, tn.org.ID, name)
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.AddProductVersion(ctx, tn.member, store.ProductVersion{ProductID: p.ID, Version: version})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func pkg(eco, name, version string) store.SBOMComponent {
	return store.SBOMComponent{Ecosystem: eco, Name: name, Version: version, PURL: "pkg:" + strings.ToLower(eco) + "/" + name + "@" + version, Label: name}
}

func found(c store.SBOMComponent, id string, aliases ...string) store.Finding {
	return store.Finding{PURL: c.PURL, Component: c.Label, ComponentVersion: c.Version, Ecosystem: c.Ecosystem, Package: c.Name,
		VulnID: id, Aliases: aliases, Severity: "HIGH", Summary: id + " summary", Fixed: []string{"9.9.9"}}
}

func upload(name string, pkgs ...store.SBOMComponent) store.SBOMUpload {
	return store.SBOMUpload{Name: name, Format: "CycloneDX 1.6 JSON", Data: []byte(`{"bomFormat":"CycloneDX","name":"` + name + `"}`),
		Components: len(pkgs) + 1, Packages: pkgs, Unscanned: []store.Unscanned{{Component: "firmware-blob", Reason: "no package URL"}}}
}

func vulnIDs(fs []store.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.VulnID+"@"+f.Package)
	}
	slices.Sort(out)
	return out
}

func TestSBOMUploadReplacesAndKeepsFindings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "acme")
		v := productVersion(t, s, tn, "Router", "1.0")
		a, b := pkg("Go", "example.org/a", "1.0.0"), pkg("PyPI", "Foo_Bar", "1.0")

		up := upload("first.cdx.json", a, b, a) // a twice: one component row, one finding
		up.VersionID = v.ID
		f1, ch, err := s.AddSBOM(ctx, tn.member, up, []store.Finding{found(a, "GO-1"), found(b, "GHSA-1", "CVE-1"), found(a, "GO-1")})
		if err != nil {
			t.Fatal(err)
		}
		if ch.New != 2 || ch.Gone != 0 || !f1.Current || f1.OrgID != tn.org.ID || f1.UploadedBy != tn.member.String() || len(f1.SHA256) != 64 {
			t.Fatalf("first upload: %+v, %+v", f1, ch)
		}
		fs, err := s.Findings(ctx, tn.member, tn.org.ID, store.FindingFilter{VersionID: v.ID})
		if err != nil || !slices.Equal(vulnIDs(fs), []string{"GHSA-1@Foo_Bar", "GO-1@example.org/a"}) {
			t.Fatalf("Findings = %v, %v", vulnIDs(fs), err)
		}
		for _, f := range fs {
			if f.Status != "under_investigation" || f.Gone || f.SBOMID != f1.ID || f.FirstSeen.IsZero() || f.IncidentID != "" {
				t.Errorf("new finding %+v", f)
			}
		}
		comps, err := s.CurrentComponents(ctx, admin, []vuln.Key{{Ecosystem: "PyPI", Name: "foo-bar"}})
		if err != nil || len(comps) != 1 || comps[0].Name != "Foo_Bar" || comps[0].SBOMID != f1.ID || comps[0].OrgID != tn.org.ID {
			t.Fatalf("CurrentComponents(PyPI foo-bar) = %+v, %v", comps, err)
		}

		// A decision survives the next upload; the finding is updated, not
		// duplicated, and the one not found again is gone.
		ghsa := fs[0]
		if _, err := s.DecideFinding(ctx, tn.member, ghsa.ID, store.FindingDecision{Status: "affected", Note: "fix planned"}); err != nil {
			t.Fatal(err)
		}
		up = upload("second.cdx.json", b)
		up.VersionID = v.ID
		f2, ch, err := s.AddSBOM(ctx, tn.member, up, []store.Finding{found(b, "GHSA-1", "CVE-1")})
		if err != nil || ch.New != 0 || ch.Updated != 0 || ch.Gone != 1 {
			t.Fatalf("second upload: %+v, %v", ch, err)
		}
		fs, err = s.Findings(ctx, tn.member, tn.org.ID, store.FindingFilter{VersionID: v.ID, IncludeGone: true})
		if err != nil || len(fs) != 2 {
			t.Fatalf("Findings(IncludeGone) = %+v, %v", fs, err)
		}
		for _, f := range fs {
			switch f.VulnID {
			case "GHSA-1":
				if f.ID != ghsa.ID || f.Status != "affected" || f.Gone || f.SBOMID != f2.ID {
					t.Errorf("kept finding %+v", f)
				}
			case "GO-1":
				if !f.Gone {
					t.Errorf("finding of the old SBOM not gone: %+v", f)
				}
			}
		}
		if fs, _ := s.Findings(ctx, tn.member, tn.org.ID, store.FindingFilter{}); len(fs) != 1 {
			t.Errorf("Findings without gone = %d, want 1", len(fs))
		}
		sboms, err := s.SBOMs(ctx, tn.member, v.ID)
		if err != nil || len(sboms) != 2 || sboms[0].ID != f2.ID || !sboms[0].Current || sboms[1].Current || sboms[1].Components != 4 ||
			len(sboms[1].Unscanned) != 1 || sboms[1].Unscanned[0].Reason != "no package URL" {
			t.Fatalf("SBOMs = %+v, %v", sboms, err)
		}
		got, data, err := s.SBOMContent(ctx, tn.member, f1.ID)
		if err != nil || got.Name != "first.cdx.json" || !strings.Contains(string(data), "first.cdx.json") {
			t.Fatalf("SBOMContent = %+v, %q, %v", got, data, err)
		}
		comps, err = s.CurrentComponents(ctx, admin, nil)
		if err != nil || len(comps) != 1 || comps[0].SBOMID != f2.ID {
			t.Fatalf("CurrentComponents after the replacement = %+v, %v", comps, err)
		}
		mustVerify(t, s)
	})
}

func TestRecordFindingsFollowsAliasesAndScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "acme")
		v := productVersion(t, s, tn, "Router", "1.0")
		a, b := pkg("Go", "example.org/a", "1.0.0"), pkg("npm", "left-pad", "1.0.0")
		up := upload("bom.json", a, b)
		up.VersionID = v.ID
		file, _, err := s.AddSBOM(ctx, tn.member, up, []store.Finding{found(a, "GHSA-1", "CVE-1"), found(b, "GHSA-2")})
		if err != nil {
			t.Fatal(err)
		}
		before, _ := s.Findings(ctx, tn.member, tn.org.ID, store.FindingFilter{})
		keyA := vuln.KeyOf("Go", "example.org/a")

		if _, err := s.RecordFindings(ctx, tn.owner, nil); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("RecordFindings by a member: %v, want ErrNotFound", err)
		}
		// The Go database publishes GO-1 for CVE-1: the primary id moves, the
		// finding stays. Only key a was matched, so b's finding is untouched.
		kev := found(a, "GO-1", "CVE-1", "GHSA-1")
		kev.KnownExploited, kev.KEVCVE = true, "CVE-1"
		ch, err := s.RecordFindings(ctx, admin, []store.FindingSet{{VersionID: v.ID, SBOMID: file.ID, Keys: []vuln.Key{keyA}, Findings: []store.Finding{kev}}})
		if err != nil || ch.New != 0 || ch.Updated != 1 || ch.Gone != 0 || !slices.Equal(ch.Untracked, []string{v.ID}) {
			t.Fatalf("RecordFindings = %+v, %v", ch, err)
		}
		after, _ := s.Findings(ctx, tn.member, tn.org.ID, store.FindingFilter{KEVOnly: true})
		if len(after) != 1 || after[0].VulnID != "GO-1" || after[0].ID != findingOf(before, "GHSA-1").ID || after[0].KEVCVE != "CVE-1" {
			t.Fatalf("after the alias move: %+v", after)
		}
		// Again: nothing changes.
		ch, err = s.RecordFindings(ctx, admin, []store.FindingSet{{VersionID: v.ID, SBOMID: file.ID, Keys: []vuln.Key{keyA}, Findings: []store.Finding{kev}}})
		if err != nil || ch.New+ch.Updated+ch.Gone != 0 {
			t.Fatalf("RecordFindings again = %+v, %v", ch, err)
		}
		// The advisory is withdrawn: a's finding is gone, b's stays.
		ch, err = s.RecordFindings(ctx, admin, []store.FindingSet{{VersionID: v.ID, SBOMID: file.ID, Keys: []vuln.Key{keyA}}})
		if err != nil || ch.Gone != 1 {
			t.Fatalf("RecordFindings without findings = %+v, %v", ch, err)
		}
		if fs, _ := s.Findings(ctx, tn.member, tn.org.ID, store.FindingFilter{}); !slices.Equal(vulnIDs(fs), []string{"GHSA-2@left-pad"}) {
			t.Fatalf("Findings = %v", vulnIDs(fs))
		}
		// A set for an SBOM that is no longer current is skipped: the upload
		// that replaced it matched the same data.
		up.Name = "newer.json"
		if _, _, err := s.AddSBOM(ctx, tn.member, up, nil); err != nil {
			t.Fatal(err)
		}
		ch, err = s.RecordFindings(ctx, admin, []store.FindingSet{{VersionID: v.ID, SBOMID: file.ID, Findings: []store.Finding{kev}}})
		if err != nil || ch.New+ch.Updated+ch.Gone != 0 {
			t.Fatalf("RecordFindings for a replaced SBOM = %+v, %v", ch, err)
		}
		mustVerify(t, s)
	})
}

func findingOf(fs []store.Finding, id string) store.Finding {
	for _, f := range fs {
		if f.VulnID == id {
			return f
		}
	}
	return store.Finding{}
}

func TestDecideFindingValidatesAndKeepsHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "acme")
		v := productVersion(t, s, tn, "Router", "1.0")
		a := pkg("Go", "example.org/a", "1.0.0")
		up := upload("bom.json", a)
		up.VersionID = v.ID
		if _, _, err := s.AddSBOM(ctx, tn.member, up, []store.Finding{found(a, "GO-1")}); err != nil {
			t.Fatal(err)
		}
		fs, _ := s.Findings(ctx, tn.member, tn.org.ID, store.FindingFilter{})
		id := fs[0].ID
		for _, tc := range []struct {
			d     store.FindingDecision
			field string
		}{
			{store.FindingDecision{Status: "wontfix"}, "status"},
			{store.FindingDecision{Status: ""}, "status"},
			{store.FindingDecision{Status: "not_affected"}, "justification"},
			{store.FindingDecision{Status: "not_affected", Justification: "because"}, "justification"},
			{store.FindingDecision{Status: "affected", Justification: "component_not_present"}, "justification"},
			{store.FindingDecision{Status: "fixed", Note: strings.Repeat("x", store.MaxDecisionNote+1)}, "note"},
			{store.FindingDecision{Status: "fixed", Note: "\xff"}, "note"},
		} {
			_, err := s.DecideFinding(ctx, tn.member, id, tc.d)
			if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), tc.field) {
				t.Errorf("DecideFinding(%+v) = %v, want ErrInvalid naming %s", tc.d, err, tc.field)
			}
		}
		// CycloneDX values are stored as the OpenVEX/CSAF labels; DecidedBy
		// and DecidedAt come from the store.
		f, err := s.DecideFinding(ctx, tn.member, id, store.FindingDecision{Status: "not_affected", Justification: "code_not_reachable",
			Note: "<script>alert(1)</script> only in tests", DecidedBy: "someone else", DecidedAt: time.Unix(0, 0)})
		if err != nil || f.Status != "not_affected" || f.Justification != "vulnerable_code_not_in_execute_path" || f.DecidedBy != tn.member.String() ||
			f.DecidedAt == nil || f.DecidedAt.Year() < 2026 {
			t.Fatalf("DecideFinding = %+v, %v", f, err)
		}
		if _, err := s.DecideFinding(ctx, tn.owner, id, store.FindingDecision{Status: "exploitable"}); err != nil {
			t.Fatal(err)
		}
		got, err := s.Finding(ctx, tn.member, id)
		if err != nil || got.Status != "affected" || got.Justification != "" || got.DecidedBy != tn.owner.String() {
			t.Fatalf("Finding = %+v, %v", got, err)
		}
		hist, err := s.FindingDecisions(ctx, tn.member, id)
		if err != nil || len(hist) != 2 || hist[0].Status != "not_affected" || hist[0].Note != "<script>alert(1)</script> only in tests" ||
			hist[1].Status != "affected" || hist[1].DecidedBy != tn.owner.String() {
			t.Fatalf("FindingDecisions = %+v, %v", hist, err)
		}
		if fs, err := s.Findings(ctx, tn.member, tn.org.ID, store.FindingFilter{Status: "exploitable"}); err != nil || len(fs) != 1 {
			t.Fatalf("Findings(status exploitable) = %d, %v", len(fs), err)
		}
		if _, err := s.Findings(ctx, tn.member, tn.org.ID, store.FindingFilter{Status: "bogus"}); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("Findings(status bogus) = %v, want ErrInvalid", err)
		}
		mustVerify(t, s)
	})
}

func TestFindingsTenantIsolation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ours, theirs := newTenant(t, s, "ours"), newTenant(t, s, "theirs")
		v := productVersion(t, s, ours, "Router", "1.0")
		a := pkg("Go", "example.org/a", "1.0.0")
		up := upload("bom.json", a)
		up.VersionID = v.ID
		if _, _, err := s.AddSBOM(ctx, theirs.owner, up, nil); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("AddSBOM into another organisation's version: %v, want ErrNotFound", err)
		}
		readOnly := ours.member
		readOnly.ReadOnly = true
		if _, _, err := s.AddSBOM(ctx, readOnly, up, nil); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("AddSBOM with a read-only token: %v, want ErrNotFound", err)
		}
		file, _, err := s.AddSBOM(ctx, ours.member, up, []store.Finding{found(a, "GO-1")})
		if err != nil {
			t.Fatal(err)
		}
		fs, _ := s.Findings(ctx, ours.member, ours.org.ID, store.FindingFilter{})
		id := fs[0].ID
		supervisor := mustUser(t, s, "bsi@example.org", store.RoleSupervisor)
		for _, who := range []struct {
			name  string
			a     store.Actor
			reads bool
		}{{"other organisation", theirs.owner, false}, {"supervisor", supervisor, true}, {"read-only token", readOnly, true}} {
			t.Run(who.name, func(t *testing.T) {
				_, err1 := s.SBOMs(ctx, who.a, v.ID)
				_, _, err2 := s.SBOMContent(ctx, who.a, file.ID)
				_, err3 := s.Findings(ctx, who.a, ours.org.ID, store.FindingFilter{})
				_, err4 := s.Finding(ctx, who.a, id)
				_, err5 := s.FindingDecisions(ctx, who.a, id)
				for i, err := range []error{err1, err2, err3, err4, err5} {
					if who.reads && err != nil || !who.reads && !errors.Is(err, store.ErrNotFound) {
						t.Errorf("read %d: %v (reads: %v)", i+1, err, who.reads)
					}
				}
				if _, err := s.DecideFinding(ctx, who.a, id, store.FindingDecision{Status: "affected"}); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("DecideFinding: %v, want ErrNotFound", err)
				}
				for i, err := range []error{
					func() error { _, err := s.CurrentComponents(ctx, who.a, nil); return err }(),
					func() error { _, err := s.UntrackedKEV(ctx, who.a, []string{v.ID}); return err }(),
					func() error { _, err := s.RecordFindings(ctx, who.a, nil); return err }(),
				} {
					if !errors.Is(err, store.ErrNotFound) {
						t.Errorf("system call %d: %v, want ErrNotFound", i+1, err)
					}
				}
			})
		}
		if _, err := s.SBOMs(ctx, ours.member, "no-such-version"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SBOMs of an unknown version: %v", err)
		}
	})
}

func TestAddSBOMValidates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "acme")
		v := productVersion(t, s, tn, "Router", "1.0")
		for _, tc := range []struct {
			up    store.SBOMUpload
			field string
		}{
			{store.SBOMUpload{VersionID: v.ID, Name: " ", Format: "x"}, "name"},
			{store.SBOMUpload{VersionID: v.ID, Name: strings.Repeat("n", store.MaxSBOMName+1), Format: "x"}, "name"},
			{store.SBOMUpload{VersionID: v.ID, Name: "bom.json"}, "format"},
		} {
			if _, _, err := s.AddSBOM(ctx, tn.member, tc.up, nil); !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), tc.field) {
				t.Errorf("AddSBOM(%.20q) = %v, want ErrInvalid naming %s", tc.up.Name, err, tc.field)
			}
		}
		if sboms, _ := s.SBOMs(ctx, tn.member, v.ID); len(sboms) != 0 {
			t.Errorf("rejected uploads stored: %+v", sboms)
		}
	})
}

// kevFindings uploads an SBOM with two known-exploited findings of CVE-1
// and one other to a new version of tn, and returns the version and the
// two candidates for a track.
func kevFindings(t *testing.T, s *store.Store, tn tenant) (store.ProductVersion, []store.KEVCandidate) {
	t.Helper()
	ctx := context.Background()
	v := productVersion(t, s, tn, "Router", "1.0")
	a, b := pkg("Go", "example.org/a", "1.0.0"), pkg("Go", "example.org/b", "1.0.0")
	fa, fb := found(a, "GO-1", "CVE-1"), found(b, "GO-2", "CVE-1")
	fa.KnownExploited, fa.KEVCVE, fb.KnownExploited, fb.KEVCVE = true, "CVE-1", true, "CVE-1"
	up := upload("bom.json", a, b)
	up.VersionID = v.ID
	_, ch, err := s.AddSBOM(ctx, tn.member, up, []store.Finding{fa, fb, found(b, "GO-3")})
	if err != nil || !slices.Equal(ch.Untracked, []string{v.ID}) {
		t.Fatalf("AddSBOM = %+v, %v", ch, err)
	}
	cands, err := s.UntrackedKEV(ctx, admin, []string{v.ID})
	if err != nil || len(cands) != 2 || cands[0].Product != "Router" || cands[0].Version != "1.0" || cands[0].ProductID != v.ProductID {
		t.Fatalf("UntrackedKEV = %+v, %v", cands, err)
	}
	return v, cands
}

// kevTrack is what OpenKEVTrack gets for tn's product and CVE-1.
func kevTrack(tn tenant, productID string, aware time.Time, findingIDs ...string) store.KEVTrackOpen {
	return store.KEVTrackOpen{
		Incident:  store.Incident{OrgID: tn.org.ID, Regime: store.RegimeCRAVulnerability, Title: "CVE-1: Router 1.0", AwareAt: aware},
		ProductID: productID, CVE: "CVE-1", FindingIDs: findingIDs,
		Notification: func(inc store.Incident) store.Notification {
			return store.Notification{Kind: "cra-kev", Title: "CVE-1", Body: "incident " + inc.ID}
		},
	}
}

// trackRows reads the rows a track writes, behind the store's API.
func trackRows(t *testing.T, s *store.Store, orgID string) (incidents, tracks, openTracks, linked, notifications, deliveries int) {
	t.Helper()
	ctx := context.Background()
	err := s.Tx(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM incidents WHERE org_id = ?),
			(SELECT count(*) FROM kev_tracks WHERE org_id = ?),
			(SELECT count(*) FROM kev_tracks WHERE org_id = ? AND is_open),
			(SELECT count(*) FROM findings WHERE org_id = ? AND incident_id IS NOT NULL),
			(SELECT count(*) FROM notifications WHERE org_id = ?),
			(SELECT count(*) FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id WHERE n.org_id = ?)`,
			orgID, orgID, orgID, orgID, orgID, orgID).Scan(&incidents, &tracks, &openTracks, &linked, &notifications, &deliveries)
	})
	if err != nil {
		t.Fatal(err)
	}
	return
}

func TestOpenKEVTrack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tn, other := newTenant(t, s, "acme"), newTenant(t, s, "other")
		v, cands := kevFindings(t, s, tn)
		// Decided not_affected: no track is called for; affected again: it is.
		for _, tc := range []struct {
			d    store.FindingDecision
			want int
		}{{store.FindingDecision{Status: "not_affected", Justification: "component_not_present"}, 1}, {store.FindingDecision{Status: "affected"}, 2}} {
			if _, err := s.DecideFinding(ctx, tn.member, cands[1].ID, tc.d); err != nil {
				t.Fatal(err)
			}
			if got, err := s.UntrackedKEV(ctx, admin, []string{v.ID}); err != nil || len(got) != tc.want {
				t.Fatalf("UntrackedKEV after %s = %d, %v; want %d", tc.d.Status, len(got), err, tc.want)
			}
		}
		aware := time.Now().Add(-time.Hour).UTC().Truncate(time.Microsecond)
		sys := store.System("kev-track")

		// Rejected before anything is written, each naming its field.
		for _, tc := range []struct {
			field string
			edit  func(*store.KEVTrackOpen)
		}{
			{"regime", func(k *store.KEVTrackOpen) { k.Incident.Regime = store.RegimeBSIG }},
			{"cve", func(k *store.KEVTrackOpen) { k.CVE = " " }},
			{"product_id", func(k *store.KEVTrackOpen) { k.ProductID = "" }},
			{"notification", func(k *store.KEVTrackOpen) { k.Notification = nil }},
			{"title", func(k *store.KEVTrackOpen) { k.Incident.Title = "" }},
		} {
			k := kevTrack(tn, v.ProductID, aware, cands[0].ID)
			tc.edit(&k)
			if _, _, err := s.OpenKEVTrack(ctx, sys, k, withNextDue); !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), tc.field) {
				t.Errorf("%s: %v, want ErrInvalid naming it", tc.field, err)
			}
		}
		// Another organisation's product, and an actor of another
		// organisation, reach nothing.
		if _, _, err := s.OpenKEVTrack(ctx, sys, kevTrack(other, v.ProductID, aware, cands[0].ID), withNextDue); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("product of another organisation: %v, want ErrNotFound", err)
		}
		if _, _, err := s.OpenKEVTrack(ctx, other.member, kevTrack(tn, v.ProductID, aware, cands[0].ID), withNextDue); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("member of another organisation: %v, want ErrNotFound", err)
		}
		// A failure after the incident's insert (the notification is
		// invalid) leaves nothing.
		bad := kevTrack(tn, v.ProductID, aware, cands[0].ID)
		bad.Notification = func(store.Incident) store.Notification { return store.Notification{Kind: "cra-kev"} }
		if _, _, err := s.OpenKEVTrack(ctx, sys, bad, withNextDue); !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), "title") {
			t.Fatalf("invalid notification: %v, want ErrInvalid naming the title", err)
		}
		if i, k, o, l, n, d := trackRows(t, s, tn.org.ID); i+k+o+l+n+d != 0 {
			t.Fatalf("after failures: %d incidents, %d tracks, %d open, %d linked, %d notifications, %d deliveries; want none", i, k, o, l, n, d)
		}

		// One call: incident with its due instant, track, link, notification.
		inc, opened, err := s.OpenKEVTrack(ctx, sys, kevTrack(tn, v.ProductID, aware, cands[0].ID), withNextDue)
		if err != nil || !opened || inc.Status != "open" || inc.Regime != store.RegimeCRAVulnerability || !inc.AwareAt.Equal(aware) {
			t.Fatalf("OpenKEVTrack = %+v, %v, %v", inc, opened, err)
		}
		due := aware.Add(24 * time.Hour) // the early warning, Art. 14(2)(a) CRA
		if got, err := s.Incident(ctx, tn.member, inc.ID); err != nil || got.NextDueAt == nil || !got.NextDueAt.Equal(due) {
			t.Fatalf("stored NextDueAt = %v, %v; want %v", got.NextDueAt, err, due)
		}
		if i, k, o, l, n, d := trackRows(t, s, tn.org.ID); i != 1 || k != 1 || o != 1 || l != 1 || n != 1 || d != len(store.Channels) {
			t.Fatalf("after opening: %d incidents, %d tracks, %d open, %d linked, %d notifications, %d deliveries", i, k, o, l, n, d)
		}
		notes, err := s.Notifications(ctx, tn.member, tn.org.ID)
		if err != nil || len(notes) != 1 || notes[0].Body != "incident "+inc.ID || notes[0].OrgID != tn.org.ID {
			t.Fatalf("Notifications = %+v, %v", notes, err)
		}
		// The supervisor's overdue feed has it from its due instant on.
		supervisor := mustUser(t, s, "bsi@example.org", store.RoleSupervisor)
		for _, c := range []struct {
			now  time.Time
			want int
		}{{due.Add(-time.Microsecond), 0}, {due, 1}} {
			p, err := s.IncidentFeed(ctx, supervisor, store.FeedQuery{Overdue: true, Regime: store.RegimeCRAVulnerability, Now: c.now, Limit: 10})
			if err != nil || p.Overdue != c.want || len(p.Items) != c.want || c.want == 1 && p.Items[0].ID != inc.ID {
				t.Errorf("overdue feed at due%+v = %+v, %v; want %d", c.now.Sub(due), p, err, c.want)
			}
		}

		// The second finding, and the first again: linked to the open
		// track, nothing new.
		got, opened, err := s.OpenKEVTrack(ctx, sys, kevTrack(tn, v.ProductID, aware.Add(time.Hour), cands[1].ID, cands[0].ID), withNextDue)
		if err != nil || opened || got.ID != inc.ID {
			t.Fatalf("OpenKEVTrack with a track open = %+v, %v, %v; want %s", got, opened, err, inc.ID)
		}
		if cands, err := s.UntrackedKEV(ctx, admin, []string{v.ID}); err != nil || len(cands) != 0 {
			t.Fatalf("UntrackedKEV after linking = %+v, %v", cands, err)
		}
		fs, _ := s.Findings(ctx, tn.member, tn.org.ID, store.FindingFilter{KEVOnly: true})
		for _, f := range fs {
			if f.IncidentID != inc.ID {
				t.Errorf("finding %s linked to %q, want %s", f.VulnID, f.IncidentID, inc.ID)
			}
		}
		if i, k, o, l, n, _ := trackRows(t, s, tn.org.ID); i != 1 || k != 1 || o != 1 || l != 2 || n != 1 {
			t.Fatalf("after linking: %d incidents, %d tracks, %d open, %d linked, %d notifications", i, k, o, l, n)
		}

		// A closed track is no longer the product's open one: the next
		// call opens another; the first cannot be reopened beside it.
		if err := s.SetIncidentStatus(ctx, tn.member, inc.ID, "closed"); err != nil {
			t.Fatal(err)
		}
		second, opened, err := s.OpenKEVTrack(ctx, sys, kevTrack(tn, v.ProductID, aware, cands[0].ID), withNextDue)
		if err != nil || !opened || second.ID == inc.ID {
			t.Fatalf("OpenKEVTrack after closing = %+v, %v, %v; want a new track", second, opened, err)
		}
		if err := s.SetIncidentStatus(ctx, tn.member, inc.ID, "open"); !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), second.ID) {
			t.Errorf("reopening beside an open track: %v, want ErrConflict naming %s", err, second.ID)
		}
		if err := s.SetIncidentStatus(ctx, tn.member, second.ID, "closed"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetIncidentStatus(ctx, tn.member, inc.ID, "open"); err != nil {
			t.Errorf("reopening the only track: %v", err)
		}
		if got, opened, err := s.OpenKEVTrack(ctx, sys, kevTrack(tn, v.ProductID, aware), withNextDue); err != nil || opened || got.ID != inc.ID {
			t.Errorf("OpenKEVTrack after reopening = %s, %v, %v; want the reopened %s", got.ID, opened, err, inc.ID)
		}
		mustVerify(t, s)
	})
}

// TestOpenKEVTrackRace: app servers opening the same track at once (two
// stores on one database, several callers each) open one incident; the
// others link their findings to it, and no incident is left over.
func TestOpenKEVTrackRace(t *testing.T) {
	eachShared(t, func(t *testing.T, a, b *store.Store) {
		ctx := context.Background()
		tn := newTenant(t, a, "acme")
		v, cands := kevFindings(t, a, tn)
		aware := time.Now().UTC()
		var wg sync.WaitGroup
		const callers = 8
		ids := make([]string, callers)
		opened := make([]bool, callers)
		errs := make([]error, callers)
		for i := range callers {
			s := []*store.Store{a, b}[i%2]
			wg.Go(func() {
				var inc store.Incident
				inc, opened[i], errs[i] = s.OpenKEVTrack(ctx, store.System("kev-track"), kevTrack(tn, v.ProductID, aware, cands[i%2].ID), withNextDue)
				ids[i] = inc.ID
			})
		}
		wg.Wait()
		n := 0
		for i, err := range errs {
			if err != nil || ids[i] != ids[0] {
				t.Errorf("caller %d: %s, %v; want %s", i, ids[i], err, ids[0])
			}
			if opened[i] {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d callers opened the track, want 1", n)
		}
		if i, k, o, l, nn, _ := trackRows(t, a, tn.org.ID); i != 1 || k != 1 || o != 1 || l != 2 || nn != 1 {
			t.Errorf("%d incidents, %d tracks, %d open, %d linked, %d notifications; want 1, 1, 1, 2, 1", i, k, o, l, nn)
		}
		if incs, err := a.Incidents(ctx, tn.member, tn.org.ID); err != nil || len(incs) != 1 || incs[0].Status != "open" {
			t.Errorf("Incidents = %+v, %v; want one open", incs, err)
		}
		mustVerify(t, a)
	})
}
