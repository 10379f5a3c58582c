package view

import (
	"time"

	"github.com/pflicht/pflicht/internal/fines"
	"github.com/pflicht/pflicht/internal/law"
)

// FineRequest is the JSON input of `pflicht fine` and POST /fine.
type FineRequest struct {
	Offence               string   `json:"offence" doc:"offence id, e.g. 65.2.2 or cra.64.3 (pflicht fine --list)"`
	EntityClass           string   `json:"entity_class,omitempty" enum:"besonders_wichtig,wichtig"`
	LegalPerson           bool     `json:"legal_person,omitempty" doc:"the fine is imposed on a legal person (§30 OWiG)"`
	NaturalPersonIsEntity *bool    `json:"natural_person_is_entity,omitempty" doc:"for a natural person: true if it is the entity itself (a sole trader), false if it is fined for acting for the entity (§9 OWiG); decides whether the turnover caps of §65(6), (7) BSIG reach the person, and without it that step is UNVERIFIED"`
	Negligent             bool     `json:"negligent,omitempty"`
	TurnoverEUR           *float64 `json:"turnover_eur,omitempty" doc:"worldwide turnover of the undertaking in the preceding business year"`
	AsOf                  string   `json:"as_of,omitempty" format:"date" doc:"reference day (default today in Europe/Berlin)"`
	EconomicBenefitEUR    *float64 `json:"economic_benefit_eur,omitempty" doc:"§17(4) OWiG"`
	FederalAdministration bool     `json:"federal_administration,omitempty"`
	GDPRFinedSameConduct  bool     `json:"gdpr_fined_same_conduct,omitempty" doc:"§65(11) BSIG"`
	MicroOrSmall          bool     `json:"micro_or_small,omitempty" doc:"Art. 64(10)(a) CRA"`
	OpenSourceSteward     bool     `json:"open_source_steward,omitempty" doc:"Art. 64(10)(b) CRA"`
}

// Case is r in the engine's form; today is the default for as_of. Errors
// are *fines.FieldError naming the JSON field.
func (r *FineRequest) Case(today time.Time) (fines.Case, error) {
	asOf, err := day(r.AsOf, today)
	if err != nil {
		return fines.Case{}, &fines.FieldError{Field: "as_of", Msg: err.Error()}
	}
	return fines.Case{
		Offence:               r.Offence,
		EntityClass:           r.EntityClass,
		LegalPerson:           r.LegalPerson,
		NaturalPersonIsEntity: r.NaturalPersonIsEntity,
		Negligent:             r.Negligent,
		TurnoverEUR:           r.TurnoverEUR,
		AsOf:                  asOf,
		EconomicBenefitEUR:    r.EconomicBenefitEUR,
		FederalAdministration: r.FederalAdministration,
		GDPRFinedSameConduct:  r.GDPRFinedSameConduct,
		MicroOrSmall:          r.MicroOrSmall,
		OpenSourceSteward:     r.OpenSourceSteward,
	}, nil
}

// FineResponse is the result of `pflicht fine --json` and POST /fine:
// authority and limitation are null where the law as found does not say.
type FineResponse struct {
	Offence         FineOffence    `json:"offence"`
	AsOf            string         `json:"as_of" format:"date"`
	Tier            string         `json:"tier,omitempty"`
	MaxEUR          *float64       `json:"max_eur"`
	NoFine          *law.Text      `json:"no_fine,omitempty"`
	Authority       *string        `json:"authority"`
	LimitationYears *int           `json:"limitation_years"`
	EconomicBenefit *fines.Benefit `json:"economic_benefit,omitempty"`
	Citations       []string       `json:"citations"`
	Steps           []fines.Step   `json:"steps"`
	Status          law.Status     `json:"status"`
}

// FineOffence is the offence of a FineResponse, without the catalogue's
// internals.
type FineOffence struct {
	ID        string        `json:"id"`
	Citation  string        `json:"citation"`
	Title     law.Text      `json:"title"`
	Conduct   law.Text      `json:"conduct"`
	Addressee law.Text      `json:"addressee"`
	MensRea   fines.MensRea `json:"mens_rea"`
	Status    law.Status    `json:"status"`
	Note      string        `json:"note,omitempty"`
}

// NewFineResponse is r in its JSON form.
func NewFineResponse(r fines.Result) FineResponse {
	o := r.Offence
	out := FineResponse{
		Offence: FineOffence{ID: o.ID, Citation: o.Citation, Title: o.Title, Conduct: o.Conduct,
			Addressee: o.Addressee, MensRea: o.MensRea, Status: o.Status, Note: o.Note},
		AsOf: r.AsOf, Tier: r.Tier, MaxEUR: r.MaxEUR, NoFine: r.NoFine, EconomicBenefit: r.Benefit,
		Citations: r.Citations, Steps: r.Steps, Status: r.Status,
	}
	if r.Authority != "" {
		out.Authority = &r.Authority
	}
	if r.LimitationYears != 0 {
		out.LimitationYears = &r.LimitationYears
	}
	return out
}
