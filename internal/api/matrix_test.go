package api

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

// matrixActors are the columns of the expected statuses; anonymous and an
// unknown token get 401 on every route but the public one.
var matrixActors = []string{memberA, orgAdminA, readOnlyA, supervisor, admin}

// TestAuthorisationMatrix calls every route as every role, on organisation
// A (its own for the A roles) and on organisation B (foreign to them), and
// checks the status and that no response to an A role or an anonymous
// caller carries anything of B.
func TestAuthorisationMatrix(t *testing.T) {
	rows := []struct {
		op, method, path, body string
		own, foreign           string // statuses for matrixActors; foreign "" for routes without an organisation
	}{
		{"getOpenAPI", "GET", "/openapi.json", "", "200 200 200 200 200", ""},
		{"check", "POST", "/check", checkBody, "200 200 200 200 200", ""},
		{"fine", "POST", "/fine", `{"offence":"65.2.6","as_of":"2026-11-23"}`, "200 200 200 200 200", ""},
		{"deadline", "POST", "/deadline", `{"regime":"cra-incident","aware_at":"2026-11-20T09:00:00+01:00"}`, "200 200 200 200 200", ""},
		{"listOrganisations", "GET", "/organisations", "", "200 200 200 200 200", ""},
		{"createOrganisation", "POST", "/organisations", `{"profile":` + alphaProfile + `}`, "201 201 403 403 201", ""},
		{"getOrganisation", "GET", "/organisations/{org}", "", "200 200 200 200 200", "404 404 404 200 200"},
		{"updateOrganisation", "PUT", "/organisations/{org}", `{"profile":` + alphaProfile + `}`, "403 200 403 403 200", "404 404 404 403 200"},
		{"submitRegistration", "POST", "/organisations/{org}/registration", "", "403 201 403 403 201", "404 404 404 403 201"},
		{"createIncident", "POST", "/organisations/{org}/incidents", `{"regime":"bsig","title":"T","aware_at":"2026-11-20T09:00:00+01:00"}`, "201 201 403 403 201", "404 404 404 403 201"},
		{"listIncidents", "GET", "/organisations/{org}/incidents", "", "200 200 200 200 200", "404 404 404 200 200"},
		{"getIncident", "GET", "/incidents/{inc}", "", "200 200 200 200 200", "404 404 404 200 200"},
		{"updateIncident", "PATCH", "/incidents/{inc}", `{"status":"open"}`, "200 200 403 403 200", "404 404 404 403 200"},
		{"submitIncidentReport", "POST", "/incidents/{newInc}/reports", earlyWarning, "201 201 403 403 201", "404 404 404 403 201"},
	}
	covered := map[string]bool{}
	for _, r := range rows {
		covered[r.op] = true
	}
	for _, rt := range routes() {
		if !covered[rt.opID] {
			t.Errorf("route %s is not in the matrix", rt.opID)
		}
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, nil)
		for _, r := range rows {
			targets := []struct{ name, org, inc, want string }{{"own", "{orgA}", "{incA}", r.own}}
			if r.foreign != "" {
				targets = append(targets, struct{ name, org, inc, want string }{"foreign", "{orgB}", "{incB}", r.foreign})
			}
			for _, tg := range targets {
				want := strings.Fields(tg.want)
				if len(want) != len(matrixActors) {
					t.Fatalf("%s %s: %d statuses for %d actors", r.op, tg.name, len(want), len(matrixActors))
				}
				expect := map[string]string{anonymous: "401", badToken: "401"}
				if r.op == "getOpenAPI" {
					expect = map[string]string{anonymous: "200", badToken: "200"}
				}
				for i, a := range matrixActors {
					expect[a] = want[i]
				}
				for _, actor := range append([]string{anonymous, badToken}, matrixActors...) {
					t.Run(r.op+"/"+tg.name+"/"+actor, func(t *testing.T) {
						path := strings.NewReplacer("{org}", tg.org, "{inc}", tg.inc, "{newInc}", strings.Replace(tg.inc, "{inc", "{newInc", 1)).Replace(r.path)
						body := r.body
						if tg.name == "foreign" { // keep B recognisable when an admin rewrites it
							body = strings.ReplaceAll(body, "Alpha GmbH", foreignMark+" AG")
						}
						res := f.do(r.method, f.expand(path), actor, body)
						if got := strconv.Itoa(res.status); got != expect[actor] {
							t.Errorf("status %s, want %s; body %.300s", got, expect[actor], res.body)
						}
						foreignVisible := actor == supervisor || actor == admin
						if !foreignVisible && bytes.Contains(res.body, []byte(foreignMark)) {
							t.Errorf("response carries organisation B's data: %.300s", res.body)
						}
					})
				}
			}
		}
	})
}
