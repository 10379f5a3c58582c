package api

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

// interimRequest is the authority's request for an interim report, a
// minute before the matrix runs (after the fixture's incidents' awareness).
var interimRequest = fmt.Sprintf(`{"interim_requested_at":%q}`, time.Now().Add(-time.Minute).UTC().Format(time.RFC3339))

// sbomBody is a CycloneDX SBOM of one component.
const sbomBody = `{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[{"type":"library","name":"left-pad","version":"1.0.0","purl":"pkg:npm/left-pad@1.0.0"}]}`

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
		// The organisation records its own events, the supervisor the authority's request.
		{"recordIncidentEvents", "POST", "/incidents/{inc}/events", `{"incident_ongoing":true}`, "200 200 403 403 200", "404 404 404 403 200"},
		{"recordIncidentEvents", "POST", "/incidents/{inc}/events", interimRequest, "403 403 403 200 403", "404 404 404 200 403"},
		{"listAllIncidents", "GET", "/incidents?overdue=false", "", "200 200 200 200 200", ""},
		{"listProducts", "GET", "/organisations/{org}/products", "", "200 200 200 200 200", "404 404 404 200 200"},
		{"createProduct", "POST", "/organisations/{org}/products", `{"name":"Switch"}`, "201 201 403 403 201", "404 404 404 403 201"},
		{"getProduct", "GET", "/products/{prod}", "", "200 200 200 200 200", "404 404 404 200 200"},
		{"addProductVersion", "POST", "/products/{prod}/versions", `{"version":"2.{uniq}","placed_on":"2028-06-01","support_years":5}`, "201 201 403 403 201", "404 404 404 403 201"},
		{"updateProductVersion", "PATCH", "/versions/{ver}", `{"support_years":6}`, "200 200 403 403 200", "404 404 404 403 200"},
		{"listFindings", "GET", "/versions/{ver}/findings?kev=false", "", "200 200 200 200 200", "404 404 404 200 200"},
		{"decideFinding", "POST", "/findings/{find}/decision", `{"status":"affected","note":"reachable"}`, "200 200 403 403 200", "404 404 404 403 200"},
		// Last: an upload marks the fixture's finding gone.
		{"uploadSBOM", "POST", "/versions/{ver}/sbom", sbomBody, "201 201 403 403 201", "404 404 404 403 201"},
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
			// Each target is the suffix of its records' placeholders: {orgA}, {prodA}, ….
			targets := []struct{ name, suffix, want string }{{"own", "A", r.own}}
			if r.foreign != "" {
				targets = append(targets, struct{ name, suffix, want string }{"foreign", "B", r.foreign})
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
						var pairs []string
						for _, k := range []string{"org", "inc", "newInc", "prod", "ver", "find"} {
							pairs = append(pairs, "{"+k+"}", "{"+k+tg.suffix+"}")
						}
						path := strings.NewReplacer(pairs...).Replace(r.path)
						body := f.expand(r.body)
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
