package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pquerna/otp"

	"github.com/pflicht/pflicht/internal/auth"
	"github.com/pflicht/pflicht/internal/store"
)

func TestUserAdd(t *testing.T) {
	data := t.TempDir()
	out, errOut, code := runCLI(t, "correct horse battery\n", "user", "add", "CISO@example.org", "--role", "admin", "--data", data, "--lang", "en")
	if code != ExitOK || !strings.HasPrefix(out, "Created account ciso@example.org (role admin, id ") {
		t.Fatalf("user add: code %d, stdout %q, stderr %q", code, out, errOut)
	}
	s, err := store.Open(context.Background(), filepath.Join(data, "pflicht.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	u, err := s.UserByEmail(context.Background(), "ciso@example.org")
	if err != nil || u.Role != store.RoleAdmin {
		t.Fatalf("UserByEmail = %+v, %v", u, err)
	}
	if ok, err := auth.VerifyPassword(u.PasswordHash, "correct horse battery"); !ok || err != nil {
		t.Fatalf("stored hash does not verify the password: %v, %v", ok, err)
	}
	org, err := s.CreateOrganisation(context.Background(), store.System("test"), store.Profile{Name: "Acme"}, "")
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, code = runCLI(t, "another long password\n", "user", "add", "member@example.org", "--role", "org_admin", "--org", org.ID, "--data", data, "--json")
	var res map[string]string
	if code != ExitOK || json.Unmarshal([]byte(out), &res) != nil || res["org"] != org.ID || res["role"] != "org_admin" {
		t.Fatalf("user add --org: code %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestUserAddRejects(t *testing.T) {
	data := t.TempDir()
	for _, tc := range []struct {
		name, stdin string
		args        []string
		field       string
	}{
		{"short password", "short\n", []string{"a@example.org", "--role", "admin"}, "password (standard input)"},
		{"no password", "", []string{"a@example.org", "--role", "admin"}, "password (standard input)"},
		{"unknown role", "long enough password\n", []string{"a@example.org", "--role", "root"}, "--role"},
		{"member without org", "long enough password\n", []string{"a@example.org", "--role", "member"}, "--org"},
		{"admin with org", "long enough password\n", []string{"a@example.org", "--role", "admin", "--org", "X"}, "--org"},
		{"bad e-mail", "long enough password\n", []string{"not-an-email", "--role", "admin"}, "EMAIL"},
		{"unknown org", "long enough password\n", []string{"b@example.org", "--role", "member", "--org", "NOPE"}, "--org"},
		{"sqlite URL in --db", "long enough password\n", []string{"a@example.org", "--role", "admin", "--db", "sqlite:///x"}, "--db"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := runCLI(t, tc.stdin, append([]string{"user", "add", "--data", data}, tc.args...)...)
			if code != ExitInput || !strings.Contains(errOut, tc.field+":") {
				t.Fatalf("code %d, stderr %q; want exit 2 naming %s", code, errOut, tc.field)
			}
		})
	}
	// A second account with the same address is a conflict.
	runCLI(t, "long enough password\n", "user", "add", "dup@example.org", "--role", "admin", "--data", data)
	if _, errOut, code := runCLI(t, "long enough password\n", "user", "add", "dup@example.org", "--role", "admin", "--data", data); code != ExitInput {
		t.Fatalf("duplicate: code %d, stderr %q", code, errOut)
	}
}

func TestTokenCreate(t *testing.T) {
	data := t.TempDir()
	runCLI(t, "long enough password\n", "user", "add", "ci@example.org", "--role", "supervisor", "--data", data)
	out, errOut, code := runCLI(t, "", "token", "create", "--user", "ci@example.org", "--expires", "30d", "--read-only", "--data", data, "--lang", "en")
	token := strings.TrimSpace(out)
	if code != ExitOK || !strings.HasPrefix(token, "pflicht_") || !strings.Contains(errOut, "expires: 2026-12-23T10:00:00Z") {
		t.Fatalf("token create: code %d, stdout %q, stderr %q", code, out, errOut)
	}
	s, err := store.Open(context.Background(), filepath.Join(data, "pflicht.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a, err := s.TokenActor(context.Background(), token)
	if err != nil || a.Role != store.RoleSupervisor || !a.ReadOnly {
		t.Fatalf("TokenActor = %+v, %v", a, err)
	}
	for _, args := range [][]string{
		{"--user", "nobody@example.org"},
		{"--user", "ci@example.org", "--expires", "soon"},
		{"--user", "ci@example.org", "--expires", "-1d"},
	} {
		if _, errOut, code := runCLI(t, "", append([]string{"token", "create", "--data", data}, args...)...); code != ExitInput {
			t.Errorf("token create %v: code %d, stderr %q; want 2", args, code, errOut)
		}
	}
}

func TestAuditVerify(t *testing.T) {
	data := t.TempDir()
	runCLI(t, "long enough password\n", "user", "add", "a@example.org", "--role", "admin", "--data", data)
	runCLI(t, "long enough password\n", "user", "add", "b@example.org", "--role", "admin", "--data", data)
	out, errOut, code := runCLI(t, "", "audit", "verify", "--data", data, "--lang", "en")
	if code != ExitOK {
		t.Fatalf("intact: code %d, stderr %q", code, errOut)
	}
	golden(t, "audit_verify_intact_en", out)

	s, err := store.Open(context.Background(), filepath.Join(data, "pflicht.db"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	err = s.Tx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 1")
		return err
	})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	_, errOut, code = runCLI(t, "", "audit", "verify", "--data", data, "--lang", "en")
	if code != ExitFindings || !strings.Contains(errOut, "audit trail broken at record 1 (create user ") || !strings.Contains(errOut, "by mallory") {
		t.Fatalf("tampered: code %d, stderr %q", code, errOut)
	}
	out, _, code = runCLI(t, "", "audit", "verify", "--data", data, "--json")
	if code != ExitFindings || !strings.Contains(out, `"intact": false`) || !strings.Contains(out, `"seq": 1`) {
		t.Fatalf("tampered --json: code %d, stdout %q", code, out)
	}
}

func TestUserTOTP(t *testing.T) {
	data := t.TempDir()
	out, errOut, code := runCLI(t, "long enough password\n", "user", "add", "ciso@example.org", "--role", "admin", "--totp", "--data", data, "--lang", "en")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != ExitOK || len(lines) != 3 || !strings.HasPrefix(lines[2], "otpauth://totp/pflicht:ciso@example.org?") {
		t.Fatalf("user add --totp: code %d, stdout %q, stderr %q", code, out, errOut)
	}
	k, err := otp.NewKeyFromURL(lines[2])
	if err != nil {
		t.Fatal(err)
	}
	totpSecret := func() string {
		s, err := store.Open(context.Background(), filepath.Join(data, "pflicht.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		u, err := s.UserByEmail(context.Background(), "ciso@example.org")
		if err != nil {
			t.Fatal(err)
		}
		return u.TOTPSecret
	}
	if got := totpSecret(); got != k.Secret() {
		t.Fatalf("stored secret %q, printed %q", got, k.Secret())
	}
	out, errOut, code = runCLI(t, "", "user", "reset-totp", "ciso@example.org", "--data", data, "--json")
	var res map[string]any
	if code != ExitOK || json.Unmarshal([]byte(out), &res) != nil || res["totp"] != false {
		t.Fatalf("reset-totp: code %d, stdout %q, stderr %q", code, out, errOut)
	}
	if got := totpSecret(); got != "" {
		t.Errorf("secret after reset: %q", got)
	}
	if _, errOut, code := runCLI(t, "", "user", "reset-totp", "nobody@example.org", "--data", data); code != ExitInput || !strings.Contains(errOut, "EMAIL:") {
		t.Errorf("reset-totp of an unknown user: code %d, stderr %q", code, errOut)
	}
}
