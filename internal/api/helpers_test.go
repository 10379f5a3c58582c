package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/pflicht/pflicht/internal/pgtest"
	"github.com/pflicht/pflicht/internal/store"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// The actors of the fixture. "A" roles belong to organisation A; B is
// the foreign organisation for them.
const (
	anonymous   = "anonymous"
	badToken    = "bad-token"
	memberA     = "member-a"
	orgAdminA   = "org-admin-a"
	readOnlyA   = "read-only-a"
	supervisor  = "supervisor"
	admin       = "admin"
	orgAdminB   = "org-admin-b"
	foreignMark = "Bravo-Secret" // appears in every record of B
)

// fixture is a seeded store: two organisations with an incident and a
// product each (one version with an SBOM and a finding), and a token per
// actor.
type fixture struct {
	t      testing.TB
	s      *store.Store
	h      http.Handler
	tokens map[string]string
	orgA   string
	orgB   string
	incA   string
	incB   string
	// The product, its version and the version's finding.
	prodA, verA, findA string
	prodB, verB, findB string
	uniq               int // the last number {uniq} gave
}

func newFixture(t testing.TB, s *store.Store, now func() time.Time) *fixture {
	t.Helper()
	ctx := context.Background()
	sys := store.System("test")
	f := &fixture{t: t, s: s, h: New(Config{Store: s, Now: now}), tokens: map[string]string{badToken: "pflicht_0000"}}
	users := map[string]store.User{}
	for _, u := range []struct {
		name string
		role store.Role
	}{{memberA, ""}, {orgAdminA, ""}, {supervisor, store.RoleSupervisor}, {admin, store.RoleAdmin}, {orgAdminB, ""}} {
		user, err := s.CreateUser(ctx, sys, u.name+"@example.org", "$argon2id$test", u.role)
		if err != nil {
			t.Fatal(err)
		}
		users[u.name] = user
		tok, _, err := s.CreateToken(ctx, sys, user.ID, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[u.name] = tok
	}
	ro, _, err := s.CreateToken(ctx, sys, users[memberA].ID, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.tokens[readOnlyA] = ro

	actor := func(name string) store.Actor { return store.Actor{UserID: users[name].ID} }
	a, err := s.CreateOrganisation(ctx, actor(orgAdminA), testProfile("Alpha GmbH", "alpha@example.org"), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddMember(ctx, actor(orgAdminA), a.ID, users[memberA].ID, store.RoleMember); err != nil {
		t.Fatal(err)
	}
	b, err := s.CreateOrganisation(ctx, actor(orgAdminB), testProfile(foreignMark+" AG", "bravo@example.org"), "")
	if err != nil {
		t.Fatal(err)
	}
	f.orgA, f.orgB = a.ID, b.ID
	f.incA = f.incident(f.orgA, "Alpha outage")
	f.incB = f.incident(f.orgB, foreignMark+" breach")
	f.prodA, f.verA, f.findA = f.product(actor(orgAdminA), f.orgA, "Alpha Router")
	f.prodB, f.verB, f.findB = f.product(actor(orgAdminB), f.orgB, foreignMark+" Router")
	return f
}

// product creates a product of org with version 1.0 (placed on the market
// 15.01.2028, supported five years, Annex III class I) and an SBOM with
// one finding, through the store; it returns their ids.
func (f *fixture) product(a store.Actor, org, name string) (prod, ver, finding string) {
	f.t.Helper()
	ctx := context.Background()
	p, err := f.s.CreateProduct(ctx, a, org, name)
	if err != nil {
		f.t.Fatal(err)
	}
	v, err := f.s.AddProductVersion(ctx, a, store.ProductVersion{ProductID: p.ID, Version: "1.0", SupportStart: "2028-01-15", SupportEnd: "2033-01-15",
		Categories: []string{"annex3.1.12"}})
	if err != nil {
		f.t.Fatal(err)
	}
	c := store.SBOMComponent{Ecosystem: "npm", Name: "left-pad", Version: "1.0.0", PURL: "pkg:npm/left-pad@1.0.0", Label: name + " left-pad"}
	up := store.SBOMUpload{VersionID: v.ID, Name: "bom.cdx.json", Format: "CycloneDX 1.6 JSON", Data: []byte(`{"name":"` + name + `"}`),
		Components: 1, Packages: []store.SBOMComponent{c}}
	found := store.Finding{PURL: c.PURL, Component: c.Label, ComponentVersion: c.Version, Ecosystem: c.Ecosystem, Package: c.Name,
		VulnID: "GHSA-aaaa-bbbb-cccc", Aliases: []string{"CVE-2026-0001"}, Severity: "HIGH", Summary: name + " flaw", Fixed: []string{"1.0.1"}}
	if _, _, err := f.s.AddSBOM(ctx, a, up, []store.Finding{found}); err != nil {
		f.t.Fatal(err)
	}
	fs, err := f.s.Findings(ctx, a, org, store.FindingFilter{VersionID: v.ID})
	if err != nil || len(fs) != 1 {
		f.t.Fatalf("findings %v, %v", fs, err)
	}
	return p.ID, v.ID, fs[0].ID
}

func testProfile(name, email string) store.Profile {
	return store.Profile{
		Name: name, Address: store.Address{Street: "Hauptstr. 1", PostalCode: "10115", City: "Berlin", Country: "DE"},
		Emails: []string{email}, Phones: []string{"+49 30 1234"}, Activities: []string{"A1-6.1.4"},
		Employees: 120, TurnoverEUR: 30_000_000, BalanceSheetEUR: 20_000_000,
	}
}

// incident creates a BSIG incident of org through the store, aware an
// hour ago, and returns its id.
func (f *fixture) incident(org, title string) string {
	f.t.Helper()
	inc, err := f.s.CreateIncident(context.Background(), store.System("test"),
		store.Incident{OrgID: org, Regime: store.RegimeBSIG, Title: title, AwareAt: time.Now().Add(-time.Hour)})
	if err != nil {
		f.t.Fatal(err)
	}
	return inc.ID
}

// expand replaces {orgA}, {orgB}, {incA}, {incB}, {newIncA}, {newIncB} (a
// fresh incident), {prodA}, {prodB}, {verA}, {verB}, {findA}, {findB} and
// {uniq} (a number not given before) in s.
func (f *fixture) expand(s string) string {
	for strings.Contains(s, "{uniq}") {
		f.uniq++
		s = strings.Replace(s, "{uniq}", strconv.Itoa(f.uniq), 1)
	}
	for _, r := range []struct{ key, org, title string }{{"{newIncA}", f.orgA, "Alpha fresh"}, {"{newIncB}", f.orgB, foreignMark + " fresh"}} {
		if strings.Contains(s, r.key) {
			s = strings.ReplaceAll(s, r.key, f.incident(r.org, r.title))
		}
	}
	return strings.NewReplacer("{orgA}", f.orgA, "{orgB}", f.orgB, "{incA}", f.incA, "{incB}", f.incB,
		"{prodA}", f.prodA, "{prodB}", f.prodB, "{verA}", f.verA, "{verB}", f.verB, "{findA}", f.findA, "{findB}", f.findB).Replace(s)
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request as actor with a JSON body (if body is not empty) and
// checks the response against the OpenAPI document.
func (f *fixture) do(method, path, actor, body string) response {
	f.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, prefix+path, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok, ok := f.tokens[actor]; ok {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return serve(f.t, f.h, req)
}

// serve runs req through h and validates the response against the schema
// the document gives for its route and status.
func serve(t testing.TB, h http.Handler, req *http.Request) response {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	res := response{status: w.Code, header: w.Header(), body: w.Body.Bytes()}
	checkResponse(t, req, res)
	return res
}

var (
	docOnce    sync.Once
	docSchemas *jsonschema.Compiler
	docErr     error
	compiled   sync.Map // schema location → *jsonschema.Schema
)

// schemaFor compiles the schema at a JSON pointer of the OpenAPI document.
func schemaFor(t testing.TB, pointer string) *jsonschema.Schema {
	t.Helper()
	docOnce.Do(func() {
		doc, err := openAPI(routes())
		if err != nil {
			docErr = err
			return
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
		if err != nil {
			docErr = err
			return
		}
		docSchemas = jsonschema.NewCompiler()
		docSchemas.DefaultDraft(jsonschema.Draft2020)
		docSchemas.AssertFormat()
		docErr = docSchemas.AddResource("urn:pflicht:openapi.json", v)
	})
	if docErr != nil {
		t.Fatal(docErr)
	}
	loc := "urn:pflicht:openapi.json#" + pointer
	if s, ok := compiled.Load(loc); ok {
		return s.(*jsonschema.Schema)
	}
	s, err := docSchemas.Compile(loc)
	if err != nil {
		t.Fatalf("compile %s: %v", loc, err)
	}
	compiled.Store(loc, s)
	return s
}

func pointerEscape(s string) string { return strings.NewReplacer("~", "~0", "/", "~1").Replace(s) }

// checkResponse validates res against the document: the status must be
// documented for the route, and the body must match its schema.
func checkResponse(t testing.TB, req *http.Request, res response) {
	t.Helper()
	rt := routeOf(req)
	if rt == nil {
		if res.status != http.StatusNotFound && res.status != http.StatusMethodNotAllowed {
			t.Errorf("%s %s: undocumented path answered %d", req.Method, req.URL.Path, res.status)
		}
		checkProblem(t, req, res)
		return
	}
	op := "/paths/" + pointerEscape(rt.path) + "/" + strings.ToLower(rt.method) + "/responses/"
	var ctype string
	switch {
	case res.status == rt.status:
		ctype = "application/json"
	case slices.Contains(rt.problems(), res.status):
		ctype = "application/problem+json"
	default:
		t.Errorf("%s %s: status %d is not documented for %s; body %s", req.Method, req.URL.Path, res.status, rt.opID, res.body)
		return
	}
	if got := res.header.Get("Content-Type"); got != ctype {
		t.Errorf("%s %s: Content-Type %q, want %q", req.Method, req.URL.Path, got, ctype)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(res.body))
	if err != nil {
		t.Errorf("%s %s: response is not JSON: %v: %s", req.Method, req.URL.Path, err, res.body)
		return
	}
	s := schemaFor(t, op+strconv.Itoa(res.status)+"/content/"+pointerEscape(ctype)+"/schema")
	if err := s.Validate(v); err != nil {
		t.Errorf("%s %s: %d response does not match the document: %v\nbody: %s", req.Method, req.URL.Path, res.status, err, res.body)
	}
}

func checkProblem(t testing.TB, req *http.Request, res response) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(res.body))
	if err != nil {
		t.Errorf("%s %s: problem is not JSON: %s", req.Method, req.URL.Path, res.body)
		return
	}
	if err := schemaFor(t, "/components/schemas/Problem").Validate(v); err != nil {
		t.Errorf("%s %s: not a problem: %v", req.Method, req.URL.Path, err)
	}
}

// routeOf finds the route serving req, as the mux would.
func routeOf(req *http.Request) *route {
	mux := http.NewServeMux()
	var found *route
	for _, rt := range routes() {
		mux.HandleFunc(rt.method+" "+prefix+rt.path, func(http.ResponseWriter, *http.Request) { found = rt })
	}
	mux.ServeHTTP(httptest.NewRecorder(), req.Clone(context.Background()))
	return found
}

// jsonValue decodes a response body for assertions.
func jsonValue(t testing.TB, body []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return v
}
