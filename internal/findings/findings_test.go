package findings_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/findings"
	"github.com/pflicht/pflicht/internal/osv"
	"github.com/pflicht/pflicht/internal/pgtest"
	"github.com/pflicht/pflicht/internal/sbom"
	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
	"github.com/pflicht/pflicht/internal/testdata"
	"github.com/pflicht/pflicht/internal/vuln"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// now is when the tests' pflicht learns of findings: Art. 14 CRA applies.
var now = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// Real advisories from shared/data: Drupalgeddon 2 (CVE-2018-7600) and the
// libwebp overflow (CVE-2023-4863) are in CISA's catalogue; the HTTP/2
// advisory of golang.org/x/net is not.
const (
	drupal = "drupal-advisory-database/advisories/core/DRUPAL-CORE-2018-002.json"
	webp   = "rustsec-advisory-db-osv/crates/RUSTSEC-2023-0061.json"
	xnet   = "golang-vulndb/data/osv/GO-2023-2102.json"
	cisa   = "cisa-kev/known_exploited_vulnerabilities.json"
)

// importShared imports shared OSV files and returns the changed keys.
func importShared(t testing.TB, s *store.Store, paths ...string) []vuln.Key {
	t.Helper()
	var full []string
	for _, p := range paths {
		full = append(full, testdata.Shared(t, p))
	}
	var recs []osv.Record
	if _, err := osv.Walk(full, osv.Options{}, func(r osv.Record) error { recs = append(recs, r); return nil }); err != nil {
		t.Fatal(err)
	}
	res, err := s.ImportVulns(context.Background(), "shared", recs)
	if err != nil {
		t.Fatal(err)
	}
	return res.Keys
}

func importKEV(t testing.TB, s *store.Store) []vuln.Key {
	t.Helper()
	data, err := os.ReadFile(testdata.Shared(t, cisa))
	if err != nil {
		t.Fatal(err)
	}
	k, err := osv.ParseCISAKEV(data)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := s.ImportKEV(context.Background(), cisa, k)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// org is a manufacturer with one member.
type org struct {
	id     string
	member store.Actor
}

func newOrg(t *testing.T, s *store.Store, name string) org {
	t.Helper()
	ctx := context.Background()
	u, err := s.CreateUser(ctx, store.System("test"), "member@"+name+".example", "$argon2id$test", "")
	if err != nil {
		t.Fatal(err)
	}
	a := store.Actor{UserID: u.ID}
	o, err := s.CreateOrganisation(ctx, a, store.Profile{Name: name}, "")
	if err != nil {
		t.Fatal(err)
	}
	return org{o.ID, a}
}

func (o org) version(t *testing.T, s *store.Store, productID, product, version, start, end string) store.ProductVersion {
	t.Helper()
	ctx := context.Background()
	if productID == "" {
		p, err := s.CreateProduct(ctx, o.member, o.id, product)
		if err != nil {
			t.Fatal(err)
		}
		productID = p.ID
	}
	v, err := s.AddProductVersion(ctx, o.member, store.ProductVersion{ProductID: productID, Version: version, SupportStart: start, SupportEnd: end})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func upload(t *testing.T, s *store.Store, a store.Actor, versionID, file string, at time.Time) findings.UploadResult {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	res, err := findings.Upload(context.Background(), s, a, versionID, file, bytes.NewReader(data), at)
	if err != nil {
		t.Fatalf("Upload(%s): %v", file, err)
	}
	return res
}

func ids(fs []store.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.VulnID)
	}
	slices.Sort(out)
	return out
}

func TestUploadOpensOneTrackPerProductAndCVE(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		importShared(t, s, drupal, webp, xnet)
		importKEV(t, s)
		m := newOrg(t, s, "maker")
		v1 := m.version(t, s, "", "Router", "1.0", "2026-01-01", "2031-01-01")
		v2 := m.version(t, s, v1.ProductID, "", "2.0", "", "")

		res := upload(t, s, m.member, v1.ID, "router-1.0.cdx.json", now)
		if res.Findings != 3 || res.KnownExploited != 2 || res.New != 3 || len(res.Opened) != 2 || res.SBOM.Components != 6 {
			t.Fatalf("Upload = %+v", res)
		}
		// The component without a package URL is listed by name with why.
		if !slices.Contains(res.SBOM.Unscanned, store.Unscanned{Component: "wifi-firmware@7.35", Reason: "no package URL", Code: "no_purl"}) {
			t.Errorf("Unscanned = %+v", res.SBOM.Unscanned)
		}
		for _, inc := range res.Opened {
			if inc.Regime != store.RegimeCRAVulnerability || !inc.AwareAt.Equal(now) || inc.Status != "open" || inc.OrgID != m.id {
				t.Errorf("opened %+v", inc)
			}
		}
		fs, err := s.Findings(ctx, m.member, m.id, store.FindingFilter{VersionID: v1.ID})
		if err != nil || !slices.Equal(ids(fs), []string{"DRUPAL-CORE-2018-002", "GO-2023-2102", "RUSTSEC-2023-0061"}) {
			t.Fatalf("Findings = %v, %v", ids(fs), err)
		}
		tracks := map[string]string{} // CVE → incident
		for _, f := range fs {
			switch {
			case f.KnownExploited && f.IncidentID == "":
				t.Errorf("%s: known exploited without a track", f.VulnID)
			case !f.KnownExploited && f.IncidentID != "":
				t.Errorf("%s: track without being known exploited", f.VulnID)
			case f.KnownExploited:
				tracks[f.KEVCVE] = f.IncidentID
			}
		}
		if len(tracks) != 2 || tracks["CVE-2018-7600"] == "" || tracks["CVE-2023-4863"] == "" {
			t.Fatalf("tracks = %v", tracks)
		}
		notes, err := s.Notifications(ctx, m.member, m.id)
		if err != nil || len(notes) != 2 {
			t.Fatalf("Notifications = %+v, %v", notes, err)
		}
		for _, n := range notes {
			// The first due instant is the early warning: awareness + 24 h.
			for _, want := range []string{"cra-kev", "Router", "1.0", "CVE-", "24.11.2026 11:00 CET", "2026-11-24 11:00 CET", "Art. 14 Abs. 2 Buchst. a VO (EU) 2024/2847", "period computation: UNVERIFIED"} {
				if !strings.Contains(n.Kind+n.Title+n.Body, want) {
					t.Errorf("notification %q / %q lacks %q", n.Title, n.Body, want)
				}
			}
		}
		if !strings.Contains(notes[0].Body+notes[1].Body, "drupal/core 8.3.0") || !strings.Contains(notes[0].Body+notes[1].Body, "libwebp-sys 0.9.2") {
			t.Errorf("notifications do not name the components: %q, %q", notes[0].Body, notes[1].Body)
		}

		// The same SBOM again, and for version 2.0 of the same product: no
		// new track, the 2.0 findings join the open ones.
		if res := upload(t, s, m.member, v1.ID, "router-1.0.cdx.json", now.Add(time.Hour)); res.New != 0 || res.Gone != 0 || len(res.Opened) != 0 {
			t.Fatalf("second upload = %+v", res)
		}
		if res := upload(t, s, m.member, v2.ID, "router-1.0.cdx.json", now.Add(time.Hour)); res.New != 3 || len(res.Opened) != 0 {
			t.Fatalf("upload for 2.0 = %+v", res)
		}
		fs, _ = s.Findings(ctx, m.member, m.id, store.FindingFilter{VersionID: v2.ID, KEVOnly: true})
		for _, f := range fs {
			if f.IncidentID != tracks[f.KEVCVE] {
				t.Errorf("2.0: %s linked to %q, want the open track %s", f.VulnID, f.IncidentID, tracks[f.KEVCVE])
			}
		}
		if notes, _ := s.Notifications(ctx, m.member, m.id); len(notes) != 2 {
			t.Errorf("%d notifications, want still 2", len(notes))
		}
		incs, _ := s.Incidents(ctx, m.member, m.id)
		if len(incs) != 2 {
			t.Errorf("%d incidents, want 2", len(incs))
		}

		// A newer SBOM without the vulnerable versions: those findings are
		// gone, the track stays for the record.
		res = upload(t, s, m.member, v1.ID, "router-1.1.cdx.json", now.Add(2*time.Hour))
		if res.Findings != 1 || res.Gone != 2 || res.New != 0 {
			t.Fatalf("upload of 1.1 = %+v", res)
		}
		sboms, err := s.SBOMs(ctx, m.member, v1.ID)
		if err != nil || len(sboms) != 3 || sboms[0].Name != "router-1.1.cdx.json" || !sboms[0].Current || sboms[2].Current {
			t.Fatalf("SBOMs = %+v, %v", sboms, err)
		}
		mustVerify(t, s)
	})
}

func mustVerify(t *testing.T, s *store.Store) {
	t.Helper()
	if broken, err := s.VerifyAudit(context.Background()); err != nil || broken != nil {
		t.Fatalf("VerifyAudit = %+v, %v", broken, err)
	}
}

func TestNoTrackBeforeMarketOrBeforeArt14(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		importShared(t, s, drupal, webp)
		importKEV(t, s)
		m := newOrg(t, s, "maker")
		for _, tc := range []struct {
			name, start, end string
			at               time.Time
		}{
			{"not yet on the market", "2027-01-01", "2032-01-01", now},
			// Art. 14 CRA applies from 11 September 2026 (Art. 71(2)).
			{"before Art. 14 applies", "", "", time.Date(2026, 9, 10, 12, 0, 0, 0, time.UTC)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				v := m.version(t, s, "", "Product "+tc.name, "1.0", tc.start, tc.end)
				res := upload(t, s, m.member, v.ID, "router-1.0.cdx.json", tc.at)
				if res.KnownExploited != 2 || len(res.Opened) != 0 {
					t.Fatalf("Upload = %+v, want 2 known exploited and no track", res)
				}
			})
		}
		if incs, _ := s.Incidents(context.Background(), m.member, m.id); len(incs) != 0 {
			t.Errorf("incidents opened: %+v", incs)
		}
	})
}

// TestCRAArt14_1AfterSupportEnd: Art. 14(1) CRA is not limited to the
// support period, and Art. 69(3) applies it to products placed on the
// market before 11.12.2027, so a version whose support ended still gets a
// track for an actively exploited vulnerability.
func TestCRAArt14_1AfterSupportEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		importShared(t, s, drupal, webp)
		importKEV(t, s)
		m := newOrg(t, s, "maker")
		v := m.version(t, s, "", "Router", "1.0", "2020-01-01", "2025-12-31")
		res := upload(t, s, m.member, v.ID, "router-1.0.cdx.json", now)
		if res.KnownExploited != 2 || len(res.Opened) != 2 {
			t.Fatalf("Upload = %+v, want 2 known exploited and 2 tracks", res)
		}
		for _, inc := range res.Opened {
			if inc.Regime != store.RegimeCRAVulnerability {
				t.Errorf("track %s: regime %q, want cra-vulnerability", inc.ID, inc.Regime)
			}
		}
	})
}

func TestRematchAfterImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		importShared(t, s, drupal)
		m := newOrg(t, s, "maker")
		v := m.version(t, s, "", "Router", "1.0", "", "")
		res := upload(t, s, m.member, v.ID, "router-1.0.cdx.json", now)
		if res.Findings != 1 || res.KnownExploited != 0 || len(res.Opened) != 0 {
			t.Fatalf("Upload = %+v", res)
		}
		// Nothing changed, nothing to do.
		if got, err := findings.Rematch(ctx, s, []vuln.Key{}, now); err != nil || got != (findings.RematchResult{}) {
			t.Fatalf("Rematch(no keys) = %+v, %v", got, err)
		}
		keys := importShared(t, s, webp, xnet)
		got, err := findings.Rematch(ctx, s, keys, now.Add(time.Hour))
		// libwebp-sys (listed twice) and golang.org/x/net are matched again,
		// not drupal/core.
		if err != nil || got.Versions != 1 || got.Components != 2 || got.New != 2 || got.Gone != 0 || got.Opened != 0 {
			t.Fatalf("Rematch after the advisories = %+v, %v", got, err)
		}
		// The catalogue marks drupal/core and libwebp-sys: two tracks.
		got, err = findings.Rematch(ctx, s, importKEV(t, s), now.Add(2*time.Hour))
		if err != nil || got.Updated != 2 || got.New != 0 || got.Opened != 2 {
			t.Fatalf("Rematch after the catalogue = %+v, %v", got, err)
		}
		// Idempotent: again with the same keys, and for everything.
		for _, keys := range [][]vuln.Key{keys, nil} {
			got, err = findings.Rematch(ctx, s, keys, now.Add(3*time.Hour))
			if err != nil || got.New+got.Updated+got.Gone+got.Opened != 0 {
				t.Fatalf("Rematch(%d keys) again = %+v, %v", len(keys), got, err)
			}
		}
		fs, _ := s.Findings(ctx, m.member, m.id, store.FindingFilter{KEVOnly: true})
		if len(fs) != 2 || fs[0].IncidentID == "" || fs[1].IncidentID == "" || fs[0].IncidentID == fs[1].IncidentID {
			t.Fatalf("known-exploited findings = %+v", fs)
		}
		if incs, _ := s.Incidents(ctx, m.member, m.id); len(incs) != 2 {
			t.Errorf("%d incidents, want 2", len(incs))
		}
		// The advisory is withdrawn: its finding is gone on re-match.
		withdrawn := webpRecord(t)
		withdrawn.Modified, withdrawn.Withdrawn = now, now
		imp, err := s.ImportVulns(ctx, "withdrawal", []osv.Record{withdrawn})
		if err != nil {
			t.Fatal(err)
		}
		if got, err = findings.Rematch(ctx, s, imp.Keys, now.Add(4*time.Hour)); err != nil || got.Gone != 1 {
			t.Fatalf("Rematch after the withdrawal = %+v, %v", got, err)
		}
		mustVerify(t, s)
	})
}

func webpRecord(t *testing.T) osv.Record {
	t.Helper()
	var out osv.Record
	if _, err := osv.Walk([]string{testdata.Shared(t, webp)}, osv.Options{}, func(r osv.Record) error { out = r; return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestUploadRejectsBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		m, other := newOrg(t, s, "maker"), newOrg(t, s, "other")
		v := m.version(t, s, "", "Router", "1.0", "", "")
		broken, err := os.ReadFile(filepath.Join("testdata", "broken.cdx.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name, data, want string
		}{
			{"broken.cdx.json", string(broken), "line 6"},
			{"empty.json", "", "empty"},
			{"notes.txt", "just some text", "notes.txt"},
			{"huge.json", strings.Repeat(" ", sbom.DefaultMaxBytes+1), "limit"},
			{"", "{}", "file name"},
			{strings.Repeat("n", store.MaxSBOMName+1), "{}", "file name"},
		} {
			_, err := findings.Upload(ctx, s, m.member, v.ID, tc.name, strings.NewReader(tc.data), now)
			var ie *findings.InputError
			field := tc.name
			if tc.want == "file name" {
				field = "name"
			}
			if !errors.As(err, &ie) || ie.Field != field || !strings.Contains(ie.Error(), tc.want) {
				t.Errorf("Upload(%.20q) = %v, want an InputError naming %q", tc.name, err, tc.want)
			}
		}
		data, _ := os.ReadFile(filepath.Join("testdata", "router-1.0.cdx.json"))
		if _, err := findings.Upload(ctx, s, other.member, v.ID, "router.json", bytes.NewReader(data), now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Upload into another organisation's version: %v, want ErrNotFound", err)
		}
		if sboms, _ := s.SBOMs(ctx, m.member, v.ID); len(sboms) != 0 {
			t.Errorf("rejected uploads stored: %+v", sboms)
		}
	})
}

// TestUploadKeepsProblems: an SBOM read only in part is stored with the
// parser's problems, so the portal can show them next to its findings.
func TestUploadKeepsProblems(t *testing.T) {
	data, err := os.ReadFile(testdata.Shared(t, "cyclonedx-specification/tools/src/test/resources/1.6/invalid-bomformat-1.6.json"))
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		m := newOrg(t, s, "maker")
		v := m.version(t, s, "", "Router", "1.0", "", "")
		res, err := findings.Upload(ctx, s, m.member, v.ID, "invalid-bomformat-1.6.json", bytes.NewReader(data), now)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Problems) == 0 || !strings.Contains(res.Problems[0].Where, "bomFormat") || !strings.Contains(res.Problems[0].Reason, "AnotherFormat") {
			t.Fatalf("Upload problems = %+v, want bomFormat first", res.Problems)
		}
		sboms, err := s.SBOMs(ctx, m.member, v.ID)
		if err != nil || len(sboms) != 1 || !slices.Equal(sboms[0].Problems, res.Problems) {
			t.Fatalf("stored SBOMs = %+v, %v; want the upload's problems", sboms, err)
		}
		f, _, err := s.SBOMContent(ctx, m.member, sboms[0].ID)
		if err != nil || !slices.Equal(f.Problems, res.Problems) {
			t.Fatalf("SBOMContent = %+v, %v", f.Problems, err)
		}
		// A valid SBOM has an empty list, not null.
		if res := upload(t, s, m.member, v.ID, "router-1.0.cdx.json", now); res.Problems == nil || len(res.Problems) != 0 {
			t.Errorf("valid SBOM: problems %#v, want []", res.Problems)
		}
	})
}

// TestUploadMatchesLikeTheIndex uploads a real container SBOM and checks the
// stored findings against matching the same document in memory.
func TestUploadMatchesLikeTheIndex(t *testing.T) {
	path := testdata.Shared(t, "bom-shelter/in-the-lab/spdx-popular-containers/data/spdx-syft-datadog_agent-dev-sha256:62822eb0f1e3b6ee7a0bfc8be7622ba4c992c4df19e05d4a5c285211f73957ec.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := storetest.Open(t, filepath.Join(t.TempDir(), "pflicht.db"))
	ctx := context.Background()
	importShared(t, s, "golang-vulndb", "pypa-advisory-database")
	m := newOrg(t, s, "maker")
	v := m.version(t, s, "", "Agent", "7", "", "")
	res, err := findings.Upload(ctx, s, m.member, v.ID, filepath.Base(path), bytes.NewReader(data), now)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := sbom.Parse(data, sbom.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	mt, err := findings.NewMatcher(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	want, err := mt.MatchDocument(ctx, doc)
	if err != nil {
		t.Fatal(err)
	}
	distinct := map[[2]string]bool{}
	for _, f := range want.Findings {
		distinct[[2]string{f.PURL, f.ID}] = true
	}
	if res.Findings != len(distinct) || res.Findings == 0 {
		t.Fatalf("Upload found %d, matching in memory %d", res.Findings, len(distinct))
	}
	if len(res.SBOM.Unscanned) != len(want.Unscanned)+len(want.NotEvaluable) || want.Scanned+len(want.Unscanned) != len(doc.Components) {
		t.Errorf("%d unscanned stored, want %d + %d; %d scanned of %d", len(res.SBOM.Unscanned), len(want.Unscanned), len(want.NotEvaluable),
			want.Scanned, len(doc.Components))
	}
	fs, err := s.Findings(ctx, m.member, m.id, store.FindingFilter{})
	if err != nil || len(fs) != res.Findings {
		t.Fatalf("Findings = %d, %v", len(fs), err)
	}
	t.Logf("%d components: %d findings, %d not scanned", len(doc.Components), res.Findings, len(res.SBOM.Unscanned))
	// Re-matching everything changes nothing.
	if got, err := findings.Rematch(ctx, s, nil, now); err != nil || got.New+got.Updated+got.Gone != 0 {
		t.Fatalf("Rematch = %+v, %v", got, err)
	}
}

// TestMatchDocument: every component is scanned or unscanned with its
// codes, in document order. A package of an ecosystem the database has
// advisories for, none naming it, is scanned and clean, although the index
// holds only the records of this document's packages: here none of
// Packagist.
func TestMatchDocument(t *testing.T) {
	doc, err := sbom.Parse([]byte(`{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
		{"type": "library", "name": "golang.org/x/net", "purl": "pkg:golang/golang.org/x/net@v0.10.0"},
		{"type": "library", "name": "left-pad", "purl": "pkg:npm/left-pad@1.0.0"},
		{"type": "library", "name": "widget", "purl": "pkg:composer/acme/widget@1.0.0"},
		{"type": "firmware", "name": "blob", "version": "1"},
		{"type": "library", "name": "tool", "purl": "pkg:generic/tool@2"},
		{"type": "library", "name": "golang.org/x/net", "purl": "pkg:golang/golang.org/x/net"}]}`), sbom.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		importShared(t, s, xnet, drupal)
		m, err := findings.NewMatcher(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		dm, err := m.MatchDocument(ctx, doc)
		if err != nil {
			t.Fatal(err)
		}
		if dm.Scanned != 2 || len(dm.Findings) != 1 || dm.Findings[0].ID != "GO-2023-2102" || dm.Component(dm.Findings[0].Package) != &doc.Components[0] {
			t.Errorf("scanned %d, findings %+v", dm.Scanned, dm.Findings)
		}
		want := []findings.Unscannable{
			{Index: 1, Reason: vuln.NoAdvisories, Code: "no_advisories"},
			{Index: 3, Reason: vuln.NoCoordinates, Code: "no_purl"},
			{Index: 4, Reason: vuln.NoCoordinates, Code: "unknown_type"},
			{Index: 5, Reason: vuln.NoVersion, Code: "no_version"},
		}
		got := make([]findings.Unscannable, len(dm.Unscanned))
		for i, u := range dm.Unscanned {
			if u.Detail == "" {
				t.Errorf("%d: no detail", u.Index)
			}
			got[i] = u
			got[i].Detail = ""
		}
		if !slices.Equal(got, want) {
			t.Errorf("unscanned %+v, want %+v", got, want)
		}
	})
}

// TestMatchDocumentReleaseCoverage: a Debian 13 package is not reported
// clean when the database holds advisories for Debian 12 only; it is
// unscanned with the release named. A Debian 12 package no advisory names
// is clean.
func TestMatchDocumentReleaseCoverage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		rec := osv.Record{ID: "DLA-1", Modified: now, Affected: []osv.Affected{{
			Package: osv.Package{Ecosystem: "Debian:12", Name: "openssl"},
			Ranges:  []osv.Range{{Type: osv.RangeEcosystem, Events: []osv.Event{{Introduced: "0"}, {Fixed: "3.0.15-1"}}}},
		}}}
		if _, err := s.ImportVulns(ctx, "test", []osv.Record{rec}); err != nil {
			t.Fatal(err)
		}
		doc, err := sbom.Parse([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
			{"type":"library","name":"openssl","version":"3.0.11-1","purl":"pkg:deb/debian/openssl@3.0.11-1?distro=debian-12"},
			{"type":"library","name":"zlib","version":"1.2.13","purl":"pkg:deb/debian/zlib@1.2.13?distro=debian-12"},
			{"type":"library","name":"zlib","version":"1.3","purl":"pkg:deb/debian/zlib@1.3?distro=debian-13"}]}`), sbom.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		m, err := findings.NewMatcher(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		dm, err := m.MatchDocument(ctx, doc)
		if err != nil {
			t.Fatal(err)
		}
		if dm.Scanned != 2 || len(dm.Findings) != 1 || dm.Findings[0].ID != "DLA-1" {
			t.Errorf("scanned %d, findings %+v; want 2 scanned and DLA-1", dm.Scanned, dm.Findings)
		}
		if len(dm.Unscanned) != 1 || dm.Unscanned[0].Index != 2 || dm.Unscanned[0].Code != string(vuln.NoAdvisories) ||
			!strings.Contains(dm.Unscanned[0].Detail, "release 13") {
			t.Errorf("unscanned %+v; want the Debian 13 zlib, no_advisories, naming release 13", dm.Unscanned)
		}
	})
}
