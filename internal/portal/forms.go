package portal

import (
	"fmt"
	"math"
	"net/mail"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/pflicht/pflicht/internal/law"
	"github.com/pflicht/pflicht/internal/store"
)

// fieldError is one invalid form field: Field is the input's id (the error
// summary links to it), Label and Msg are message keys.
type fieldError struct {
	Field, Label, Msg string
	Args              []any
}

type fieldErrors []fieldError

// For returns the error of the field with id, if any (templates mark the
// field and repeat the message beside it).
func (fe fieldErrors) For(id string) *fieldError {
	for i := range fe {
		if fe[i].Field == id {
			return &fe[i]
		}
	}
	return nil
}

func (fe *fieldErrors) add(field, label, msg string, args ...any) {
	*fe = append(*fe, fieldError{Field: field, Label: label, Msg: msg, Args: args})
}

// hrNumber is a German commercial-type register number: register (HRA,
// HRB, GnR for cooperatives, PR for partnerships, VR for associations, GsR
// for civil-law partnerships), number, and the suffix some courts add
// ("HRB 12345 B").
var hrNumber = regexp.MustCompile(`^(HRA|HRB|GnR|GsR|PR|VR) ?[1-9][0-9]{0,6}( ?[A-Z]{1,2})?$`)

// phoneNumber: digits with the usual separators, optionally international.
var phoneNumber = regexp.MustCompile(`^\+?[0-9(][0-9 ()/.-]{4,24}[0-9]$`)

func checkEmail(fe *fieldErrors, field, label, v string, required bool) string {
	v = strings.TrimSpace(v)
	if v == "" {
		if required {
			fe.add(field, label, "err.required")
		}
		return v
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Name != "" || a.Address != v || !strings.Contains(v[strings.LastIndexByte(v, '@'):], ".") {
		fe.add(field, label, "err.email")
	}
	return v
}

func checkPhone(fe *fieldErrors, field, label, v string, required bool) string {
	v = strings.TrimSpace(v)
	if v == "" {
		if required {
			fe.add(field, label, "err.required")
		}
		return v
	}
	digits := 0
	for _, r := range v {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	if !phoneNumber.MatchString(v) || digits < 5 || digits > 15 {
		fe.add(field, label, "err.phone")
	}
	return v
}

// checkIPRanges reads public IP ranges in CIDR notation, one per line or
// separated by commas. §33(1) Nr. 2 BSIG asks for the public ranges, so
// private, loopback and link-local ranges are refused.
func checkIPRanges(fe *fieldErrors, field, label, v string) []string {
	var out []string
	for _, s := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' || r == ' ' || r == '\t' }) {
		p, err := netip.ParsePrefix(s)
		switch {
		case err != nil:
			fe.add(field, label, "err.cidr", s)
		case p.Masked() != p:
			fe.add(field, label, "err.cidr_host_bits", s, p.Masked().String())
		case !public(p.Addr()):
			fe.add(field, label, "err.cidr_not_public", s)
		default:
			out = append(out, p.String())
			continue
		}
		return out
	}
	return out
}

func public(a netip.Addr) bool {
	return a.IsGlobalUnicast() && !a.IsPrivate() && !a.Is4In6()
}

func checkMemberStates(fe *fieldErrors, field, label string, vs []string) []string {
	var out []string
	seen := make(map[string]bool)
	for _, v := range vs {
		for _, c := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
			c = strings.ToUpper(c)
			if c == "GR" {
				c = "EL"
			}
			if !store.EUMemberState(c) {
				fe.add(field, label, "err.member_state", c)
				return out
			}
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	return out
}

// checkCountry reads an ISO 3166 alpha-2 country code (any country: an
// address may lie outside the EU).
func checkCountry(fe *fieldErrors, field, label, v string) string {
	v = strings.ToUpper(strings.TrimSpace(v))
	if len(v) != 2 || v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z' {
		fe.add(field, label, "err.country")
	}
	return v
}

func checkHR(fe *fieldErrors, field, label, v string) string {
	v = strings.Join(strings.Fields(v), " ")
	if v != "" && !hrNumber.MatchString(v) {
		fe.add(field, label, "err.hr_number")
	}
	return v
}

// checkAmount reads a finite, non-negative number; German and English
// separators are both accepted (see parseAmount).
func checkAmount(fe *fieldErrors, field, label, v string) *float64 {
	v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "€"))
	if v == "" {
		return nil
	}
	f, err := parseAmount(v)
	if err != nil || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		fe.add(field, label, "err.number")
		return nil
	}
	return &f
}

// parseAmount reads "1.234.567,89" (German), "1,234,567.89" (English),
// "1234567" and spaced groups. Where both readings are possible the
// separator decides by what follows it: exactly three digits make it a
// thousands separator ("1.234" and "1,234" are 1234), anything else a
// decimal mark ("12,5" and "12.5"); amounts here are euros and headcounts,
// where three decimals do not occur.
func parseAmount(v string) (float64, error) {
	v = strings.ReplaceAll(v, " ", "")
	dot, comma := strings.LastIndexByte(v, '.'), strings.LastIndexByte(v, ',')
	switch {
	case dot >= 0 && comma >= 0: // both: the last one is the decimal mark
		group, dec := ".", ","
		if dot > comma {
			group, dec = ",", "."
		}
		v = strings.Replace(strings.ReplaceAll(v, group, ""), dec, ".", 1)
	case dot >= 0 || comma >= 0:
		sep := "."
		if comma >= 0 {
			sep = ","
		}
		last := max(dot, comma)
		if strings.Count(v, sep) > 1 || len(v)-last-1 == 3 {
			v = strings.ReplaceAll(v, sep, "")
		} else {
			v = strings.Replace(v, sep, ".", 1)
		}
	}
	return strconv.ParseFloat(v, 64)
}

// datetimeLayout is what <input type=datetime-local> submits; the wall time
// is read in Europe/Berlin, where the statutory periods are counted.
const datetimeLayout = "2006-01-02T15:04"

func checkDateTime(fe *fieldErrors, field, label, v string, required bool, now time.Time) *time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		if required {
			fe.add(field, label, "err.required")
		}
		return nil
	}
	t, err := time.ParseInLocation(datetimeLayout, v, law.Berlin)
	if err != nil {
		if t, err = time.ParseInLocation(datetimeLayout+":05", v, law.Berlin); err != nil {
			fe.add(field, label, "err.datetime")
			return nil
		}
	}
	if t.After(now) {
		fe.add(field, label, "err.future")
		return nil
	}
	return &t
}

func checkDate(fe *fieldErrors, field, label, v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return v
	}
	if _, err := law.ParseDate(v); err != nil {
		fe.add(field, label, "err.date")
	}
	return v
}

func checkText(fe *fieldErrors, field, label, v string, required bool, max int) string {
	v = strings.TrimSpace(v)
	switch {
	case v == "" && required:
		fe.add(field, label, "err.required")
	case len(v) > max:
		fe.add(field, label, "err.too_long", max)
	}
	return v
}

// String makes a fieldError readable in logs and test failures.
func (e fieldError) String() string { return fmt.Sprintf("%s: %s %v", e.Field, e.Msg, e.Args) }
