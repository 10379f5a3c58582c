package portal

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

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
)

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
	return p, fe
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

// scopeProfile is what scope.Check reads of a profile. Figures of 0 are
// read as given: the form has no "unknown" for them.
func scopeProfile(p store.Profile) scope.Profile {
	emp, turnover, balance := float64(p.Employees), float64(p.TurnoverEUR), float64(p.BalanceSheetEUR)
	return scope.Profile{Employees: &emp, TurnoverEUR: &turnover, BalanceSheetEUR: &balance, Activities: p.Activities}
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
	return v
}

func oneOf(fe *fieldErrors, field, label, v string, allowed ...string) string {
	if slices.Contains(allowed, v) {
		return v
	}
	fe.add(field, label, "err.choice")
	return ""
}
