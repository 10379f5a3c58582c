package portal

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestValidators(t *testing.T) {
	type check func(fe *fieldErrors, v string)
	email := func(fe *fieldErrors, v string) { checkEmail(fe, "f", "l", v, true) }
	phone := func(fe *fieldErrors, v string) { checkPhone(fe, "f", "l", v, true) }
	ips := func(fe *fieldErrors, v string) { checkIPRanges(fe, "f", "l", v) }
	hr := func(fe *fieldErrors, v string) { checkHR(fe, "f", "l", v) }
	states := func(fe *fieldErrors, v string) { checkMemberStates(fe, "f", "l", []string{v}) }
	amount := func(fe *fieldErrors, v string) { checkAmount(fe, "f", "l", v) }
	for _, tc := range []struct {
		name string
		fn   check
		ok   []string
		bad  map[string]string // value → message key
	}{
		{"email", email, []string{"it@example.de", "a.b+c@sub.example.org"},
			map[string]string{"": "err.required", "x": "err.email", "Name <a@b.de>": "err.email", "a@localhost": "err.email", "a@b.de,c@d.de": "err.email"}},
		{"phone", phone, []string{"+49 30 1234567", "030/1234-567", "(030) 123 45"},
			map[string]string{"": "err.required", "call me": "err.phone", "+49": "err.phone", "1234567890123456": "err.phone", "+49 30 123\n4567": "err.phone"}},
		{"ip ranges", ips, []string{"", "203.0.113.0/24", "2001:db8::/32\n198.51.100.0/24", "8.8.8.8/32, 1.1.1.0/24"},
			map[string]string{"10.0.0.0/8": "err.cidr_not_public", "127.0.0.0/8": "err.cidr_not_public", "fe80::/10": "err.cidr_not_public",
				"203.0.113.1/24": "err.cidr_host_bits", "203.0.113.0": "err.cidr", "::ffff:8.8.8.0/120": "err.cidr_not_public", "0.0.0.0/0": "err.cidr_not_public"}},
		{"register number", hr, []string{"", "HRB 12345", "HRB12345", "HRA 1 B", "GnR 300", "VR 1234", "HRB  4711   HB"},
			map[string]string{"12345": "err.hr_number", "HRB": "err.hr_number", "HRB 0123": "err.hr_number", "XYZ 1": "err.hr_number"}},
		{"member states", states, []string{"DE", "de, at", "GR", "EL FR"},
			map[string]string{"XX": "err.member_state", "US": "err.member_state", "GB": "err.member_state"}},
		{"amount", amount, []string{"", "0", "1234567", "1.234.567", "1,234,567", "1.234.567,89", "1234567.89", "50 000 000 €"},
			map[string]string{"-1": "err.number", "abc": "err.number", "1e400": "err.number", "NaN": "err.number"}},
	} {
		for _, v := range tc.ok {
			var fe fieldErrors
			tc.fn(&fe, v)
			if len(fe) != 0 {
				t.Errorf("%s %q: unexpected %v", tc.name, v, fe)
			}
		}
		for v, want := range tc.bad {
			var fe fieldErrors
			tc.fn(&fe, v)
			if len(fe) != 1 || fe[0].Msg != want || fe[0].Field != "f" {
				t.Errorf("%s %q: got %v, want one %s naming the field", tc.name, v, fe, want)
			}
		}
	}
}

func TestParseAmount(t *testing.T) {
	for in, want := range map[string]float64{
		"1234567": 1234567, "1.234.567": 1234567, "1,234,567": 1234567, "1.234.567,5": 1234567.5,
		"1,234,567.5": 1234567.5, "12,5": 12.5, "12.5": 12.5, "50 000 000": 50_000_000,
	} {
		if got, err := parseAmount(in); err != nil || got != want {
			t.Errorf("parseAmount(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}

func TestCheckDateTime(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	var fe fieldErrors
	got := checkDateTime(&fe, "f", "l", "2026-11-23T09:30", true, now)
	if len(fe) != 0 || !got.Equal(time.Date(2026, 11, 23, 8, 30, 0, 0, time.UTC)) {
		t.Errorf("Berlin wall time: %v %v", got, fe)
	}
	for v, want := range map[string]string{"": "err.required", "23.11.2026 09:30": "err.datetime", "2026-11-23T12:00": "err.future"} {
		fe = nil
		checkDateTime(&fe, "f", "l", v, true, now)
		if len(fe) != 1 || fe[0].Msg != want {
			t.Errorf("%q: %v, want %s", v, fe, want)
		}
	}
}

// FuzzParseProfile: any form either yields field errors or a profile the
// store accepts; it never panics.
func FuzzParseProfile(f *testing.F) {
	base := profileForm(testProfile())
	f.Add(base.Encode())
	f.Add("name=x&emails=a%40b.de&phones=%2B4930123456&street=s&postal_code=1&city=c&country=DE&ip_ranges=2001%3Adb8%3A%3A%2F32")
	f.Add("name=%00&emails=%40&turnover_eur=1e999&employees=-0&member_states=gr,GR,el")
	f.Fuzz(func(t *testing.T, q string) {
		form, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		p, fe := parseProfile(form)
		for _, e := range fe {
			if e.Field == "" || e.Msg == "" || e.Label == "" {
				t.Fatalf("error without field or message: %+v", e)
			}
		}
		if len(fe) == 0 {
			if err := p.Validate(); err != nil {
				t.Fatalf("form accepted, store refuses: %v\nform %q", err, q)
			}
			if strings.TrimSpace(p.Name) == "" {
				t.Fatal("empty name accepted")
			}
		}
	})
}
