package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pflicht/pflicht/internal/cra"
	"github.com/pflicht/pflicht/internal/facts"
	"github.com/pflicht/pflicht/internal/findings"
	"github.com/pflicht/pflicht/internal/osv"
	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
	"github.com/pflicht/pflicht/internal/testdata"
	"github.com/pflicht/pflicht/internal/vex"
)

// TestProducts: products and versions through the API, with the same
// checks and the same engine answers as the portal (facts), each refusal
// naming its field.
func TestProducts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, nil)
		res := f.do("POST", "/organisations/"+f.orgA+"/products", memberA, `{"name":" Gateway <b>Z</b> "}`)
		if res.status != 201 || res.header.Get("Location") != prefix+"/products/"+jsonValue(t, res.body)["id"].(string) {
			t.Fatalf("create: %d %s %v", res.status, res.body, res.header)
		}
		prod := "/products/" + jsonValue(t, res.body)["id"].(string)
		for _, tc := range []struct {
			name, method, path, actor, body string
			status                          int
			want                            []string // fragments of the compact JSON body
		}{
			{"name stored as given, trimmed", "GET", prod, readOnlyA, "", 200, []string{`"name":"Gateway <b>Z</b>"`, `"versions":[]`}},
			{"product without name", "POST", "/organisations/{orgA}/products", memberA, `{"name":"  "}`, 422, []string{`"field":"name"`}},
			{"product name too long", "POST", "/organisations/{orgA}/products", memberA, `{"name":"` + strings.Repeat("x", 201) + `"}`, 422, []string{`"field":"name"`}},
			{"product unknown field", "POST", "/organisations/{orgA}/products", memberA, `{"name":"X","class":"critical"}`, 422, []string{`"field":"class","message":"unknown field"`}},
			{"product wrong type", "POST", "/organisations/{orgA}/products", memberA, `{"name":7}`, 422, []string{`"field":"name"`}},

			{"version by years", "POST", prod + "/versions", memberA,
				`{"version":"1.0","placed_on":"2028-01-15","support_years":5,"categories":["annex3.1.12","annex3.1.12"],"harmonised_standards":true}`, 201,
				[]string{`"support_start":"2028-01-15","support_end":"2033-01-15","categories":["annex3.1.12"]`,
					`"class":{"class":"important_class_1","reasons":[{"category":"annex3.1.12","citation":"Anhang III`,
					`"rule_status":"`, `"id":"module_a"`, `"open":true`,
					`"support":{"placed_on":"2028-01-15","end":"2033-01-15","end_citation":"Art. 13 Abs. 8 VO (EU) 2024/2847","statement":"2033-01"`,
					`"state":"not_placed"`, `"status":"UNVERIFIED"`, `"open_findings":0`}},
			{"version by end date under five years", "POST", prod + "/versions", memberA,
				`{"version":"1.1","placed_on":"2028-01-15","support_end":"2030-06-30"}`, 201,
				[]string{`"support_end":"2030-06-30"`, `"class":{"class":"default","reasons":[]}`, `under 5 years`}},
			{"version without period", "POST", prod + "/versions", memberA, `{"version":"0.9"}`, 201, []string{`"support":null`, `"support_start":""`}},
			{"version exists", "POST", prod + "/versions", memberA, `{"version":"1.0"}`, 409, []string{`"status":409`}},
			{"version missing", "POST", prod + "/versions", memberA, `{"placed_on":"2028-01-15"}`, 422, []string{`"field":"version"`}},
			{"years and end", "POST", prod + "/versions", memberA, `{"version":"2","placed_on":"2028-01-15","support_years":5,"support_end":"2033-01-15"}`, 422,
				[]string{`"field":"support_years","message":"give either support_years or support_end, not both"`}},
			{"period without placing day", "POST", prod + "/versions", memberA, `{"version":"2","support_years":5}`, 422, []string{`"field":"placed_on"`}},
			{"bad dates", "POST", prod + "/versions", memberA, `{"version":"2","placed_on":"15.01.2028","support_end":"2033-02-30"}`, 422,
				[]string{`"field":"placed_on","message":"not a date YYYY-MM-DD"`, `"field":"support_end"`}},
			{"zero years", "POST", prod + "/versions", memberA, `{"version":"2","placed_on":"2028-01-15","support_years":0}`, 422, []string{`"field":"support_years","message":"not allowed: `}},
			{"years past the engine's limit", "POST", prod + "/versions", memberA, `{"version":"2","placed_on":"2028-01-15","support_years":101}`, 422, []string{`"field":"support_years","message":"not allowed: `}},
			{"end past the engine's limit", "POST", prod + "/versions", memberA, `{"version":"2","placed_on":"2028-01-15","support_end":"2200-01-01"}`, 422, []string{`"field":"support_end","message":"not allowed: `}},
			{"end before placing", "POST", prod + "/versions", memberA, `{"version":"2","placed_on":"2028-01-15","support_end":"2027-01-01"}`, 422, []string{`"field":"support_end"`}},
			{"unknown category", "POST", prod + "/versions", memberA, `{"version":"2","categories":["annex9.9"]}`, 422, []string{`"field":"categories"`}},
			{"every error at once", "POST", prod + "/versions", memberA, `{"version":"","support_years":5,"categories":["x"]}`, 422,
				[]string{`"field":"version"`, `"field":"placed_on"`, `"field":"categories"`}},
			{"years not an integer", "POST", prod + "/versions", memberA, `{"version":"2","placed_on":"2028-01-15","support_years":5.5}`, 422, []string{`"field":"support_years"`}},
			{"unknown version field", "POST", prod + "/versions", memberA, `{"version":"2","support":5}`, 422, []string{`"field":"support","message":"unknown field"`}},
			{"foreign product", "POST", "/products/{prodB}/versions", memberA, `{"version":"2"}`, 404, []string{`"status":404`}},

			{"list", "GET", "/organisations/{orgA}/products", supervisor, "", 200, []string{`"name":"Alpha Router"`, `"name":"Gateway <b>Z</b>"`, `"open_findings":1`}},
			{"foreign list", "GET", "/organisations/{orgB}/products", memberA, "", 404, []string{`"status":404`}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := f.do(tc.method, f.expand(tc.path), tc.actor, tc.body)
				if res.status != tc.status {
					t.Fatalf("status %d, want %d: %s", res.status, tc.status, res.body)
				}
				for _, w := range tc.want {
					if !strings.Contains(string(res.body), w) {
						t.Errorf("body lacks %s:\n%s", w, res.body)
					}
				}
			})
		}
	})
}

// TestUpdateProductVersion: absent fields keep their stored value; the
// stored period is placed_on and support_end.
func TestUpdateProductVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, nil)
		path := "/versions/" + f.verA // 2028-01-15 to 2033-01-15, annex3.1.12
		for _, tc := range []struct {
			name, body string
			status     int
			want       []string
		}{
			{"years from the stored placing day", `{"support_years":10}`, 200, []string{`"support_start":"2028-01-15","support_end":"2038-01-15","categories":["annex3.1.12"]`}},
			{"new placing day keeps the end", `{"placed_on":"2029-01-15"}`, 200, []string{`"support_start":"2029-01-15","support_end":"2038-01-15"`}},
			{"categories cleared, facts set", `{"categories":[],"foss_public_docs":true}`, 200,
				[]string{`"categories":[],"harmonised_standards":false,"foss_public_docs":true`, `"class":{"class":"default"`, `"open_findings":1`}},
			{"end before the stored placing day", `{"support_end":"2028-01-01"}`, 422, []string{`"field":"support_end"`}},
			{"placing day removed under an end", `{"placed_on":""}`, 422, []string{`"field":"placed_on"`}},
			{"period removed", `{"placed_on":"","support_end":""}`, 200, []string{`"support_start":"","support_end":""`, `"support":null`}},
			{"version string is not changed here", `{"version":"9"}`, 422, []string{`"field":"version","message":"unknown field"`}},
			{"null keeps", `{"eu_scheme":null}`, 200, []string{`"foss_public_docs":true,"eu_scheme":false`}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := f.do("PATCH", path, memberA, tc.body)
				if res.status != tc.status {
					t.Fatalf("status %d, want %d: %s", res.status, tc.status, res.body)
				}
				for _, w := range tc.want {
					if !strings.Contains(string(res.body), w) {
						t.Errorf("body lacks %s:\n%s", w, res.body)
					}
				}
			})
		}
		if res := f.do("PATCH", "/versions/"+f.verB, memberA, `{}`); res.status != 404 {
			t.Errorf("foreign version: %d", res.status)
		}
	})
}

// upload sends body as the SBOM of version, as actor.
func (f *fixture) upload(version, actor, query, ctype string, body io.Reader, length int64) response {
	f.t.Helper()
	req := httptest.NewRequest("POST", prefix+"/versions/"+version+"/sbom"+query, body)
	req.ContentLength = length
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Authorization", "Bearer "+f.tokens[actor])
	return serve(f.t, f.h, req)
}

// TestUploadSBOMAndDecide uploads a real SBOM against real advisories: the
// libwebp overflow (CVE-2023-4863) is in CISA's catalogue, so its finding
// is known exploited and opens a CRA Art. 14 track; a VEX decision is
// recorded with its history.
func TestUploadSBOMAndDecide(t *testing.T) {
	bom, err := os.ReadFile("../findings/testdata/router-1.0.cdx.json")
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var recs []osv.Record
		if _, err := osv.Walk([]string{testdata.Shared(t, "rustsec-advisory-db-osv/crates/RUSTSEC-2023-0061.json")}, osv.Options{},
			func(r osv.Record) error { recs = append(recs, r); return nil }); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ImportVulns(ctx, "test", recs); err != nil {
			t.Fatal(err)
		}
		kevPath := testdata.Shared(t, "cisa-kev/known_exploited_vulnerabilities.json")
		data, err := os.ReadFile(kevPath)
		if err != nil {
			t.Fatal(err)
		}
		kev, err := osv.ParseCISAKEV(data)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ImportKEV(ctx, kevPath, kev); err != nil {
			t.Fatal(err)
		}
		f := newFixture(t, s, nil)
		// On the market since January: Art. 14 applies to its vulnerabilities.
		if res := f.do("PATCH", "/versions/"+f.verA, memberA, `{"placed_on":"2026-01-15","support_years":5}`); res.status != 200 {
			t.Fatalf("patch: %d %s", res.status, res.body)
		}
		res := f.upload(f.verA, memberA, "?name=router-1.0.cdx.json", "application/vnd.cyclonedx+json", strings.NewReader(string(bom)), int64(len(bom)))
		if res.status != 201 {
			t.Fatalf("upload: %d %s", res.status, res.body)
		}
		for _, w := range []string{`"name":"router-1.0.cdx.json"`, `"format":"CycloneDX 1.5 JSON"`, `"components":6`, `"component":"wifi-firmware`,
			`"known_exploited":1`, `"gone":1`, `"regime":"cra-vulnerability"`, `"problems":[]`} {
			if !strings.Contains(string(res.body), w) {
				t.Errorf("upload answer lacks %s:\n%s", w, res.body)
			}
		}
		var up struct {
			Opened []struct{ ID string } `json:"opened"`
		}
		if err := json.Unmarshal(res.body, &up); err != nil || len(up.Opened) != 1 {
			t.Fatalf("opened %+v, %v", up.Opened, err)
		}

		res = f.do("GET", "/versions/"+f.verA+"/findings?kev=true", readOnlyA, "")
		var list struct {
			Items []store.Finding `json:"items"`
		}
		if err := json.Unmarshal(res.body, &list); err != nil || res.status != 200 || len(list.Items) != 1 ||
			!list.Items[0].KnownExploited || list.Items[0].IncidentID != up.Opened[0].ID {
			t.Fatalf("kev findings: %d %s", res.status, res.body)
		}
		webp := list.Items[0].ID
		if res := f.do("GET", "/versions/"+f.verA+"/findings?gone=true", memberA, ""); !strings.Contains(string(res.body), `"gone":true`) {
			t.Errorf("gone findings not listed: %s", res.body)
		}
		for _, tc := range []struct {
			name, path, body string
			status           int
			want             string
		}{
			{"not affected without justification", webp, `{"status":"not_affected"}`, 422, `"field":"justification"`},
			{"justification with affected", webp, `{"status":"affected","justification":"component_not_present"}`, 422, `"field":"justification"`},
			{"unknown status", webp, `{"status":"maybe"}`, 422, `"field":"status"`},
			{"no status", webp, `{"note":"x"}`, 422, `"field":"status"`},
			{"note too long", webp, `{"status":"affected","note":"` + strings.Repeat("x", 4001) + `"}`, 422, `"field":"note"`},
			{"decided", webp, `{"status":"not_affected","justification":"vulnerable_code_not_in_execute_path","note":"<script>x</script> not called"}`, 200,
				`"status":"not_affected","justification":"vulnerable_code_not_in_execute_path","note":"<script>x</script> not called","decided_by":"user:`},
			{"foreign finding", f.findB, `{"status":"affected"}`, 404, `"status":404`},
		} {
			res := f.do("POST", "/findings/"+tc.path+"/decision", memberA, tc.body)
			if res.status != tc.status || !strings.Contains(string(res.body), tc.want) {
				t.Errorf("%s: %d %.600s; want %d with %s", tc.name, res.status, res.body, tc.status, tc.want)
			}
		}
		res = f.do("GET", "/versions/"+f.verA+"/findings?status=not_affected", memberA, "")
		if !strings.Contains(string(res.body), `"id":"`+webp+`"`) || strings.Count(string(res.body), `"vuln_id"`) != 1 {
			t.Errorf("status filter: %s", res.body)
		}
		for _, q := range []string{"?status=maybe", "?kev=1", "?gone=yes", "?severity=high"} {
			if res := f.do("GET", "/versions/"+f.verA+"/findings"+q, memberA, ""); res.status != 400 {
				t.Errorf("%s: %d %s", q, res.status, res.body)
			}
		}
	})
}

// zeros reads as many zero bytes as asked for.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestUploadSBOMBadInput: an unreadable, empty, misnamed, form-encoded or
// oversized upload is refused naming the field, and nothing is stored.
func TestUploadSBOMBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, nil)
		for _, tc := range []struct {
			name, query, ctype, body string
			length                   int64 // -1: streamed, no Content-Length
			status                   int
			want                     string
		}{
			{"broken JSON", "?name=broken.cdx.json", "application/json", `{"bomFormat":"CycloneDX","components":[`, 0, 422, `"field":"body","message":"broken.cdx.json: `},
			{"empty", "", "application/json", "", 0, 422, `"field":"body"`},
			{"not an SBOM", "", "text/plain", "hello", 0, 422, `"field":"body"`},
			{"name too long", "?name=" + strings.Repeat("n", 256), "application/json", sbomBody, 0, 422, `"field":"name"`},
			{"form", "", "multipart/form-data; boundary=x", sbomBody, 0, 415, `"status":415`},
			{"declared too large", "", "application/json", sbomBody, findings.MaxSBOMBytes + 1, 413, `"status":413`},
			{"unknown query parameter", "?format=cdx", "application/json", sbomBody, 0, 400, `"field":"format"`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				length := tc.length
				if length == 0 {
					length = int64(len(tc.body))
				}
				res := f.upload(f.verA, memberA, tc.query, tc.ctype, strings.NewReader(tc.body), length)
				if res.status != tc.status || !strings.Contains(string(res.body), tc.want) {
					t.Errorf("%d %.400s; want %d with %s", res.status, res.body, tc.status, tc.want)
				}
			})
		}
		t.Run("streamed too large", func(t *testing.T) {
			res := f.upload(f.verA, memberA, "", "application/octet-stream", io.LimitReader(zeros{}, findings.MaxSBOMBytes+1), -1)
			if res.status != 413 {
				t.Errorf("%d %.400s", res.status, res.body)
			}
		})
		sboms, err := s.SBOMs(context.Background(), store.System("test"), f.verA)
		if err != nil || len(sboms) != 1 {
			t.Errorf("stored SBOMs %d, %v; want only the fixture's", len(sboms), err)
		}
	})
}

// TestProductEnumsMatchEngines pins the documented value lists to the cra
// engine's classes, facts' support states and the VEX labels.
func TestProductEnumsMatchEngines(t *testing.T) {
	for _, tc := range []struct {
		typ   reflect.Type
		field string
		want  []string
	}{
		{reflect.TypeFor[productClass](), "class", []string{string(cra.Default), string(cra.ImportantClass1), string(cra.ImportantClass2), string(cra.Critical)}},
		{reflect.TypeFor[supportPeriod](), "state", []string{string(facts.NotPlaced), string(facts.InSupport), string(facts.SupportEnded)}},
		{reflect.TypeFor[decisionRequest](), "status", vexStatuses},
		{reflect.TypeFor[decisionRequest](), "justification", []string{string(vex.ComponentNotPresent), string(vex.VulnerableCodeNotPresent),
			string(vex.VulnerableCodeNotInExecutePath), string(vex.VulnerableCodeCannotBeControlledByAdversary), string(vex.InlineMitigationsAlreadyExist)}},
	} {
		f, ok := field(tc.typ, tc.field)
		if !ok || !slices.Equal(sorted(f.enum), sorted(tc.want)) {
			t.Errorf("%s.%s enum %v, want %v", tc.typ, tc.field, f.enum, tc.want)
		}
	}
	for _, s := range vexStatuses {
		if st, err := vex.ParseStatus(s); err != nil || string(st) != s {
			t.Errorf("VEX status %s: %v", s, err)
		}
	}
}
