// Package api is pflicht's JSON API under /api/v1: organisations (tenants)
// with their profile versions and scope, incidents with their reporting
// clocks and reports and the supervisor's incident feed, CRA products with
// their versions, SBOMs and findings, and the stateless engines of `pflicht check`, `fine`
// and `deadline`. It is thin like the rest of the portal: it authenticates a
// bearer token, decodes strictly, calls the store (which scopes every query
// to the caller's organisations) and the engines (which decide every legal
// question), and encodes. Errors are RFC 9457 problem details.
//
// The route table (routes.go) is the single source of the handler and of the
// OpenAPI 3.1 document served at /api/v1/openapi.json: request and response
// schemas are generated from the Go types by reflection.
package api

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/pflicht/pflicht/internal/store"
)

// prefix is where the portal mounts the API; the handler sees full paths.
const prefix = "/api/v1"

// Config is what New needs. Store is required.
type Config struct {
	Store  *store.Store
	Logger *slog.Logger // default slog.Default()
	// Now is the clock for deadlines and "today"; tests pin it. Default time.Now.
	Now func() time.Time
	// MaxBodyBytes bounds a request body (default 1 MiB); larger is 413.
	MaxBodyBytes int64
}

type handler struct {
	store *store.Store
	log   *slog.Logger
	now   func() time.Time
	limit int64
	doc   []byte // the OpenAPI document
}

// New returns the API handler, to be mounted at /api/v1/. It panics if
// cfg.Store is nil or the route table cannot be documented; both are
// programming errors that the package tests catch.
func New(cfg Config) http.Handler {
	if cfg.Store == nil {
		panic("api: Config.Store is required")
	}
	h := &handler{store: cfg.Store, log: cfg.Logger, now: cfg.Now, limit: cfg.MaxBodyBytes}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.limit <= 0 {
		h.limit = 1 << 20
	}
	table := routes()
	doc, err := openAPI(table)
	if err != nil {
		panic(fmt.Sprintf("api: openapi: %v", err))
	}
	h.doc = doc
	mux := http.NewServeMux()
	methods := map[string][]string{}
	for _, rt := range table {
		mux.Handle(rt.method+" "+prefix+rt.path, h.endpoint(rt))
		methods[rt.path] = append(methods[rt.path], rt.method)
	}
	// A known path with another method: 405 with Allow, as a problem.
	for path, ms := range methods {
		allow := strings.Join(ms, ", ")
		mux.HandleFunc(prefix+path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			writeProblem(w, r, problem(http.StatusMethodNotAllowed, "allowed: "+allow))
		})
	}
	mux.HandleFunc(prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, problem(http.StatusNotFound, "no such endpoint; see "+prefix+"/openapi.json"))
	})
	return mux
}

// route is one operation: how it is served and how it is documented.
type route struct {
	method, path  string // path below prefix, with {name} parameters
	opID, summary string
	doc, tag      string
	access        access
	query         []queryParam
	req, resp     reflect.Type // req is nil for operations without a JSON body
	raw           []string     // the media types of a raw body (see rawBody); nil for none
	status        int          // on success
	errs          []int        // problem statuses beyond those access, path and body imply
	serve         func(h *handler, c *call) (any, error)
}

type queryParam struct {
	name, doc string
	typ       reflect.Type
}

// noBody is the request type of operations that take no body.
type noBody struct{}

// rawBody is implemented by the request types of operations whose body is
// a file rather than JSON (an SBOM): the handler reads c.r.Body itself,
// with its own limit, and the document lists the media types it takes,
// which JSON Schema cannot describe.
type rawBody interface{ mediaTypes() []string }

// op completes rt with the types of fn and a serve function that decodes
// the body (once the caller is authenticated) and calls fn.
func op[Req, Resp any](rt route, fn func(*handler, *call, Req) (Resp, error)) *route {
	rt.resp = reflect.TypeFor[Resp]()
	if raw, ok := any(*new(Req)).(rawBody); ok {
		rt.raw = raw.mediaTypes()
	} else if t := reflect.TypeFor[Req](); t != reflect.TypeFor[noBody]() {
		rt.req = t
	}
	body := rt.req != nil
	rt.serve = func(h *handler, c *call) (any, error) {
		var req Req
		if body {
			if err := readBody(c.w, c.r, h.limit, &req); err != nil {
				return nil, err
			}
		}
		return fn(h, c, req)
	}
	return &rt
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

func (rt *route) pathParams() []string {
	var out []string
	for _, m := range pathParam.FindAllStringSubmatch(rt.path, -1) {
		out = append(out, m[1])
	}
	return out
}

// problems lists the problem statuses an operation can answer with.
func (rt *route) problems() []int {
	st := map[int]bool{http.StatusInternalServerError: true}
	if rt.access != public {
		st[http.StatusUnauthorized] = true
	}
	if rt.access.restricted() {
		st[http.StatusForbidden] = true
	}
	if len(rt.pathParams()) > 0 {
		st[http.StatusNotFound] = true
	}
	if rt.req != nil {
		for _, s := range []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity} {
			st[s] = true
		}
	}
	if rt.raw != nil {
		st[http.StatusRequestEntityTooLarge] = true
	}
	if len(rt.query) > 0 {
		st[http.StatusBadRequest] = true
	}
	for _, s := range rt.errs {
		st[s] = true
	}
	return statusesOf(st)
}

// statusesOf lists the statuses in m sorted, for stable output in tests.
func statusesOf(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for st := range m {
		out = append(out, st)
	}
	slices.Sort(out)
	return out
}

// call is one request on its way through a route.
type call struct {
	w     http.ResponseWriter
	r     *http.Request
	route *route
	now   time.Time
	actor store.Actor
}

func (h *handler) endpoint(rt *route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &call{w: w, r: r, route: rt, now: h.now()}
		resp, err := h.run(c)
		if err != nil {
			p, internal := toProblem(err)
			if internal {
				h.log.Error("api: request failed", "op", rt.opID, "path", r.URL.Path, "err", err)
			}
			writeProblem(w, r, p)
			return
		}
		h.write(w, rt, resp)
	})
}

func (h *handler) run(c *call) (any, error) {
	if err := c.checkQuery(); err != nil {
		return nil, err
	}
	if c.route.access != public {
		actor, err := h.authenticate(c.r)
		if err != nil {
			return nil, err
		}
		c.actor = actor
	}
	return c.route.serve(h, c)
}

// checkQuery rejects query parameters the route does not declare, so a
// misspelt one is not silently ignored.
func (c *call) checkQuery() error {
	var errs []FieldError
	for name := range c.r.URL.Query() {
		if !slices.ContainsFunc(c.route.query, func(q queryParam) bool { return q.name == name }) {
			errs = append(errs, FieldError{Field: name, Message: "unknown query parameter"})
		}
	}
	if errs != nil {
		slices.SortFunc(errs, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
		return problem(http.StatusBadRequest, "", errs...)
	}
	return nil
}

// located is a response that names the resource it created.
type located interface{ location() string }

func (h *handler) write(w http.ResponseWriter, rt *route, resp any) {
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-store")
	if l, ok := resp.(located); ok && rt.status == http.StatusCreated {
		hd.Set("Location", prefix+l.location())
	}
	w.WriteHeader(rt.status)
	if raw, ok := resp.(json.RawMessage); ok {
		w.Write(raw)
		return
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(resp); err != nil {
		h.log.Error("api: encode response", "op", rt.opID, "err", err)
	}
}
