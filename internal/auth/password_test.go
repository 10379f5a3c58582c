package auth

import (
	"strings"
	"testing"
)

// cheap keeps the tests fast; the format and checks are the same.
var cheap = Params{Memory: 64, Time: 1, Threads: 1}

func TestHashVerify(t *testing.T) {
	h := hashWith(cheap, "correct horse")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("Hash = %q", h)
	}
	if ok, err := VerifyPassword(h, "correct horse"); !ok || err != nil {
		t.Fatalf("VerifyPassword(right) = %v, %v", ok, err)
	}
	if ok, err := VerifyPassword(h, "correct horse "); ok || err != nil {
		t.Fatalf("VerifyPassword(wrong) = %v, %v", ok, err)
	}
	if _, err := VerifyPassword("plain", "plain"); err == nil {
		t.Fatal("VerifyPassword(not a hash) = nil error")
	}
	if h2 := hashWith(cheap, "correct horse"); h2 == h {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
	if !NeedsRehash(h) {
		t.Error("NeedsRehash(cheap) = false")
	}
}

func TestDefaultParams(t *testing.T) {
	h, _ := HashPassword("pw")
	p, salt, key, err := Decode(h)
	if err != nil || p != Default || len(salt) != 16 || len(key) != 32 || p.Memory != 64*1024 {
		t.Fatalf("Decode(Hash) = %+v, %d, %d, %v", p, len(salt), len(key), err)
	}
	if NeedsRehash(h) {
		t.Error("NeedsRehash(Default) = true")
	}
}

// A vector computed with argon2-cffi over the reference C implementation
// (hash_password_raw(time_cost=16, memory_cost=2**15, parallelism=2,
// hash_len=32, password=b'password', salt=b'some salt', type=ID)).
func TestReferenceVector(t *testing.T) {
	const h = "$argon2id$v=19$m=32768,t=16,p=2$c29tZSBzYWx0$FX8h3T/fe6+3bSkjzK/6C3vny645RwlHTSvGbuewnT4"
	if ok, err := VerifyPassword(h, "password"); !ok || err != nil {
		t.Fatalf("VerifyPassword(reference) = %v, %v", ok, err)
	}
}

func TestDecodeRejects(t *testing.T) {
	for _, h := range []string{
		"",
		"$argon2i$v=19$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8",
		"$argon2id$v=16$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8",
		"$argon2id$v=19$t=1,m=64,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8",
		"$argon2id$v=19$m=4294967295,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8",
		"$argon2id$v=19$m=64,t=1000,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8",
		"$argon2id$v=19$m=64,t=1,p=0$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8",
		"$argon2id$v=19$m=64,t=1,p=1$c2$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8",
		"$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$!!",
		"$argon2id$v=19$m=64,t=1,p=1,x=2$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8",
	} {
		if _, _, _, err := Decode(h); err == nil {
			t.Errorf("Decode(%q) = nil error", h)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add("$argon2id$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8")
	f.Add("$argon2id$v=19$m=64,t=1,p=1$$")
	f.Fuzz(func(t *testing.T, s string) {
		p, salt, key, err := Decode(s)
		if err != nil {
			return
		}
		if p.Memory > 1<<20 || p.Time > 16 || p.Threads > 16 || len(salt) > 64 || len(key) > 64 {
			t.Fatalf("Decode(%q) accepted unbounded %+v", s, p)
		}
	})
}
