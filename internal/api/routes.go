package api

import (
	"encoding/json"
	"net/http"
	"reflect"
)

// routes is the API: every operation with its access rule and types. The
// handler and the OpenAPI document are both built from it.
func routes() []*route {
	return []*route{
		op(route{method: "GET", path: "/openapi.json", opID: "getOpenAPI", tag: "meta", access: public, status: http.StatusOK,
			summary: "This document",
			doc:     "The OpenAPI 3.1 description of this API, generated from the same route table as the handler."},
			(*handler).openAPIDoc),

		op(route{method: "POST", path: "/check", opID: "check", tag: "engines", access: authenticated, status: http.StatusOK,
			summary: "Scope and class under §28 BSIG, with obligations (pflicht check)",
			doc:     "Classifies a profile on as_of and lists the carve-outs, obligations and jurisdiction rules with their citations. Same JSON as `pflicht check --json`. Stores nothing."},
			(*handler).check),
		op(route{method: "POST", path: "/fine", opID: "fine", tag: "engines", access: authenticated, status: http.StatusOK,
			summary: "Maximum fine under §65 BSIG or Art. 64 CRA (pflicht fine)",
			doc:     "The statutory maximum fine for an offence with its derivation. Same JSON as `pflicht fine --json`. Stores nothing."},
			(*handler).fine),
		op(route{method: "POST", path: "/deadline", opID: "deadline", tag: "engines", access: authenticated, status: http.StatusOK,
			summary: "Reporting clock under §32 BSIG or Art. 14 CRA (pflicht deadline)",
			doc:     "Every reporting stage with its due instant, trigger, status and required content. Same JSON as `pflicht deadline --json`. Stores nothing."},
			(*handler).deadline),

		op(route{method: "GET", path: "/organisations", opID: "listOrganisations", tag: "organisations", access: authenticated, status: http.StatusOK,
			summary: "The organisations the caller reaches, by name (for supervisors and admins: the registry)",
			query: []queryParam{
				{name: "class", doc: "besonders_wichtig or wichtig; omit for any", typ: stringType},
				{name: "sector", doc: "a sector id of the Anlagen; omit for any", typ: stringType},
				{name: "registered", doc: "true or false; omit for any", typ: boolType},
				{name: "limit", doc: "page size, 1 to 500 (default 50)", typ: intType},
				{name: "cursor", doc: "next_cursor of the previous page", typ: stringType},
			}},
			(*handler).listOrganisations),
		op(route{method: "POST", path: "/organisations", opID: "createOrganisation", tag: "organisations", access: creator, status: http.StatusCreated,
			summary: "Create an organisation with its first profile version"},
			(*handler).createOrganisation),
		op(route{method: "GET", path: "/organisations/{id}", opID: "getOrganisation", tag: "organisations", access: orgRead, status: http.StatusOK,
			summary: "An organisation: profile, class and obligations, registration status",
			doc:     "The current profile version, the assessment of scope.Check on today's date (class, obligations with citations) and the §33/§34 registration status."},
			(*handler).getOrganisation),
		op(route{method: "PUT", path: "/organisations/{id}", opID: "updateOrganisation", tag: "organisations", access: orgAdminister, status: http.StatusOK,
			summary: "Record a new profile version",
			doc:     "Stores the profile as a new version and answers with the deadline for reporting the change to the registration data: §33(5) BSIG runs from knowledge of the change, §34(2) BSIG from the day it occurred; only the duties scope.Check lists for the organisation are computed."},
			(*handler).updateOrganisation),

		op(route{method: "POST", path: "/organisations/{id}/registration", opID: "submitRegistration", tag: "organisations", access: orgAdminister, status: http.StatusCreated,
			summary: "Submit the current profile version as the §33/§34 BSIG registration"},
			(*handler).submitRegistration),
		op(route{method: "POST", path: "/organisations/{id}/incidents", opID: "createIncident", tag: "incidents", access: orgWrite, status: http.StatusCreated,
			summary: "Record an incident and start its reporting clock"},
			(*handler).createIncident),
		op(route{method: "GET", path: "/organisations/{id}/incidents", opID: "listIncidents", tag: "incidents", access: orgRead, status: http.StatusOK,
			summary: "The organisation's incidents, newest first",
			query: []queryParam{
				{name: "limit", doc: "page size, 1 to 100 (default 20)", typ: intType},
				{name: "cursor", doc: "next_cursor of the previous page", typ: stringType},
			}},
			(*handler).listIncidents),
		op(route{method: "GET", path: "/incidents/{id}", opID: "getIncident", tag: "incidents", access: orgRead, status: http.StatusOK,
			summary: "An incident with its reports and reporting stages (clock.Compute)"},
			(*handler).getIncident),
		op(route{method: "PATCH", path: "/incidents/{id}", opID: "updateIncident", tag: "incidents", access: orgWrite, status: http.StatusOK,
			summary: "Close or reopen an incident",
			doc:     "Closing changes no reporting duty: the clock keeps running until every stage is reported."},
			(*handler).updateIncident),
		op(route{method: "POST", path: "/incidents/{id}/reports", opID: "submitIncidentReport", tag: "incidents", access: orgWrite, status: http.StatusCreated,
			summary: "Submit the report of one stage",
			doc:     "The content must give every field the clock package requires for the stage (conditional fields are optional). An unknown stage, a stage whose trigger has not happened yet, a missing required field or an unknown field is 422 naming the field; a stage already reported is 409.",
			errs:    []int{http.StatusConflict}},
			(*handler).submitIncidentReport),
	}
}

// The types of query parameters, for the document.
var (
	intType    = reflect.TypeFor[int]()
	stringType = reflect.TypeFor[string]()
	boolType   = reflect.TypeFor[bool]()
)

func (h *handler) openAPIDoc(*call, noBody) (json.RawMessage, error) { return h.doc, nil }
