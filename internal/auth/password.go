// Package auth holds the credentials of portal accounts: TOTP second
// factors (RFC 6238, totp.go) and passwords, hashed and checked with
// argon2id (RFC 9106), stored in the PHC string format:
//
//	$argon2id$v=19$m=65536,t=2,p=2$<salt>$<hash>
//
// with salt and hash in unpadded standard base64.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
}

// Default is 64 MiB, 2 passes, 2 lanes: about 100 ms on one core of the
// 2-core machines pflicht targets, above OWASP's minimum (19 MiB, t=2).
var Default = Params{Memory: 64 * 1024, Time: 2, Threads: 2}

const (
	saltLen = 16
	keyLen  = 32
)

// HashPassword returns the PHC string of password with a new random salt.
// The error is always nil (crypto/rand cannot fail); it is kept so callers
// need not change should hashing ever depend on something that can.
func HashPassword(password string) (string, error) {
	return hashWith(Default, password), nil
}

func hashWith(p Params, password string) string {
	salt := make([]byte, saltLen)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// VerifyPassword reports whether password matches a PHC string made by
// HashPassword; the error is for a string it cannot read.
func VerifyPassword(encoded, password string) (bool, error) {
	p, salt, key, err := Decode(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// NeedsRehash reports whether encoded was made with other parameters than
// Default, so it should be replaced at the next successful login.
func NeedsRehash(encoded string) bool {
	p, _, _, err := Decode(encoded)
	return err != nil || p != Default
}

// Decode parses a PHC argon2id string. Parameters are bounded, so a
// tampered hash cannot make Verify allocate gigabytes or run for minutes.
func Decode(encoded string) (p Params, salt, key []byte, err error) {
	bad := func(msg string) error { return fmt.Errorf("auth: password hash: %s", msg) }
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, bad("not an argon2id PHC string")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, bad(fmt.Sprintf("version %q, want v=%d", parts[2], argon2.Version))
	}
	var m, t, threads uint64
	for i, kv := range strings.Split(parts[3], ",") {
		k, v, _ := strings.Cut(kv, "=")
		n, perr := strconv.ParseUint(v, 10, 32)
		want := [...]string{"m", "t", "p"}
		if i >= len(want) || k != want[i] || perr != nil {
			return p, nil, nil, bad(fmt.Sprintf("parameters %q, want m=…,t=…,p=…", parts[3]))
		}
		*[...]*uint64{&m, &t, &threads}[i] = n
	}
	switch {
	case threads < 1 || threads > 16:
		return p, nil, nil, bad(fmt.Sprintf("p=%d not in 1..16", threads))
	case m < 8*threads || m > 1<<20:
		return p, nil, nil, bad(fmt.Sprintf("m=%d not in %d..%d KiB", m, 8*threads, 1<<20))
	case t < 1 || t > 16:
		return p, nil, nil, bad(fmt.Sprintf("t=%d not in 1..16", t))
	}
	b64 := base64.RawStdEncoding.Strict()
	if salt, err = b64.DecodeString(parts[4]); err != nil || len(salt) < 8 || len(salt) > 64 {
		return p, nil, nil, bad("salt is not 8 to 64 bytes of base64")
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, bad("hash is not 16 to 64 bytes of base64")
	}
	return Params{Memory: uint32(m), Time: uint32(t), Threads: uint8(threads)}, salt, key, nil
}
