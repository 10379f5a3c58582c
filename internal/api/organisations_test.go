package api

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

// smallProfile is below every size threshold of §28 BSIG; facts are
// spliced in before the closing brace.
const smallProfile = `{"name":"Leitstelle GmbH","address":{"city":"Berlin","country":"DE"},
	"emails":["noc@leitstelle.example"],"activities":["A1-1.1.2"],"employees":5,"turnover_eur":800000,"balance_sheet_eur":600000`

func withFacts(facts string) string {
	if facts == "" {
		return `{"profile":` + smallProfile + `}}`
	}
	return `{"profile":` + smallProfile + `,` + facts + `}}`
}

func TestOrganisationFacts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, nil)
		tomorrow := time.Now().AddDate(0, 0, 2).Format(time.DateOnly)
		for _, tc := range []struct {
			name, method, path, actor, body string
			status                          int
			want, not                       []string
		}{
			{"register", "POST", "/organisations/{orgA}/registration", orgAdminA, "", 201, nil, nil},
			{"small organisation has no class", "PUT", "/organisations/{orgA}", orgAdminA, withFacts(""), 200,
				[]string{`"class":"none"`}, []string{`"kritis_operator"`}},
			{"kritis operator whatever its size", "PUT", "/organisations/{orgA}", orgAdminA, withFacts(`"kritis_operator":true`), 200,
				[]string{`"class":"besonders_wichtig"`, `"kritis":true`, `"kritis_operator":true`, `"changed_fields":["kritis_operator"]`}, nil},
			{"qualified trust service provider", "PUT", "/organisations/{orgA}", orgAdminA, withFacts(`"kritis_operator":false,"qualified_trust_service_provider":true`), 200,
				[]string{`"class":"besonders_wichtig"`, `"kritis_operator":false`, `"changed_fields":["kritis_operator","qualified_trust_service_provider"]`}, nil},
			{"get keeps the facts", "GET", "/organisations/{orgA}", memberA, "", 200,
				[]string{`"qualified_trust_service_provider":true`, `"kritis_operator":false`}, []string{`"domain_registrar"`}},
			{"registrar outside the EU", "POST", "/organisations", memberA,
				withFacts(`"domain_registrar":true,"main_establishment":"non-EU","representative":"none","qualified_since":"2026-02-01",
					"eu_establishments":[{"city":"Wien","country":"AT"}]`), 201,
				[]string{`"domain_registrar":true`, `"id":"60.3-none"`, `"due_last_day":"2026-05-01"`}, nil},
			{"kritis contact point", "POST", "/organisations", memberA,
				withFacts(`"kritis_operator":true,"contact_point":{"name":"Leitstelle","phones":["+49 30 999"]}`), 201,
				[]string{`"contact_point":{"name":"Leitstelle"`}, nil},

			{"unknown field", "PUT", "/organisations/{orgA}", orgAdminA, withFacts(`"kritis":true`), 422, []string{`"field":"profile.kritis"`}, nil},
			{"unknown nested field", "PUT", "/organisations/{orgA}", orgAdminA, withFacts(`"contact_point":{"name":"x","fax":"1"}`), 422, []string{`"field":"profile.contact_point.fax"`}, nil},
			{"fact of the wrong type", "PUT", "/organisations/{orgA}", orgAdminA, withFacts(`"kritis_operator":"yes"`), 422, []string{`"field":"profile.kritis_operator"`}, nil},
			{"main establishment value", "PUT", "/organisations/{orgA}", orgAdminA, withFacts(`"main_establishment":"US"`), 422, []string{`"field":"profile.main_establishment"`}, nil},
			{"representative of an EU entity", "PUT", "/organisations/{orgA}", orgAdminA, withFacts(`"main_establishment":"DE","representative":"DE"`), 422, []string{`"field":"profile.representative"`}, nil},
			{"qualified since format", "PUT", "/organisations/{orgA}", orgAdminA, withFacts(`"qualified_since":"01.02.2026"`), 422, []string{`"field":"profile.qualified_since"`}, nil},
			{"qualified since ahead", "PUT", "/organisations/{orgA}", orgAdminA, withFacts(`"qualified_since":"` + tomorrow + `"`), 422, []string{`"field":"profile.qualified_since"`}, nil},
			{"kritis for dora alone", "PUT", "/organisations/{orgA}", orgAdminA, withFacts(`"kritis_for_dora":true`), 422, []string{`"field":"profile.kritis_for_dora"`}, nil},
			{"unreachable contact point", "PUT", "/organisations/{orgA}", orgAdminA, withFacts(`"contact_point":{"name":"x"}`), 422, []string{`"field":"profile.contact_point.emails"`}, nil},
			{"establishment without country", "PUT", "/organisations/{orgA}", orgAdminA, withFacts(`"eu_establishments":[{"city":"Wien"}]`), 422, []string{`"field":"profile.eu_establishments[0].country"`}, nil},
			{"main establishment address outside the EU", "PUT", "/organisations/{orgA}", orgAdminA,
				withFacts(`"main_establishment":"non-EU","main_establishment_address":{"city":"Zürich","country":"CH"}`), 422, []string{`"field":"profile.main_establishment_address"`}, nil},

			{"search the registry", "GET", "/organisations?q=BRAVO", supervisor, "", 200, []string{`"total":1`, foreignMark}, []string{"Alpha"}},
			{"search own organisations", "GET", "/organisations?q=bravo", memberA, "", 200, []string{`"total":0`}, nil},
			{"changed since registration", "GET", "/organisations?changed=true", supervisor, "", 200, []string{`"total":1`, `"registered_version":1`}, nil},
			{"changed filter value", "GET", "/organisations?changed=yes", supervisor, "", 400, []string{`"field":"changed"`}, nil},
			{"search too long", "GET", "/organisations?q=" + strings.Repeat("x", 301), supervisor, "", 400, []string{`"field":"q"`}, nil},
			{"openapi documents it", "GET", "/openapi.json", anonymous, "", 200, []string{`"kritis_operator"`, `"contact_point"`, `"name": "q"`}, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := f.do(tc.method, f.expand(tc.path), tc.actor, tc.body)
				if res.status != tc.status {
					t.Fatalf("status %d, want %d; body %s", res.status, tc.status, res.body)
				}
				for _, w := range tc.want {
					if !bytes.Contains(res.body, []byte(w)) {
						t.Errorf("body lacks %s:\n%s", w, res.body)
					}
				}
				for _, w := range tc.not {
					if bytes.Contains(res.body, []byte(w)) {
						t.Errorf("body has %s:\n%s", w, res.body)
					}
				}
			})
		}
	})
}
