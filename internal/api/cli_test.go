package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pflicht/pflicht/internal/api"
	"github.com/pflicht/pflicht/internal/cli"
	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

// TestEnginesMatchCLI sends the same input to the API and to the CLI (in
// process, with --json) and requires the same JSON: the engine endpoints
// promise that a file working with `pflicht check|fine|deadline` works here.
func TestEnginesMatchCLI(t *testing.T) {
	s := storetest.Open(t, filepath.Join(t.TempDir(), "pflicht.db"))
	ctx := context.Background()
	sys := store.System("test")
	u, err := s.CreateUser(ctx, sys, "cli@example.org", "$argon2id$test", "")
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := s.CreateToken(ctx, sys, u.ID, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := api.New(api.Config{Store: s})
	for _, tc := range []struct{ command, input string }{
		{"check", `{"employees": 120, "turnover_eur": 30000000, "balance_sheet_eur": 20000000, "activities": ["A1-6.1.4", "A2-5.4.1"],
			"main_establishment": "non-EU", "representative": "none", "qualified_since": "2026-08-15", "as_of": "2026-11-23"}`},
		{"check", `{"kritis_operator": true, "activities": ["A1-1.1.2"], "as_of": "2025-12-05"}`},
		{"fine", `{"offence": "65.2.1a", "legal_person": true, "negligent": true, "as_of": "2026-11-23", "economic_benefit_eur": 25000000}`},
		{"fine", `{"offence": "cra.64.2.ew24", "micro_or_small": true, "as_of": "2028-01-10"}`},
		{"deadline", `{"regime": "bsig", "aware_at": "2026-11-20T09:00:00+01:00", "early_warning_at": "2026-11-20T20:00:00+01:00",
			"notified_at": "2026-11-23T08:00:00+01:00", "kritis_operator": true, "now": "2026-11-23T11:00:00+01:00"}`},
		{"deadline", `{"regime": "cra-vulnerability", "aware_at": "2026-10-01T10:17:00+02:00", "fix_available_at": "2026-10-05T15:00:00+02:00", "main_establishment": "DE",
			"now": "2026-11-23T11:00:00+01:00"}`},
	} {
		t.Run(tc.command, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := cli.Main([]string{tc.command, "--json"}, strings.NewReader(tc.input), &stdout, &stderr); code != 0 {
				t.Fatalf("pflicht %s: exit %d: %s", tc.command, code, stderr.String())
			}
			req := httptest.NewRequest("POST", "/api/v1/"+tc.command, strings.NewReader(tc.input))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+token)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != 200 {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			var got, want any
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(stdout.Bytes(), &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("the API answers\n%s\nthe CLI\n%s", w.Body, stdout.String())
			}
		})
	}
}
