// Command loadgen drives a running pflicht server with durable writes
// through the JSON API and prints throughput, errors and latency
// percentiles. Each worker records an incident and then submits its early
// warning, notification and final report, one request at a time, so every
// request is one committed transaction with its audit record.
//
//	loadgen -url http://127.0.0.1:8080 -token TOKEN -org ORG -rate 200 -c 16 -d 10s
//	loadgen -url ... -rate max
//
// bench/load.sh builds and runs it against SQLite and PostgreSQL.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// stages are the reports submitted for each incident, in order.
var stages = []string{"early_warning", "notification", "final"}

type config struct {
	url, token, org string
	rate            float64 // requests per second; 0 is as fast as possible
	workers         int
	duration        time.Duration
}

func main() {
	var c config
	var rateFlag string
	flag.StringVar(&c.url, "url", "http://127.0.0.1:8080", "base URL of the pflicht server")
	flag.StringVar(&c.token, "token", os.Getenv("PFLICHT_TOKEN"), "API bearer token (default $PFLICHT_TOKEN)")
	flag.StringVar(&c.org, "org", "", "id of the organisation the incidents are recorded for (required)")
	flag.StringVar(&rateFlag, "rate", "max", `target requests per second, or "max"`)
	flag.IntVar(&c.workers, "c", 16, "concurrent workers")
	flag.DurationVar(&c.duration, "d", 10*time.Second, "duration of the run")
	flag.Parse()
	if err := c.parseRate(rateFlag); err != nil {
		fail(err)
	}
	switch {
	case c.token == "":
		fail(errors.New("-token: required (or set PFLICHT_TOKEN)"))
	case c.org == "":
		fail(errors.New("-org: required"))
	case c.workers < 1:
		fail(fmt.Errorf("-c: %d is not a positive number of workers", c.workers))
	case c.duration <= 0:
		fail(fmt.Errorf("-d: %v is not a positive duration", c.duration))
	}
	res := run(context.Background(), c)
	res.print(os.Stdout, c)
	if res.ok == 0 {
		os.Exit(1)
	}
}

func (c *config) parseRate(s string) error {
	if s == "max" {
		return nil
	}
	r, err := strconv.ParseFloat(s, 64)
	if err != nil || r <= 0 {
		return fmt.Errorf(`-rate: %q is not a positive number of requests per second or "max"`, s)
	}
	c.rate = r
	return nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "loadgen:", err)
	os.Exit(2)
}

// result is what the workers measured.
type result struct {
	elapsed   time.Duration
	ok        int
	errs      map[string]int // error kind → count
	latencies []time.Duration
}

func run(ctx context.Context, c config) result {
	ctx, cancel := context.WithTimeout(ctx, c.duration)
	defer cancel()
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: c.workers}}
	var lim *rate.Limiter
	if c.rate > 0 {
		lim = rate.NewLimiter(rate.Limit(c.rate), 1)
	}
	var (
		mu    sync.Mutex
		total = result{errs: map[string]int{}}
		wg    sync.WaitGroup
	)
	start := time.Now()
	for range c.workers {
		wg.Go(func() {
			w := worker{c: c, client: client}
			for {
				if lim != nil && lim.Wait(ctx) != nil || ctx.Err() != nil {
					break
				}
				w.step(ctx)
			}
			mu.Lock()
			total.ok += w.ok
			total.latencies = append(total.latencies, w.latencies...)
			for k, n := range w.errs {
				total.errs[k] += n
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	total.elapsed = time.Since(start)
	return total
}

// worker walks one incident at a time through its stages.
type worker struct {
	c         config
	client    *http.Client
	incident  *incidentView // nil: record a new one next
	next      int           // index into stages of the next report
	ok        int
	errs      map[string]int
	latencies []time.Duration
}

type incidentView struct {
	ID    string `json:"id"`
	Clock struct {
		Stages []struct {
			Stage   string `json:"stage"`
			Content []struct {
				ID string `json:"id"`
			} `json:"content"`
		} `json:"stages"`
	} `json:"clock"`
}

// step sends one request: a new incident, or the incident's next report.
func (w *worker) step(ctx context.Context) {
	var (
		path string
		body any
		out  incidentView
	)
	if w.incident == nil {
		path = "/api/v1/organisations/" + w.c.org + "/incidents"
		body = map[string]string{"regime": "bsig", "title": "loadgen", "aware_at": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)}
	} else {
		path = "/api/v1/incidents/" + w.incident.ID + "/reports"
		body = map[string]any{"stage": stages[w.next], "content": w.incident.content(stages[w.next])}
	}
	t0 := time.Now()
	err := w.post(ctx, path, body, &out, w.incident != nil)
	d := time.Since(t0)
	if ctx.Err() != nil {
		return // cut off by the end of the run: neither success nor error
	}
	if err != nil {
		if w.errs == nil {
			w.errs = map[string]int{}
		}
		w.errs[err.Error()]++
		w.incident = nil // start over with a fresh incident
		return
	}
	w.ok++
	w.latencies = append(w.latencies, d)
	switch {
	case w.incident == nil:
		w.incident, w.next = &out, 0
	case w.next == len(stages)-1:
		w.incident = nil
	default:
		w.incident, w.next = &out, w.next+1
	}
}

// content fills every content field the clock lists for stage.
func (v *incidentView) content(stage string) map[string]string {
	c := map[string]string{}
	for _, s := range v.Clock.Stages {
		if s.Stage == stage {
			for _, f := range s.Content {
				c[f.ID] = "loadgen " + f.ID
			}
		}
	}
	return c
}

// post sends body and decodes the incident of a 201 answer into out; a
// report answer carries it under "incident".
func (w *worker) post(ctx context.Context, path string, body any, out *incidentView, isReport bool) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", w.c.url+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+w.c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := w.client.Do(req)
	if err != nil {
		return errors.New("transport error")
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return errors.New("reading the answer")
	}
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	if isReport {
		var r struct {
			Incident incidentView `json:"incident"`
		}
		err = json.Unmarshal(data, &r)
		*out = r.Incident
	} else {
		err = json.Unmarshal(data, out)
	}
	if err != nil || out.ID == "" {
		return errors.New("answer without an incident")
	}
	return nil
}

func (r result) print(w io.Writer, c config) {
	target := "max"
	if c.rate > 0 {
		target = strconv.FormatFloat(c.rate, 'f', -1, 64) + " req/s"
	}
	nerr := 0
	for _, n := range r.errs {
		nerr += n
	}
	fmt.Fprintf(w, "target %s, %d workers, %v\n", target, c.workers, r.elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "  durable writes: %d ok, %d errors, %.0f/s\n", r.ok, nerr, float64(r.ok)/r.elapsed.Seconds())
	if len(r.latencies) > 0 {
		slices.Sort(r.latencies)
		q := func(p float64) time.Duration { return r.latencies[int(p*float64(len(r.latencies)-1))] }
		ms := func(d time.Duration) string {
			return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64) + " ms"
		}
		fmt.Fprintf(w, "  latency: p50 %s, p90 %s, p99 %s, max %s\n", ms(q(0.50)), ms(q(0.90)), ms(q(0.99)), ms(r.latencies[len(r.latencies)-1]))
	}
	kinds := make([]string, 0, len(r.errs))
	for k := range r.errs {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		fmt.Fprintf(w, "  error %s: %d\n", k, r.errs[k])
	}
}
