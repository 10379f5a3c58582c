package auth

import (
	"crypto/subtle"
	"encoding/base32"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP (RFC 6238) with the parameters every authenticator app supports:
// HMAC-SHA-1, six digits, steps of 30 seconds, secrets of 160 bits.
const (
	totpPeriod     = 30 // seconds
	totpSecretSize = 20 // bytes
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns a new random TOTP secret in base32, the form
// authenticator apps and TOTPURI take.
func NewTOTPSecret() string {
	k, err := totp.Generate(totp.GenerateOpts{Issuer: "x", AccountName: "x", SecretSize: totpSecretSize})
	if err != nil {
		panic(err) // only crypto/rand can fail here, and it does not
	}
	return k.Secret()
}

// ValidTOTPSecret reports whether secret is a base32 secret of 128 to 512
// bits: one this package made, or one an authenticator app would accept.
func ValidTOTPSecret(secret string) bool {
	b, err := b32.DecodeString(secret)
	return err == nil && len(b) >= 16 && len(b) <= 64
}

// TOTPURI returns the otpauth:// URI of secret for account at issuer, which
// authenticator apps read from a QR code.
func TOTPURI(issuer, account, secret string) (string, error) {
	raw, err := b32.DecodeString(secret)
	if err != nil {
		return "", fmt.Errorf("auth: totp secret: %w", err)
	}
	k, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Secret: raw,
		Period: totpPeriod, Digits: totpOpts.Digits, Algorithm: totpOpts.Algorithm})
	if err != nil {
		return "", fmt.Errorf("auth: totp uri: %w", err)
	}
	return k.URL(), nil
}

// TOTPStep returns the time step (Unix time / 30 s) that code belongs to if
// secret is valid (ValidTOTPSecret; an empty one matches nothing) and code is
// the code of secret for the step of now or the step before or after
// (clocks drift). The caller records the step and accepts no code of the
// same or an earlier step again (RFC 6238, section 5.2); this function
// keeps no state. Spaces in code are ignored, as apps show "123 456".
func TOTPStep(secret, code string, now time.Time) (step int64, ok bool) {
	code = strings.ReplaceAll(code, " ", "")
	if !ValidTOTPSecret(secret) || len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return 0, false
	}
	current := now.Unix() / totpPeriod
	// All three candidates are computed and compared in constant time, so
	// the time taken does not tell which step matched.
	for s := current - 1; s <= current+1; s++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*totpPeriod, 0), totpOpts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			step, ok = s, true
		}
	}
	return step, ok
}
