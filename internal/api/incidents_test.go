package api

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

// TestIncidentEventsAndFeed records events through the API and reads the
// feed: a fix moves the final report of a CRA vulnerability, the events
// of another regime are 422 naming the field, and the overdue feed finds
// the incident whose early warning is missed.
func TestIncidentEventsAndFeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, nil)
		aware := time.Now().Add(-30 * time.Hour).UTC().Truncate(time.Second)
		res := f.do("POST", "/organisations/"+f.orgA+"/incidents", memberA,
			fmt.Sprintf(`{"regime":"cra-vulnerability","title":"CVE","aware_at":%q}`, aware.Format(time.RFC3339)))
		if res.status != 201 {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		var inc struct {
			ID        string    `json:"id"`
			NextDueAt time.Time `json:"next_due_at"`
		}
		if err := json.Unmarshal(res.body, &inc); err != nil {
			t.Fatal(err)
		}
		if want := aware.Add(24 * time.Hour); !inc.NextDueAt.Equal(want) {
			t.Errorf("next_due_at %v, want %v", inc.NextDueAt, want)
		}
		fix := aware.Add(time.Hour)
		for _, c := range []struct {
			name, actor, body string
			status            int
			want              string
		}{
			{"fix", memberA, fmt.Sprintf(`{"fix_available_at":%q}`, fix.Format(time.RFC3339)), 200,
				`"stage":"final","rule_id":"cra.14.2.c"`},
			{"nothing", memberA, `{}`, 422, `"status":422`},
			{"bsig event on a cra incident", memberA, `{"incident_ongoing":true}`, 422, `"field":"incident_ongoing"`},
			{"future fix", memberA, fmt.Sprintf(`{"fix_available_at":%q}`, time.Now().Add(time.Hour).UTC().Format(time.RFC3339)), 422, `"field":"fix_available_at"`},
			{"deadline without request", supervisor, `{"interim_due_at":"2030-01-01T00:00:00Z"}`, 422, `"field":"interim_due_at"`},
			{"member requests", memberA, fmt.Sprintf(`{"interim_requested_at":%q}`, fix.Format(time.RFC3339)), 403, `"status":403`},
			{"supervisor records a fix", supervisor, fmt.Sprintf(`{"fix_available_at":%q}`, fix.Format(time.RFC3339)), 403, `"status":403`},
			{"unknown field", memberA, `{"fixed":true}`, 422, `"field":"fixed"`},
		} {
			if res := f.do("POST", "/incidents/"+inc.ID+"/events", c.actor, c.body); res.status != c.status || !strings.Contains(string(res.body), c.want) {
				t.Errorf("%s: %d %.400s; want %d with %s", c.name, res.status, res.body, c.status, c.want)
			}
		}
		got, _ := s.Incident(t.Context(), store.System("test"), inc.ID)
		if got.FixAvailableAt == nil || !got.FixAvailableAt.Equal(fix) {
			t.Errorf("stored fix %v, want %v", got.FixAvailableAt, fix)
		}

		// The early warning is 6 hours overdue: the feed finds it.
		res = f.do("GET", "/incidents?overdue=true", supervisor, "")
		if res.status != 200 || !strings.Contains(string(res.body), `"id":"`+inc.ID+`"`) || !strings.Contains(string(res.body), `"overdue":1`) ||
			!strings.Contains(string(res.body), `"next_stage":{"stage":"early_warning"`) {
			t.Errorf("overdue feed: %d %.600s", res.status, res.body)
		}
		if res := f.do("GET", "/incidents?overdue=true", orgAdminB, ""); res.status != 200 || strings.Contains(string(res.body), inc.ID) {
			t.Errorf("another organisation's feed shows the incident: %.300s", res.body)
		}
		for _, q := range []string{"overdue=maybe", "regime=gdpr", "cursor=x", "limit=0"} {
			if res := f.do("GET", "/incidents?"+q, supervisor, ""); res.status != 400 {
				t.Errorf("%s: %d, want 400", q, res.status)
			}
		}
	})
}

// TestConcurrentReportsOfOneStage: of concurrent submissions of the same
// stage one is 201, the others 409.
func TestConcurrentReportsOfOneStage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, nil)
		const n = 8
		statuses := make(chan int, n)
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() { statuses <- f.do("POST", "/incidents/"+f.incA+"/reports", memberA, earlyWarning).status })
		}
		wg.Wait()
		close(statuses)
		count := map[int]int{}
		for st := range statuses {
			count[st]++
		}
		if count[201] != 1 || count[409] != n-1 {
			t.Errorf("statuses %v, want one 201 and %d 409", count, n-1)
		}
	})
}
