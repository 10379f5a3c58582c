// Package fines computes the statutory maximum fine for an offence under
// §65 BSIG 2025 (with the OWiG rules it relies on) and Art. 64 of the Cyber
// Resilience Act, with the derivation step by step. The law lives in
// data/*.yaml; the engine is pure: no I/O, no clock (as_of is an argument).
package fines

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/pflicht/pflicht/internal/law"
)

// Entity classes of §28 BSIG, as they decide the tier of §65(5) S.1 Nr. 1.
const (
	BesondersWichtig = "besonders_wichtig" // §28(1) S.1
	Wichtig          = "wichtig"           // §28(2) S.1
)

// Case is the question: which maximum fine applies to this offence.
type Case struct {
	// Offence is an id of the catalogue: "65.2.2", "cra.64.3" (see Offences).
	Offence string
	// EntityClass is BesondersWichtig, Wichtig or empty; §65(5) S.1 Nr. 1 offences need it.
	EntityClass string
	// LegalPerson: the fine is imposed on a legal person (§30 OWiG).
	LegalPerson bool
	// NaturalPersonIsEntity, for a natural person (LegalPerson false): true if
	// the person is the entity itself (a sole trader), false if fined for
	// acting for it (§9 OWiG, e.g. a manager); nil if not known. It decides
	// whether the turnover caps of §65(6), (7) BSIG reach the person.
	NaturalPersonIsEntity *bool
	Negligent             bool
	// TurnoverEUR is the worldwide turnover of the undertaking in the
	// preceding business year (§65(8) BSIG, Art. 64 CRA); nil if not given.
	TurnoverEUR *float64
	// AsOf is the reference date; only its calendar day counts.
	AsOf time.Time

	// EconomicBenefitEUR is the benefit gained from the offence (§17(4) OWiG).
	EconomicBenefitEUR *float64
	// FederalAdministration: the entity belongs to the federal administration (§29 BSIG).
	FederalAdministration bool
	// GDPRFinedSameConduct: a data protection authority fined the same conduct (§65(11) BSIG).
	GDPRFinedSameConduct bool
	// MicroOrSmall: the manufacturer is a micro or small enterprise (Art. 64(10)(a) CRA).
	MicroOrSmall bool
	// OpenSourceSteward: the infringer is an open-source software steward (Art. 64(10)(b) CRA).
	OpenSourceSteward bool
}

// Step is one step of the derivation.
type Step struct {
	Rule     string   `json:"rule"`
	Citation string   `json:"citation"`
	Text     law.Text `json:"text"`
	// AmountEUR is the running maximum after this step; nil before one exists.
	AmountEUR *float64   `json:"amount_eur,omitempty"`
	Status    law.Status `json:"status"`
}

// Benefit is the §17(4) OWiG answer for a given economic benefit.
type Benefit struct {
	EconomicBenefitEUR float64 `json:"economic_benefit_eur"`
	// ExceedsMax: the benefit exceeds MaxEUR, so §17(4) allows a fine above it.
	ExceedsMax bool     `json:"exceeds_max"`
	Citation   string   `json:"citation"`
	Text       law.Text `json:"text"`
}

// Result is the answer with its derivation.
type Result struct {
	Offence Offence `json:"offence"`
	AsOf    string  `json:"as_of"`
	// Tier is the tier applied ("1a", "3", "64.2"); empty where no fine applies.
	Tier string `json:"tier,omitempty"`
	// MaxEUR is the statutory maximum before any §17(4) OWiG increase; nil
	// where no fine applies (NoFine says why).
	MaxEUR *float64  `json:"max_eur"`
	NoFine *law.Text `json:"no_fine,omitempty"`
	// Authority is the fining authority; empty where not known.
	Authority string `json:"authority"`
	// LimitationYears is the limitation period for prosecution; 0 where not known.
	LimitationYears int      `json:"limitation_years"`
	Benefit         *Benefit `json:"economic_benefit,omitempty"`
	Citations       []string `json:"citations"`
	Steps           []Step   `json:"steps"`
	// Status is UNVERIFIED if any step rests on an UNVERIFIED reading.
	Status law.Status `json:"status"`
}

// FieldError is bad input; Field is the input field it concerns.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return "fines: " + e.Field + ": " + e.Msg }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Compute returns the maximum fine for c with its derivation.
func Compute(c Case) (Result, error) {
	id := strings.TrimSpace(c.Offence)
	if id == "" {
		return Result{}, fieldErr("offence", "missing; `pflicht fine --list` shows the offence ids")
	}
	o, ok := reg.offences[id]
	if !ok {
		return Result{}, fieldErr("offence", "unknown offence id %q; `pflicht fine --list` shows the offence ids", id)
	}
	if c.AsOf.IsZero() {
		return Result{}, fieldErr("as_of", "missing")
	}
	switch c.EntityClass {
	case "", BesondersWichtig, Wichtig:
	default:
		return Result{}, fieldErr("entity_class", "%q is not an entity class; use %s or %s", c.EntityClass, BesondersWichtig, Wichtig)
	}
	if c.LegalPerson && c.NaturalPersonIsEntity != nil {
		return Result{}, fieldErr("natural_person_is_entity", "applies only to a natural person; legal_person is true")
	}
	if err := checkAmount("turnover_eur", c.TurnoverEUR); err != nil {
		return Result{}, err
	}
	if err := checkAmount("economic_benefit_eur", c.EconomicBenefitEUR); err != nil {
		return Result{}, err
	}
	d := &derivation{res: Result{Offence: *o, AsOf: c.AsOf.Format(law.DateLayout)}}
	var err error
	if o.cat == reg.cra {
		err = d.cra(o, c)
	} else {
		err = d.bsig(o, c)
	}
	if err != nil {
		return Result{}, err
	}
	return d.finish(), nil
}

func checkAmount(field string, v *float64) error {
	switch {
	case v == nil:
		return nil
	case math.IsNaN(*v) || math.IsInf(*v, 0):
		return fieldErr(field, "must be a finite number of euros")
	case *v < 0:
		return fieldErr(field, "must not be negative (got %v)", *v)
	}
	return nil
}

// Offences lists the catalogue entries that can be computed on asOf: BSIG
// offences in force and CRA offences from the day a duty they sanction applies.
func Offences(asOf time.Time) []Offence {
	var out []Offence
	day := asOf.Format(law.DateLayout)
	for _, o := range reg.order {
		from := o.ValidFrom
		if o.EarlyFrom != "" {
			from = o.EarlyFrom
		}
		if from <= day && (o.ValidTo == "" || day <= o.ValidTo) {
			out = append(out, *o)
		}
	}
	return out
}

// Rules lists every rule of the fine data for review (`pflicht law`).
func Rules() []law.Rule { return slices.Clone(reg.rules) }

// derivation accumulates steps and the running maximum.
type derivation struct {
	res    Result
	amount *float64
}

// step records a step at the current running amount.
func (d *derivation) step(m law.Meta, status law.Status, text law.Text) {
	var amt *float64
	if d.amount != nil {
		v := *d.amount
		amt = &v
	}
	d.res.Steps = append(d.res.Steps, Step{Rule: m.ID, Citation: m.Citation, Text: text, AmountEUR: amt, Status: status})
}

// provision records a step that says what provision id says.
func (d *derivation) provision(id string) {
	p := reg.provisions[id]
	d.step(p.Meta, p.Status, p.Text)
}

// set changes the running maximum; the next step shows it.
func (d *derivation) set(v float64) { d.amount = &v }

// noFine ends the derivation without a fine.
func (d *derivation) noFine(id string) {
	d.provision(id)
	p := reg.provisions[id]
	d.res.NoFine = &p.Text
	d.amount = nil
}

func (d *derivation) finish() Result {
	r := d.res
	r.MaxEUR = d.amount
	r.Status = law.Verified
	seen := map[string]bool{}
	for _, s := range r.Steps {
		if s.Status == law.Unverified {
			r.Status = law.Unverified
		}
		if !seen[s.Citation] {
			seen[s.Citation] = true
			r.Citations = append(r.Citations, s.Citation)
		}
	}
	return r
}

// settled returns status, or VERIFIED when day is on or after settledFrom:
// an unverified switch date no longer matters once the wording surely applies.
func settled(status law.Status, settledFrom, day string) law.Status {
	if settledFrom != "" && day >= settledFrom {
		return law.Verified
	}
	return status
}

func join(a, b law.Text) law.Text {
	return law.Text{DE: a.DE + " " + b.DE, EN: a.EN + " " + b.EN}
}

// tierFor picks the tier of o for the entity class.
func tierFor(o *Offence, class string) (Tier, error) {
	if len(o.Tiers) == 1 {
		return o.Tiers[0], nil
	}
	for _, t := range o.Tiers {
		if t.EntityClass == class {
			return t, nil
		}
	}
	return Tier{}, fieldErr("entity_class", "missing: offence %s is fined by entity class (%s); give %s or %s", o.ID, o.Tiers[0].Citation, BesondersWichtig, Wichtig)
}

// turnoverCap applies a turnover-based cap to the running maximum.
func (d *derivation) turnoverCap(o *Offence, t Tier, c Case) error {
	if t.Cap == nil {
		return nil
	}
	cap, base := t.Cap, t.MaxEUR
	// §65(6), (7) BSIG apply "gegenüber einer … Einrichtung": a natural
	// person is reached only as the entity itself. A person fined for acting
	// for the entity (§9 OWiG) keeps the fixed maximum (a reading).
	natural := cap.Mode == CapAbove && !c.LegalPerson
	if natural && c.NaturalPersonIsEntity != nil && !*c.NaturalPersonIsEntity {
		d.provision(ruleCapAgent)
		return nil
	}
	if c.TurnoverEUR == nil {
		return fieldErr("turnover_eur", "missing: for offence %s the maximum depends on the worldwide turnover of the undertaking in the preceding business year (%s); an estimate is allowed", o.ID, cap.Citation)
	}
	turnover := *c.TurnoverEUR
	pct := cap.of(turnover)
	var outcome law.Text
	switch {
	case cap.Mode == CapAbove && turnover > cap.OverEUR:
		d.set(pct)
		outcome = law.Text{DE: "Der Gesamtumsatz übersteigt die Schwelle: das Höchstmaß ist der Prozentsatz des Gesamtumsatzes.", EN: "Total turnover exceeds the threshold: the maximum is the percentage of total turnover."}
	case cap.Mode == CapAbove:
		outcome = law.Text{DE: "Der Gesamtumsatz übersteigt die Schwelle nicht: es bleibt beim festen Höchstmaß.", EN: "Total turnover does not exceed the threshold: the fixed maximum stays."}
	case pct > base:
		d.set(pct)
		outcome = law.Text{DE: "Der Umsatzanteil ist höher als der feste Betrag.", EN: "The share of turnover is higher than the fixed amount."}
	default:
		outcome = law.Text{DE: "Der feste Betrag ist mindestens so hoch wie der Umsatzanteil.", EN: "The fixed amount is at least as high as the share of turnover."}
	}
	// Only where the percentage raises the maximum does it matter whom the
	// fine is against; unknown, the step and so the result are UNVERIFIED.
	status, person := cap.Status, ""
	if natural && turnover > cap.OverEUR {
		person = ruleCapEntity
		if c.NaturalPersonIsEntity == nil {
			status, person = law.Unverified, ruleCapNatural
		}
	}
	d.step(cap.Meta, status, join(cap.Text, outcome))
	if person != "" {
		d.provision(person)
	}
	return nil
}
