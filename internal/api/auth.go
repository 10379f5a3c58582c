package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/pflicht/pflicht/internal/store"
)

// access says who may call an operation. The store enforces it: every
// organisation-scoped store method filters by the actor, so the handler
// cannot forget a check. The API adds only the answer: 404 for an
// organisation the caller cannot read, 403 for one it can read but not
// change this way. The matrix (own = the caller's organisation; a member
// or org_admin of another organisation gets 404 throughout; read-only
// tokens read like their user and write nothing, 403):
//
//	operation                      member  org_admin  supervisor  admin
//	getOpenAPI (no token needed)   200     200        200         200
//	check, fine, deadline          200     200        200         200
//	listOrganisations (own only)   200     200        200 (all)   200 (all)
//	createOrganisation             201     201        403         201
//	getOrganisation                200     200        200         200
//	updateOrganisation             403     200        403         200
//	submitRegistration             403     201        403         201
//	createIncident                 201     201        403         201
//	listIncidents, getIncident     200     200        200         200
//	submitIncidentReport           201     201        403         201
//	updateIncident                 200     200        403         200
//	recordIncidentEvents: the
//	  organisation's events        200     200        403         200
//	  interim report request       403     403        200         403
//	listAllIncidents (feed)        200     200        200 (all)   200 (all)
//	  (members and org_admins: their organisations' incidents only)
//	listProducts, getProduct,
//	  listFindings                 200     200        200         200
//	createProduct,
//	  addProductVersion            201     201        403         201
//	updateProductVersion,
//	  decideFinding                200     200        403         200
//	uploadSBOM                     201     201        403         201
//
// TestAuthorisationMatrix checks every cell, for the own and a foreign
// organisation.
type access int

const (
	public        access = iota // no token
	authenticated               // any valid token
	creator                     // any user but supervisors and read-only tokens; the creator becomes org_admin
	orgRead                     // the organisation's member and org_admin, supervisors, admins
	orgWrite                    // the organisation's member and org_admin, admins; not with a read-only token
	orgAdminister               // the organisation's org_admin, admins; not with a read-only token
)

// restricted reports whether a caller who passes authentication can still
// be refused with 403.
func (a access) restricted() bool { return a == creator || a == orgWrite || a == orgAdminister }

func (a access) describe() string {
	return [...]string{
		public:        "public, no token",
		authenticated: "any valid bearer token",
		creator:       "any user except supervisors, with a token that is not read-only; the creator becomes the organisation's org_admin",
		orgRead:       "members and org_admins of the organisation, supervisors and admins; another organisation's record is 404",
		orgWrite:      "members and org_admins of the organisation and admins, with a token that is not read-only; supervisors get 403, another organisation's record is 404",
		orgAdminister: "org_admins of the organisation and admins, with a token that is not read-only; members and supervisors get 403, another organisation's record is 404",
	}[a]
}

// authenticate maps the bearer token of r to its actor. Tokens are stored
// hashed; the store compares hashes, so the comparison leaks nothing.
func (h *handler) authenticate(r *http.Request) (store.Actor, error) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || strings.ContainsAny(token, " \t") {
		return store.Actor{}, problem(http.StatusUnauthorized, "send Authorization: Bearer <token>")
	}
	a, err := h.store.TokenActor(r.Context(), token)
	if errors.Is(err, store.ErrNotFound) {
		return store.Actor{}, problem(http.StatusUnauthorized, "the token is unknown, expired or its user disabled")
	}
	return a, err
}
