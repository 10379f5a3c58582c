package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/store"
)

// tokenFixture makes an account with three tokens whose ids, prefixes and
// times are fixed (the store would give random ids and its own clock), so
// token list can be compared with goldens at the pinned clock. It returns
// the data directory and the store, open on it.
func tokenFixture(t *testing.T) (string, *store.Store) {
	t.Helper()
	data := t.TempDir()
	for _, email := range []string{"ci@example.org", "other@example.org", "idle@example.org"} {
		if _, errOut, code := runCLI(t, "long enough password\n", "user", "add", email, "--role", "admin", "--data", data); code != ExitOK {
			t.Fatalf("user add: %d %s", code, errOut)
		}
	}
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(data, "pflicht.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	u, err := s.UserByEmail(ctx, "ci@example.org")
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.UserByEmail(ctx, "other@example.org")
	if err != nil {
		t.Fatal(err)
	}
	at := func(d time.Duration) *time.Time { x := fixedNow.Add(d); return &x }
	for i, tc := range []struct {
		user, id, prefix string
		readOnly         bool
		created          time.Time
		expires, used    *time.Time
	}{
		{u.ID, "TOKENWRITE", "pflicht_aaaaaa", false, fixedNow.Add(-30 * 24 * time.Hour), at(60 * 24 * time.Hour), at(-time.Hour)},
		{u.ID, "TOKENREAD", "pflicht_bbbbbb", true, fixedNow.Add(-20 * 24 * time.Hour), nil, nil},
		{u.ID, "TOKENOLD", "pflicht_cccccc", false, fixedNow.Add(-10 * 24 * time.Hour), at(-24 * time.Hour), at(-48 * time.Hour)},
		{other.ID, "TOKENOTHER", "pflicht_dddddd", false, fixedNow.Add(-24 * time.Hour), nil, nil},
	} {
		_, info, err := s.CreateToken(ctx, store.System("test"), tc.user, tc.readOnly, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Tx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE api_tokens SET id = ?, prefix = ?, created_at = ?, expires_at = ?, last_used_at = ? WHERE id = ?",
				tc.id, tc.prefix, tc.created, tc.expires, tc.used, info.ID)
			return err
		}); err != nil {
			t.Fatalf("fixture %d: %v", i, err)
		}
	}
	return data, s
}

func TestTokenList(t *testing.T) {
	data, s := tokenFixture(t)
	u, err := s.UserByEmail(context.Background(), "ci@example.org")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, lang, json string }{
		{"token_list_en", "en", ""},
		{"token_list_de", "de", ""},
		{"token_list_json", "en", "--json"},
	} {
		args := []string{"token", "list", "--user", "CI@example.org", "--data", data, "--lang", tc.lang}
		if tc.json != "" {
			args = append(args, tc.json)
		}
		out, errOut, code := runCLI(t, "", args...)
		if code != ExitOK {
			t.Fatalf("%s: code %d, stderr %q", tc.name, code, errOut)
		}
		// The account's id is random.
		golden(t, tc.name, strings.ReplaceAll(out, u.ID, "USERID"))
	}
	out, _, code := runCLI(t, "", "token", "list", "--user", "idle@example.org", "--data", data, "--lang", "en")
	if code != ExitOK || out != "idle@example.org has no API tokens.\n" {
		t.Errorf("no tokens: code %d, %q", code, out)
	}
	out, _, code = runCLI(t, "", "token", "list", "--user", "idle@example.org", "--data", data, "--json")
	if code != ExitOK || !strings.Contains(out, `"tokens": []`) {
		t.Errorf("no tokens --json: code %d, %q", code, out)
	}
	for _, tc := range []struct {
		args  []string
		field string
	}{
		{[]string{"--user", "nobody@example.org"}, "--user:"},
		{[]string{"--user", "ci@example.org", "extra"}, "unknown command"},
	} {
		if _, errOut, code := runCLI(t, "", append([]string{"token", "list", "--data", data}, tc.args...)...); code != ExitInput || !strings.Contains(errOut, tc.field) {
			t.Errorf("token list %v: code %d, stderr %q; want 2 naming %s", tc.args, code, errOut, tc.field)
		}
	}
}

func TestTokenRevoke(t *testing.T) {
	data, s := tokenFixture(t)
	ctx := context.Background()
	out, errOut, code := runCLI(t, "", "token", "revoke", "TOKENWRITE", "--data", data, "--lang", "en")
	if code != ExitOK || out != "API token TOKENWRITE is revoked.\n" {
		t.Fatalf("revoke: code %d, stdout %q, stderr %q", code, out, errOut)
	}
	u, _ := s.UserByEmail(ctx, "ci@example.org")
	list, err := s.Tokens(ctx, store.System("test"), u.ID)
	if err != nil || len(list) != 2 || list[0].ID != "TOKENREAD" {
		t.Fatalf("after revoke: %+v, %v", list, err)
	}
	audited := false
	for row, err := range s.AuditRows(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		audited = audited || row.Action == "revoke" && row.Entity == "api_token" && row.EntityID == "TOKENWRITE" && row.Actor == "cli"
	}
	if !audited {
		t.Error("the revocation is not in the audit trail")
	}
	out, _, code = runCLI(t, "", "token", "revoke", "TOKENOTHER", "--data", data, "--json")
	if code != ExitOK || !strings.Contains(out, `"revoked": true`) {
		t.Errorf("revoke --json: code %d, %q", code, out)
	}
	out, _, code = runCLI(t, "", "token", "revoke", "TOKENREAD", "--data", data, "--lang", "de")
	if code != ExitOK || out != "API-Token TOKENREAD ist widerrufen.\n" {
		t.Errorf("revoke de: code %d, %q", code, out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"TOKENWRITE"}, `ID: no API token with id "TOKENWRITE"`}, // revoked already
		{[]string{"<script>"}, `ID: no API token with id "<script>"`},
		{nil, "accepts 1 arg"},
	} {
		if _, errOut, code := runCLI(t, "", append([]string{"token", "revoke", "--data", data}, tc.args...)...); code != ExitInput || !strings.Contains(errOut, tc.want) {
			t.Errorf("revoke %v: code %d, stderr %q; want 2 with %q", tc.args, code, errOut, tc.want)
		}
	}
}
