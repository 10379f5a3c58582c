package facts

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pflicht/pflicht/internal/scope"
	"github.com/pflicht/pflicht/internal/store"
)

func ptr[T any](v T) *T { return &v }

func TestScopeProfile(t *testing.T) {
	size := func(sp scope.Profile) scope.Profile {
		sp.Employees, sp.TurnoverEUR, sp.BalanceSheetEUR = ptr(0.0), ptr(0.0), ptr(0.0)
		return sp
	}
	tests := []struct {
		name  string
		in    store.Profile
		want  scope.Profile
		field string // the scope.Profile field the case maps, for the coverage check
	}{
		{"nothing stated", store.Profile{}, size(scope.Profile{}), ""},
		{"size", store.Profile{Employees: 120, TurnoverEUR: 30_000_000, BalanceSheetEUR: 20_000_000},
			scope.Profile{Employees: ptr(120.0), TurnoverEUR: ptr(30e6), BalanceSheetEUR: ptr(20e6)}, "Employees TurnoverEUR BalanceSheetEUR"},
		{"activities", store.Profile{Activities: []string{"A1-6.1.4"}}, size(scope.Profile{Activities: []string{"A1-6.1.4"}}), "Activities"},
		{"kritis", store.Profile{KRITISOperator: ptr(true)}, size(scope.Profile{KRITISOperator: true}), "KRITISOperator"},
		{"kritis no", store.Profile{KRITISOperator: ptr(false)}, size(scope.Profile{}), ""},
		{"qtsp", store.Profile{QualifiedTrustServiceProvider: ptr(true)}, size(scope.Profile{QualifiedTrustServiceProvider: true}), "QualifiedTrustServiceProvider"},
		{"federal", store.Profile{FederalAdministration: ptr(true)}, size(scope.Profile{FederalAdministration: true}), "FederalAdministration"},
		{"federal security", store.Profile{FederalSecurityAuthority: ptr(true)}, size(scope.Profile{FederalSecurityAuthority: true}), "FederalSecurityAuthority"},
		{"registrar", store.Profile{DomainRegistrar: ptr(true)}, size(scope.Profile{DomainRegistrar: true}), "DomainRegistrar"},
		{"dora", store.Profile{DORAFinancialEntity: ptr(true)}, size(scope.Profile{DORAFinancialEntity: true}), "DORAFinancialEntity"},
		{"telematik", store.Profile{TelematikInfrastruktur: ptr(true)}, size(scope.Profile{TelematikInfrastruktur: true}), "TelematikInfrastruktur"},
		{"kritis for dora", store.Profile{KRITISForDORA: ptr(true)}, size(scope.Profile{KRITISForDORA: true}), "KRITISForDORA"},
		{"enwg", store.Profile{EnergyEnWG5c: ptr(true)}, size(scope.Profile{EnergyEnWG5c: true}), "EnergyEnWG5c"},
		{"land law", store.Profile{LandLaw28Abs8: ptr(true)}, size(scope.Profile{LandLaw28Abs8: true}), "LandLaw28Abs8"},
		{"main establishment", store.Profile{MainEstablishment: store.OutsideEU}, size(scope.Profile{MainEstablishment: scope.OutsideEU}), "MainEstablishment"},
		{"representative", store.Profile{Representative: store.NoneDesigned}, size(scope.Profile{Representative: scope.NoneDesigned}), "Representative"},
		{"qualified since", store.Profile{QualifiedSince: "2026-02-01"},
			size(scope.Profile{QualifiedSince: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}), "QualifiedSince"},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ScopeProfile(tt.in)); diff != "" {
				t.Errorf("ScopeProfile (-want +got):\n%s", diff)
			}
		})
		for _, f := range strings.Fields(tt.field) {
			covered[f] = true
		}
	}
	// A field added to scope.Profile must be stored and mapped here too.
	for f := range reflect.TypeFor[scope.Profile]().Fields() {
		if !covered[f.Name] {
			t.Errorf("scope.Profile.%s: no case maps it from store.Profile", f.Name)
		}
	}
}

// The store keeps the engine's jurisdiction values as they are.
func TestJurisdictionValues(t *testing.T) {
	for _, c := range [][2]string{
		{store.InGermany, scope.InGermany}, {store.InOtherEU, scope.InOtherEU},
		{store.OutsideEU, scope.OutsideEU}, {store.NoneDesigned, scope.NoneDesigned},
	} {
		if c[0] != c[1] {
			t.Errorf("store %q != scope %q", c[0], c[1])
		}
	}
}
