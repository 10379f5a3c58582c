package api

import (
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/pflicht/pflicht/internal/clock"
	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
	"github.com/pflicht/pflicht/internal/view"
)

type openAPIDoc struct {
	OpenAPI string                                `json:"openapi"`
	Paths   map[string]map[string]json.RawMessage `json:"paths"`
	Comps   struct {
		Schemas map[string]json.RawMessage `json:"schemas"`
	} `json:"components"`
}

type operation struct {
	OperationID string                      `json:"operationId"`
	Parameters  []struct{ Name, In string } `json:"parameters"`
	RequestBody *json.RawMessage            `json:"requestBody"`
	Responses   map[string]json.RawMessage  `json:"responses"`
}

func TestEveryRouteIsDocumented(t *testing.T) {
	raw, err := openAPI(routes())
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPIDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
	seen := map[string]bool{}
	ops := 0
	for _, rt := range routes() {
		if seen[rt.opID] {
			t.Errorf("operationId %s twice", rt.opID)
		}
		seen[rt.opID] = true
		var op operation
		if err := json.Unmarshal(doc.Paths[rt.path][strings.ToLower(rt.method)], &op); err != nil {
			t.Errorf("%s %s: not in the document: %v", rt.method, rt.path, err)
			continue
		}
		ops++
		if op.OperationID != rt.opID {
			t.Errorf("%s %s: operationId %q, want %q", rt.method, rt.path, op.OperationID, rt.opID)
		}
		for _, p := range rt.pathParams() {
			if !slices.ContainsFunc(op.Parameters, func(q struct{ Name, In string }) bool { return q.Name == p && q.In == "path" }) {
				t.Errorf("%s: path parameter %s undocumented", rt.opID, p)
			}
		}
		if (op.RequestBody != nil) != (rt.req != nil || rt.raw != nil) {
			t.Errorf("%s: request body documented %v, taken %v", rt.opID, op.RequestBody != nil, rt.req != nil || rt.raw != nil)
		}
		for _, st := range append(rt.problems(), rt.status) {
			if _, ok := op.Responses[strconv.Itoa(st)]; !ok {
				t.Errorf("%s: status %d undocumented", rt.opID, st)
			}
		}
	}
	n := 0
	for _, item := range doc.Paths {
		n += len(item)
	}
	if n != ops {
		t.Errorf("the document has %d operations, the route table %d", n, ops)
	}
	for _, id := range []string{"createOrganisation", "getOrganisation", "updateOrganisation", "createIncident", "getIncident",
		"listIncidents", "submitIncidentReport", "check", "fine", "deadline", "getOpenAPI"} {
		if !seen[id] {
			t.Errorf("operation %s missing", id)
		}
	}
	// Every component is valid JSON Schema 2020-12.
	for name := range doc.Comps.Schemas {
		schemaFor(t, "/components/schemas/"+name)
	}
}

func TestServedDocumentIsTheGeneratedOne(t *testing.T) {
	h := New(Config{Store: storetest.Open(t, t.TempDir()+"/pflicht.db")})
	res := serve(t, h, httptest.NewRequest("GET", prefix+"/openapi.json", nil))
	want, _ := openAPI(routes())
	if res.status != 200 || string(res.body) != string(want) {
		t.Errorf("status %d; the served document differs from openAPI(routes())", res.status)
	}
}

// TestSchemasReject makes sure the response check has teeth.
func TestSchemasReject(t *testing.T) {
	for _, tc := range []struct{ schema, body string }{
		{"/components/schemas/IncidentView", `{"id":"x"}`},
		{"/components/schemas/Problem", `{"type":"x","title":"t","status":"400"}`},
		{"/components/schemas/Problem", `{"type":"x","title":"t","status":400,"extra":1}`},
		{"/components/schemas/Timeline", `{"regime":"bsig","now":"yesterday","applicable":true,"stages":[],"notes":[]}`},
	} {
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		if schemaFor(t, tc.schema).Validate(v) == nil {
			t.Errorf("%s accepts %s", tc.schema, tc.body)
		}
	}
}

// TestEnumsMatchEngines pins the documented value lists to the engines'
// and the store's constants.
func TestEnumsMatchEngines(t *testing.T) {
	var regimes []string
	for _, r := range clock.Regimes {
		regimes = append(regimes, string(r))
	}
	for _, typ := range []reflect.Type{reflect.TypeFor[view.DeadlineRequest](), reflect.TypeFor[createIncidentRequest]()} {
		f, _ := field(typ, "regime")
		if !slices.Equal(sorted(f.enum), sorted(regimes)) {
			t.Errorf("%s regime enum %v, clock has %v", typ, f.enum, regimes)
		}
	}
	for _, r := range []store.Regime{store.RegimeBSIG, store.RegimeCRAIncident, store.RegimeCRAVulnerability} {
		if !slices.Contains(regimes, string(r)) {
			t.Errorf("store regime %s is not a clock regime", r)
		}
	}
	for _, ev := range []clock.Event{clock.ChangeKnown, clock.ChangeOccurred} {
		f, _ := field(reflect.TypeFor[changeDeadline](), "trigger")
		if !slices.Contains(f.enum, string(ev)) {
			t.Errorf("trigger enum lacks %s", ev)
		}
	}
	for _, cd := range changeDuties {
		if _, err := clock.Lookup(cd.period); err != nil {
			t.Error(err)
		}
	}
	st, _ := field(reflect.TypeFor[view.Stage](), "status")
	if want := enums[reflect.TypeFor[clock.Status]()]; !slices.Equal(st.enum, want) {
		t.Errorf("stage status enum %v, clock.Status %v", st.enum, want)
	}
}

func sorted(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }

// TestRawBodyDocumented: a file body (uploadSBOM) is documented by its
// media types, each without a schema (any bytes), and JSON bodies keep
// their schema under application/json only.
func TestRawBodyDocumented(t *testing.T) {
	raw, err := openAPI(routes())
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPIDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	type body struct {
		Required bool                                  `json:"required"`
		Content  map[string]map[string]json.RawMessage `json:"content"`
	}
	raws := 0
	for _, rt := range routes() {
		var op struct {
			RequestBody *body `json:"requestBody"`
		}
		if err := json.Unmarshal(doc.Paths[rt.path][strings.ToLower(rt.method)], &op); err != nil || op.RequestBody == nil {
			continue
		}
		b := op.RequestBody
		var types []string
		for mt := range b.Content {
			types = append(types, mt)
		}
		slices.Sort(types)
		switch {
		case rt.raw != nil:
			raws++
			want := slices.Sorted(slices.Values(rt.raw))
			if !b.Required || !slices.Equal(types, want) {
				t.Errorf("%s: media types %v (required %v), want %v", rt.opID, types, b.Required, want)
			}
			for mt, m := range b.Content {
				if len(m) != 0 {
					t.Errorf("%s: %s has %v, want no schema (any bytes)", rt.opID, mt, m)
				}
			}
			if !slices.Contains(rt.problems(), 413) {
				t.Errorf("%s: 413 undocumented", rt.opID)
			}
		case !slices.Equal(types, []string{"application/json"}) || b.Content["application/json"]["schema"] == nil:
			t.Errorf("%s: JSON body documented as %v", rt.opID, b.Content)
		}
	}
	up := slices.IndexFunc(routes(), func(rt *route) bool { return rt.opID == "uploadSBOM" })
	if up < 0 || routes()[up].raw == nil || routes()[up].req != nil {
		t.Fatal("uploadSBOM does not take a raw body")
	}
	for _, mt := range []string{"application/json", "application/xml", "text/plain", "application/octet-stream"} {
		if !slices.Contains(routes()[up].raw, mt) {
			t.Errorf("uploadSBOM: %s undocumented", mt)
		}
	}
	if raws == 0 {
		t.Error("no raw request body in the document")
	}
}
