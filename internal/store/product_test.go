package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/pflicht/pflicht/internal/audit"
	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

func TestProductVersionLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "acme")
		p, err := s.CreateProduct(ctx, tn.member, tn.org.ID, "Router X")
		if err != nil {
			t.Fatal(err)
		}
		v, err := s.AddProductVersion(ctx, tn.member, store.ProductVersion{ProductID: p.ID, Version: "1.0",
			SupportStart: "2028-01-15", SupportEnd: "2033-01-15", Categories: []string{"annex3.1.12"}, HarmonisedStandards: true})
		if err != nil {
			t.Fatal(err)
		}
		if v.OrgID != tn.org.ID || v.ID == "" {
			t.Fatalf("AddProductVersion = %+v", v)
		}
		got, err := s.ProductVersion(ctx, tn.member, v.ID)
		if err != nil || got.Version != "1.0" || !got.HarmonisedStandards || got.FOSSPublicDocs || !slices.Equal(got.Categories, []string{"annex3.1.12"}) {
			t.Fatalf("ProductVersion = %+v, %v", got, err)
		}
		// The update sets support, categories and facts; product and version string stay.
		upd := got
		upd.ProductID, upd.Version = "other", "9.9"
		upd.SupportEnd, upd.Categories = "2035-01-15", []string{"annex3.1.12", "annex3.2.2"}
		upd.HarmonisedStandards, upd.FOSSPublicDocs, upd.EUScheme = false, true, true
		after, err := s.UpdateProductVersion(ctx, tn.member, upd)
		if err != nil {
			t.Fatal(err)
		}
		if after.ProductID != p.ID || after.Version != "1.0" || after.SupportEnd != "2035-01-15" || !after.FOSSPublicDocs || after.HarmonisedStandards || len(after.Categories) != 2 {
			t.Fatalf("UpdateProductVersion = %+v", after)
		}
		if _, err := s.AddProductVersion(ctx, tn.member, store.ProductVersion{ProductID: p.ID, Version: "2.0"}); err != nil {
			t.Fatal(err)
		}
		full, err := s.Product(ctx, tn.member, p.ID)
		if err != nil || full.Name != "Router X" || len(full.Versions) != 2 || full.Versions[0].Version != "1.0" || full.Versions[1].Categories == nil {
			t.Fatalf("Product = %+v, %v", full, err)
		}
		if full.Versions[0].SupportEnd != "2035-01-15" || !full.Versions[0].EUScheme {
			t.Fatalf("Product does not show the update: %+v", full.Versions[0])
		}
		ps, err := s.Products(ctx, tn.member, tn.org.ID)
		if err != nil || len(ps) != 1 || len(ps[0].Versions) != 2 || !ps[0].Versions[0].FOSSPublicDocs {
			t.Fatalf("Products = %+v, %v", ps, err)
		}
		// Both writes left their audit records, before and after.
		var update *audit.Row
		for row, err := range s.AuditRows(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			if row.Entity == "product_version" && row.Action == "update" {
				update = &row
			}
		}
		if update == nil || update.OrgID != tn.org.ID || !strings.Contains(update.Before, `"support_end":"2033-01-15"`) || !strings.Contains(update.After, `"support_end":"2035-01-15"`) {
			t.Fatalf("audit of the update: %+v", update)
		}
		mustVerify(t, s)
	})
}

func TestProductVersionValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "acme")
		p, err := s.CreateProduct(ctx, tn.member, tn.org.ID, "Router X")
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			v     store.ProductVersion
			field string
		}{
			{store.ProductVersion{Version: " "}, "version"},
			{store.ProductVersion{Version: strings.Repeat("1", 101)}, "version"},
			{store.ProductVersion{Version: "1", SupportStart: "15.01.2028"}, "support_start"},
			{store.ProductVersion{Version: "1", SupportEnd: "2028-02-30"}, "support_end"},
			{store.ProductVersion{Version: "1", SupportStart: "2028-01-15", SupportEnd: "2027-01-15"}, "support_end"},
			{store.ProductVersion{Version: "1", Categories: make([]string, 65)}, "categories"},
		} {
			tc.v.ProductID = p.ID
			_, err := s.AddProductVersion(ctx, tn.member, tc.v)
			if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), tc.field+":") {
				t.Errorf("AddProductVersion(%+v) = %v, want ErrInvalid naming %s", tc.v, err, tc.field)
			}
		}
		for _, name := range []string{"", "  ", strings.Repeat("x", 201)} {
			if _, err := s.CreateProduct(ctx, tn.member, tn.org.ID, name); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("CreateProduct(%q) = %v, want ErrInvalid", name, err)
			}
		}
	})
}

// TestProductTenants: a product, its versions and their updates are reached
// only by the organisation's members; supervisors read, never write.
func TestProductTenants(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mine, theirs := newTenant(t, s, "mine"), newTenant(t, s, "theirs")
		p, err := s.CreateProduct(ctx, theirs.member, theirs.org.ID, "Router")
		if err != nil {
			t.Fatal(err)
		}
		v, err := s.AddProductVersion(ctx, theirs.member, store.ProductVersion{ProductID: p.ID, Version: "1"})
		if err != nil {
			t.Fatal(err)
		}
		supervisor := mustUser(t, s, "staff@bsi.example", store.RoleSupervisor)
		for name, call := range map[string]func(a store.Actor) error{
			"Product":        func(a store.Actor) error { _, err := s.Product(ctx, a, p.ID); return err },
			"ProductVersion": func(a store.Actor) error { _, err := s.ProductVersion(ctx, a, v.ID); return err },
			"UpdateProductVersion": func(a store.Actor) error {
				_, err := s.UpdateProductVersion(ctx, a, store.ProductVersion{ID: v.ID, Version: "1"})
				return err
			},
			"AddProductVersion": func(a store.Actor) error {
				_, err := s.AddProductVersion(ctx, a, store.ProductVersion{ProductID: p.ID, Version: "2"})
				return err
			},
		} {
			if err := call(mine.owner); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s by another organisation: %v, want ErrNotFound", name, err)
			}
			write := strings.HasPrefix(name, "Update") || strings.HasPrefix(name, "Add")
			if err := call(supervisor); write != errors.Is(err, store.ErrNotFound) || !write && err != nil {
				t.Errorf("%s by a supervisor: %v (write %v)", name, err, write)
			}
		}
		if _, err := s.Product(ctx, theirs.member, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown product: %v", err)
		}
	})
}
