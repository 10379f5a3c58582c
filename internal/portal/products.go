package portal

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/pflicht/pflicht/internal/cra"
	"github.com/pflicht/pflicht/internal/facts"
	"github.com/pflicht/pflicht/internal/findings"
	"github.com/pflicht/pflicht/internal/law"
	"github.com/pflicht/pflicht/internal/sbom"
	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/vex"
	"github.com/pflicht/pflicht/internal/view"
	"github.com/pflicht/pflicht/internal/vuln"
)

// productRoutes: a manufacturer's products and versions (CRA), their SBOMs
// and findings.
func (s *Server) productRoutes(handle handleFunc) {
	handle("GET /orgs/{org}/products", s.signedIn(s.productsPage))
	handle("POST /orgs/{org}/products", s.signedIn(s.createProduct))
	handle("GET /orgs/{org}/products/{product}", s.signedIn(s.productPage))
	handle("POST /orgs/{org}/products/{product}/versions", s.signedIn(s.addVersion))
	handle("GET /orgs/{org}/products/{product}/versions/{version}", s.signedIn(s.versionPage))
	handle("POST /orgs/{org}/products/{product}/versions/{version}", s.signedIn(s.updateVersion))
	handle("POST "+sbomUploadPattern, s.signedIn(s.uploadSBOM))
	handle("GET /orgs/{org}/findings/{finding}", s.signedIn(s.findingPage))
	handle("POST /orgs/{org}/findings/{finding}", s.signedIn(s.decideFinding))
}

// productFlashes are the confirmations of the product pages (?done=KEY).
var productFlashes = map[string]string{
	"product":  "products.flash_created",
	"version":  "products.flash_version",
	"saved":    "products.flash_saved",
	"decision": "finding.flash_decided",
}

func productFlash(r *http.Request) string { return productFlashes[r.URL.Query().Get("done")] }

// craFacts are the Art. 32 facts as checkboxes: form name, message key,
// citation shown beside it.
type craFact struct{ ID, Label, Hint, Citation string }

var craFacts = []craFact{
	{"harmonised_standards", "products.fact_harmonised", "products.fact_harmonised_hint", "Art. 32 Abs. 2 VO (EU) 2024/2847"},
	{"foss_public_docs", "products.fact_foss", "products.fact_foss_hint", "Art. 32 Abs. 5 VO (EU) 2024/2847"},
	{"eu_scheme", "products.fact_scheme", "products.fact_scheme_hint", "Art. 27 Abs. 9, Art. 8 Abs. 1 VO (EU) 2024/2847"},
}

// classLabels name the CRA classes.
var classLabels = map[cra.Class]string{
	cra.Default:         "products.class_default",
	cra.ImportantClass1: "products.class_important_1",
	cra.ImportantClass2: "products.class_important_2",
	cra.Critical:        "products.class_critical",
}

// supportView is a version's support period (facts.SupportOf) with its days
// as the pages show them; these string fields shadow the embedded days.
type supportView struct {
	facts.Support
	PlacedOn, End, Statement, UpdatesUntil, DocsUntil string
}

func newSupportView(s facts.Support) *supportView {
	return &supportView{Support: s, PlacedOn: dmy(s.PlacedOn), End: dmy(s.End), Statement: s.End.Format("01/2006"),
		UpdatesUntil: dmy(s.UpdatesUntil), DocsUntil: dmy(s.DocsUntil)}
}

// supportStates name the states of a support period.
var supportStates = map[facts.SupportState]string{
	facts.InSupport:    "products.support_in",
	facts.SupportEnded: "products.support_ended",
	facts.NotPlaced:    "products.support_not_placed",
}

// dmy shows a calendar day the same in both languages, as berlin does.
func dmy(t time.Time) string { return t.Format("02.01.2006") }

// versionView is one version with what the cra engine says about it
// (facts.AssessVersion). Its Support, formatted for the page, shadows the
// assessment's.
type versionView struct {
	store.ProductVersion
	facts.Assessment
	ClassLabel string
	Support    *supportView
	// Open counts the findings without a decision that closes them
	// (not_affected, fixed); KEV those of them known to be exploited.
	Open, KEV int
}

// Unverified reports whether the category's reading is UNVERIFIED.
func (v versionView) Unverified(categoryID string) bool {
	return facts.CategoryStatus(categoryID) == law.Unverified
}

// RulesUnverified reports whether the Art. 32 rule applied to the class is
// an UNVERIFIED reading.
func (v versionView) RulesUnverified() bool { return v.RuleStatus() == law.Unverified }

// SupportLabel is the message key of the support state.
func (v versionView) SupportLabel() string {
	if v.Support == nil {
		return ""
	}
	return supportStates[v.Support.State]
}

func (s *Server) viewVersion(v store.ProductVersion) versionView {
	vv := versionView{ProductVersion: v, Assessment: facts.AssessVersion(v, view.Today(s.now()))}
	if vv.ClassErr == "" {
		vv.ClassLabel = classLabels[vv.Class.Class]
	}
	if sp := vv.Assessment.Support; sp != nil {
		vv.Support = newSupportView(*sp)
	}
	return vv
}

// productsData is the list of an organisation's products.
type productsData struct {
	Org      store.Organisation
	Flash    string
	Products []productRow
}

type productRow struct {
	store.Product
	Versions []versionView
}

func (s *Server) productsPage(w http.ResponseWriter, r *http.Request) {
	s.renderProducts(w, r, http.StatusOK, nil, nil)
}

func (s *Server) renderProducts(w http.ResponseWriter, r *http.Request, status int, form url.Values, fe fieldErrors) {
	ctx, a, org := r.Context(), state(r).user.actor(), r.PathValue("org")
	o, err := s.store.Organisation(ctx, a, org)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	ps, err := s.store.Products(ctx, a, org)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	counts, err := s.findingCounts(r, org)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := productsData{Org: o, Flash: productFlash(r)}
	for _, p := range ps {
		row := productRow{Product: p}
		for _, v := range p.Versions {
			vv := s.viewVersion(v)
			vv.Open, vv.KEV = counts[v.ID].open, counts[v.ID].kev
			row.Versions = append(row.Versions, vv)
		}
		d.Products = append(d.Products, row)
	}
	s.render(w, r, status, "products", "products.title", page{Data: d, Form: form, Errors: fe})
}

func (s *Server) createProduct(w http.ResponseWriter, r *http.Request) {
	var fe fieldErrors
	name := checkText(&fe, "name", "products.name", r.PostForm.Get("name"), true, store.MaxProductName)
	if len(fe) > 0 {
		s.renderProducts(w, r, http.StatusUnprocessableEntity, r.PostForm, fe)
		return
	}
	org := r.PathValue("org")
	p, err := s.store.CreateProduct(r.Context(), state(r).user.actor(), org, name)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+org+"/products/"+p.ID+"?done=product", http.StatusSeeOther)
}

// productData is a product's page: its versions and the version form, which
// adds a version or, with ?edit=ID, changes one.
type productData struct {
	Org        store.Organisation
	Product    store.Product
	Flash      string
	Versions   []versionView
	Categories []cra.Category
	Facts      []craFact
	// Edit is the version the form changes, nil when it adds one.
	Edit *store.ProductVersion
}

// loadProduct reads the organisation and the product, which must belong
// to it: another organisation's product is not found.
func (s *Server) loadProduct(w http.ResponseWriter, r *http.Request) (store.Organisation, store.Product, bool) {
	ctx, a, org := r.Context(), state(r).user.actor(), r.PathValue("org")
	o, err := s.store.Organisation(ctx, a, org)
	if err != nil {
		s.serverError(w, r, err)
		return o, store.Product{}, false
	}
	p, err := s.store.Product(ctx, a, r.PathValue("product"))
	if err == nil && p.OrgID != o.ID {
		err = store.ErrNotFound
	}
	if err != nil {
		s.serverError(w, r, err)
		return o, p, false
	}
	return o, p, true
}

func (s *Server) productPage(w http.ResponseWriter, r *http.Request) {
	o, p, ok := s.loadProduct(w, r)
	if !ok {
		return
	}
	if id := r.URL.Query().Get("edit"); id != "" {
		for _, v := range p.Versions {
			if v.ID == id {
				s.renderProduct(w, r, http.StatusOK, o, p, &v, versionForm(v), nil)
				return
			}
		}
		s.serverError(w, r, store.ErrNotFound)
		return
	}
	// The form for the next version starts from the latest one's CRA data:
	// categories and facts rarely change between versions.
	form := url.Values{}
	if n := len(p.Versions); n > 0 {
		form = versionForm(p.Versions[n-1])
		for _, k := range []string{"version", "placed_on", "support_end"} {
			form.Del(k)
		}
	}
	s.renderProduct(w, r, http.StatusOK, o, p, nil, form, nil)
}

func (s *Server) renderProduct(w http.ResponseWriter, r *http.Request, status int, o store.Organisation, p store.Product, edit *store.ProductVersion,
	form url.Values, fe fieldErrors) {
	counts, err := s.findingCounts(r, o.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := productData{Org: o, Product: p, Flash: productFlash(r), Categories: cra.Categories(), Facts: craFacts, Edit: edit}
	for _, v := range p.Versions {
		vv := s.viewVersion(v)
		vv.Open, vv.KEV = counts[v.ID].open, counts[v.ID].kev
		d.Versions = append(d.Versions, vv)
	}
	s.render(w, r, status, "product", "products.product_title", page{Data: d, Form: form, Errors: fe})
}

func (s *Server) addVersion(w http.ResponseWriter, r *http.Request) {
	o, p, ok := s.loadProduct(w, r)
	if !ok {
		return
	}
	var fe fieldErrors
	v := parseVersionForm(&fe, r.PostForm, true)
	if len(fe) > 0 {
		s.renderProduct(w, r, http.StatusUnprocessableEntity, o, p, nil, r.PostForm, fe)
		return
	}
	v.ProductID = p.ID
	v, err := s.store.AddProductVersion(r.Context(), state(r).user.actor(), v)
	if errors.Is(err, store.ErrConflict) {
		fe.add("version", "products.version", "products.err_version_exists")
		s.renderProduct(w, r, http.StatusConflict, o, p, nil, r.PostForm, fe)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+o.ID+"/products/"+p.ID+"/versions/"+v.ID+"?done=version", http.StatusSeeOther)
}

// updateVersion changes a version's support period, categories and facts;
// the form is the product page's in edit mode.
func (s *Server) updateVersion(w http.ResponseWriter, r *http.Request) {
	o, p, v, ok := s.loadVersion(w, r)
	if !ok {
		return
	}
	var fe fieldErrors
	upd := parseVersionForm(&fe, r.PostForm, false)
	if len(fe) > 0 {
		s.renderProduct(w, r, http.StatusUnprocessableEntity, o, p, &v, r.PostForm, fe)
		return
	}
	upd.ID, upd.Version = v.ID, v.Version
	if _, err := s.store.UpdateProductVersion(r.Context(), state(r).user.actor(), upd); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+o.ID+"/products/"+p.ID+"/versions/"+v.ID+"?done=saved", http.StatusSeeOther)
}

// versionForm is a stored version as the form submits it.
func versionForm(v store.ProductVersion) url.Values {
	f := url.Values{"version": {v.Version}, "placed_on": {v.SupportStart}, "support_end": {v.SupportEnd}, "category": v.Categories}
	for _, x := range []struct {
		id string
		on bool
	}{{"harmonised_standards", v.HarmonisedStandards}, {"foss_public_docs", v.FOSSPublicDocs}, {"eu_scheme", v.EUScheme}} {
		if x.on {
			f.Set(x.id, "yes")
		}
	}
	return f
}

// versionLabels and versionReasons are the label of each field the facts
// package checks and the message of each reason it gives.
var (
	versionLabels = map[string]string{
		"placed_on": "products.placed_on", "support_years": "products.support_years",
		"support_end": "products.support_end", "categories": "products.categories",
	}
	versionReasons = map[string]string{
		facts.ReasonDate:         "err.date",
		facts.ReasonYearsOrEnd:   "products.err_years_or_end",
		facts.ReasonPlacedNeeded: "products.err_placed_needed",
		facts.ReasonYears:        "products.err_years",
		facts.ReasonEndBefore:    "products.err_end_before",
		facts.ReasonEngine:       "products.err_engine",
		facts.ReasonCategory:     "err.choice",
	}
)

// parseVersionForm reads a version's form; facts.ProductVersion checks the
// support period (whole years or an end date, from the day of placing on
// the market) and the categories.
func parseVersionForm(fe *fieldErrors, f url.Values, withVersion bool) store.ProductVersion {
	var version string
	if withVersion {
		version = checkText(fe, "version", "products.version", f.Get("version"), true, store.MaxVersionString)
	}
	// The checkboxes send "yes" or nothing.
	var bad []string
	on := func(id string) bool {
		if x := f.Get(id); x != "" && x != "yes" {
			bad = append(bad, id)
		}
		return f.Get(id) == "yes"
	}
	v, errs := facts.ProductVersion(facts.VersionInput{PlacedOn: f.Get("placed_on"), Years: f.Get("support_years"), End: f.Get("support_end"),
		Categories: f["category"], HarmonisedStandards: on("harmonised_standards"), FOSSPublicDocs: on("foss_public_docs"), EUScheme: on("eu_scheme")})
	for _, e := range errs {
		if e.Reason == facts.ReasonEngine {
			fe.add(e.Field, versionLabels[e.Field], versionReasons[e.Reason], e.Detail)
		} else {
			fe.add(e.Field, versionLabels[e.Field], versionReasons[e.Reason])
		}
	}
	for _, id := range bad {
		fe.add(id, "products.facts", "err.choice")
	}
	v.Version = version
	return v
}

// loadVersion reads the organisation, the product and the version, which
// must belong to them.
func (s *Server) loadVersion(w http.ResponseWriter, r *http.Request) (store.Organisation, store.Product, store.ProductVersion, bool) {
	o, p, ok := s.loadProduct(w, r)
	if !ok {
		return o, p, store.ProductVersion{}, false
	}
	for _, v := range p.Versions {
		if v.ID == r.PathValue("version") {
			return o, p, v, true
		}
	}
	s.serverError(w, r, store.ErrNotFound)
	return o, p, store.ProductVersion{}, false
}

// versionData is a version's page: its CRA assessment and the form to
// change it, its SBOMs with the upload form, and its findings.
type versionData struct {
	Org      store.Organisation
	Product  store.Product
	Version  versionView
	Flash    string
	SBOMs    []sbomRow
	Findings []findingRow
	Filter   findingFilter
	Statuses []option
	// Upload is the result of an upload (?sbom=ID after it), nil otherwise.
	Upload  *uploadView
	MaxSBOM int64 // MiB
}

// sbomRow is an uploaded SBOM with the e-mail address of who uploaded it.
type sbomRow struct {
	store.SBOMFile
	Who string
}

// uploadView is what an upload stored and found: the SBOM with the
// components that could not be checked, its findings, and the CRA Art. 14
// tracks of the known-exploited ones.
type uploadView struct {
	SBOM          store.SBOMFile
	Findings, KEV int
	Tracked       []findingRow
}

// findingFilter is the filter of the findings table (a GET form).
type findingFilter struct {
	KEV    bool
	Status string
	Gone   bool
}

// option is one choice of a select: the value and its message key.
type option struct{ Value, Label string }

// vexStatuses are the VEX statuses a finding can have (CISA minimum
// requirements, as OpenVEX, CycloneDX and CSAF name them in internal/vex).
var vexStatuses = []option{
	{string(vex.UnderInvestigation), "finding.status_under_investigation"},
	{string(vex.Affected), "finding.status_affected"},
	{string(vex.NotAffected), "finding.status_not_affected"},
	{string(vex.Fixed), "finding.status_fixed"},
}

// vexJustifications are the OpenVEX/CSAF justification labels for
// not_affected; each has its CycloneDX counterpart (see internal/vex).
var vexJustifications = []option{
	{string(vex.ComponentNotPresent), "finding.just_component_not_present"},
	{string(vex.VulnerableCodeNotPresent), "finding.just_vulnerable_code_not_present"},
	{string(vex.VulnerableCodeNotInExecutePath), "finding.just_vulnerable_code_not_in_execute_path"},
	{string(vex.VulnerableCodeCannotBeControlledByAdversary), "finding.just_vulnerable_code_cannot_be_controlled_by_adversary"},
	{string(vex.InlineMitigationsAlreadyExist), "finding.just_inline_mitigations_already_exist"},
}

// labelOf is the label of the option with value v, "" if there is none
// (for a stored value: not stated).
func labelOf(opts []option, v string) string {
	for _, o := range opts {
		if o.Value == v {
			return o.Label
		}
	}
	return ""
}

func values(opts []option) []string {
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = o.Value
	}
	return out
}

// findingRow is a finding as the tables show it.
type findingRow struct {
	store.Finding
	StatusLabel, JustLabel string
	// SeverityClass is a CSS class from a fixed set, whatever the
	// database calls the severity.
	SeverityClass string
}

func severityClass(s string) string {
	switch l := strings.ToLower(s); l {
	case "critical", "high", "medium", "moderate", "low":
		return "sev-" + l
	}
	return "sev-unknown"
}

func newFindingRow(f store.Finding) findingRow {
	return findingRow{Finding: f, StatusLabel: labelOf(vexStatuses, f.Status), JustLabel: labelOf(vexJustifications, f.Justification),
		SeverityClass: severityClass(f.Severity)}
}

// findingCount is what the lists show of a version's findings.
type findingCount struct{ open, kev int }

// count adds f to the counts of its version.
func (c findingCount) add(f store.Finding) findingCount {
	if facts.FindingOpen(f) {
		c.open++
		if f.KnownExploited {
			c.kev++
		}
	}
	return c
}

// findingCounts counts the open findings of each of the organisation's
// versions.
func (s *Server) findingCounts(r *http.Request, orgID string) (map[string]findingCount, error) {
	fs, err := s.store.Findings(r.Context(), state(r).user.actor(), orgID, store.FindingFilter{})
	if err != nil {
		return nil, err
	}
	out := map[string]findingCount{}
	for _, f := range fs {
		out[f.VersionID] = out[f.VersionID].add(f)
	}
	return out, nil
}

func (s *Server) versionPage(w http.ResponseWriter, r *http.Request) {
	o, p, v, ok := s.loadVersion(w, r)
	if !ok {
		return
	}
	s.renderVersion(w, r, http.StatusOK, o, p, v, nil)
}

// renderVersion shows a version with its findings as the filter (query kev,
// status, gone) selects them, and with ?sbom=ID the result of that upload.
func (s *Server) renderVersion(w http.ResponseWriter, r *http.Request, status int, o store.Organisation, p store.Product, v store.ProductVersion, fe fieldErrors) {
	ctx, a := r.Context(), state(r).user.actor()
	q := r.URL.Query()
	filter := findingFilter{KEV: q.Get("kev") == "1", Status: q.Get("status"), Gone: q.Get("gone") == "1"}
	if filter.Status != "" && labelOf(vexStatuses, filter.Status) == "" {
		s.renderError(w, r, http.StatusBadRequest, "error.bad_request")
		return
	}
	sboms, err := s.store.SBOMs(ctx, a, v.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// One read serves the counts, the upload result and the filtered table.
	fs, err := s.store.Findings(ctx, a, o.ID, store.FindingFilter{VersionID: v.ID, IncludeGone: true})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	actors := make([]string, len(sboms))
	for i, sb := range sboms {
		actors[i] = sb.UploadedBy
	}
	who, err := s.emailsOf(ctx, actors)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := versionData{Org: o, Product: p, Version: s.viewVersion(v), Flash: productFlash(r), Filter: filter,
		Statuses: vexStatuses, MaxSBOM: findings.MaxSBOMBytes >> 20}
	for _, sb := range sboms {
		d.SBOMs = append(d.SBOMs, sbomRow{SBOMFile: sb, Who: who(sb.UploadedBy)})
	}
	if id := q.Get("sbom"); id != "" {
		for _, sb := range sboms {
			if sb.ID == id {
				d.Upload = &uploadView{SBOM: sb}
			}
		}
	}
	var c findingCount
	for _, f := range fs {
		c = c.add(f)
		if u := d.Upload; u != nil && f.SBOMID == u.SBOM.ID && !f.Gone {
			u.Findings++
			if f.KnownExploited {
				u.KEV++
			}
			if f.IncidentID != "" {
				u.Tracked = append(u.Tracked, newFindingRow(f))
			}
		}
		if filter.KEV && !f.KnownExploited || filter.Status != "" && f.Status != filter.Status || !filter.Gone && f.Gone {
			continue
		}
		d.Findings = append(d.Findings, newFindingRow(f))
	}
	d.Version.Open, d.Version.KEV = c.open, c.kev
	s.render(w, r, status, "product_version", "products.version_title", page{Data: d, Errors: fe})
}

// sbomUploadPattern is the SBOM upload route. limitBody allows its body
// findings.MaxSBOMBytes beyond the UI's limit; isSBOMUpload recognises it the way
// the router does.
const sbomUploadPattern = "/orgs/{org}/products/{product}/versions/{version}/sboms"

var sbomUploads = func() *http.ServeMux {
	m := http.NewServeMux()
	m.Handle("POST "+sbomUploadPattern, http.NotFoundHandler())
	return m
}()

func isSBOMUpload(r *http.Request) bool {
	_, pattern := sbomUploads.Handler(r)
	return pattern != ""
}

// uploadSBOM parses the SBOM, matches it against the vulnerability
// database and stores it with its findings (internal/findings, which also
// opens the CRA Art. 14 tracks of known-exploited findings), then shows the
// version with the result of the upload.
func (s *Server) uploadSBOM(w http.ResponseWriter, r *http.Request) {
	o, p, v, ok := s.loadVersion(w, r)
	if !ok {
		return
	}
	var fe fieldErrors
	file, hdr, err := r.FormFile("sbom")
	switch {
	case err != nil:
		fe.add("sbom", "products.sbom_file", "products.err_sbom_missing")
	case hdr.Size > findings.MaxSBOMBytes:
		fe.add("sbom", "products.sbom_file", "products.err_sbom_too_large", findings.MaxSBOMBytes>>20)
	case len(hdr.Filename) > store.MaxSBOMName:
		fe.add("sbom", "products.sbom_file", "err.too_long", store.MaxSBOMName)
	}
	if len(fe) > 0 {
		s.renderVersion(w, r, http.StatusUnprocessableEntity, o, p, v, fe)
		return
	}
	defer file.Close()
	res, err := findings.Upload(r.Context(), s.store, state(r).user.actor(), v.ID, hdr.Filename, file, s.now())
	if ie, ok := errors.AsType[*findings.InputError](err); ok {
		fe.add("sbom", "products.sbom_file", "products.err_sbom_invalid", ie.Error())
		s.renderVersion(w, r, http.StatusUnprocessableEntity, o, p, v, fe)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+o.ID+"/products/"+p.ID+"/versions/"+v.ID+"?sbom="+res.SBOM.ID+"#upload-result", http.StatusSeeOther)
}

// findingData is a finding's page: what was found, the VEX decision form
// and the decisions taken so far.
type findingData struct {
	Org            store.Organisation
	Product        store.Product
	Version        store.ProductVersion
	Finding        findingRow
	Flash          string
	Decisions      []decisionRow
	Statuses       []option
	Justifications []option
}

type decisionRow struct {
	store.FindingDecision
	StatusLabel, JustLabel string
	Who                    string // the e-mail address of who decided
}

// emailsOf returns a function naming the actors of records ("user:ID via
// …", as the audit trail writes them) by their users' e-mail addresses;
// an actor that is no user (the CLI, a job) stays as recorded.
func (s *Server) emailsOf(ctx context.Context, actors []string) (func(string) string, error) {
	var ids []string
	for _, a := range actors {
		if id, ok := store.ActorUserID(a); ok {
			ids = append(ids, id)
		}
	}
	emails, err := s.store.UserEmails(ctx, ids)
	if err != nil {
		return nil, err
	}
	return func(actor string) string {
		if id, ok := store.ActorUserID(actor); ok && emails[id] != "" {
			return emails[id]
		}
		return actor
	}, nil
}

func (s *Server) loadFinding(w http.ResponseWriter, r *http.Request) (findingData, bool) {
	ctx, a := r.Context(), state(r).user.actor()
	f, err := s.store.Finding(ctx, a, r.PathValue("finding"))
	o, err := s.pathOrg(r, f.OrgID, err)
	if err != nil {
		s.serverError(w, r, err)
		return findingData{}, false
	}
	v, err := s.store.ProductVersion(ctx, a, f.VersionID)
	if err != nil {
		s.serverError(w, r, err)
		return findingData{}, false
	}
	p, err := s.store.Product(ctx, a, v.ProductID)
	if err != nil {
		s.serverError(w, r, err)
		return findingData{}, false
	}
	ds, err := s.store.FindingDecisions(ctx, a, f.ID)
	if err != nil {
		s.serverError(w, r, err)
		return findingData{}, false
	}
	actors := make([]string, len(ds))
	for i, dec := range ds {
		actors[i] = dec.DecidedBy
	}
	who, err := s.emailsOf(ctx, actors)
	if err != nil {
		s.serverError(w, r, err)
		return findingData{}, false
	}
	d := findingData{Org: o, Product: p, Version: v, Finding: newFindingRow(f), Statuses: vexStatuses, Justifications: vexJustifications}
	// Newest first: the history answers "who decided this, and why" first.
	for i := len(ds) - 1; i >= 0; i-- {
		d.Decisions = append(d.Decisions, decisionRow{FindingDecision: ds[i], StatusLabel: labelOf(vexStatuses, ds[i].Status),
			JustLabel: labelOf(vexJustifications, ds[i].Justification), Who: who(ds[i].DecidedBy)})
	}
	return d, true
}

func (s *Server) findingPage(w http.ResponseWriter, r *http.Request) {
	d, ok := s.loadFinding(w, r)
	if !ok {
		return
	}
	d.Flash = productFlash(r)
	form := url.Values{"status": {d.Finding.Status}, "justification": {d.Finding.Justification}}
	s.render(w, r, http.StatusOK, "finding", "finding.title", page{Data: d, Form: form})
}

// decideFinding records a VEX decision: the status, for not_affected the
// justification, and a note saying why.
func (s *Server) decideFinding(w http.ResponseWriter, r *http.Request) {
	d, ok := s.loadFinding(w, r)
	if !ok {
		return
	}
	f := r.PostForm
	var fe fieldErrors
	status := oneOf(&fe, "status", "finding.status", f.Get("status"), values(vexStatuses)...)
	just := strings.TrimSpace(f.Get("justification"))
	switch {
	case status == string(vex.NotAffected):
		just = oneOf(&fe, "justification", "finding.justification", just, values(vexJustifications)...)
	case just != "":
		fe.add("justification", "finding.justification", "finding.err_just_only_not_affected")
	}
	note := checkText(&fe, "note", "finding.note", f.Get("note"), false, store.MaxDecisionNote)
	if len(fe) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, "finding", "finding.title", page{Data: d, Form: f, Errors: fe})
		return
	}
	dec := store.FindingDecision{Status: status, Justification: just, Note: note}
	if _, err := s.store.DecideFinding(r.Context(), state(r).user.actor(), d.Finding.ID, dec); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+d.Org.ID+"/findings/"+d.Finding.ID+"?done=decision", http.StatusSeeOther)
}

// unscannedCodes are the codes a stored unscanned component can carry; each
// has its message "unscanned.<code>". A code not listed (one added later to
// the matcher) shows the matcher's own words only.
var unscannedCodes = []string{
	string(sbom.NoPURL), string(sbom.CPEOnly), string(sbom.BadPURL), string(sbom.UnknownType), string(sbom.NoVersion),
	string(vuln.NoCoordinates), string(vuln.NoAdvisories), string(vuln.NoVersion), string(vuln.NoOrdering), string(vuln.BadVersion),
	findings.NotEvaluableCode,
}

// unscannedKey is the message key of an unscanned component's code, "" if
// it has none.
func unscannedKey(code string) string {
	if slices.Contains(unscannedCodes, code) {
		return "unscanned." + code
	}
	return ""
}
