package facts

import (
	"github.com/pflicht/pflicht/internal/law"
	"github.com/pflicht/pflicht/internal/scope"
	"github.com/pflicht/pflicht/internal/store"
)

// ScopeProfile is what scope.Check reads of a stored profile. The size
// figures are read as given (the profile has no "unknown" for them); a fact
// not stated (nil) is read as "no", the only reading the engine has, and an
// unstated main establishment, representative or qualifying day stays
// unknown, which the engine lists in Missing where it matters.
func ScopeProfile(p store.Profile) scope.Profile {
	emp, turnover, balance := float64(p.Employees), float64(p.TurnoverEUR), float64(p.BalanceSheetEUR)
	sp := scope.Profile{
		Employees: &emp, TurnoverEUR: &turnover, BalanceSheetEUR: &balance,
		Activities:                    p.Activities,
		KRITISOperator:                yes(p.KRITISOperator),
		QualifiedTrustServiceProvider: yes(p.QualifiedTrustServiceProvider),
		FederalAdministration:         yes(p.FederalAdministration),
		FederalSecurityAuthority:      yes(p.FederalSecurityAuthority),
		DomainRegistrar:               yes(p.DomainRegistrar),
		DORAFinancialEntity:           yes(p.DORAFinancialEntity),
		TelematikInfrastruktur:        yes(p.TelematikInfrastruktur),
		KRITISForDORA:                 yes(p.KRITISForDORA),
		EnergyEnWG5c:                  yes(p.EnergyEnWG5c),
		LandLaw28Abs8:                 yes(p.LandLaw28Abs8),
		MainEstablishment:             p.MainEstablishment,
		Representative:                p.Representative,
	}
	// store.Profile.Validate accepted the date, so an error here is the
	// empty string: not stated.
	if t, err := law.ParseDate(p.QualifiedSince); err == nil {
		sp.QualifiedSince = t
	}
	return sp
}

func yes(b *bool) bool { return b != nil && *b }
