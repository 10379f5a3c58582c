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
				{name: "q", doc: "part of the name, case-insensitive (at most 300 bytes); omit for any", typ: stringType},
				{name: "class", doc: "besonders_wichtig, wichtig or none (no class); omit for any", typ: stringType},
				{name: "sector", doc: "a sector id of the Anlagen; omit for any", typ: stringType},
				{name: "registered", doc: "true or false; omit for any", typ: boolType},
				{name: "changed", doc: "true: only organisations whose profile changed after their last registration (a change to report, §33(5), §34(2) BSIG)", typ: boolType},
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
		op(route{method: "POST", path: "/incidents/{id}/events", opID: "recordIncidentEvents", tag: "incidents", access: orgRead, status: http.StatusOK,
			summary: "Record events the reporting clocks run from",
			doc:     "A corrective measure available (cra-vulnerability), the authority's request for an interim report with its deadline, the incident still ongoing and its final handling (bsig). Who may record what follows the law: the request only a supervisor (it is the authority's act), the others only the organisation's members, org_admins and admins (else 403). An event of another regime, a time after now or one that contradicts the other dates is 422 naming the field; a request after the interim report was submitted is 409.",
			errs:    []int{http.StatusForbidden, http.StatusConflict}},
			(*handler).recordIncidentEvents),
		op(route{method: "GET", path: "/incidents", opID: "listAllIncidents", tag: "incidents", access: authenticated, status: http.StatusOK,
			summary: "The incident feed: every organisation's incidents for supervisors and admins, one's own for others",
			doc:     "Newest first; with overdue=true only incidents with an overdue stage, longest overdue first (by the next due instant stored at each write). Each item carries the stage due soonest, computed by the clock engine.",
			query: []queryParam{
				{name: "overdue", doc: "true for incidents with an overdue stage only", typ: boolType},
				{name: "regime", doc: "bsig, cra-incident or cra-vulnerability; omit for any", typ: stringType},
				{name: "limit", doc: "page size, 1 to 500 (default 50)", typ: intType},
				{name: "cursor", doc: "next_cursor of the previous page", typ: stringType},
			}},
			(*handler).listAllIncidents),

		// Products (CRA manufacturers): handlers in products.go.
		op(route{method: "GET", path: "/organisations/{id}/products", opID: "listProducts", tag: "products", access: orgRead, status: http.StatusOK,
			summary: "The organisation's products with their versions, by name",
			doc:     "Each version with its class, Art. 32 routes and Art. 13 support period from the cra engine (as getProduct) and its open findings."},
			(*handler).listProducts),
		op(route{method: "POST", path: "/organisations/{id}/products", opID: "createProduct", tag: "products", access: orgWrite, status: http.StatusCreated,
			summary: "Create a product with digital elements"},
			(*handler).createProduct),
		op(route{method: "GET", path: "/products/{id}", opID: "getProduct", tag: "products", access: orgRead, status: http.StatusOK,
			summary: "A product with its versions: class, conformity-assessment routes, support period",
			doc:     "For each version: the class of its Annex III/IV categories (cra.Classify) with the category behind it, every Art. 32 route open or closed with the provision that decides (cra.Routes, for the day of placing on the market), and the Art. 13 dates of the support period (cra.SupportPeriod) with their state today. Every result carries its citation; readings the law data marks UNVERIFIED say so in status."},
			(*handler).getProduct),
		op(route{method: "POST", path: "/products/{id}/versions", opID: "addProductVersion", tag: "products", access: orgWrite, status: http.StatusCreated,
			summary: "Add a version with its support period, categories and Art. 32 facts",
			doc:     "The support period is the day of placing on the market and either support_years (the engine computes the end) or support_end; the engine refuses periods over 100 years. The same checks as the portal's form; each refusal names its field (422). A version string the product has already is 409.",
			errs:    []int{http.StatusConflict}},
			(*handler).addProductVersion),
		op(route{method: "PATCH", path: "/versions/{id}", opID: "updateProductVersion", tag: "products", access: orgWrite, status: http.StatusOK,
			summary: "Change a version's support period, categories or Art. 32 facts",
			doc:     "Absent fields keep their stored value. The stored period is placed_on and support_end; support_years gives a new end from placed_on. The version string does not change."},
			(*handler).updateProductVersion),
		op(route{method: "POST", path: "/versions/{id}/sbom", opID: "uploadSBOM", tag: "products", access: orgWrite, status: http.StatusCreated,
			summary: "Upload an SBOM: parse, store as the version's current SBOM, match, record findings",
			doc:     "The body is the SBOM file itself (any content type but a form), at most 50 MiB (413 beyond): CycloneDX 1.2–1.7 (JSON, XML) or SPDX 2.2/2.3 (JSON, tag-value), detected. The answer lists the components that could not be checked with their reasons, the findings (new, no longer found, known exploited) and the CRA Art. 14 reporting tracks opened for known-exploited findings. An unreadable file is 422 naming the position; nothing is stored.",
			query:   []queryParam{{name: "name", doc: "the file name, for people and messages (at most 255 bytes; default sbom)", typ: stringType}},
			errs:    []int{http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity}},
			(*handler).uploadSBOM),
		op(route{method: "GET", path: "/versions/{id}/findings", opID: "listFindings", tag: "products", access: orgRead, status: http.StatusOK,
			summary: "The vulnerabilities found in a version, with their VEX decisions",
			query: []queryParam{
				{name: "kev", doc: "true for known-exploited findings only", typ: boolType},
				{name: "status", doc: "a VEX status: under_investigation, affected, not_affected or fixed; omit for any", typ: stringType},
				{name: "gone", doc: "true to include findings no longer found", typ: boolType},
			}},
			(*handler).listFindings),
		op(route{method: "POST", path: "/findings/{id}/decision", opID: "decideFinding", tag: "products", access: orgWrite, status: http.StatusOK,
			summary: "Record a VEX decision on a finding",
			doc:     "not_affected needs a justification (the five of OpenVEX and CSAF 2.0), the other statuses take none. The decision is kept with who and when; the finding carries the latest."},
			(*handler).decideFinding),
	}
}

// The types of query parameters, for the document.
var (
	intType    = reflect.TypeFor[int]()
	stringType = reflect.TypeFor[string]()
	boolType   = reflect.TypeFor[bool]()
)

func (h *handler) openAPIDoc(*call, noBody) (json.RawMessage, error) { return h.doc, nil }
