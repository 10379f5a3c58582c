package view

import (
	"time"

	"github.com/pflicht/pflicht/internal/law"
	"github.com/pflicht/pflicht/internal/scope"
)

// CheckRequest is the JSON profile of `pflicht check` and POST /check.
type CheckRequest struct {
	Employees                     *float64 `json:"employees,omitempty" doc:"employees in annual work units (2003/361/EC); fractions allowed"`
	TurnoverEUR                   *float64 `json:"turnover_eur,omitempty" doc:"annual turnover in euros"`
	BalanceSheetEUR               *float64 `json:"balance_sheet_eur,omitempty" doc:"annual balance sheet total in euros"`
	Activities                    []string `json:"activities,omitempty" doc:"Anlage ids of the non-negligible activities, e.g. A1-6.1.4 (pflicht check --list-activities)"`
	KRITISOperator                bool     `json:"kritis_operator,omitempty" doc:"operates a critical installation"`
	QualifiedTrustServiceProvider bool     `json:"qualified_trust_service_provider,omitempty"`
	FederalAdministration         bool     `json:"federal_administration,omitempty" doc:"federal administration entity (§29 BSIG)"`
	FederalSecurityAuthority      bool     `json:"federal_security_authority,omitempty" doc:"Auswärtiges Amt, BMVg, BND or BfV (§29(3) BSIG)"`
	DomainRegistrar               bool     `json:"domain_registrar,omitempty"`
	DORAFinancialEntity           bool     `json:"dora_financial_entity,omitempty" doc:"§28(6) Nr. 1 BSIG"`
	TelematikInfrastruktur        bool     `json:"telematik_infrastruktur,omitempty" doc:"§28(6) Nr. 2 BSIG"`
	KRITISForDORA                 bool     `json:"kritis_for_dora,omitempty" doc:"§28(7) BSIG"`
	EnergyEnWG5c                  bool     `json:"energy_enwg_5c,omitempty" doc:"§28(5) Nr. 2 BSIG"`
	LandLaw28Abs8                 bool     `json:"land_law_28_8,omitempty" doc:"§28(8) BSIG"`
	MainEstablishment             string   `json:"main_establishment,omitempty" enum:"DE,EU-other,non-EU" doc:"main establishment in the EU (§60(2) BSIG)"`
	Representative                string   `json:"representative,omitempty" enum:"DE,EU-other,none" doc:"representative of a non-EU entity (§60(3) BSIG)"`
	QualifiedSince                string   `json:"qualified_since,omitempty" format:"date" doc:"the day the organisation first or again met the requirements; registration deadlines run from it"`
	AsOf                          string   `json:"as_of,omitempty" format:"date" doc:"the day to check on (default today in Europe/Berlin)"`
}

// Input is r in the engine's form and the day to check on; today is the
// default for as_of. Errors are *scope.FieldError naming the JSON field.
func (r *CheckRequest) Input(today time.Time) (scope.Profile, time.Time, error) {
	p := scope.Profile{
		Employees: r.Employees, TurnoverEUR: r.TurnoverEUR, BalanceSheetEUR: r.BalanceSheetEUR,
		Activities:                    r.Activities,
		KRITISOperator:                r.KRITISOperator,
		QualifiedTrustServiceProvider: r.QualifiedTrustServiceProvider,
		FederalAdministration:         r.FederalAdministration,
		FederalSecurityAuthority:      r.FederalSecurityAuthority,
		DomainRegistrar:               r.DomainRegistrar,
		DORAFinancialEntity:           r.DORAFinancialEntity,
		TelematikInfrastruktur:        r.TelematikInfrastruktur,
		KRITISForDORA:                 r.KRITISForDORA,
		EnergyEnWG5c:                  r.EnergyEnWG5c,
		LandLaw28Abs8:                 r.LandLaw28Abs8,
		MainEstablishment:             r.MainEstablishment,
		Representative:                r.Representative,
	}
	if r.QualifiedSince != "" {
		t, err := law.ParseDate(r.QualifiedSince)
		if err != nil {
			return p, time.Time{}, &scope.FieldError{Field: "qualified_since", Msg: err.Error()}
		}
		p.QualifiedSince = t
	}
	asOf, err := day(r.AsOf, today)
	if err != nil {
		return p, asOf, &scope.FieldError{Field: "as_of", Msg: err.Error()}
	}
	return p, asOf, nil
}

// day parses an optional YYYY-MM-DD; empty means today.
func day(s string, today time.Time) (time.Time, error) {
	if s == "" {
		return today, nil
	}
	return law.ParseDate(s)
}

// Today is the calendar day of now in Europe/Berlin, as midnight UTC: the
// form law.ParseDate returns and the engines take.
func Today(now time.Time) time.Time {
	y, m, d := now.In(law.Berlin).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
