package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/pflicht/pflicht/internal/clock"
	"github.com/pflicht/pflicht/internal/fines"
	"github.com/pflicht/pflicht/internal/scope"
	"github.com/pflicht/pflicht/internal/store"
)

// Problem is an RFC 9457 problem detail, sent as application/problem+json
// for every error. Errors lists the offending input fields of a validation
// problem.
type Problem struct {
	Type     string       `json:"type" doc:"URI reference identifying the problem type; urn:pflicht:problem:<slug>"`
	Title    string       `json:"title" doc:"short summary of the problem type"`
	Status   int          `json:"status" doc:"the HTTP status code"`
	Detail   string       `json:"detail,omitempty" doc:"explanation of this occurrence"`
	Instance string       `json:"instance,omitempty" doc:"the request path"`
	Errors   []FieldError `json:"errors,omitempty" doc:"the input fields that are wrong, each with its reason"`
}

// FieldError names one bad input field: a JSON path into the request body
// ("profile.activities[2]", "content.severity"), a path parameter or a query
// parameter.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (p *Problem) Error() string {
	var b strings.Builder
	b.WriteString("api: " + p.Title)
	if p.Detail != "" {
		b.WriteString(": " + p.Detail)
	}
	for _, e := range p.Errors {
		b.WriteString("; " + e.Field + ": " + e.Message)
	}
	return b.String()
}

// problemTitles holds the type slug and title of each status the API sends.
var problemTitles = map[int][2]string{
	http.StatusBadRequest:            {"bad-request", "The request is malformed"},
	http.StatusUnauthorized:          {"unauthorized", "A valid bearer token is required"},
	http.StatusForbidden:             {"forbidden", "Your role does not allow this"},
	http.StatusNotFound:              {"not-found", "Not found"},
	http.StatusMethodNotAllowed:      {"method-not-allowed", "Method not allowed"},
	http.StatusConflict:              {"conflict", "Conflict with the current state"},
	http.StatusRequestEntityTooLarge: {"too-large", "The request body is too large"},
	http.StatusUnsupportedMediaType:  {"unsupported-media-type", "The request body must be application/json"},
	http.StatusUnprocessableEntity:   {"invalid-input", "The input is invalid"},
	http.StatusInternalServerError:   {"internal", "Internal server error"},
	http.StatusServiceUnavailable:    {"unavailable", "The request could not be completed"},
}

// problem returns a problem of the given status.
func problem(status int, detail string, errs ...FieldError) *Problem {
	t := problemTitles[status]
	return &Problem{Type: "urn:pflicht:problem:" + t[0], Title: t[1], Status: status, Detail: detail, Errors: errs}
}

// invalid is a 422 problem naming one field.
func invalid(field, msg string) *Problem {
	return problem(http.StatusUnprocessableEntity, "", FieldError{Field: field, Message: msg})
}

// toProblem maps any error of a handler to the problem the client sees. It is
// the one place where engine and store errors become HTTP statuses; internal
// reports whether the error is ours (logged, detail withheld).
func toProblem(err error) (p *Problem, internal bool) {
	if p, ok := errors.AsType[*Problem](err); ok {
		return p, false
	}
	if fe, ok := errors.AsType[*scope.FieldError](err); ok {
		return invalid(fe.Field, fe.Msg), false
	}
	if fe, ok := errors.AsType[*clock.FieldError](err); ok {
		return invalid(fe.Field, fe.Msg), false
	}
	if fe, ok := errors.AsType[*fines.FieldError](err); ok {
		return invalid(fe.Field, fe.Msg), false
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return problem(http.StatusNotFound, ""), false
	case errors.Is(err, store.ErrConflict):
		return problem(http.StatusConflict, storeDetail(err)), false
	case errors.Is(err, store.ErrInvalid):
		return problem(http.StatusUnprocessableEntity, storeDetail(err)), false
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return problem(http.StatusServiceUnavailable, "the request was cancelled"), false
	}
	return problem(http.StatusInternalServerError, ""), true
}

// storeDetail is the store's message without its package prefix.
func storeDetail(err error) string { return strings.TrimPrefix(err.Error(), "store: ") }

// writeProblem sends p for request r.
func writeProblem(w http.ResponseWriter, r *http.Request, p *Problem) {
	q := *p
	q.Instance = r.URL.Path
	if q.Title == "" {
		q.Title = http.StatusText(q.Status)
	}
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("X-Content-Type-Options", "nosniff")
	if q.Status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Bearer realm="pflicht"`)
	}
	w.WriteHeader(q.Status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(&q) // the status line is out; a broken connection is all that can fail here
}
