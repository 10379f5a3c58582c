package findings_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/pflicht/pflicht/internal/findings"
	"github.com/pflicht/pflicht/internal/osv"
	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
	"github.com/pflicht/pflicht/internal/vuln"
)

// debianSBOM has Debian 12 and 13 packages (curl without a version) and a
// component without a package URL.
const debianSBOM = `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
	{"type":"library","name":"openssl","version":"3.0.11-1","purl":"pkg:deb/debian/openssl@3.0.11-1?distro=debian-12"},
	{"type":"library","name":"zlib","version":"1.3","purl":"pkg:deb/debian/zlib@1.3?distro=debian-13"},
	{"type":"application","name":"firmware","version":"7"},
	{"type":"library","name":"curl","purl":"pkg:deb/debian/curl?distro=debian-12"}]}`

func debianAdvisory(id, name string) osv.Record {
	return osv.Record{ID: id, Modified: now, Affected: []osv.Affected{{
		Package: osv.Package{Ecosystem: "Debian:12", Name: name},
		Ranges:  []osv.Range{{Type: osv.RangeEcosystem, Events: []osv.Event{{Introduced: "0"}, {Fixed: "3.0.15-1"}}}},
	}}}
}

type entry struct{ component, code, ecosystem string }

func entries(us []store.Unscanned) []entry {
	out := []entry{}
	for _, u := range us {
		out = append(out, entry{u.Component, u.Code, u.Ecosystem})
	}
	return out
}

// TestRematchRefreshesUnscanned uploads an SBOM of Debian packages while
// the database has no Debian advisories: they are unscanned for want of
// advisories. After Debian 12 advisories are imported, the re-match finds
// the vulnerability and the list says what is true now: openssl is checked,
// curl (no version) can still not be compared, zlib of Debian 13 still has
// no advisories, the component without a purl is as before.
func TestRematchRefreshesUnscanned(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		m := newOrg(t, s, "maker")
		v := m.version(t, s, "", "Router", "1.0", "", "")
		res, err := findings.Upload(ctx, s, m.member, v.ID, "debian.cdx.json", strings.NewReader(debianSBOM), now)
		if err != nil || res.Findings != 0 {
			t.Fatalf("Upload = %+v, %v", res, err)
		}
		want := []entry{
			{"openssl@3.0.11-1", "no_advisories", "Debian:12"},
			{"zlib@1.3", "no_advisories", "Debian:13"},
			{"firmware@7", "no_purl", ""},
			{"curl", "no_advisories", "Debian:12"},
		}
		if got := entries(res.SBOM.Unscanned); !slices.Equal(got, want) {
			t.Fatalf("unscanned after upload = %+v, want %+v", got, want)
		}
		// Nothing covers Debian yet: nothing to refresh.
		if got, err := findings.Rematch(ctx, s, nil, now); err != nil || got.Refreshed != 0 {
			t.Fatalf("Rematch before the import = %+v, %v", got, err)
		}

		imp, err := s.ImportVulns(ctx, "test", []osv.Record{debianAdvisory("DLA-1", "openssl"), debianAdvisory("DLA-2", "curl")})
		if err != nil {
			t.Fatal(err)
		}
		got, err := findings.Rematch(ctx, s, imp.Keys, now)
		if err != nil || got.New != 1 || got.Refreshed != 1 {
			t.Fatalf("Rematch after the import = %+v, %v", got, err)
		}
		fs, err := s.Findings(ctx, m.member, m.id, store.FindingFilter{})
		if err != nil || len(fs) != 1 || fs[0].VulnID != "DLA-1" || fs[0].Package != "openssl" {
			t.Fatalf("findings = %+v, %v", fs, err)
		}
		files, err := s.SBOMs(ctx, m.member, v.ID)
		if err != nil || len(files) != 1 {
			t.Fatalf("SBOMs = %+v, %v", files, err)
		}
		want = []entry{
			{"zlib@1.3", "no_advisories", "Debian:13"},
			{"firmware@7", "no_purl", ""},
			{"curl", string(vuln.NoVersion), "Debian:12"},
		}
		if got := entries(files[0].Unscanned); !slices.Equal(got, want) {
			t.Fatalf("unscanned after the import = %+v, want %+v", got, want)
		}
		if r := files[0].Unscanned[0].Reason; !strings.Contains(r, "release 13") {
			t.Errorf("zlib's reason %q does not name release 13", r)
		}
		// Debian 13 is still not covered: the list stays, and is not
		// written again.
		if got, err := findings.Rematch(ctx, s, nil, now); err != nil || got.Refreshed != 0 || got.New+got.Gone+got.Updated != 0 {
			t.Fatalf("Rematch again = %+v, %v", got, err)
		}
		mustVerify(t, s)
	})
}

// TestRematchRefreshesWithoutComponents imports a Debian 13 advisory for a
// package no SBOM lists: no component is matched again, but Debian 13 is
// now covered, so zlib of Debian 13 is checked (and clean) and the Debian
// 12 entries say that only release 12 lacks advisories.
func TestRematchRefreshesWithoutComponents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		m := newOrg(t, s, "maker")
		v := m.version(t, s, "", "Router", "1.0", "", "")
		if _, err := findings.Upload(ctx, s, m.member, v.ID, "debian.cdx.json", strings.NewReader(debianSBOM), now); err != nil {
			t.Fatal(err)
		}
		rec := debianAdvisory("DSA-1", "bash")
		rec.Affected[0].Package.Ecosystem = "Debian:13"
		imp, err := s.ImportVulns(ctx, "test", []osv.Record{rec})
		if err != nil {
			t.Fatal(err)
		}
		got, err := findings.Rematch(ctx, s, imp.Keys, now)
		if err != nil || got.Components != 0 || got.Refreshed != 1 {
			t.Fatalf("Rematch = %+v, %v", got, err)
		}
		files, err := s.SBOMs(ctx, m.member, v.ID)
		if err != nil || len(files) != 1 {
			t.Fatalf("SBOMs = %+v, %v", files, err)
		}
		want := []entry{
			{"openssl@3.0.11-1", "no_advisories", "Debian:12"},
			{"firmware@7", "no_purl", ""},
			{"curl", "no_advisories", "Debian:12"},
		}
		if got := entries(files[0].Unscanned); !slices.Equal(got, want) {
			t.Fatalf("unscanned = %+v, want %+v", got, want)
		}
		for _, u := range files[0].Unscanned {
			if u.Code == "no_advisories" && !strings.Contains(u.Reason, "none for release 12") {
				t.Errorf("%s: reason %q does not name release 12", u.Component, u.Reason)
			}
		}
		mustVerify(t, s)
	})
}
