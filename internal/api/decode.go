package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pflicht/pflicht/internal/law"
)

// maxDepth bounds the nesting of a request body; no request type nests
// deeper than a few levels.
const maxDepth = 32

var timeType = reflect.TypeFor[time.Time]()

// readBody checks the content type and size of r's body and decodes it into
// v with decodeJSON.
func readBody(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return problem(http.StatusUnsupportedMediaType, "send the body as application/json")
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return problem(http.StatusUnsupportedMediaType, "the body must be UTF-8, not "+cs)
	}
	tooLarge := problem(http.StatusRequestEntityTooLarge, fmt.Sprintf("the limit is %d bytes", limit))
	if r.ContentLength > limit {
		return tooLarge
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return tooLarge
	}
	if err != nil {
		return problem(http.StatusBadRequest, "reading the body: "+err.Error())
	}
	return decodeJSON(data, v)
}

// decodeJSON decodes data, which must be exactly one JSON object, into the
// struct pointed to by v. Unlike encoding/json alone it rejects invalid UTF-8,
// duplicate keys, keys that match a field only case-insensitively, unknown
// fields, null for fields that cannot be null, numbers that do not fit,
// strings with control characters (tab and line breaks are allowed), strings
// that break a field's format or enum, and anything after the object. Syntax
// errors are a 400 problem; everything that names a field is a 422 problem
// listing all such fields at once.
func decodeJSON(data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return problem(http.StatusBadRequest, "the body is empty; send a JSON object")
	}
	if !utf8.Valid(data) {
		return problem(http.StatusBadRequest, "the body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	s := &scan{dec: dec}
	t := reflect.TypeOf(v).Elem()
	if err := s.value(t, nil, "", 0); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return problem(http.StatusBadRequest, fmt.Sprintf("unexpected data after the JSON object at byte %d", dec.InputOffset()))
	}
	if len(s.errs) > 0 {
		return problem(http.StatusUnprocessableEntity, "", s.errs...)
	}
	// The scan has checked every key, type and number; what is left cannot
	// fail, but an error is still an error.
	if err := json.Unmarshal(data, v); err != nil {
		return problem(http.StatusUnprocessableEntity, "decoding: "+err.Error())
	}
	return nil
}

// scan walks the JSON tokens beside the Go type they will be decoded into,
// collecting every field error with its JSON path. A nil type skips a value
// (that of an unknown field) while still checking its syntax.
type scan struct {
	dec  *json.Decoder
	errs []FieldError
}

func (s *scan) fail(path, msg string) {
	s.errs = append(s.errs, FieldError{Field: path, Message: msg})
}

func (s *scan) token() (json.Token, error) {
	tok, err := s.dec.Token()
	if err == nil {
		return tok, nil
	}
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return nil, problem(http.StatusBadRequest, fmt.Sprintf("malformed JSON at byte %d: %s", se.Offset, se.Error()))
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, problem(http.StatusBadRequest, "malformed JSON: unexpected end of the body")
	}
	return nil, problem(http.StatusBadRequest, "malformed JSON: "+err.Error())
}

// value reads one value at path, to be decoded into t; f is the struct field
// it belongs to, if any, for its format and enum. The returned error is a
// syntax problem that ends the scan; field errors are collected.
func (s *scan) value(t reflect.Type, f *jsonField, path string, depth int) error {
	if depth > maxDepth {
		return problem(http.StatusBadRequest, fmt.Sprintf("the JSON is nested deeper than %d levels", maxDepth))
	}
	tok, err := s.token()
	if err != nil {
		return err
	}
	if depth == 0 && tok != json.Delim('{') {
		return problem(http.StatusBadRequest, "the body must be a JSON object")
	}
	nullable := t == nil
	for t != nil && t.Kind() == reflect.Pointer {
		t, nullable = t.Elem(), true
	}
	if t != nil {
		switch t.Kind() {
		case reflect.Slice, reflect.Map, reflect.Interface:
			nullable = true
		}
	}
	switch tok := tok.(type) {
	case nil:
		if !nullable {
			s.fail(path, "must not be null")
		}
	case json.Delim:
		if tok == '{' {
			return s.object(t, path, depth)
		}
		return s.array(t, path, depth)
	case string:
		s.text(path, tok)
		s.str(t, f, path, tok)
	case json.Number:
		s.number(t, path, tok)
	case bool:
		if t != nil && t.Kind() != reflect.Bool && t.Kind() != reflect.Interface {
			s.fail(path, "must be "+kind(t)+", not a boolean")
		}
	}
	return nil
}

func (s *scan) object(t reflect.Type, path string, depth int) error {
	isStruct := t != nil && t.Kind() == reflect.Struct && t != timeType
	isMap := t != nil && t.Kind() == reflect.Map && t.Key().Kind() == reflect.String
	if t != nil && !isStruct && !isMap && t.Kind() != reflect.Interface {
		s.fail(path, "must be "+kind(t)+", not an object")
		t = nil
	}
	seen := map[string]bool{}
	for s.dec.More() {
		tok, err := s.token()
		if err != nil {
			return err
		}
		key := tok.(string) // the decoder only yields string keys inside an object
		kp := key
		if path != "" {
			kp = path + "." + key
		}
		s.text(kp, key)
		if seen[key] {
			s.fail(kp, "duplicate key")
		}
		seen[key] = true
		var ft reflect.Type
		var fp *jsonField
		switch {
		case isStruct:
			if f, ok := field(t, key); ok {
				ft, fp = f.typ, &f
			} else {
				s.fail(kp, "unknown field")
			}
		case isMap:
			ft = t.Elem()
		}
		if err := s.value(ft, fp, kp, depth+1); err != nil {
			return err
		}
	}
	_, err := s.token() // '}'
	return err
}

func (s *scan) array(t reflect.Type, path string, depth int) error {
	var elem reflect.Type
	if t != nil {
		switch t.Kind() {
		case reflect.Slice, reflect.Array:
			elem = t.Elem()
		case reflect.Interface:
		default:
			s.fail(path, "must be "+kind(t)+", not an array")
		}
	}
	for i := 0; s.dec.More(); i++ {
		if err := s.value(elem, nil, fmt.Sprintf("%s[%d]", path, i), depth+1); err != nil {
			return err
		}
	}
	_, err := s.token() // ']'
	return err
}

// text rejects control characters other than tab and line breaks: they have
// no business in any field and can hide text from a reader.
func (s *scan) text(path, v string) {
	for i, r := range v {
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
			s.fail(path, fmt.Sprintf("control character U+%04X at byte %d", r, i))
			return
		}
	}
}

func (s *scan) str(t reflect.Type, f *jsonField, path, v string) {
	if t == nil {
		return
	}
	switch {
	case t == timeType:
		if _, err := time.Parse(time.RFC3339, v); err != nil {
			s.fail(path, fmt.Sprintf("%q is not an RFC 3339 time with offset, e.g. 2026-03-28T10:00:00+01:00", v))
		}
	case t.Kind() == reflect.Interface:
	case t.Kind() != reflect.String:
		s.fail(path, "must be "+kind(t)+", not a string")
	case f == nil:
	case f.enum != nil && !slices.Contains(f.enum, v):
		s.fail(path, fmt.Sprintf("%q is not one of %s", v, strings.Join(f.enum, ", ")))
	case f.format == "date":
		if _, err := law.ParseDate(v); err != nil {
			s.fail(path, err.Error())
		}
	}
}

func (s *scan) number(t reflect.Type, path string, n json.Number) {
	if t == nil {
		return
	}
	switch t.Kind() {
	case reflect.Interface:
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(string(n), t.Bits())
		if err != nil || math.IsInf(f, 0) {
			s.fail(path, fmt.Sprintf("%s is out of range", n))
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if _, err := strconv.ParseInt(string(n), 10, t.Bits()); err != nil {
			s.fail(path, fmt.Sprintf("%s is not an integer in range", n))
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if _, err := strconv.ParseUint(string(n), 10, t.Bits()); err != nil {
			s.fail(path, fmt.Sprintf("%s is not a non-negative integer in range", n))
		}
	default:
		s.fail(path, "must be "+kind(t)+", not a number")
	}
}

// kind names what a Go type expects, in JSON words.
func kind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "a boolean"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map:
		return "an object"
	case reflect.Struct:
		if t == timeType {
			return "an RFC 3339 time string"
		}
		return "an object"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	}
	return "a number"
}
