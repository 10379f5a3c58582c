package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pflicht/pflicht/internal/clock"
	"github.com/pflicht/pflicht/internal/law"
	"github.com/pflicht/pflicht/internal/scope"
)

// schemas turns Go types into JSON Schema (draft 2020-12, the dialect of
// OpenAPI 3.1) by reflection over the fields encoding/json sees. Named
// structs become components; every other type is inlined.
//
// A field without omitempty is required, since the encoder always writes
// it; pointers, slices and maps without omitempty may be null, since the
// encoder writes a nil one as null. Request types follow the same rule: a
// required request field is one the handler rejects when it is missing.
type schemas struct {
	defs  map[string]any
	names map[reflect.Type]string
}

// enums lists the values of the engines' named string types, so clients see
// them; a test checks each list against the engine's constants.
var enums = map[reflect.Type][]string{
	reflect.TypeFor[law.Status]():    {string(law.Verified), string(law.Unverified)},
	reflect.TypeFor[scope.Class]():   {string(scope.BesondersWichtig), string(scope.Wichtig), string(scope.None)},
	reflect.TypeFor[scope.Outcome](): {string(scope.Met), string(scope.NotMet), string(scope.Excluded), string(scope.Info)},
	reflect.TypeFor[clock.Status]():  {string(clock.Met), string(clock.Late), string(clock.Due), string(clock.Overdue), string(clock.Waiting), string(clock.OnRequest)},
}

// ref returns the schema of t: a $ref for named structs, else inline.
func (g *schemas) ref(t reflect.Type) map[string]any {
	switch t {
	case timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case reflect.TypeFor[json.RawMessage]():
		return map[string]any{}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.ref(t.Elem())
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return map[string]any{"type": "integer"}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer", "minimum": 0}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.String:
		s := map[string]any{"type": "string"}
		if e, ok := enums[t]; ok {
			s["enum"] = e
		}
		return s
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": g.ref(t.Elem())}
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			panic(fmt.Sprintf("api: %s: only maps with string keys are JSON objects", t))
		}
		return map[string]any{"type": "object", "additionalProperties": g.ref(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		return map[string]any{"$ref": "#/components/schemas/" + g.component(t)}
	}
	panic(fmt.Sprintf("api: %s has no JSON form", t))
}

// component registers struct type t under a unique name and returns it.
func (g *schemas) component(t reflect.Type) string {
	if name, ok := g.names[t]; ok {
		return name
	}
	name := componentName(t)
	for other, n := range g.names {
		if n == name {
			panic(fmt.Sprintf("api: types %s and %s would share the schema name %s", t, other, name))
		}
	}
	g.names[t] = name
	props := map[string]any{}
	required := []string{}
	for _, f := range fieldsOf(t) {
		s := g.ref(f.typ)
		if !f.omit && nullable(f.typ) {
			s = orNull(s)
		}
		if f.doc != "" || f.format != "" || f.enum != nil {
			s = withConstraints(s, f)
		}
		props[f.name] = s
		if !f.omit {
			required = append(required, f.name)
		}
	}
	def := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		def["required"] = required
	}
	g.defs[name] = def
	return name
}

// componentName is the type name, prefixed with its package unless it is
// ours or the JSON forms we share with the CLI: scope.Result → ScopeResult,
// api.incidentView → IncidentView, view.Timeline → Timeline.
func componentName(t reflect.Type) string {
	if t.Name() == "" {
		panic(fmt.Sprintf("api: anonymous struct %s needs a named type to be documented", t))
	}
	pkg := t.PkgPath()[strings.LastIndex(t.PkgPath(), "/")+1:]
	name := upperFirst(t.Name())
	if pkg != "api" && pkg != "view" {
		name = upperFirst(pkg) + name
	}
	return name
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

func nullable(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return t != reflect.TypeFor[json.RawMessage]()
	}
	return false
}

// orNull widens s to also accept null.
func orNull(s map[string]any) map[string]any {
	if typ, ok := s["type"].(string); ok {
		c := copySchema(s)
		c["type"] = []string{typ, "null"}
		return c
	}
	if len(s) == 0 {
		return s // already anything
	}
	return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
}

// withConstraints adds a field's description, format and enum. In JSON
// Schema 2020-12 keywords beside a $ref apply as well, so no allOf is needed.
func withConstraints(s map[string]any, f jsonField) map[string]any {
	c := copySchema(s)
	if f.doc != "" {
		c["description"] = f.doc
	}
	if f.format != "" {
		c["format"] = f.format
	}
	if f.enum != nil {
		c["enum"] = f.enum
	}
	return c
}

func copySchema(s map[string]any) map[string]any {
	c := make(map[string]any, len(s)+1)
	for k, v := range s {
		c[k] = v
	}
	return c
}

// openAPI builds the OpenAPI 3.1 document of routes. It is the only source
// of the document, so a route cannot be served without being described.
func openAPI(routes []*route) ([]byte, error) {
	g := &schemas{defs: map[string]any{}, names: map[reflect.Type]string{}}
	problemRef := g.ref(reflect.TypeFor[Problem]())
	paths := map[string]map[string]any{}
	for _, rt := range routes {
		op := map[string]any{
			"operationId": rt.opID,
			"summary":     rt.summary,
			"description": rt.doc + "\n\nAccess: " + rt.access.describe() + ".",
			"tags":        []string{rt.tag},
		}
		if rt.access == public {
			op["security"] = []any{}
		}
		var params []any
		for _, p := range rt.pathParams() {
			params = append(params, map[string]any{"name": p, "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range rt.query {
			params = append(params, map[string]any{"name": q.name, "in": "query", "description": q.doc, "schema": g.ref(q.typ)})
		}
		if params != nil {
			op["parameters"] = params
		}
		switch {
		case rt.req != nil:
			op["requestBody"] = map[string]any{
				"required": true,
				"content":  map[string]any{"application/json": map[string]any{"schema": g.ref(rt.req)}},
			}
		case rt.raw != nil:
			// A media type without a schema is a body of any bytes (OpenAPI
			// 3.1, "Considerations for File Uploads").
			content := map[string]any{}
			for _, mt := range rt.raw {
				content[mt] = map[string]any{}
			}
			op["requestBody"] = map[string]any{"required": true, "description": "the file itself, not a form", "content": content}
		}
		responses := map[string]any{
			strconv.Itoa(rt.status): map[string]any{
				"description": http.StatusText(rt.status),
				"content":     map[string]any{"application/json": map[string]any{"schema": g.ref(rt.resp)}},
			},
		}
		for _, st := range rt.problems() {
			responses[strconv.Itoa(st)] = map[string]any{
				"description": problemTitles[st][1],
				"content":     map[string]any{"application/problem+json": map[string]any{"schema": problemRef}},
			}
		}
		op["responses"] = responses
		item := paths[rt.path]
		if item == nil {
			item = map[string]any{}
			paths[rt.path] = item
		}
		item[strings.ToLower(rt.method)] = op
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "pflicht API",
			"version":     "1",
			"description": apiDescription,
		},
		"servers":  []any{map[string]any{"url": prefix}},
		"security": []any{map[string]any{"bearer": []string{}}},
		"paths":    paths,
		"components": map[string]any{
			"schemas": g.defs,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer", "description": "an API token issued by pflicht; it acts as its user, optionally read-only"},
			},
		},
	}
	return json.MarshalIndent(doc, "", "  ")
}

const apiDescription = `The JSON API of pflicht: organisations (tenants) under BSIG 2025 (NIS-2), their profile
versions and scope; incidents with their statutory reporting clocks (§32 BSIG, Art. 14 CRA), their
reports and events, and the incident feed across organisations, overdue first on request; CRA
products with their versions (class, Art. 32 conformity routes, Art. 13 support period), SBOM
uploads and the vulnerabilities found in them with their VEX decisions; and the stateless engines
behind ` + "`pflicht check`, `pflicht fine` and `pflicht deadline`" + `.

Every legal statement in a response comes from an engine with its citation; readings not verified
against the statute are marked UNVERIFIED. Times are RFC 3339. Errors are RFC 9457 problem details
(application/problem+json) whose errors array names each bad field. A record of another
organisation is 404, never 403.`
