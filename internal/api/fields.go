package api

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// jsonField is one field of a struct as encoding/json sees it. The strict
// decoder and the OpenAPI generator both read structs through fieldsOf, so
// what is accepted and what is documented cannot drift apart.
type jsonField struct {
	name  string
	omit  bool // omitempty or omitzero: may be absent
	typ   reflect.Type
	index []int
	// From the struct tag: doc is the description; format ("date",
	// "date-time") and enum (comma-separated) constrain strings.
	doc, format string
	enum        []string
}

var fieldCache sync.Map // reflect.Type → []jsonField

// fieldsOf returns the JSON fields of struct type t, with the fields of
// embedded structs promoted as encoding/json does (an outer field shadows an
// inner one of the same name).
func fieldsOf(t reflect.Type) []jsonField {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]jsonField)
	}
	var out []jsonField
	seen := map[string]bool{}
	var walk func(t reflect.Type, index []int)
	walk = func(t reflect.Type, index []int) {
		var embedded []reflect.StructField
		for i := range t.NumField() {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if sf.Anonymous && name == "" && sf.Type.Kind() == reflect.Struct {
				embedded = append(embedded, sf)
				continue
			}
			if !sf.IsExported() {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			if strings.Contains(","+opts+",", ",string,") {
				// Nothing here uses it; documenting it would need a second schema form.
				panic(fmt.Sprintf("api: %s.%s: the json ,string option is not supported", t, sf.Name))
			}
			if seen[name] {
				continue
			}
			seen[name] = true
			f := jsonField{
				name:   name,
				omit:   strings.Contains(","+opts+",", ",omitempty,") || strings.Contains(","+opts+",", ",omitzero,"),
				typ:    sf.Type,
				index:  append(append([]int(nil), index...), i),
				doc:    sf.Tag.Get("doc"),
				format: sf.Tag.Get("format"),
			}
			if e := sf.Tag.Get("enum"); e != "" {
				f.enum = strings.Split(e, ",")
			}
			out = append(out, f)
		}
		for _, sf := range embedded {
			walk(sf.Type, append(append([]int(nil), index...), sf.Index...))
		}
	}
	walk(t, nil)
	fieldCache.Store(t, out)
	return out
}

// field returns the field of struct type t named exactly name.
func field(t reflect.Type, name string) (jsonField, bool) {
	for _, f := range fieldsOf(t) {
		if f.name == name {
			return f, true
		}
	}
	return jsonField{}, false
}
