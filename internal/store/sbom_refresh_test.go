package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

// TestRefreshUnscanned: re-matching finds only the current SBOMs with
// no_advisories entries, and rewrites a list only while it is the one it
// read, audited as a system change; tenants cannot use either.
func TestRefreshUnscanned(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "acme")
		noPURL := store.Unscanned{Component: "firmware-blob", Reason: "no package URL", Code: "no_purl"}
		zlib := store.Unscanned{Component: "zlib@1.3", Reason: "no advisories are loaded for ecosystem Debian", Code: "no_advisories",
			Ecosystem: "Debian:13", PURL: "pkg:deb/debian/zlib@1.3?distro=debian-13"}
		add := func(v store.ProductVersion, name string, un ...store.Unscanned) store.SBOMFile {
			t.Helper()
			up := upload(name, pkg("Go", "example.org/a", "1.0.0"))
			up.VersionID, up.Unscanned = v.ID, un
			f, _, err := s.AddSBOM(ctx, tn.member, up, nil)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
		v1, v2 := productVersion(t, s, tn, "Router", "1.0"), productVersion(t, s, tn, "Switch", "2.0")
		old := add(v1, "old.cdx.json", zlib) // replaced below: not current
		cur := add(v1, "router.cdx.json", noPURL, zlib)
		add(v2, "switch.cdx.json", noPURL)

		if _, err := s.NoAdvisorySBOMs(ctx, tn.member); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("NoAdvisorySBOMs by a member = %v, want ErrNotFound", err)
		}
		files, err := s.NoAdvisorySBOMs(ctx, admin)
		if err != nil || len(files) != 1 || files[0].ID != cur.ID || !slices.Equal(files[0].Unscanned, cur.Unscanned) {
			t.Fatalf("NoAdvisorySBOMs = %+v, %v; want only %s", files, err, cur.ID)
		}
		if _, err := s.SBOMComponents(ctx, tn.member, cur.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SBOMComponents by a member = %v, want ErrNotFound", err)
		}
		if comps, err := s.SBOMComponents(ctx, admin, cur.ID); err != nil || len(comps) != 1 || comps[0].Name != "example.org/a" || comps[0].VersionID != v1.ID {
			t.Errorf("SBOMComponents = %+v, %v", comps, err)
		}
		if comps, err := s.SBOMComponents(ctx, admin, old.ID); err != nil || len(comps) != 0 {
			t.Errorf("SBOMComponents of a replaced SBOM = %+v, %v", comps, err)
		}

		after := []store.Unscanned{noPURL}
		for _, tc := range []struct {
			name   string
			a      store.Actor
			id     string
			before []store.Unscanned
			err    error
		}{
			{"member", tn.member, cur.ID, cur.Unscanned, store.ErrNotFound},
			{"unknown id", admin, "nope", cur.Unscanned, store.ErrNotFound},
			{"changed meanwhile", admin, cur.ID, []store.Unscanned{zlib}, nil},
			{"not current", admin, old.ID, old.Unscanned, nil},
		} {
			if ok, err := s.RefreshUnscanned(ctx, tc.a, tc.id, tc.before, after); ok || !errors.Is(err, tc.err) {
				t.Errorf("%s: RefreshUnscanned = %v, %v; want false, %v", tc.name, ok, err, tc.err)
			}
		}
		if ok, err := s.RefreshUnscanned(ctx, admin, cur.ID, cur.Unscanned, after); !ok || err != nil {
			t.Fatalf("RefreshUnscanned = %v, %v", ok, err)
		}
		list, err := s.SBOMs(ctx, tn.member, v1.ID)
		if err != nil || len(list) != 2 || !slices.Equal(list[0].Unscanned, after) || !slices.Equal(list[1].Unscanned, old.Unscanned) {
			t.Fatalf("SBOMs after the refresh = %+v, %v", list, err)
		}
		if files, err := s.NoAdvisorySBOMs(ctx, admin); err != nil || len(files) != 0 {
			t.Errorf("NoAdvisorySBOMs after the refresh = %+v, %v", files, err)
		}
		audited := 0
		for r, err := range s.AuditRows(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			if r.Action == "refresh_unscanned" {
				audited++
				if r.Entity != "sbom" || r.EntityID != cur.ID || r.OrgID != tn.org.ID || r.Actor != admin.String() {
					t.Errorf("audit row %+v", r)
				}
			}
		}
		if audited != 1 {
			t.Errorf("%d refresh_unscanned audit rows, want 1", audited)
		}
		if broken, err := s.VerifyAudit(ctx); err != nil || broken != nil {
			t.Fatalf("VerifyAudit = %+v, %v", broken, err)
		}
	})
}
