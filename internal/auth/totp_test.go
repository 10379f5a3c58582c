package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TestTOTPStepRFC6238 checks the codes of RFC 6238 Appendix B (SHA-1, the
// secret "12345678901234567890", last six digits) and the steps they map to.
func TestTOTPStepRFC6238(t *testing.T) {
	secret := b32.EncodeToString([]byte("12345678901234567890"))
	for _, tc := range []struct {
		unix int64
		code string
	}{
		{59, "287082"},
		{1111111109, "081804"},
		{1111111111, "050471"},
		{1234567890, "005924"},
		{2000000000, "279037"},
		{20000000000, "353130"},
	} {
		step, ok := TOTPStep(secret, tc.code, time.Unix(tc.unix, 0))
		if !ok || step != tc.unix/30 {
			t.Errorf("t=%d code %s: step %d ok %v, want %d", tc.unix, tc.code, step, ok, tc.unix/30)
		}
	}
}

func TestTOTPStep(t *testing.T) {
	secret := NewTOTPSecret()
	now := time.Date(2026, 11, 23, 17, 0, 10, 0, time.UTC)
	code := func(at time.Time) string {
		c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	cur := now.Unix() / 30
	for _, tc := range []struct {
		name string
		code string
		ok   bool
		step int64
	}{
		{"current", code(now), true, cur},
		{"with a space", code(now)[:3] + " " + code(now)[3:], true, cur},
		{"previous step (drift)", code(now.Add(-30 * time.Second)), true, cur - 1},
		{"next step (drift)", code(now.Add(30 * time.Second)), true, cur + 1},
		{"two steps old", code(now.Add(-60 * time.Second)), false, 0},
		{"empty", "", false, 0},
		{"five digits", code(now)[:5], false, 0},
		{"letters", "12a456", false, 0},
		{"seven digits", code(now) + "1", false, 0},
	} {
		step, ok := TOTPStep(secret, tc.code, now)
		if ok != tc.ok || step != tc.step {
			t.Errorf("%s: step %d ok %v, want %d %v", tc.name, step, ok, tc.step, tc.ok)
		}
	}
	for _, bad := range []string{"not base32!", ""} {
		c, _ := totp.GenerateCodeCustom(bad, now, totp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if _, ok := TOTPStep(bad, c, now); ok {
			t.Errorf("secret %q accepted a code", bad)
		}
	}
}

func TestTOTPSecretAndURI(t *testing.T) {
	s := NewTOTPSecret()
	if !ValidTOTPSecret(s) || len(s) != 32 {
		t.Fatalf("NewTOTPSecret = %q", s)
	}
	if NewTOTPSecret() == s {
		t.Error("two secrets alike")
	}
	for _, bad := range []string{"", "AAAA", "not base32!", strings.Repeat("A", 200), s + "="} {
		if ValidTOTPSecret(bad) {
			t.Errorf("ValidTOTPSecret(%q) = true", bad)
		}
	}
	uri, err := TOTPURI("pflicht", "ciso@example.de", s)
	if err != nil {
		t.Fatal(err)
	}
	k, err := otp.NewKeyFromURL(uri)
	if err != nil || k.Secret() != s || k.Issuer() != "pflicht" || k.AccountName() != "ciso@example.de" || k.Period() != 30 || k.Digits() != otp.DigitsSix {
		t.Errorf("URI %q: %+v, %v", uri, k, err)
	}
	if _, err := TOTPURI("pflicht", "a@example.de", "not base32!"); err == nil {
		t.Error("TOTPURI accepted a broken secret")
	}
}

func FuzzTOTPStep(f *testing.F) {
	f.Add("JBSWY3DPEHPK3PXP", "123456", int64(1700000000))
	f.Add("", "", int64(0))
	f.Fuzz(func(t *testing.T, secret, code string, unix int64) {
		step, ok := TOTPStep(secret, code, time.Unix(unix, 0))
		if ok && (step < unix/30-2 || step > unix/30+2) {
			t.Fatalf("step %d far from %d", step, unix/30)
		}
	})
}
