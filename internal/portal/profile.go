package portal

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/pflicht/pflicht/internal/law"
	"github.com/pflicht/pflicht/internal/scope"
	"github.com/pflicht/pflicht/internal/store"
)

// The profile form edits a store.Profile: the registration data of §33(1)
// and §34(1) BSIG and the size figures scope.Check classifies by. Input
// ids are the form names; the error summary links to them.
const (
	fName        = "name"
	fLegalForm   = "legal_form"
	fRegister    = "register_number"
	fStreet      = "street"
	fPostalCode  = "postal_code"
	fCity        = "city"
	fCountry     = "country"
	fEmails      = "emails"
	fPhones      = "phones"
	fIP          = "ip_ranges"
	fActivities  = "activities"
	fStates      = "member_states"
	fAuthorities = "authorities"
	fEmployees   = "employees"
	fTurnover    = "turnover_eur"
	fBalance     = "balance_sheet_eur"

	// The scope facts keep the names of the JSON profile.
	fMainEst        = "main_establishment"
	fRepresentative = "representative"
	fQualifiedSince = "qualified_since"
	fEstablishments = "eu_establishments"
	fKRITISForDORA  = "kritis_for_dora"
	fFederalSec     = "federal_security_authority"

	// Prefixes of the address and contact groups: "me_city", "rep_emails".
	pMainEst = "me_"
	pRep     = "rep_"
	pContact = "cp_"
)

// factField is a yes/no fact of the profile: the form's select and the
// stored *bool, where "" (neither) is "not stated".
type factField struct {
	ID          string // form name = JSON name
	Label, Hint string // message keys
	Norm        string // shown beside the question
	get         func(*store.Profile) **bool
}

// factGroup is a fieldset of facts: legend and hint are message keys.
type factGroup struct {
	Legend, Norm, Hint string
	Facts              []factField
}

// factGroups are the facts in the order and groups the form asks them.
var factGroups = []factGroup{
	{"profile.section_roles", "§ 28 Abs. 1, § 33 Abs. 1 BSIG", "profile.roles_hint", []factField{
		{"kritis_operator", "profile.kritis_operator", "profile.kritis_operator_hint", "§ 28 Abs. 1 S. 1 Nr. 1", func(p *store.Profile) **bool { return &p.KRITISOperator }},
		{"qualified_trust_service_provider", "profile.qualified_trust_service_provider", "profile.qualified_trust_service_provider_hint", "§ 28 Abs. 1 S. 1 Nr. 2", func(p *store.Profile) **bool { return &p.QualifiedTrustServiceProvider }},
		{"domain_registrar", "profile.domain_registrar", "profile.domain_registrar_hint", "§ 33 Abs. 1, § 34 Abs. 1", func(p *store.Profile) **bool { return &p.DomainRegistrar }},
	}},
	{"profile.section_exceptions", "§ 28 Abs. 5-8, § 29 BSIG", "profile.exceptions_hint", []factField{
		{"federal_administration", "profile.federal_administration", "profile.federal_administration_hint", "§ 29 Abs. 1", func(p *store.Profile) **bool { return &p.FederalAdministration }},
		{fFederalSec, "profile.federal_security_authority", "profile.federal_security_authority_hint", "§ 29 Abs. 3", func(p *store.Profile) **bool { return &p.FederalSecurityAuthority }},
		{"dora_financial_entity", "profile.dora_financial_entity", "profile.dora_financial_entity_hint", "§ 28 Abs. 6 Nr. 1", func(p *store.Profile) **bool { return &p.DORAFinancialEntity }},
		{"telematik_infrastruktur", "profile.telematik_infrastruktur", "profile.telematik_infrastruktur_hint", "§ 28 Abs. 6 Nr. 2", func(p *store.Profile) **bool { return &p.TelematikInfrastruktur }},
		{fKRITISForDORA, "profile.kritis_for_dora", "profile.kritis_for_dora_hint", "§ 28 Abs. 7", func(p *store.Profile) **bool { return &p.KRITISForDORA }},
		{"energy_enwg_5c", "profile.energy_enwg_5c", "profile.energy_enwg_5c_hint", "§ 28 Abs. 5 Nr. 2", func(p *store.Profile) **bool { return &p.EnergyEnWG5c }},
		{"land_law_28_8", "profile.land_law_28_8", "profile.land_law_28_8_hint", "§ 28 Abs. 8", func(p *store.Profile) **bool { return &p.LandLaw28Abs8 }},
	}},
}

// lines splits a textarea into its non-empty lines.
func lines(v string) []string {
	var out []string
	for _, l := range strings.Split(v, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// parseProfile reads and validates the profile form. Every error names its
// field (and the entry, for lists); the profile holds what could be read.
func parseProfile(f url.Values) (store.Profile, fieldErrors) {
	var fe fieldErrors
	p := store.Profile{
		Name:           checkText(&fe, fName, "profile.name", f.Get(fName), true, 300),
		LegalForm:      checkText(&fe, fLegalForm, "profile.legal_form", f.Get(fLegalForm), false, 100),
		RegisterNumber: checkHR(&fe, fRegister, "profile.register_number", f.Get(fRegister)),
		Address: store.Address{
			Street:     checkText(&fe, fStreet, "profile.street", f.Get(fStreet), true, 300),
			PostalCode: checkText(&fe, fPostalCode, "profile.postal_code", f.Get(fPostalCode), true, 20),
			City:       checkText(&fe, fCity, "profile.city", f.Get(fCity), true, 200),
			Country:    checkCountry(&fe, fCountry, "profile.country", f.Get(fCountry)),
		},
		IPRanges:     checkIPRanges(&fe, fIP, "profile.ip_ranges", f.Get(fIP)),
		MemberStates: checkMemberStates(&fe, fStates, "profile.member_states", f[fStates]),
	}
	emails := lines(f.Get(fEmails))
	if len(emails) == 0 {
		fe.add(fEmails, "profile.emails", "err.required")
	}
	for _, e := range emails {
		p.Emails = append(p.Emails, checkEmail(&fe, fEmails, "profile.emails", e, true))
	}
	phones := lines(f.Get(fPhones))
	if len(phones) == 0 {
		fe.add(fPhones, "profile.phones", "err.required")
	}
	for _, ph := range phones {
		p.Phones = append(p.Phones, checkPhone(&fe, fPhones, "profile.phones", ph, true))
	}
	for _, a := range lines(f.Get(fAuthorities)) {
		p.Authorities = append(p.Authorities, checkText(&fe, fAuthorities, "profile.authorities", a, false, 300))
	}
	for _, a := range f[fActivities] {
		if _, ok := scope.LookupActivity(a); !ok {
			fe.add(fActivities, "profile.activities", "err.activity", a)
			continue
		}
		if !slices.Contains(p.Activities, a) {
			p.Activities = append(p.Activities, a)
			if s := sectorOf(a); !slices.Contains(p.Sectors, s) {
				p.Sectors = append(p.Sectors, s)
			}
		}
	}
	p.Employees = int(checkWhole(&fe, fEmployees, "profile.employees", f.Get(fEmployees)))
	p.TurnoverEUR = checkWhole(&fe, fTurnover, "profile.turnover", f.Get(fTurnover))
	p.BalanceSheetEUR = checkWhole(&fe, fBalance, "profile.balance", f.Get(fBalance))
	parseFacts(&fe, f, &p)
	return p, fe
}

// parseFacts reads the scope facts and the §33(2), §34(1) data. The checks
// across fields are the ones store.Profile.Validate makes, here with a
// message in the user's language.
func parseFacts(fe *fieldErrors, f url.Values, p *store.Profile) {
	for _, g := range factGroups {
		for _, ff := range g.Facts {
			switch v := f.Get(ff.ID); v {
			case "":
			case "yes", "no":
				*ff.get(p) = new(v == "yes")
			default:
				fe.add(ff.ID, ff.Label, "err.choice")
			}
		}
	}
	if yes(p.KRITISForDORA) && !yes(p.KRITISOperator) {
		fe.add(fKRITISForDORA, "profile.kritis_for_dora", "profile.err_needs_kritis")
	}
	if yes(p.FederalSecurityAuthority) && !yes(p.FederalAdministration) {
		fe.add(fFederalSec, "profile.federal_security_authority", "profile.err_needs_federal")
	}
	p.MainEstablishment = optionalChoice(fe, fMainEst, "profile.main_establishment", f.Get(fMainEst), mainEstOptions)
	p.Representative = optionalChoice(fe, fRepresentative, "profile.representative", f.Get(fRepresentative), repOptions)
	if p.Representative != "" && p.MainEstablishment != store.OutsideEU {
		fe.add(fRepresentative, "profile.representative", "profile.err_representative")
	}
	if d := checkDate(fe, fQualifiedSince, "profile.qualified_since", f.Get(fQualifiedSince)); fe.For(fQualifiedSince) == nil {
		p.QualifiedSince = d
	}
	p.MainEstablishmentAddress = parseAddress(fe, f, pMainEst, "profile.main_establishment_address")
	if a := p.MainEstablishmentAddress; a != nil && fe.For(pMainEst+fCountry) == nil {
		switch p.MainEstablishment {
		case store.OutsideEU:
			fe.add(pMainEst+fCountry, "profile.main_establishment_address", "profile.err_main_outside_eu")
		case store.InGermany, store.InOtherEU:
			if (a.Country == "DE") != (p.MainEstablishment == store.InGermany) || !store.EUMemberState(a.Country) {
				fe.add(pMainEst+fCountry, "profile.main_establishment_address", "profile.err_main_country")
			}
		}
	}
	for i, l := range lines(f.Get(fEstablishments)) {
		if i == maxEstablishments {
			fe.add(fEstablishments, "profile.eu_establishments", "profile.err_establishments", maxEstablishments)
			break
		}
		if a, ok := parseEstablishment(l); ok {
			p.EUEstablishments = append(p.EUEstablishments, a)
		} else {
			fe.add(fEstablishments, "profile.eu_establishments", "profile.err_establishment", l)
		}
	}
	p.RepresentativeContact = parseContact(fe, f, pRep, "profile.representative_contact", true)
	p.ContactPoint = parseContact(fe, f, pContact, "profile.contact_point", false)
}

func yes(b *bool) bool { return b != nil && *b }

// readProfile is parseProfile with the checks against the clock: the day
// the entity qualified cannot lie after the day scope.Check is asked about
// (it refuses that), the calendar day of s.now() as the engine reads it.
// Dates YYYY-MM-DD compare as strings.
func (s *Server) readProfile(f url.Values) (store.Profile, fieldErrors) {
	p, fe := parseProfile(f)
	if p.QualifiedSince > s.now().Format(law.DateLayout) {
		fe.add(fQualifiedSince, "profile.qualified_since", "profile.err_qualified_future")
		p.QualifiedSince = ""
	}
	return p, fe
}

// optionalChoice reads one of the options' values, or "" (not stated).
func optionalChoice(fe *fieldErrors, field, label, v string, opts []option) string {
	if v == "" || labelOf(opts, v) != "" {
		return v
	}
	fe.add(field, label, "err.choice")
	return ""
}

// Where the main establishment (§60(2)) and the representative (§60(3))
// can be; the values are the engine's.
// whereSelect is one of the two selects, for the template.
type whereSelect struct {
	ID, Label, Hint string
	Options         []option
}

var whereSelects = []whereSelect{
	{fMainEst, "profile.main_establishment", "profile.main_establishment_hint", mainEstOptions},
	{fRepresentative, "profile.representative", "profile.representative_hint", repOptions},
}

var (
	mainEstOptions = []option{{store.InGermany, "profile.where.de"}, {store.InOtherEU, "profile.where.eu_other"}, {store.OutsideEU, "profile.where.non_eu"}}
	repOptions     = []option{{store.InGermany, "profile.where.de"}, {store.InOtherEU, "profile.where.eu_other"}, {store.NoneDesigned, "profile.where.none"}}
)

// maxEstablishments bounds the establishments one form may list.
const maxEstablishments = 100

// parseEstablishment reads "street; postal code; city; country" (street and
// postal code may be empty; the city may not, and the country is an EU
// member state's code).
func parseEstablishment(l string) (store.Address, bool) {
	parts := strings.Split(l, ";")
	if len(parts) != 4 {
		return store.Address{}, false
	}
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	a := store.Address{Street: parts[0], PostalCode: parts[1], City: parts[2], Country: strings.ToUpper(parts[3])}
	if a.Country == "GR" {
		a.Country = "EL" // as checkMemberStates: the EU's code for Greece
	}
	ok := a.City != "" && store.EUMemberState(a.Country) && len(a.Street) <= 300 && len(a.PostalCode) <= 20 && len(a.City) <= 200
	return a, ok
}

func formatEstablishment(a store.Address) string {
	return strings.Join([]string{a.Street, a.PostalCode, a.City, a.Country}, "; ")
}

// parseAddress reads the address group with the prefix: nil if it is
// empty, else city and country are required.
func parseAddress(fe *fieldErrors, f url.Values, prefix, label string) *store.Address {
	get := func(k string) string { return strings.TrimSpace(f.Get(prefix + k)) }
	if get(fStreet)+get(fPostalCode)+get(fCity)+get(fCountry) == "" {
		return nil
	}
	return &store.Address{
		Street:     checkText(fe, prefix+fStreet, label, get(fStreet), false, 300),
		PostalCode: checkText(fe, prefix+fPostalCode, label, get(fPostalCode), false, 20),
		City:       checkText(fe, prefix+fCity, label, get(fCity), true, 200),
		Country:    checkCountry(fe, prefix+fCountry, label, get(fCountry)),
	}
}

// parseContact reads the contact group with the prefix: nil if it is
// empty, else a name and an e-mail address or telephone number.
func parseContact(fe *fieldErrors, f url.Values, prefix, label string, withAddress bool) *store.Contact {
	emails, phones := lines(f.Get(prefix+fEmails)), lines(f.Get(prefix+fPhones))
	var addr *store.Address
	if withAddress {
		addr = parseAddress(fe, f, prefix, label)
	}
	name := strings.TrimSpace(f.Get(prefix + fName))
	if name == "" && addr == nil && len(emails)+len(phones) == 0 {
		return nil
	}
	c := &store.Contact{Name: checkText(fe, prefix+fName, label, name, true, 300)}
	if addr != nil {
		c.Address = *addr
	}
	if len(emails)+len(phones) == 0 {
		fe.add(prefix+fEmails, label, "profile.err_contact_reach")
	}
	for _, e := range emails {
		c.Emails = append(c.Emails, checkEmail(fe, prefix+fEmails, label, e, true))
	}
	for _, ph := range phones {
		c.Phones = append(c.Phones, checkPhone(fe, prefix+fPhones, label, ph, true))
	}
	return c
}

// checkWhole reads a whole, non-negative amount (euros, headcount).
func checkWhole(fe *fieldErrors, field, label, v string) int64 {
	f := checkAmount(fe, field, label, v)
	if f == nil {
		return 0
	}
	if *f > 1e15 {
		fe.add(field, label, "err.number")
		return 0
	}
	return int64(*f + 0.5)
}

// sectorOf maps an Anlage id "A1-6.1.4" to its sector "A1-6"
// (Anlage 1 Nr. 6), the unit the registry filters by.
func sectorOf(activity string) string {
	anlage, nr, ok := strings.Cut(activity, "-")
	if !ok {
		return ""
	}
	sector, _, _ := strings.Cut(nr, ".")
	return anlage + "-" + sector
}

// profileForm turns a stored profile back into form values.
func profileForm(p store.Profile) url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set(fName, p.Name)
	set(fLegalForm, p.LegalForm)
	set(fRegister, p.RegisterNumber)
	set(fStreet, p.Address.Street)
	set(fPostalCode, p.Address.PostalCode)
	set(fCity, p.Address.City)
	set(fCountry, p.Address.Country)
	set(fEmails, strings.Join(p.Emails, "\n"))
	set(fPhones, strings.Join(p.Phones, "\n"))
	set(fIP, strings.Join(p.IPRanges, "\n"))
	set(fAuthorities, strings.Join(p.Authorities, "\n"))
	v[fActivities] = p.Activities
	v[fStates] = p.MemberStates
	v.Set(fEmployees, strconv.Itoa(p.Employees))
	v.Set(fTurnover, strconv.FormatInt(p.TurnoverEUR, 10))
	v.Set(fBalance, strconv.FormatInt(p.BalanceSheetEUR, 10))
	for _, g := range factGroups {
		for _, ff := range g.Facts {
			if b := *ff.get(&p); b != nil {
				v.Set(ff.ID, map[bool]string{true: "yes", false: "no"}[*b])
			}
		}
	}
	set(fMainEst, p.MainEstablishment)
	set(fRepresentative, p.Representative)
	set(fQualifiedSince, p.QualifiedSince)
	setAddress := func(prefix string, a store.Address) {
		set(prefix+fStreet, a.Street)
		set(prefix+fPostalCode, a.PostalCode)
		set(prefix+fCity, a.City)
		set(prefix+fCountry, a.Country)
	}
	if a := p.MainEstablishmentAddress; a != nil {
		setAddress(pMainEst, *a)
	}
	var est []string
	for _, a := range p.EUEstablishments {
		est = append(est, formatEstablishment(a))
	}
	set(fEstablishments, strings.Join(est, "\n"))
	for prefix, c := range map[string]*store.Contact{pRep: p.RepresentativeContact, pContact: p.ContactPoint} {
		if c != nil {
			set(prefix+fName, c.Name)
			setAddress(prefix, c.Address)
			set(prefix+fEmails, strings.Join(c.Emails, "\n"))
			set(prefix+fPhones, strings.Join(c.Phones, "\n"))
		}
	}
	return v
}

func oneOf(fe *fieldErrors, field, label, v string, allowed ...string) string {
	if slices.Contains(allowed, v) {
		return v
	}
	fe.add(field, label, "err.choice")
	return ""
}

// changedLabels turns the JSON names of changed profile fields into the
// message keys of their labels, each once (a changed activity also
// changes the sectors derived from it).
func changedLabels(fields []string) []string {
	var out []string
	for _, f := range fields {
		key := "profile." + f
		switch f {
		case "turnover_eur":
			key = "profile.turnover"
		case "balance_sheet_eur":
			key = "profile.balance"
		case "sectors":
			key = "profile.activities"
		}
		if !slices.Contains(out, key) {
			out = append(out, key)
		}
	}
	return out
}
