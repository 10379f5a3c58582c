package cli

import (
	"strings"
	"testing"

	"github.com/pflicht/pflicht/internal/clock"
	"github.com/pflicht/pflicht/internal/cra"
	"github.com/pflicht/pflicht/internal/fines"
	"github.com/pflicht/pflicht/internal/law"
	"github.com/pflicht/pflicht/internal/scope"
)

// TestRuleIDsUniqueAcrossPackages: `pflicht law ID` shows the first rule with
// that id, so an id used by two engines would hide one of them. Ids must be
// unique across every engine's Rules(), and the shared entry into force of
// BSIG 2025 must be listed exactly once.
func TestRuleIDsUniqueAcrossPackages(t *testing.T) {
	owner := map[string]string{}
	for _, part := range []struct {
		pkg   string
		rules []law.Rule
	}{
		{"scope", scope.Rules()}, {"fines", fines.Rules()}, {"clock", clock.Rules()}, {"cra", cra.Rules()},
	} {
		for _, r := range part.rules {
			if prev, dup := owner[r.ID]; dup {
				t.Errorf("rule id %s is used by %s and %s", r.ID, prev, part.pkg)
			}
			owner[r.ID] = part.pkg
		}
	}
	if owner[law.IDBSIG2025] != "scope" {
		t.Errorf("%s listed by %q, want scope", law.IDBSIG2025, owner[law.IDBSIG2025])
	}
	// Both former holders of cra.71.2 stay visible under their own ids.
	for _, id := range []string{"cra.71.2", "cra.71.2.art64"} {
		if owner[id] == "" {
			t.Errorf("rule %s missing", id)
		}
	}
}

// TestLawShowsEachRule: every id resolves to its own rule in `pflicht law ID`.
func TestLawShowsEachRule(t *testing.T) {
	for _, id := range []string{"cra.71.2", "cra.71.2.art64", law.IDBSIG2025, "bsig.63", "bsig.64", "cra.14.7.no-eu", "elapsed.hours"} {
		out, errOut, code := runCLI(t, "", "law", "--lang", "en", id)
		if code != ExitOK {
			t.Errorf("pflicht law %s: exit %d: %s", id, code, errOut)
			continue
		}
		first, _, _ := strings.Cut(out, "\n")
		if f := strings.Fields(first); len(f) != 2 || f[0] != "ID:" || f[1] != id {
			t.Errorf("pflicht law %s shows:\n%s", id, out)
		}
	}
}
