package api

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pflicht/pflicht/internal/cra"
	"github.com/pflicht/pflicht/internal/facts"
	"github.com/pflicht/pflicht/internal/findings"
	"github.com/pflicht/pflicht/internal/law"
	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/vex"
)

// Products with digital elements (CRA), their versions with what the cra
// engine says about them (facts.AssessVersion, shared with the portal),
// SBOM uploads (findings.Upload) and the findings with their VEX decisions.

type createProductRequest struct {
	Name string `json:"name" doc:"the product's name, at most 200 bytes"`
}

// productView is a product with its versions.
type productView struct {
	ID        string               `json:"id"`
	OrgID     string               `json:"org_id"`
	Name      string               `json:"name"`
	CreatedAt time.Time            `json:"created_at"`
	Versions  []productVersionView `json:"versions"`
}

func (v productView) location() string { return "/products/" + v.ID }

type productList struct {
	Items []productView `json:"items" doc:"by name"`
}

// productVersionView is a stored version with its class, conformity-
// assessment routes and support period from the cra engine.
type productVersionView struct {
	store.ProductVersion
	Class      *productClass  `json:"class" doc:"the class from the Annex III/IV categories (cra.Classify); null when class_error is set"`
	Routes     *productRoutes `json:"routes" doc:"every Art. 32 route, open or closed, with the provision that decides (cra.Routes), assessed for the day of placing on the market (else today); null when class_error is set"`
	ClassError string         `json:"class_error,omitempty" doc:"the engine cannot read the stored categories"`
	Support    *supportPeriod `json:"support" doc:"the Art. 13 dates; null without a day of placing on the market and an end, or when support_error is set"`
	// SupportError is the engine's refusal of a stored period.
	SupportError string `json:"support_error,omitempty" doc:"the engine refuses the stored period"`
	OpenFindings int    `json:"open_findings" doc:"findings still found whose VEX status is under_investigation or affected"`
	OpenKEV      int    `json:"open_known_exploited" doc:"open findings in a known-exploited catalogue"`
}

type productClass struct {
	Class   string           `json:"class" enum:"default,important_class_1,important_class_2,critical"`
	Reasons []categoryReason `json:"reasons" doc:"the categories behind the class"`
}

// categoryReason is a category of the version with the status of the
// engine's reading of it.
type categoryReason struct {
	cra.Reason
	Status law.Status `json:"status"`
}

type productRoutes struct {
	cra.Assessment
	RuleStatus law.Status `json:"rule_status" doc:"status of the Art. 32 rule applied to the class (rule)"`
}

// supportPeriod is facts.Support with calendar days as YYYY-MM-DD.
type supportPeriod struct {
	PlacedOn          string     `json:"placed_on" format:"date" doc:"day of placing on the market, where the period begins"`
	End               string     `json:"end" format:"date" doc:"last day of the support period"`
	EndCitation       string     `json:"end_citation"`
	Statement         string     `json:"statement" doc:"the month and year of the end, YYYY-MM, to state at purchase"`
	StatementCitation string     `json:"statement_citation"`
	UpdatesUntil      string     `json:"updates_available_until" format:"date" doc:"a security update issued on the last day of support stays available at least until"`
	UpdatesCitation   string     `json:"updates_citation"`
	DocsUntil         string     `json:"documentation_until" format:"date" doc:"technical documentation and EU declaration of conformity kept at least until"`
	DocsCitation      string     `json:"documentation_citation"`
	State             string     `json:"state" enum:"not_placed,in_support,ended" doc:"today (Europe/Berlin) before, within or after the period"`
	Notes             []cra.Note `json:"notes"`
}

func newSupportPeriod(s facts.Support) *supportPeriod {
	return &supportPeriod{
		PlacedOn: s.PlacedOn.Format(law.DateLayout), End: s.End.Format(law.DateLayout), EndCitation: s.EndCitation,
		Statement: s.End.Format("2006-01"), StatementCitation: s.StatementCitation,
		UpdatesUntil: s.UpdatesUntil.Format(law.DateLayout), UpdatesCitation: s.UpdatesCitation,
		DocsUntil: s.DocsUntil.Format(law.DateLayout), DocsCitation: s.DocsCitation,
		State: string(s.State), Notes: s.Notes,
	}
}

// versionViewOf assesses v on today; counts are its open findings.
func versionViewOf(v store.ProductVersion, c *call, counts map[string]findingCount) productVersionView {
	a := facts.AssessVersion(v, c.today())
	out := productVersionView{ProductVersion: v, ClassError: a.ClassErr, SupportError: a.SupportErr,
		OpenFindings: counts[v.ID].open, OpenKEV: counts[v.ID].kev}
	if a.ClassErr == "" {
		out.Class = &productClass{Class: string(a.Class.Class), Reasons: make([]categoryReason, len(a.Class.Reasons))}
		for i, r := range a.Class.Reasons {
			out.Class.Reasons[i] = categoryReason{Reason: r, Status: facts.CategoryStatus(r.CategoryID)}
		}
		out.Routes = &productRoutes{Assessment: a.Routes, RuleStatus: a.RuleStatus()}
	}
	if a.Support != nil {
		out.Support = newSupportPeriod(*a.Support)
	}
	return out
}

type findingCount struct{ open, kev int }

// findingCounts counts the open findings of each version of an organisation.
func (h *handler) findingCounts(c *call, orgID string) (map[string]findingCount, error) {
	fs, err := h.store.Findings(c.r.Context(), c.actor, orgID, store.FindingFilter{})
	if err != nil {
		return nil, err
	}
	out := map[string]findingCount{}
	for _, f := range fs {
		if facts.FindingOpen(f) {
			n := out[f.VersionID]
			n.open++
			if f.KnownExploited {
				n.kev++
			}
			out[f.VersionID] = n
		}
	}
	return out, nil
}

func productViewOf(p store.Product, c *call, counts map[string]findingCount) productView {
	out := productView{ID: p.ID, OrgID: p.OrgID, Name: p.Name, CreatedAt: p.CreatedAt,
		Versions: make([]productVersionView, len(p.Versions))}
	for i, v := range p.Versions {
		out.Versions[i] = versionViewOf(v, c, counts)
	}
	return out
}

func (h *handler) listProducts(c *call, _ noBody) (productList, error) {
	orgID := c.r.PathValue("id")
	ps, err := h.store.Products(c.r.Context(), c.actor, orgID)
	if err != nil {
		return productList{}, err
	}
	counts, err := h.findingCounts(c, orgID)
	if err != nil {
		return productList{}, err
	}
	out := productList{Items: make([]productView, len(ps))}
	for i, p := range ps {
		out.Items[i] = productViewOf(p, c, counts)
	}
	return out, nil
}

func (h *handler) createProduct(c *call, req createProductRequest) (productView, error) {
	orgID := c.r.PathValue("id")
	name := strings.TrimSpace(req.Name)
	switch {
	case name == "":
		return productView{}, invalid("name", "required")
	case len(name) > store.MaxProductName:
		return productView{}, invalid("name", fmt.Sprintf("longer than %d bytes", store.MaxProductName))
	}
	p, err := h.store.CreateProduct(c.r.Context(), c.actor, orgID, name)
	if err != nil {
		return productView{}, h.orgWriteRefused(c, orgID, err)
	}
	return productViewOf(p, c, nil), nil
}

func (h *handler) getProduct(c *call, _ noBody) (productView, error) {
	p, err := h.store.Product(c.r.Context(), c.actor, c.r.PathValue("id"))
	if err != nil {
		return productView{}, err
	}
	counts, err := h.findingCounts(c, p.OrgID)
	if err != nil {
		return productView{}, err
	}
	return productViewOf(p, c, counts), nil
}

// versionFields are a version's CRA data in a request; an absent field is
// not stated (adding) or left as stored (changing).
type versionFields struct {
	PlacedOn     *string  `json:"placed_on,omitempty" doc:"day of placing on the market, YYYY-MM-DD; \"\" for none"`
	SupportYears *int     `json:"support_years,omitempty" doc:"the support period in whole years from placing on the market; the cra engine computes the end (Art. 13(8)). Give this or support_end, not both"`
	SupportEnd   *string  `json:"support_end,omitempty" doc:"the last day of support, YYYY-MM-DD; \"\" for none"`
	Categories   []string `json:"categories,omitempty" doc:"Annex III/IV category ids of the cra engine (e.g. annex3.1.12); [] for none"`
	// The Art. 32 facts.
	HarmonisedStandards *bool `json:"harmonised_standards,omitempty" doc:"harmonised standards, common specifications or an EU scheme (at least substantial) applied in full (Art. 32(2))"`
	FOSSPublicDocs      *bool `json:"foss_public_docs,omitempty" doc:"free and open-source software with public technical documentation (Art. 32(5))"`
	EUScheme            *bool `json:"eu_scheme,omitempty" doc:"a European cybersecurity certification scheme is available (for Annex IV: under Art. 8(1))"`
}

type addVersionRequest struct {
	Version string `json:"version" doc:"the version string, at most 100 bytes, once per product"`
	versionFields
}

// input merges f over the stored version was: absent fields keep their
// value. The stored period is the pair placed_on and support_end; years
// are a way to give the end.
func (f versionFields) input(was store.ProductVersion) facts.VersionInput {
	in := facts.VersionInput{PlacedOn: was.SupportStart, End: was.SupportEnd, Categories: was.Categories,
		HarmonisedStandards: was.HarmonisedStandards, FOSSPublicDocs: was.FOSSPublicDocs, EUScheme: was.EUScheme}
	if f.PlacedOn != nil {
		in.PlacedOn = *f.PlacedOn
	}
	if f.SupportYears != nil {
		in.Years, in.End = strconv.Itoa(*f.SupportYears), ""
	}
	if f.SupportEnd != nil {
		in.End = *f.SupportEnd
	}
	if f.Categories != nil {
		in.Categories = f.Categories
	}
	for _, b := range []struct {
		from *bool
		to   *bool
	}{{f.HarmonisedStandards, &in.HarmonisedStandards}, {f.FOSSPublicDocs, &in.FOSSPublicDocs}, {f.EUScheme, &in.EUScheme}} {
		if b.from != nil {
			*b.to = *b.from
		}
	}
	return in
}

// checkVersion runs the checks the portal runs (facts.ProductVersion),
// adding errs of the caller's own fields first.
func checkVersion(in facts.VersionInput, errs []FieldError) (store.ProductVersion, error) {
	v, ferrs := facts.ProductVersion(in)
	for _, e := range ferrs {
		errs = append(errs, FieldError{Field: e.Field, Message: e.Message()})
	}
	if errs != nil {
		return v, problem(http.StatusUnprocessableEntity, "", errs...)
	}
	return v, nil
}

func (h *handler) addProductVersion(c *call, req addVersionRequest) (productVersionView, error) {
	ctx := c.r.Context()
	var errs []FieldError
	version := strings.TrimSpace(req.Version)
	switch {
	case version == "":
		errs = append(errs, FieldError{"version", "required"})
	case len(version) > store.MaxVersionString:
		errs = append(errs, FieldError{"version", fmt.Sprintf("longer than %d bytes", store.MaxVersionString)})
	}
	v, err := checkVersion(req.input(store.ProductVersion{}), errs)
	if err != nil {
		return productVersionView{}, err
	}
	p, err := h.store.Product(ctx, c.actor, c.r.PathValue("id"))
	if err != nil {
		return productVersionView{}, err
	}
	v.ProductID, v.Version = p.ID, version
	// A second version of the same string is ErrConflict (409).
	v, err = h.store.AddProductVersion(ctx, c.actor, v)
	if err != nil {
		return productVersionView{}, writeRefused(err, nil) // the product was readable above
	}
	return versionViewOf(v, c, nil), nil
}

func (h *handler) updateProductVersion(c *call, req versionFields) (productVersionView, error) {
	ctx := c.r.Context()
	was, err := h.store.ProductVersion(ctx, c.actor, c.r.PathValue("id"))
	if err != nil {
		return productVersionView{}, err
	}
	v, err := checkVersion(req.input(was), nil)
	if err != nil {
		return productVersionView{}, err
	}
	v.ID, v.Version = was.ID, was.Version
	v, err = h.store.UpdateProductVersion(ctx, c.actor, v)
	if err != nil {
		return productVersionView{}, writeRefused(err, nil) // the version was readable above
	}
	counts, err := h.findingCounts(c, v.OrgID)
	if err != nil {
		return productVersionView{}, err
	}
	return versionViewOf(v, c, counts), nil
}

// sbomFile is the body of uploadSBOM: the SBOM file itself. Any media
// type but a form is taken (the format is detected from the content);
// these are the ones documented: CycloneDX's and SPDX's registered types,
// and the generic ones clients send for a JSON, XML or tag-value file.
type sbomFile struct{}

func (sbomFile) mediaTypes() []string {
	return []string{"application/vnd.cyclonedx+json", "application/vnd.cyclonedx+xml", "application/spdx+json", "text/spdx",
		"application/json", "application/xml", "text/plain", "application/octet-stream"}
}

// uploadSBOM takes the SBOM file itself as the body.
func (h *handler) uploadSBOM(c *call, _ sbomFile) (findings.UploadResult, error) {
	ctx := c.r.Context()
	v, err := h.store.ProductVersion(ctx, c.actor, c.r.PathValue("id"))
	if err != nil {
		return findings.UploadResult{}, err
	}
	// The store refuses them too; refusing first spares parsing the file.
	if c.actor.ReadOnly || c.actor.Role == store.RoleSupervisor {
		return findings.UploadResult{}, writeRefused(store.ErrNotFound, nil)
	}
	if mt, _, _ := mime.ParseMediaType(c.r.Header.Get("Content-Type")); strings.HasPrefix(mt, "multipart/") || mt == "application/x-www-form-urlencoded" {
		return findings.UploadResult{}, problem(http.StatusUnsupportedMediaType, "send the SBOM file itself as the body, not a form")
	}
	name := c.r.URL.Query().Get("name")
	if name == "" {
		name = "sbom"
	}
	tooLarge := problem(http.StatusRequestEntityTooLarge, fmt.Sprintf("an SBOM may have at most %d MiB", findings.MaxSBOMBytes>>20))
	if c.r.ContentLength > findings.MaxSBOMBytes {
		return findings.UploadResult{}, tooLarge
	}
	res, err := findings.Upload(ctx, h.store, c.actor, v.ID, name, http.MaxBytesReader(c.w, c.r.Body, findings.MaxSBOMBytes), c.now)
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return res, tooLarge
	}
	if ie, ok := errors.AsType[*findings.InputError](err); ok {
		if ie.Field == "name" {
			return res, invalid("name", ie.Msg)
		}
		return res, invalid("body", ie.Error())
	}
	if err != nil {
		return res, writeRefused(err, nil) // the version was readable above
	}
	return res, nil
}

type findingList struct {
	Items []store.Finding `json:"items" doc:"known exploited first, then by vulnerability and component"`
}

func (h *handler) listFindings(c *call, _ noBody) (findingList, error) {
	q := c.r.URL.Query()
	f := store.FindingFilter{VersionID: c.r.PathValue("id")}
	for _, b := range []struct {
		name string
		to   *bool
	}{{"kev", &f.KEVOnly}, {"gone", &f.IncludeGone}} {
		switch q.Get(b.name) {
		case "", "false":
		case "true":
			*b.to = true
		default:
			return findingList{}, problem(http.StatusBadRequest, "", FieldError{b.name, "must be true or false"})
		}
	}
	if st := q.Get("status"); st != "" {
		if _, err := vex.ParseStatus(st); err != nil {
			return findingList{}, problem(http.StatusBadRequest, "", FieldError{"status", "one of " + strings.Join(vexStatuses, ", ")})
		}
		f.Status = st
	}
	v, err := h.store.ProductVersion(c.r.Context(), c.actor, f.VersionID)
	if err != nil {
		return findingList{}, err
	}
	fs, err := h.store.Findings(c.r.Context(), c.actor, v.OrgID, f)
	if err != nil {
		return findingList{}, err
	}
	if fs == nil {
		fs = []store.Finding{}
	}
	return findingList{Items: fs}, nil
}

// vexStatuses are the VEX statuses as OpenVEX and CSAF name them.
var vexStatuses = []string{string(vex.UnderInvestigation), string(vex.Affected), string(vex.NotAffected), string(vex.Fixed)}

type decisionRequest struct {
	Status        string `json:"status" enum:"under_investigation,affected,not_affected,fixed" doc:"the VEX status"`
	Justification string `json:"justification,omitempty" enum:"component_not_present,vulnerable_code_not_present,vulnerable_code_not_in_execute_path,vulnerable_code_cannot_be_controlled_by_adversary,inline_mitigations_already_exist" doc:"required with not_affected, and only then (OpenVEX/CSAF labels)"`
	Note          string `json:"note,omitempty" doc:"why: what was checked, which measure was taken; at most 4000 bytes"`
}

// decisionResponse is the finding with the decision taken and those before.
type decisionResponse struct {
	Finding   store.Finding           `json:"finding"`
	Decisions []store.FindingDecision `json:"decisions" doc:"oldest first; who is the actor as the audit trail names it"`
}

func (h *handler) decideFinding(c *call, req decisionRequest) (decisionResponse, error) {
	var errs []FieldError
	switch {
	case req.Status == "":
		errs = append(errs, FieldError{"status", "required: one of " + strings.Join(vexStatuses, ", ")})
	case req.Status == string(vex.NotAffected) && req.Justification == "":
		errs = append(errs, FieldError{"justification", "required with not_affected"})
	case req.Status != string(vex.NotAffected) && req.Justification != "":
		errs = append(errs, FieldError{"justification", "given only with not_affected"})
	}
	if len(req.Note) > store.MaxDecisionNote {
		errs = append(errs, FieldError{"note", fmt.Sprintf("longer than %d bytes", store.MaxDecisionNote)})
	}
	if errs != nil {
		return decisionResponse{}, problem(http.StatusUnprocessableEntity, "", errs...)
	}
	ctx, id := c.r.Context(), c.r.PathValue("id")
	f, err := h.store.DecideFinding(ctx, c.actor, id, store.FindingDecision{Status: req.Status, Justification: req.Justification, Note: strings.TrimSpace(req.Note)})
	if err != nil {
		_, readErr := h.store.Finding(ctx, c.actor, id)
		return decisionResponse{}, writeRefused(err, readErr)
	}
	ds, err := h.store.FindingDecisions(ctx, c.actor, id)
	if err != nil {
		return decisionResponse{}, err
	}
	return decisionResponse{Finding: f, Decisions: ds}, nil
}
