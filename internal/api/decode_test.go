package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
)

func TestDecodeJSON(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		status     int    // 0: accepted
		field      string // the first field error, for 422
	}{
		{"profile", `{"profile":{"name":"A","employees":12,"emails":["a@b.de"]},"change_known_at":"2026-11-20T10:00:00+01:00"}`, 0, ""},
		{"nested unknown field", `{"profile":{"name":"A","address":{"town":"B"}}}`, 422, "profile.address.town"},
		{"array element type", `{"profile":{"name":"A","emails":["a@b.de",7]}}`, 422, "profile.emails[1]"},
		{"fraction for an integer", `{"profile":{"employees":1.5}}`, 422, "profile.employees"},
		{"integer overflow", `{"profile":{"turnover_eur":1e30}}`, 422, "profile.turnover_eur"},
		{"object for a string", `{"profile":{"name":{}}}`, 422, "profile.name"},
		{"array for an object", `{"profile":[]}`, 422, "profile"},
		{"boolean for a time", `{"change_known_at":true}`, 422, "change_known_at"},
		{"null pointer is absent", `{"profile":{"name":"A"},"change_known_at":null}`, 0, ""},
		{"null object", `{"profile":null}`, 422, "profile"},
		{"control character in a key", "{\"profile\":{\"na\\u0000me\":\"A\"}}", 422, "profile.na\x00me"},
		{"unknown field skipped whole", `{"x":{"a":[1,{"b":null}]},"profile":{"name":"A"}}`, 422, "x"},
		{"top-level null", `null`, 400, ""},
		{"top-level string", `"x"`, 400, ""},
		{"two objects", `{}{}`, 400, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v updateOrganisationRequest
			err := decodeJSON([]byte(tc.body), &v)
			if tc.status == 0 {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			p, ok := errors.AsType[*Problem](err)
			if !ok || p.Status != tc.status {
				t.Fatalf("err %v, want status %d", err, tc.status)
			}
			if tc.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != tc.field) {
				t.Errorf("errors %+v, want field %q first", p.Errors, tc.field)
			}
		})
	}
}

// FuzzDecodeJSON: decoding never panics, rejects only with a 400 or 422
// problem, and what it accepts survives a round trip through the encoder.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"profile":` + alphaProfile + `,"change_known_at":"2026-11-20T10:00:00+01:00"}`,
		`{"stage":"notification","content":{"severity":"high","impact":"a\nb"}}`,
		`{"regime":"bsig","title":"T","aware_at":"2026-11-01T10:00:00Z"}`,
		`{"profile":{"employees":-0,"turnover_eur":9223372036854775807}}`,
		`{"a":[[[[{}]]]],"content":{"x":null}}`,
		"{\"title\":\"\\ud800\"}",
		`{"content":{"a":"b","a":"c"}}`,
		`{} `,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzType[updateOrganisationRequest](t, data, true)
		fuzzType[submitReportRequest](t, data, true)
		// Its zero value breaks the regime enum, so its encoding may be refused.
		fuzzType[createIncidentRequest](t, data, false)
	})
}

func fuzzType[T any](t *testing.T, data []byte, roundTrip bool) {
	var v T
	err := decodeJSON(data, &v)
	if err != nil {
		p, ok := errors.AsType[*Problem](err)
		if !ok || p.Status != http.StatusBadRequest && p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("%q: %v", data, err)
		}
		return
	}
	if !roundTrip {
		return
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%q: accepted but does not encode: %v", data, err)
	}
	var w T
	if err := decodeJSON(out, &w); err != nil {
		t.Fatalf("%q: accepted, but its encoding %s is rejected: %v", data, out, err)
	}
	again, _ := json.Marshal(w)
	if !bytes.Equal(out, again) {
		t.Fatalf("%q: round trip changed %s to %s", data, out, again)
	}
}
