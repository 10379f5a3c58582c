package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

func ptr[T any](v T) *T { return &v }

// factsProfile states every scope fact and the §33(2), §34(1) data.
func factsProfile() store.Profile {
	return store.Profile{
		Name: "Registry Services Ltd", Emails: []string{"noc@registry.example"},
		KRITISOperator: ptr(true), QualifiedTrustServiceProvider: ptr(false), DomainRegistrar: ptr(true),
		FederalAdministration: ptr(false), FederalSecurityAuthority: ptr(false), DORAFinancialEntity: ptr(false),
		TelematikInfrastruktur: ptr(false), KRITISForDORA: ptr(true), EnergyEnWG5c: ptr(false), LandLaw28Abs8: ptr(false),
		MainEstablishment: store.InOtherEU, QualifiedSince: "2026-01-15",
		MainEstablishmentAddress: &store.Address{Street: "Ringstraße 1", City: "Wien", Country: "AT"},
		EUEstablishments:         []store.Address{{City: "Paris", Country: "FR"}},
		RepresentativeContact: &store.Contact{Name: "Vertretung GmbH", Address: store.Address{City: "Berlin", Country: "DE"},
			Emails: []string{"rep@vertretung.example"}},
		ContactPoint: &store.Contact{Name: "Leitstelle", Phones: []string{"+49 30 999"}},
	}
}

func TestProfileFactsRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "facts")
		p := factsProfile()
		if _, err := s.UpdateProfile(ctx, tn.owner, tn.org.ID, p, "besonders_wichtig"); err != nil {
			t.Fatal(err)
		}
		vs, err := s.Profiles(ctx, tn.member, tn.org.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(p, vs[0].Profile); diff != "" {
			t.Errorf("stored profile (-want +got):\n%s", diff)
		}
		// The first version said nothing about the facts: not stated, not "no".
		if old := vs[1].Profile; old.KRITISOperator != nil || old.DomainRegistrar != nil || old.MainEstablishment != "" || old.ContactPoint != nil {
			t.Errorf("version 1 = %+v, want the facts not stated", old)
		}
		mustVerify(t, s)
	})
}

// A version written before the facts existed reads with every fact unstated.
func TestProfileOldVersionReadsUnstated(t *testing.T) {
	var p store.Profile
	old := `{"name":"Alt GmbH","address":{"city":"Bonn"},"employees":0,"turnover_eur":0,"balance_sheet_eur":0}`
	if err := json.Unmarshal([]byte(old), &p); err != nil {
		t.Fatal(err)
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(store.Profile{Name: "Alt GmbH", Address: store.Address{City: "Bonn"}}, p); diff != "" {
		t.Errorf("old version (-want +got):\n%s", diff)
	}
	// and an unstated fact is not written at all, so it stays unstated.
	b, _ := json.Marshal(p)
	if strings.Contains(string(b), "kritis") || strings.Contains(string(b), "contact_point") {
		t.Errorf("marshalled %s, want no unstated fact", b)
	}
}

func TestProfileFactsValidate(t *testing.T) {
	with := func(f func(*store.Profile)) store.Profile {
		p := factsProfile()
		f(&p)
		return p
	}
	if err := factsProfile().Validate(); err != nil {
		t.Fatalf("valid profile: %v", err)
	}
	for _, tc := range []struct {
		name  string
		p     store.Profile
		field string
	}{
		{"main establishment value", with(func(p *store.Profile) { p.MainEstablishment = "US" }), "main_establishment"},
		{"representative value", with(func(p *store.Profile) {
			p.MainEstablishment, p.MainEstablishmentAddress, p.Representative = store.OutsideEU, nil, "FR"
		}), "representative"},
		{"representative of an EU entity", with(func(p *store.Profile) { p.Representative = store.InGermany }), "representative"},
		{"representative, establishment unstated", with(func(p *store.Profile) { p.MainEstablishment, p.Representative = "", store.NoneDesigned }), "representative"},
		{"main establishment outside the EU", with(func(p *store.Profile) { p.MainEstablishment = store.OutsideEU }), "main_establishment_address"},
		{"main establishment in Germany", with(func(p *store.Profile) { p.MainEstablishment = store.InGermany }), "main_establishment_address.country"},
		{"main establishment in another state", with(func(p *store.Profile) { p.MainEstablishmentAddress.Country = "DE" }), "main_establishment_address.country"},
		{"establishment outside the EU", with(func(p *store.Profile) { p.EUEstablishments[0].Country = "CH" }), "eu_establishments[0].country"},
		{"qualified since", with(func(p *store.Profile) { p.QualifiedSince = "15.01.2026" }), "qualified_since"},
		{"qualified since day", with(func(p *store.Profile) { p.QualifiedSince = "2026-02-30" }), "qualified_since"},
		{"kritis for dora without kritis", with(func(p *store.Profile) { p.KRITISOperator = nil }), "kritis_for_dora"},
		{"security authority outside federal administration", with(func(p *store.Profile) { p.FederalSecurityAuthority = ptr(true) }), "federal_security_authority"},
		{"main establishment city", with(func(p *store.Profile) { p.MainEstablishmentAddress.City = " " }), "main_establishment_address.city"},
		{"establishment country", with(func(p *store.Profile) {
			p.EUEstablishments = append(p.EUEstablishments, store.Address{City: "Paris", Country: "fr"})
		}), "eu_establishments[1].country"},
		{"representative name", with(func(p *store.Profile) { p.RepresentativeContact.Name = "" }), "representative_contact.name"},
		{"representative e-mail", with(func(p *store.Profile) { p.RepresentativeContact.Emails = []string{"Rep <rep@x.example>"} }), "representative_contact.emails[0]"},
		{"representative address", with(func(p *store.Profile) { p.RepresentativeContact.Address.Country = "Deutschland" }), "representative_contact.address.country"},
		{"contact point unreachable", with(func(p *store.Profile) { p.ContactPoint.Phones = nil }), "contact_point.emails"},
		{"contact point phone", with(func(p *store.Profile) { p.ContactPoint.Phones = []string{" "} }), "contact_point.phones[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.p.Validate()
			if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), "profile: "+tc.field+": ") {
				t.Errorf("Validate = %v, want ErrInvalid naming %s", err, tc.field)
			}
		})
	}
}

func TestRegistrySearchAndChanged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ids := map[string]string{}
		for _, name := range []string{"Stadtwerke Musterstadt GmbH", "Die STADTWERKE Beispiel AG", "Ärztekammer Nord", "100% Netz_Betrieb KG", "Wasser AG"} {
			o, err := s.CreateOrganisation(ctx, admin, store.Profile{Name: name, Sectors: []string{"A1-1"}}, "wichtig")
			if err != nil {
				t.Fatal(err)
			}
			ids[name] = o.ID
		}
		// Wasser AG registers and then changes its profile; Ärztekammer
		// registers its current version.
		for _, name := range []string{"Wasser AG", "Ärztekammer Nord"} {
			if _, err := s.SubmitRegistration(ctx, admin, ids[name]); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.UpdateProfile(ctx, admin, ids["Wasser AG"], store.Profile{Name: "Wasser AG", Sectors: []string{"A1-5"}}, ""); err != nil {
			t.Fatal(err)
		}
		o, err := s.Organisation(ctx, admin, ids["Wasser AG"])
		if err != nil || o.RegisteredVersion != 1 || o.ProfileVersion != 2 {
			t.Fatalf("Organisation = %+v, %v; want registered version 1 of 2", o, err)
		}
		supervisor := mustUser(t, s, "staff@bsi.example", store.RoleSupervisor)
		for _, tc := range []struct {
			name string
			f    store.RegistryFilter
			want []string
		}{
			{"any case", store.RegistryFilter{Query: "stadtwerke"}, []string{"Die STADTWERKE Beispiel AG", "Stadtwerke Musterstadt GmbH"}},
			{"upper case", store.RegistryFilter{Query: "  MUSTER "}, []string{"Stadtwerke Musterstadt GmbH"}},
			{"umlaut", store.RegistryFilter{Query: "ÄRZTE"}, []string{"Ärztekammer Nord"}},
			{"percent is a character", store.RegistryFilter{Query: "100%"}, []string{"100% Netz_Betrieb KG"}},
			{"underscore is a character", store.RegistryFilter{Query: "z_b"}, []string{"100% Netz_Betrieb KG"}},
			{"wildcard matches nothing", store.RegistryFilter{Query: "_"}, []string{"100% Netz_Betrieb KG"}},
			{"with sector", store.RegistryFilter{Query: "ag", Sector: "A1-1"}, []string{"Die STADTWERKE Beispiel AG"}},
			{"changed", store.RegistryFilter{Changed: true}, []string{"Wasser AG"}},
			{"no class", store.RegistryFilter{Class: "none", Query: "wasser"}, []string{"Wasser AG"}},
			{"no match", store.RegistryFilter{Query: "nirgendwo"}, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				page, err := s.Registry(ctx, supervisor, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, o := range page.Organisations {
					got = append(got, o.Name)
				}
				if diff := cmp.Diff(tc.want, got); diff != "" || page.Total != len(tc.want) {
					t.Errorf("Registry(%+v): total %d, names (-want +got):\n%s", tc.f, page.Total, diff)
				}
			})
		}
		// Paging keeps the query.
		f := store.RegistryFilter{Query: "e", Limit: 2}
		var names []string
		for {
			page, err := s.Registry(ctx, supervisor, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range page.Organisations {
				names = append(names, o.Name)
			}
			if page.Next == "" {
				break
			}
			f.After = page.Next
		}
		if len(names) != 5 {
			t.Errorf("paged search = %v, want all 5", names)
		}
		if _, err := s.Registry(ctx, supervisor, store.RegistryFilter{Query: strings.Repeat("x", 301)}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("oversized query: %v, want ErrInvalid", err)
		}
	})
}

// The overview reads every current profile in one query, and only those of
// organisations the actor reaches.
func TestCurrentProfilesAndRegistrations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mine, theirs := newTenant(t, s, "mine"), newTenant(t, s, "theirs")
		p := factsProfile()
		if _, err := s.UpdateProfile(ctx, mine.owner, mine.org.ID, p, "besonders_wichtig"); err != nil {
			t.Fatal(err)
		}
		got, err := s.CurrentProfiles(ctx, mine.member)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[mine.org.ID].Version != 2 || got[mine.org.ID].Class != "besonders_wichtig" {
			t.Fatalf("CurrentProfiles = %+v", got)
		}
		if diff := cmp.Diff(p, got[mine.org.ID].Profile); diff != "" {
			t.Errorf("current profile (-want +got):\n%s", diff)
		}
		supervisor := mustUser(t, s, "staff@bsi.example", store.RoleSupervisor)
		if all, err := s.CurrentProfiles(ctx, supervisor); err != nil || len(all) != 2 || all[theirs.org.ID].Version != 1 {
			t.Errorf("supervisor: %d profiles, %v", len(all), err)
		}

		for range 2 {
			if _, err := s.SubmitRegistration(ctx, mine.owner, mine.org.ID); err != nil {
				t.Fatal(err)
			}
		}
		regs, err := s.Registrations(ctx, mine.member, mine.org.ID)
		if err != nil || len(regs) != 2 || regs[0].ProfileVersion != 2 || regs[0].SubmittedAt.Before(regs[1].SubmittedAt) {
			t.Fatalf("Registrations = %+v, %v", regs, err)
		}
		if regs, err := s.Registrations(ctx, mine.member, theirs.org.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("foreign registrations: %+v, %v; want ErrNotFound", regs, err)
		}
		if regs, err := s.Registrations(ctx, theirs.member, theirs.org.ID); err != nil || len(regs) != 0 {
			t.Errorf("no registrations: %+v, %v", regs, err)
		}
		if regs, err := s.Registrations(ctx, supervisor, mine.org.ID); err != nil || len(regs) != 2 {
			t.Errorf("supervisor: %d registrations, %v", len(regs), err)
		}
	})
}
