package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

const (
	earlyWarning = `{"stage":"early_warning","content":{"suspected_malicious":"yes, ransomware","cross_border_impact":"none known"}}`
	notification = `{"stage":"notification","content":{"early_warning_update":"confirmed","initial_assessment":"contained","severity":"high","impact":"3 h outage"}}`
	alphaProfile = `{"name":"Alpha GmbH","address":{"street":"Hauptstr. 1","postal_code":"10115","city":"Berlin","country":"DE"},
		"emails":["alpha@example.org"],"phones":["+49 30 1234"],"activities":["A1-6.1.4"],
		"employees":120,"turnover_eur":30000000,"balance_sheet_eur":20000000}`
	checkBody = `{"employees":120,"turnover_eur":30000000,"balance_sheet_eur":20000000,"activities":["A1-6.1.4"],"as_of":"2026-11-23"}`
)

func TestScenarios(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, nil)
		for _, tc := range []struct {
			name, method, path, actor, body string
			status                          int
			want                            []string // fragments of the compact JSON body
		}{
			{"openapi is public", "GET", "/openapi.json", anonymous, "", 200, []string{`"openapi": "3.1.0"`, `"operationId": "submitIncidentReport"`}},
			{"no token", "POST", "/check", anonymous, checkBody, 401, []string{`"type":"urn:pflicht:problem:unauthorized"`, `"instance":"/api/v1/check"`}},
			{"unknown token", "POST", "/check", badToken, checkBody, 401, []string{`"status":401`}},
			{"check", "POST", "/check", memberA, checkBody, 200, []string{`"class":"wichtig"`, `"citations":[`}},
			{"check bad activity", "POST", "/check", memberA, `{"activities":["A9-1"]}`, 422, []string{`"field":"activities[0]"`}},
			{"fine", "POST", "/fine", readOnlyA, `{"offence":"65.2.6","negligent":true,"as_of":"2026-11-23"}`, 200, []string{`"max_eur":250000`}},
			{"fine unknown offence", "POST", "/fine", memberA, `{"offence":"99"}`, 422, []string{`"field":"offence"`}},
			{"deadline", "POST", "/deadline", supervisor, `{"regime":"bsig","aware_at":"2026-11-20T09:00:00+01:00"}`, 200, []string{`"stage":"early_warning"`, `"due":"2026-11-21T09:00:00+01:00"`}},
			{"deadline bad regime", "POST", "/deadline", memberA, `{"regime":"gdpr","aware_at":"2026-11-20T09:00:00+01:00"}`, 422, []string{`"field":"regime"`}},
			{"deadline missing aware_at", "POST", "/deadline", memberA, `{"regime":"bsig"}`, 422, []string{`"field":"aware_at"`}},

			{"list organisations", "GET", "/organisations", memberA, "", 200, []string{`"items":[{`, `"total":1`}},
			{"registry", "GET", "/organisations?registered=false&limit=1", supervisor, "", 200, []string{`"total":2`, `"next_cursor":"`}},
			{"registry bad filter", "GET", "/organisations?registered=maybe", supervisor, "", 400, []string{`"field":"registered"`}},
			{"registry bad cursor", "GET", "/organisations?cursor=!", supervisor, "", 400, []string{`"field":"cursor"`}},
			{"create organisation", "POST", "/organisations", memberA, `{"profile":` + alphaProfile + `}`, 201, []string{`"name":"Alpha GmbH"`, `"profile_version":1`, `"assessment":{`, `"status":"due"`}},
			{"supervisor cannot create", "POST", "/organisations", supervisor, `{"profile":` + alphaProfile + `}`, 403, []string{`"type":"urn:pflicht:problem:forbidden"`}},
			{"create without name", "POST", "/organisations", memberA, `{"profile":{"name":" "}}`, 422, []string{`"field":"profile.name"`}},
			{"get organisation", "GET", "/organisations/{orgA}", memberA, "", 200, []string{`"class":"wichtig"`, `"registration":{"status":"due"`, `"id":"33.1"`}},
			{"foreign organisation", "GET", "/organisations/{orgB}", memberA, "", 404, []string{`"type":"urn:pflicht:problem:not-found"`}},
			{"supervisor reads any", "GET", "/organisations/{orgB}", supervisor, "", 200, []string{foreignMark}},
			{"update without change", "PUT", "/organisations/{orgA}", orgAdminA, `{"profile":` + alphaProfile + `}`, 200,
				[]string{`"profile_version":2`, `"changed_fields":[],"change_deadlines":[]`}},
			{"update organisation", "PUT", "/organisations/{orgA}", orgAdminA,
				`{"profile":` + strings.Replace(alphaProfile, `"city":"Berlin"`, `"city":"Potsdam"`, 1) + `,"change_known_at":"2026-11-20T10:00:00+01:00","change_occurred_at":"2026-11-18T10:00:00+01:00"}`, 200,
				[]string{`"profile_version":3`, `"changed_fields":["address"]`,
					`"trigger":"change_known","trigger_at":"2026-11-20T10:00:00+01:00","due":"2026-12-04T23:00:00Z","due_last_day":"2026-12-04"`,
					`"trigger":"change_occurred","trigger_at":"2026-11-18T10:00:00+01:00","due":"2027-02-18T23:00:00Z","due_last_day":"2027-02-18"`}},
			{"update assumes occurrence", "PUT", "/organisations/{orgA}", admin, `{"profile":` + alphaProfile + `,"change_known_at":"2026-11-20T10:00:00+01:00"}`, 200, []string{`"trigger_assumed":true`}},
			{"member cannot update", "PUT", "/organisations/{orgA}", memberA, `{"profile":` + alphaProfile + `}`, 403, []string{`"status":403`}},
			{"update bad email", "PUT", "/organisations/{orgA}", orgAdminA, `{"profile":{"name":"A","emails":["not an address"]}}`, 422, []string{`"field":"profile.emails[0]"`}},
			{"update bad activity", "PUT", "/organisations/{orgA}", orgAdminA, `{"profile":{"name":"A","activities":["X"]}}`, 422, []string{`"field":"profile.activities[0]"`}},
			{"change in the future", "PUT", "/organisations/{orgA}", orgAdminA, `{"profile":{"name":"A"},"change_known_at":"2999-01-01T00:00:00Z"}`, 422, []string{`"field":"change_known_at"`}},

			{"member cannot register", "POST", "/organisations/{orgA}/registration", memberA, "", 403, nil},
			{"register", "POST", "/organisations/{orgA}/registration", orgAdminA, "", 201, []string{`"profile_version":`, `"status":{"status":"registered"`}},
			{"create incident", "POST", "/organisations/{orgA}/incidents", memberA, `{"regime":"bsig","title":"Outage","aware_at":"2026-11-01T10:00:00+01:00"}`, 201,
				[]string{`"regime":"bsig"`, `"title":"Outage"`, `"stage":"early_warning"`, `"due":"2026-11-02T10:00:00+01:00"`, `"status":"overdue"`}},
			{"text stored as given", "POST", "/organisations/{orgA}/incidents", memberA, `{"regime":"cra-incident","title":" <b>Ausfall</b> – Köln\n","aware_at":"2026-11-01T10:00:00Z"}`, 201,
				[]string{`"title":" <b>Ausfall</b> – Köln\n"`}},
			{"incident in the future", "POST", "/organisations/{orgA}/incidents", memberA, `{"regime":"bsig","title":"X","aware_at":"2999-01-01T00:00:00Z"}`, 422, []string{`"field":"aware_at"`}},
			{"incident missing fields", "POST", "/organisations/{orgA}/incidents", memberA, `{"title":""}`, 422, []string{`"field":"regime"`, `"field":"title"`, `"field":"aware_at"`}},
			{"incident of foreign organisation", "POST", "/organisations/{orgB}/incidents", memberA, `{"regime":"bsig","title":"X","aware_at":"2026-11-01T10:00:00Z"}`, 404, nil},
			{"list incidents", "GET", "/organisations/{orgA}/incidents?limit=1", memberA, "", 200, []string{`"items":[{`, `"next_cursor":"`}},
			{"list bad limit", "GET", "/organisations/{orgA}/incidents?limit=0", memberA, "", 400, []string{`"field":"limit"`}},
			{"list unknown parameter", "GET", "/organisations/{orgA}/incidents?page=2", memberA, "", 400, []string{`"field":"page"`}},
			{"list bad cursor", "GET", "/organisations/{orgA}/incidents?cursor=x", memberA, "", 400, []string{`"field":"cursor"`}},
			{"get incident", "GET", "/incidents/{incA}", supervisor, "", 200, []string{`"title":"Alpha outage"`, `"rule_id":"bsig.32.1.1"`, `"reports":[]`}},
			{"foreign incident", "GET", "/incidents/{incB}", orgAdminA, "", 404, nil},

			{"close incident", "PATCH", "/incidents/{incA}", memberA, `{"status":"closed"}`, 200, []string{`"status":"closed"`}},
			{"reopen incident", "PATCH", "/incidents/{incA}", orgAdminA, `{"status":"open"}`, 200, []string{`"status":"open"`}},
			{"bad incident status", "PATCH", "/incidents/{incA}", memberA, `{"status":"done"}`, 422, []string{`"field":"status"`}},
			{"early warning", "POST", "/incidents/{incA}/reports", memberA, earlyWarning, 201, []string{`"stage":"early_warning"`, `"suspected_malicious":"yes, ransomware"`, `"status":"met"`}},
			{"early warning again", "POST", "/incidents/{incA}/reports", memberA, earlyWarning, 409, []string{`"type":"urn:pflicht:problem:conflict"`}},
			{"final before notification", "POST", "/incidents/{incA}/reports", memberA, `{"stage":"final","content":{}}`, 422, []string{`"field":"stage","message":"not open yet`}},
			{"notification missing content", "POST", "/incidents/{incA}/reports", memberA, `{"stage":"notification","content":{"severity":"high"}}`, 422,
				[]string{`"field":"content.early_warning_update"`, `"field":"content.impact"`, `"field":"content.initial_assessment"`}},
			{"notification blank content", "POST", "/incidents/{incA}/reports", memberA, `{"stage":"notification","content":{"early_warning_update":" ","initial_assessment":"x","severity":"x","impact":"x"}}`, 422,
				[]string{`"field":"content.early_warning_update"`}},
			{"unknown content field", "POST", "/incidents/{incA}/reports", memberA, `{"stage":"notification","content":{"early_warning_update":"x","initial_assessment":"x","severity":"x","impact":"x","mood":"bad"}}`, 422,
				[]string{`"field":"content.mood","message":"unknown field for the notification stage"`}},
			{"unknown stage", "POST", "/incidents/{incA}/reports", memberA, `{"stage":"epilogue","content":{}}`, 422, []string{`"field":"stage","message":"\"epilogue\" is not a stage of bsig`}},
			{"notification", "POST", "/incidents/{incA}/reports", orgAdminA, notification, 201, []string{`"stage":"notification"`}},
			{"final after notification", "POST", "/incidents/{incA}/reports", memberA,
				`{"stage":"final","content":{"detailed_description":"x","threat_type_root_cause":"x","remediation_measures":"x"}}`, 201, []string{`"stage":"final"`}},
			{"progress of an ongoing incident", "POST", "/incidents/{newIncA}/reports", memberA, `{"stage":"progress","content":{"progress":"x"}}`, 422, []string{`"field":"stage","message":"not open yet`}},
			{"supervisor cannot report", "POST", "/incidents/{incA}/reports", supervisor, `{"stage":"interim","content":{"status_updates":"x"}}`, 403, nil},
			{"read-only token cannot report", "POST", "/incidents/{incA}/reports", readOnlyA, `{"stage":"interim","content":{"status_updates":"x"}}`, 403, nil},
			{"report on foreign incident", "POST", "/incidents/{incB}/reports", memberA, earlyWarning, 404, nil},

			{"method not allowed", "DELETE", "/organisations/{orgA}", memberA, "", 405, []string{`"type":"urn:pflicht:problem:method-not-allowed"`}},
			{"unknown path", "GET", "/nope", memberA, "", 404, []string{`"status":404`}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := f.do(tc.method, f.expand(tc.path), tc.actor, f.expand(tc.body))
				if res.status != tc.status {
					t.Fatalf("status %d, want %d; body %s", res.status, tc.status, res.body)
				}
				for _, w := range tc.want {
					if !bytes.Contains(res.body, []byte(w)) {
						t.Errorf("body lacks %s:\n%s", w, res.body)
					}
				}
			})
		}
	})
}

func TestLocationAndPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, nil)
		res := f.do("POST", "/organisations/"+f.orgA+"/incidents", memberA, `{"regime":"cra-incident","title":"T","aware_at":"2026-11-01T10:00:00Z"}`)
		if res.status != 201 {
			t.Fatalf("status %d: %s", res.status, res.body)
		}
		id := jsonValue(t, res.body)["id"].(string)
		if loc := res.header.Get("Location"); loc != prefix+"/incidents/"+id {
			t.Errorf("Location %q", loc)
		}
		if got := f.do("GET", "/incidents/"+id, memberA, ""); got.status != 200 {
			t.Errorf("GET Location: %d", got.status)
		}
		if allow := f.do("DELETE", "/incidents/"+id, memberA, "").header.Get("Allow"); allow != "GET, PATCH" {
			t.Errorf("405 Allow %q", allow)
		}
		for range 3 {
			f.incident(f.orgA, "more")
		}
		// 5 incidents in pages of 2: every one exactly once.
		seen := map[string]int{}
		path := "/organisations/" + f.orgA + "/incidents?limit=2"
		for pages := 0; path != ""; pages++ {
			if pages > 3 {
				t.Fatal("paging does not end")
			}
			var page incidentPage
			if err := json.Unmarshal(f.do("GET", path, memberA, "").body, &page); err != nil {
				t.Fatal(err)
			}
			for _, inc := range page.Items {
				seen[inc.ID]++
			}
			path = ""
			if page.NextCursor != "" {
				path = "/organisations/" + f.orgA + "/incidents?limit=2&cursor=" + page.NextCursor
			}
		}
		all, err := s.Incidents(context.Background(), store.System("test"), f.orgA)
		if err != nil {
			t.Fatal(err)
		}
		if len(seen) != len(all) || len(all) != 5 {
			t.Errorf("pages gave %d incidents, the store has %d", len(seen), len(all))
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("incident %s on %d pages", id, n)
			}
		}
	})
}

// TestBadInput sends broken bodies to a writing route and checks the
// problem and that nothing was stored.
func TestBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, nil)
		path := "/organisations/" + f.orgA + "/incidents"
		huge := `{"regime":"bsig","title":"` + strings.Repeat("x", 1<<20) + `","aware_at":"2026-11-01T10:00:00Z"}`
		for _, tc := range []struct {
			name, ctype, body string
			status            int
			want              string
		}{
			{"unknown field", "", `{"regime":"bsig","title":"T","aware_at":"2026-11-01T10:00:00Z","severity":1}`, 422, `"field":"severity","message":"unknown field"`},
			{"field in other case", "", `{"Regime":"bsig","title":"T","aware_at":"2026-11-01T10:00:00Z"}`, 422, `"field":"Regime","message":"unknown field"`},
			{"wrong type", "", `{"regime":"bsig","title":7,"aware_at":"2026-11-01T10:00:00Z"}`, 422, `"field":"title","message":"must be a string, not a number"`},
			{"null string", "", `{"regime":"bsig","title":null,"aware_at":"2026-11-01T10:00:00Z"}`, 422, `"field":"title","message":"must not be null"`},
			{"time without offset", "", `{"regime":"bsig","title":"T","aware_at":"2026-11-01T10:00:00"}`, 422, `"field":"aware_at"`},
			{"bad enum", "", `{"regime":"BSIG","title":"T","aware_at":"2026-11-01T10:00:00Z"}`, 422, `"field":"regime"`},
			{"malformed", "", `{"regime":"bsig",`, 400, `malformed JSON`},
			{"syntax error", "", `{"regime" "bsig"}`, 400, `malformed JSON at byte`},
			{"trailing data", "", `{"regime":"bsig","title":"T","aware_at":"2026-11-01T10:00:00Z"} {}`, 400, `unexpected data after the JSON object`},
			{"not an object", "", `["bsig"]`, 400, `must be a JSON object`},
			{"empty", "", ``, 400, `the body is empty`},
			{"duplicate key", "", `{"regime":"bsig","title":"T","title":"U","aware_at":"2026-11-01T10:00:00Z"}`, 422, `"field":"title","message":"duplicate key"`},
			{"control character", "", `{"regime":"bsig","title":"a\u0007b","aware_at":"2026-11-01T10:00:00Z"}`, 422, `"field":"title","message":"control character U+0007 at byte 1"`},
			{"bidi control", "", `{"regime":"bsig","title":"a\u0085b","aware_at":"2026-11-01T10:00:00Z"}`, 422, `control character U+0085`},
			{"invalid UTF-8", "", "{\"regime\":\"bsig\",\"title\":\"\xff\",\"aware_at\":\"2026-11-01T10:00:00Z\"}", 400, `not valid UTF-8`},
			{"deep nesting", "", `{"title":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`, 400, `nested deeper`},
			{"oversized", "", huge, 413, `"type":"urn:pflicht:problem:too-large"`},
			{"no content type", "-", `{"regime":"bsig","title":"T","aware_at":"2026-11-01T10:00:00Z"}`, 415, `application/json`},
			{"form content type", "application/x-www-form-urlencoded", `regime=bsig`, 415, `"type":"urn:pflicht:problem:unsupported-media-type"`},
			{"latin-1", "application/json; charset=iso-8859-1", `{"regime":"bsig"}`, 415, `must be UTF-8`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				req := newRequest("POST", path, tc.body)
				switch tc.ctype {
				case "-":
					req.Header.Del("Content-Type")
				case "":
				default:
					req.Header.Set("Content-Type", tc.ctype)
				}
				req.Header.Set("Authorization", "Bearer "+f.tokens[memberA])
				res := serve(t, f.h, req)
				if res.status != tc.status || !bytes.Contains(res.body, []byte(tc.want)) {
					t.Errorf("status %d, want %d with %s; body %.300s", res.status, tc.status, tc.want, res.body)
				}
			})
		}
		t.Run("oversized without length", func(t *testing.T) {
			req := newRequest("POST", path, huge)
			req.ContentLength = -1 // chunked: only reading finds the size
			req.Header.Set("Authorization", "Bearer "+f.tokens[memberA])
			if res := serve(t, f.h, req); res.status != 413 {
				t.Errorf("status %d, want 413", res.status)
			}
		})
		all, err := s.Incidents(context.Background(), store.System("test"), f.orgA)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 1 {
			t.Errorf("%d incidents stored, want only the fixture's", len(all))
		}
	})
}

func newRequest(method, path, body string) *http.Request {
	req, _ := http.NewRequest(method, prefix+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return req
}

func TestProblemError(t *testing.T) {
	p := problem(http.StatusUnprocessableEntity, "x", FieldError{"a", "b"})
	if got := fmt.Sprint(p); got != "api: The input is invalid: x; a: b" {
		t.Errorf("Error() = %q", got)
	}
}
