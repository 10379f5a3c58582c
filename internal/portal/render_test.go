package portal

import "testing"

// TestEUR: the template function takes the engines' amounts, as values or
// pointers, and the profile's whole euros; anything else is a template
// error, not a wrong figure.
func TestEUR(t *testing.T) {
	eur := funcs["eur"].(func(any) (string, error))
	f, i64 := 1234567.4, int64(800_000)
	for _, tc := range []struct {
		in   any
		want string
	}{
		{f, "1.234.567 €"}, {&f, "1.234.567 €"}, {i64, "800.000 €"}, {&i64, "800.000 €"}, {0, "0 €"},
	} {
		if got, err := eur(tc.in); err != nil || got != tc.want {
			t.Errorf("eur(%v) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []any{"12", nil, (*float64)(nil)} {
		if got, err := eur(bad); err == nil {
			t.Errorf("eur(%#v) = %q, want an error", bad, got)
		}
	}
}
