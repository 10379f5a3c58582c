// Package scope decides whether BSIG 2025 (the German NIS-2 law) applies to an
// entity, in which class (§28: besonders wichtige or wichtige Einrichtung),
// which carve-outs (§28(5)-(8), §29) and which jurisdiction rules (§§59, 60)
// apply, and which obligations follow with their deadlines.
//
// The law is data (data/*.yaml, each entry a law.Meta with citation, validity
// and VERIFIED/UNVERIFIED status); this package is the engine that reads it.
// It is pure: no I/O, no clock reads; as_of is always an argument.
//
// Check explains every step with its citation in German and English. Classify
// is the fast path for screening registers: class and KRITIS only, without
// allocation.
package scope

import (
	"fmt"
	"time"

	"github.com/pflicht/pflicht/internal/law"
)

// Class is the entity class under §28 BSIG.
type Class string

const (
	BesondersWichtig Class = "besonders_wichtig" // §28(1): besonders wichtige Einrichtung
	Wichtig          Class = "wichtig"           // §28(2): wichtige Einrichtung
	None             Class = "none"              // no class under §28
)

// Where an entity's main establishment in the EU (§60(2)) or its §60(3)
// representative is.
const (
	InGermany    = "DE"
	InOtherEU    = "EU-other"
	OutsideEU    = "non-EU" // only for MainEstablishment
	NoneDesigned = "none"   // only for Representative
)

// Profile is what the engine needs to know about an entity. Nil numbers are
// unknown: a size threshold that depends on them counts as not met, and the
// result lists them in Missing.
type Profile struct {
	// Employees in annual work units (2003/361/EC), so fractions are allowed.
	Employees       *float64
	TurnoverEUR     *float64
	BalanceSheetEUR *float64
	// Activities are Anlage ids ("A1-6.1.4" = Anlage 1 Nr. 6.1.4); list only
	// activities that are not negligible (§28(3)).
	Activities []string

	KRITISOperator                bool // Betreiber kritischer Anlagen
	QualifiedTrustServiceProvider bool // qualifizierter Vertrauensdiensteanbieter
	FederalAdministration         bool // Einrichtung der Bundesverwaltung (§29(1))
	// FederalSecurityAuthority: Auswärtiges Amt, BMVg, BND or BfV (§29(3)).
	FederalSecurityAuthority bool
	// DomainRegistrar: Domain-Name-Registry-Dienstleister (§§33, 34, 49, 50).
	DomainRegistrar bool
	// DORAFinancialEntity: financial entity under Art. 2(2) DORA (§28(6) Nr. 1).
	DORAFinancialEntity bool
	// TelematikInfrastruktur: gematik or TI service operator (§28(6) Nr. 2).
	TelematikInfrastruktur bool
	// KRITISForDORA: the critical installation is operated for DORA financial
	// entities (§28(7)).
	KRITISForDORA bool
	// EnergyEnWG5c: energy networks, installations or digital energy services
	// subject to §§5c-5e EnWG, not as an ancillary activity (§28(5) Nr. 2).
	EnergyEnWG5c bool
	// LandLaw28Abs8: unit of a regional authority set up to serve
	// administrations and regulated by comparable Land law (§28(8)).
	LandLaw28Abs8 bool

	// MainEstablishment: "DE", "EU-other", "non-EU" or "" (unknown), §60(2).
	MainEstablishment string
	// Representative of a non-EU entity: "DE", "EU-other", "none" or "", §60(3).
	Representative string
	// QualifiedSince is the day the entity first (or again) met the
	// requirements, or started as a registrar; zero if unknown. Registration
	// deadlines (§33(1), §34(1)) run from it.
	QualifiedSince time.Time
}

// FieldError is invalid input; Field is the field's name in the JSON profile.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return "scope: " + e.Field + ": " + e.Msg }

// Classification is the fast-path answer.
type Classification struct {
	Class  Class
	KRITIS bool
}

// Classify returns class and KRITIS status without an explanation. It
// allocates nothing for valid input and is meant for screening registers.
func Classify(p Profile, asOf time.Time) (Classification, error) {
	facts, err := profileFacts(&p)
	if err != nil {
		return Classification{}, err
	}
	if dayKey(asOf) < data.entryDay || excludedByLandLaw(facts) {
		return Classification{Class: None}, nil
	}
	c := Classification{Class: None, KRITIS: p.KRITISOperator}
	if i := decide(&p, facts); i >= 0 {
		c.Class = data.classRules[i].Class
	}
	return c, nil
}

// profileFacts validates p and returns its facts.
func profileFacts(p *Profile) (fact, error) {
	for _, n := range [...]struct {
		name string
		v    *float64
	}{{"employees", p.Employees}, {"turnover_eur", p.TurnoverEUR}, {"balance_sheet_eur", p.BalanceSheetEUR}} {
		if n.v != nil && !validNumber(*n.v) {
			return 0, &FieldError{Field: n.name, Msg: fmt.Sprintf("%v is not a finite, non-negative number", *n.v)}
		}
	}
	switch p.MainEstablishment {
	case "", InGermany, InOtherEU, OutsideEU:
	default:
		return 0, &FieldError{Field: "main_establishment", Msg: fmt.Sprintf("%q is not one of DE, EU-other, non-EU", p.MainEstablishment)}
	}
	switch p.Representative {
	case "", InGermany, InOtherEU, NoneDesigned:
	default:
		return 0, &FieldError{Field: "representative", Msg: fmt.Sprintf("%q is not one of DE, EU-other, none", p.Representative)}
	}
	var f fact
	for i, id := range p.Activities {
		j, ok := data.byID[id]
		if !ok {
			return 0, &FieldError{Field: fmt.Sprintf("activities[%d]", i), Msg: fmt.Sprintf("%q is not an Anlage id (like A1-6.1.4 or A2-5.4.1; see pflicht check --list-activities)", id)}
		}
		f |= data.activities[j].flags
	}
	for _, b := range [...]struct {
		set bool
		f   fact
	}{
		{p.KRITISOperator, fKRITIS}, {p.QualifiedTrustServiceProvider, fQTSP}, {p.FederalAdministration, fFederal},
		{p.FederalSecurityAuthority, fFederalSecurity}, {p.DomainRegistrar, fDomainRegistrar},
		{p.DORAFinancialEntity, fDORA}, {p.TelematikInfrastruktur, fTelematik}, {p.KRITISForDORA, fKRITISForDORA},
		{p.EnergyEnWG5c, fEnergyEnWG}, {p.LandLaw28Abs8, fLandLaw},
	} {
		if b.set {
			f |= b.f
		}
	}
	return f, nil
}

// decide returns the index of the first class rule that classifies the
// entity, or -1: the decision order of legal-spec.md §1.1 is the order of
// class_rules in scope.yaml.
func decide(p *Profile, facts fact) int {
	for i := range data.classRules {
		r := &data.classRules[i]
		if facts&r.when == 0 || r.Threshold != nil && !r.Threshold.met(p) || r.excl != nil && facts&r.excl.when == r.excl.when {
			continue
		}
		return i
	}
	return -1
}

func excludedByLandLaw(facts fact) bool {
	for i := range data.carveOuts {
		if c := &data.carveOuts[i]; c.ExcludesLaw && facts&c.when == c.when {
			return true
		}
	}
	return false
}

// Step is one step of the explanation: which rule, whether it was met, why.
type Step struct {
	ID       string     `json:"id"`
	Citation string     `json:"citation"`
	Title    law.Text   `json:"title"`
	Text     law.Text   `json:"text"`
	Outcome  Outcome    `json:"outcome"`
	Status   law.Status `json:"status"`
}

// Outcome says what a step found.
type Outcome string

const (
	Met      Outcome = "met"
	NotMet   Outcome = "not_met"
	Excluded Outcome = "excluded" // met, but an exclusion takes the entity out
	Info     Outcome = "info"     // an explanation, not a test
)

// Obligation is a duty that applies to the entity on as_of.
type Obligation struct {
	ID       string   `json:"id"`
	Norm     string   `json:"norm"`
	Title    law.Text `json:"title"`
	Trigger  law.Text `json:"trigger"`
	Deadline law.Text `json:"deadline"`
	// Due is the instant the deadline expires (24:00 Europe/Berlin of
	// DueLastDay), where one follows from the profile or the statute.
	Due        *time.Time `json:"due,omitempty"`
	DueLastDay string     `json:"due_last_day,omitempty"`
	// DueStatus is the status of the computed Due: VERIFIED for a date the
	// statute names, else the status of the counting method (clock) and of
	// the entry into force where the period runs from it.
	DueStatus law.Status `json:"due_status,omitempty"`
	// DeadlinePassed: as_of is after DueLastDay (whether the duty was met is
	// not known here).
	DeadlinePassed bool       `json:"deadline_passed,omitempty"`
	Items          []law.Text `json:"items,omitempty"`
	// LimitedBy names carve-outs that would switch this duty off but are
	// limited for this entity (see CarveOut.Limited).
	LimitedBy []string `json:"limited_by,omitempty"`
	// Awaits is set for wordings that are law but not yet applied (§66).
	Awaits    *law.Text  `json:"awaits,omitempty"`
	Status    law.Status `json:"status"`
	Wording   string     `json:"wording"`
	ValidFrom string     `json:"valid_from"`
	ValidTo   string     `json:"valid_to,omitempty"`
	Source    string     `json:"source"`
	Note      string     `json:"note,omitempty"`
}

// CarveOut is an exception of §28(5)-(7) or §29 that the entity meets.
type CarveOut struct {
	ID       string   `json:"id"`
	Citation string   `json:"citation"`
	Title    law.Text `json:"title"`
	Text     law.Text `json:"text"`
	// Applied is false if the carve-out is limited (Limited says why) and the
	// duties therefore stay.
	Applied bool      `json:"applied"`
	Limited *law.Text `json:"limited,omitempty"`
	// Disabled lists the obligations the carve-out switched off.
	Disabled []string   `json:"disabled,omitempty"`
	Status   law.Status `json:"status"`
}

// Result is the full answer of Check.
type Result struct {
	AsOf   string `json:"as_of"`
	Class  Class  `json:"class"`
	KRITIS bool   `json:"kritis"`
	// InForce: BSIG 2025 was in force on as_of.
	InForce bool `json:"in_force"`
	// InScope: obligations apply (a class, a federal administration entity
	// under §29, or a domain name registrar).
	InScope bool `json:"in_scope"`
	// Rule is the class rule that decided; for an entity without a class
	// that still has duties, the rule that gives them (§29, registrars).
	Rule         *Step        `json:"rule,omitempty"`
	Reasons      []Step       `json:"reasons"`
	CarveOuts    []CarveOut   `json:"carve_outs,omitempty"`
	Obligations  []Obligation `json:"obligations"`
	Measures     []Measure    `json:"measures,omitempty"`
	Pending      []Obligation `json:"pending,omitempty"`
	Jurisdiction []Step       `json:"jurisdiction,omitempty"`
	// Missing names profile fields whose absence limits the answer.
	Missing []string `json:"missing,omitempty"`
	// Citations lists every norm the result relies on, once, in order.
	Citations []string `json:"citations"`
}

// Check classifies the entity on asOf and explains why, with the carve-outs,
// obligations and jurisdiction that follow.
func Check(p Profile, asOf time.Time) (Result, error) {
	facts, err := profileFacts(&p)
	if err != nil {
		return Result{}, err
	}
	// Due dates (as_of plus a few months) must stay representable as
	// RFC 3339, whose years end at 9999.
	if asOf.Year() > 9998 {
		return Result{}, &FieldError{Field: "as_of", Msg: "must be before the year 9999"}
	}
	if !p.QualifiedSince.IsZero() && dayKey(p.QualifiedSince) > dayKey(asOf) {
		return Result{}, &FieldError{Field: "qualified_since", Msg: fmt.Sprintf("%s is after as_of %s: on as_of the entity had not yet qualified",
			p.QualifiedSince.Format(law.DateLayout), asOf.Format(law.DateLayout))}
	}
	b := &builder{p: &p, facts: facts, asOf: asOf, r: Result{
		AsOf: asOf.Format(law.DateLayout), Class: None, Reasons: []Step{}, Obligations: []Obligation{},
	}}
	b.run()
	b.r.Citations = citations(&b.r)
	return b.r, nil
}

func citations(r *Result) []string {
	seen := make(map[string]bool)
	var out []string
	add := func(c string) {
		if c != "" && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	for _, s := range r.Reasons {
		add(s.Citation)
	}
	for _, c := range r.CarveOuts {
		add(c.Citation)
	}
	for _, o := range r.Obligations {
		add(o.Norm)
	}
	for _, m := range r.Measures {
		add(m.Citation)
	}
	for _, o := range r.Pending {
		add(o.Norm)
	}
	for _, s := range r.Jurisdiction {
		add(s.Citation)
	}
	return out
}
