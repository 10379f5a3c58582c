package portal

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pflicht/pflicht/internal/law"
	"github.com/pflicht/pflicht/internal/scope"
	"github.com/pflicht/pflicht/internal/store"
)

// measureStatuses are the states a measure can have, in the store's terms.
var measureStatuses = []string{"open", "in_progress", "implemented", "not_applicable"}

type measureRow struct {
	ID, Citation          string
	Title                 law.Text
	Status, Owner, Review string
	// ReviewDue: the review date has passed (it is the organisation's own
	// date, not a statutory one).
	ReviewDue bool
	Evidence  int // number of evidence files
	stored    store.Measure
}

type measuresData struct {
	OrgID, OrgName string
	Flash          string
	// Duties are the §30 rules the checklist documents (scope data).
	Duties   []law.Rule
	Rows     []measureRow
	Statuses []string
}

// measureDuties are the rules behind the checklist: the duty to take the
// measures and the duty to document them (§30(1) S.1, S.3 BSIG).
var measureDuties = lawRules("30.1", "30.1.S3")

// lawRules picks rules of the scope data by id, in the order given.
func lawRules(ids ...string) []law.Rule {
	var out []law.Rule
	for _, id := range ids {
		for _, r := range scope.Rules() {
			if r.ID == id {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// berlinDay is the calendar day of t in Europe/Berlin as YYYY-MM-DD.
func berlinDay(t time.Time) string { return t.In(law.Berlin).Format(time.DateOnly) }

// reviewDue: a review date (YYYY-MM-DD) before today has passed.
func reviewDue(review, today string) bool { return review != "" && review < today }

// measureRows joins the ten measures of scope (title, citation) with the
// organisation's state of each from the store and its evidence count.
func measureRows(set []store.Measure, evidence []store.Evidence, today string) []measureRow {
	byID := make(map[string]store.Measure, len(set))
	for _, m := range set {
		byID[m.MeasureID] = m
	}
	files := make(map[string]int)
	for _, e := range evidence {
		files[e.MeasureID]++
	}
	var rows []measureRow
	for _, m := range scope.Measures() {
		st := byID[m.ID]
		if st.Status == "" {
			st = store.Measure{MeasureID: m.ID, Status: "open"}
		}
		rows = append(rows, measureRow{ID: m.ID, Citation: m.Citation, Title: m.Title,
			Status: st.Status, Owner: st.Owner, Review: st.ReviewDate, ReviewDue: reviewDue(st.ReviewDate, today),
			Evidence: files[m.ID], stored: st})
	}
	return rows
}

// loadMeasures reads the organisation, its measures and its evidence.
func (s *Server) loadMeasures(w http.ResponseWriter, r *http.Request) (measuresData, []store.Evidence, bool) {
	ctx, a, org := r.Context(), state(r).user.actor(), r.PathValue("org")
	o, err := s.store.Organisation(ctx, a, org)
	if err != nil {
		s.serverError(w, r, err)
		return measuresData{}, nil, false
	}
	set, err := s.store.Measures(ctx, a, org)
	if err != nil {
		s.serverError(w, r, err)
		return measuresData{}, nil, false
	}
	ev, err := s.store.EvidenceList(ctx, a, org)
	if err != nil {
		s.serverError(w, r, err)
		return measuresData{}, nil, false
	}
	return measuresData{OrgID: o.ID, OrgName: o.Name, Duties: measureDuties, Rows: measureRows(set, ev, berlinDay(s.now())),
		Statuses: measureStatuses}, ev, true
}

func (s *Server) measuresPage(w http.ResponseWriter, r *http.Request) {
	d, _, ok := s.loadMeasures(w, r)
	if !ok {
		return
	}
	d.Flash = flash(r)
	s.render(w, r, http.StatusOK, "measures", "measures.title", page{Data: d})
}

// saveMeasures writes the measures whose status, owner or review date
// changed; each is its own audited record.
func (s *Server) saveMeasures(w http.ResponseWriter, r *http.Request) {
	d, _, ok := s.loadMeasures(w, r)
	if !ok {
		return
	}
	f := r.PostForm
	var fe fieldErrors
	var changed []store.Measure
	for i := range d.Rows {
		row := &d.Rows[i]
		row.Status = oneOf(&fe, "status-"+row.ID, "measures.status", f.Get("status-"+row.ID), measureStatuses...)
		row.Owner = checkText(&fe, "owner-"+row.ID, "measures.owner", f.Get("owner-"+row.ID), false, 200)
		row.Review = checkDate(&fe, "review-"+row.ID, "measures.review", f.Get("review-"+row.ID))
		if m := row.stored; m.Status != row.Status || m.Owner != row.Owner || m.ReviewDate != row.Review {
			m.Status, m.Owner, m.ReviewDate = row.Status, row.Owner, row.Review
			changed = append(changed, m)
		}
	}
	if len(fe) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, "measures", "measures.title", page{Data: d, Errors: fe})
		return
	}
	for _, m := range changed {
		if _, err := s.store.SetMeasure(r.Context(), state(r).user.actor(), d.OrgID, m); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	http.Redirect(w, r, "/orgs/"+d.OrgID+"/measures?done=measures", http.StatusSeeOther)
}

// evidenceType is a kind of file accepted as evidence. A file is accepted
// only if its name's extension, the type the browser declared and its
// content all say the same kind.
type evidenceType struct {
	Name string // shown to users
	MIME string // stored and served
	Exts []string
	// Declared are the media types browsers send for such a file
	// (application/octet-stream, "I do not know", is accepted for all).
	Declared []string
	match    func([]byte) bool
}

var evidenceTypes = []evidenceType{
	{"PDF", "application/pdf", []string{".pdf"}, []string{"application/pdf", "application/x-pdf"},
		func(b []byte) bool { return bytes.HasPrefix(b, []byte("%PDF-")) }},
	{"PNG", "image/png", []string{".png"}, []string{"image/png"},
		// The signature, then the IHDR chunk the format requires first.
		func(b []byte) bool {
			return bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) && len(b) > 16 && string(b[12:16]) == "IHDR"
		}},
	{"JPEG", "image/jpeg", []string{".jpg", ".jpeg"}, []string{"image/jpeg", "image/pjpeg"},
		func(b []byte) bool { return bytes.HasPrefix(b, []byte{0xff, 0xd8, 0xff}) }},
	{"Text", "text/plain; charset=utf-8", []string{".txt"}, []string{"text/plain"}, isText},
	// Browsers on Windows declare CSV as Excel's type; the content must
	// still be text.
	{"CSV", "text/csv; charset=utf-8", []string{".csv"}, []string{"text/csv", "text/plain", "application/csv", "application/vnd.ms-excel"}, isText},
	{"Word (DOCX)", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", []string{".docx"},
		[]string{"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}, ooxml("word/document.xml")},
	{"Excel (XLSX)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", []string{".xlsx"},
		[]string{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}, ooxml("xl/workbook.xml")},
	{"PowerPoint (PPTX)", "application/vnd.openxmlformats-officedocument.presentationml.presentation", []string{".pptx"},
		[]string{"application/vnd.openxmlformats-officedocument.presentationml.presentation"}, ooxml("ppt/presentation.xml")},
	{"OpenDocument Text (ODT)", "application/vnd.oasis.opendocument.text", []string{".odt"},
		[]string{"application/vnd.oasis.opendocument.text"}, odf("application/vnd.oasis.opendocument.text")},
	{"OpenDocument Spreadsheet (ODS)", "application/vnd.oasis.opendocument.spreadsheet", []string{".ods"},
		[]string{"application/vnd.oasis.opendocument.spreadsheet"}, odf("application/vnd.oasis.opendocument.spreadsheet")},
	{"OpenDocument Presentation (ODP)", "application/vnd.oasis.opendocument.presentation", []string{".odp"},
		[]string{"application/vnd.oasis.opendocument.presentation"}, odf("application/vnd.oasis.opendocument.presentation")},
}

// isText: UTF-8 (a byte order mark allowed) without control characters
// other than tab, line breaks and form feed.
func isText(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' && r != '\f' {
			return false
		}
	}
	return true
}

// ooxml matches an Office Open XML package (ECMA-376 Part 2): a ZIP with
// [Content_Types].xml and the main part of the document kind. A VBA
// project (a macro-enabled file renamed) is refused.
func ooxml(main string) func([]byte) bool {
	return func(b []byte) bool {
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return false
		}
		var types, body bool
		for _, f := range zr.File {
			switch {
			case f.Name == "[Content_Types].xml":
				types = true
			case f.Name == main:
				body = true
			case strings.EqualFold(path.Base(f.Name), "vbaProject.bin"):
				return false
			}
		}
		return types && body
	}
}

// odf matches an OpenDocument package (ODF 1.2 Part 3, 3.3): the first
// entry is "mimetype", stored uncompressed, holding the media type;
// content.xml is the document. Basic or script macros are refused.
func odf(mediaType string) func([]byte) bool {
	return func(b []byte) bool {
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil || len(zr.File) == 0 {
			return false
		}
		first := zr.File[0]
		if first.Name != "mimetype" || first.Method != zip.Store {
			return false
		}
		rc, err := first.Open()
		if err != nil {
			return false
		}
		mt, err := io.ReadAll(io.LimitReader(rc, int64(len(mediaType))+1))
		rc.Close()
		if err != nil || string(mt) != mediaType {
			return false
		}
		content := false
		for _, f := range zr.File {
			if strings.HasPrefix(f.Name, "Basic/") || strings.HasPrefix(f.Name, "Scripts/") {
				return false
			}
			content = content || f.Name == "content.xml"
		}
		return content
	}
}

// evidenceTypeFor returns the accepted type of a file by its name's
// extension.
func evidenceTypeFor(name string) (evidenceType, bool) {
	ext := strings.ToLower(path.Ext(name))
	for _, t := range evidenceTypes {
		if slices.Contains(t.Exts, ext) {
			return t, true
		}
	}
	return evidenceType{}, false
}

// checkEvidence decides whether a file is accepted: its extension names an
// allowed type, the declared media type (if any) is one of that type's and
// the content is of that type. On refusal it returns the message key and
// its arguments.
func checkEvidence(name, declared string, content []byte) (evidenceType, string, []any) {
	if len(content) == 0 {
		return evidenceType{}, "evidence.err_empty", nil
	}
	t, ok := evidenceTypeFor(name)
	if !ok {
		ext := path.Ext(name)
		if ext == "" {
			ext = "–"
		}
		return t, "evidence.err_type", []any{ext, allowedTypes()}
	}
	if mt, _, err := mime.ParseMediaType(declared); declared != "" && mt != "application/octet-stream" {
		if err != nil || !slices.Contains(t.Declared, mt) {
			return t, "evidence.err_declared", []any{declared, t.Name}
		}
	}
	if !t.match(content) {
		return t, "evidence.err_content", []any{t.Name}
	}
	return t, "", nil
}

func allowedTypes() string {
	var names []string
	for _, t := range evidenceTypes {
		names = append(names, t.Name)
	}
	return strings.Join(names, ", ")
}

// acceptAttr lists the extensions for the file input's accept attribute.
var acceptAttr = func() string {
	var exts []string
	for _, t := range evidenceTypes {
		exts = append(exts, t.Exts...)
	}
	return strings.Join(exts, ",")
}()

// maxNameBytes bounds a cleaned file name (the store allows 255 bytes).
const maxNameBytes = 200

// cleanFileName makes the name a browser sent safe to keep and show: the
// last path element only, no control or format characters (such as the
// right-to-left override that disguises an extension), no leading dots,
// at most maxNameBytes with the extension kept. "" if nothing is left.
func cleanFileName(name string) string {
	name = name[strings.LastIndexAny(name, `/\`)+1:]
	name = strings.ToValidUTF8(name, "")
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		if unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, name)
	name = strings.TrimRight(strings.TrimLeft(name, ". "), " ")
	if len(name) > maxNameBytes {
		ext := path.Ext(name)
		if len(ext) > 16 {
			ext = ""
		}
		stem := name[:maxNameBytes-len(ext)]
		for !utf8.ValidString(stem) {
			stem = stem[:len(stem)-1]
		}
		name = strings.TrimSpace(stem) + ext
	}
	if strings.Trim(name, ". ") == "" {
		return ""
	}
	return name
}

// formatSize writes a file size for people: bytes, KiB or MiB with one
// decimal in the page's language.
func formatSize(n int64, lang string) string {
	var s string
	switch {
	case n < 1<<10:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1<<20:
		s = strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " KiB"
	default:
		s = strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	}
	if lang == "de" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// evidenceFile is one evidence file as the pages list it.
type evidenceFile struct{ store.Evidence }

// SizeIn is the size for the page's language.
func (f evidenceFile) SizeIn(lang string) string { return formatSize(f.Size, lang) }

// TypeName is the accepted type's name, or the stored media type for
// files another client stored.
func (f evidenceFile) TypeName() string {
	if t, ok := evidenceTypeFor(f.Name); ok && t.MIME == f.ContentType {
		return t.Name
	}
	return f.ContentType
}

// evidenceData is the page of one measure with its evidence.
type evidenceData struct {
	OrgID, OrgName string
	Flash          string
	Measure        measureRow
	Files          []evidenceFile
	Accept, Types  string
	MaxSize        int64
}

// MaxSizeIn is the upload limit for the page's language.
func (d evidenceData) MaxSizeIn(lang string) string { return formatSize(d.MaxSize, lang) }

func (s *Server) loadEvidence(w http.ResponseWriter, r *http.Request) (evidenceData, bool) {
	md, ev, ok := s.loadMeasures(w, r)
	if !ok {
		return evidenceData{}, false
	}
	d := evidenceData{OrgID: md.OrgID, OrgName: md.OrgName, Accept: acceptAttr, Types: allowedTypes(), MaxSize: s.cfg.MaxEvidenceBytes}
	i := slices.IndexFunc(md.Rows, func(m measureRow) bool { return m.ID == r.PathValue("measure") })
	if i < 0 {
		s.renderError(w, r, http.StatusNotFound, "error.not_found")
		return evidenceData{}, false
	}
	d.Measure = md.Rows[i]
	for _, e := range ev {
		if e.MeasureID == d.Measure.ID {
			d.Files = append(d.Files, evidenceFile{e})
		}
	}
	return d, true
}

func (s *Server) evidencePage(w http.ResponseWriter, r *http.Request) {
	d, ok := s.loadEvidence(w, r)
	if !ok {
		return
	}
	if r.URL.Query().Get("done") == "evidence" {
		d.Flash = "evidence.flash_saved"
	}
	s.render(w, r, http.StatusOK, "evidence", "evidence.title", page{Data: d})
}

// isEvidenceUpload: the request is POST /orgs/{org}/measures/{measure}/evidence,
// the one route of the UI whose body may exceed MaxBodyBytes.
func isEvidenceUpload(r *http.Request) bool {
	p := strings.Split(r.URL.Path, "/")
	return r.Method == http.MethodPost && len(p) == 6 && p[0] == "" && p[1] == "orgs" && p[3] == "measures" && p[5] == "evidence"
}

// uploadEvidence stores one file for a measure. The body limit lets the
// file through at up to MaxEvidenceBytes plus the form; the file itself is
// checked against MaxEvidenceBytes here, by type, and by the store for the
// organisation.
func (s *Server) uploadEvidence(w http.ResponseWriter, r *http.Request) {
	d, ok := s.loadEvidence(w, r)
	if !ok {
		return
	}
	var fe fieldErrors
	status := http.StatusUnprocessableEntity
	var files []*multipart.FileHeader
	if r.MultipartForm != nil {
		files = r.MultipartForm.File["file"]
	}
	var data []byte
	var name string
	var typ evidenceType
	switch {
	case len(files) != 1 || files[0].Filename == "":
		fe.add("file", "evidence.file", "evidence.err_required")
	case files[0].Size > s.cfg.MaxEvidenceBytes:
		fe.add("file", "evidence.file", "evidence.err_too_large", formatSize(s.cfg.MaxEvidenceBytes, state(r).lang))
		status = http.StatusRequestEntityTooLarge
	default:
		fh := files[0]
		if name = cleanFileName(fh.Filename); name == "" {
			fe.add("file", "evidence.file", "evidence.err_name")
			break
		}
		f, err := fh.Open()
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		data, err = io.ReadAll(io.LimitReader(f, s.cfg.MaxEvidenceBytes+1))
		f.Close()
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		var msg string
		var args []any
		if typ, msg, args = checkEvidence(name, fh.Header.Get("Content-Type"), data); msg != "" {
			fe.add("file", "evidence.file", msg, args...)
			status = http.StatusUnsupportedMediaType
		}
	}
	if len(fe) > 0 {
		s.render(w, r, status, "evidence", "evidence.title", page{Data: d, Errors: fe})
		return
	}
	e := store.Evidence{OrgID: d.OrgID, MeasureID: d.Measure.ID, Name: name, ContentType: typ.MIME}
	if _, err := s.store.AddEvidence(r.Context(), state(r).user.actor(), e, bytes.NewReader(data)); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+d.OrgID+"/measures/"+d.Measure.ID+"?done=evidence", http.StatusSeeOther)
}

// downloadEvidence sends a file as an attachment, never to be rendered by
// the browser: a sandboxing CSP and nosniff on top, and a stored media type
// that is not one of the accepted ones goes out as octet-stream.
func (s *Server) downloadEvidence(w http.ResponseWriter, r *http.Request) {
	e, content, err := s.store.EvidenceContent(r.Context(), state(r).user.actor(), r.PathValue("id"))
	if err == nil && e.OrgID != r.PathValue("org") {
		err = fmt.Errorf("portal: evidence of another organisation: %w", store.ErrNotFound)
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	ct := "application/octet-stream"
	if slices.ContainsFunc(evidenceTypes, func(t evidenceType) bool { return t.MIME == e.ContentType }) {
		ct = e.ContentType
	}
	disp := mime.FormatMediaType("attachment", map[string]string{"filename": e.Name})
	if disp == "" {
		disp = "attachment"
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", disp)
	h.Set("Content-Length", strconv.FormatInt(e.Size, 10))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	if _, err := io.Copy(w, content); err != nil {
		s.log.Warn("evidence download", "id", e.ID, "err", err)
	}
}

func (s *Server) measureRoutes(handle handleFunc) {
	handle("GET /orgs/{org}/measures", s.signedIn(s.measuresPage))
	handle("POST /orgs/{org}/measures", s.signedIn(s.saveMeasures))
	handle("GET /orgs/{org}/measures/{measure}", s.signedIn(s.evidencePage))
	handle("POST /orgs/{org}/measures/{measure}/evidence", s.signedIn(s.uploadEvidence))
	handle("GET /orgs/{org}/evidence/{id}", s.signedIn(s.downloadEvidence))
	s.managementRoutes(handle)
	s.reportRoutes(handle)
}
