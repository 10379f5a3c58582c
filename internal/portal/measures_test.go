package portal

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

// Test files of each accepted kind, built here so each test says what it
// holds.
var (
	pdfFile  = []byte("%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
	pngFile  = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"), make([]byte, 17)...)
	jpegFile = append([]byte{0xff, 0xd8, 0xff, 0xe0}, make([]byte, 16)...)
)

type zipEntry struct {
	name, body string
	store      bool // uncompressed
}

func zipFile(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.store {
			h.Method = zip.Store
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, e.body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func docx(t testing.TB, extra ...zipEntry) []byte {
	return zipFile(t, append([]zipEntry{{name: "[Content_Types].xml", body: "<Types/>"}, {name: "word/document.xml", body: "<w:document/>"}}, extra...)...)
}

func odt(t testing.TB, mediaType string, stored bool) []byte {
	return zipFile(t, zipEntry{name: "mimetype", body: mediaType, store: stored}, zipEntry{name: "content.xml", body: "<office:document-content/>"})
}

func TestCheckEvidence(t *testing.T) {
	const ok = ""
	for _, tc := range []struct {
		name, file, declared string
		content              []byte
		want                 string // message key, ok if accepted
		mime                 string // stored type when accepted
	}{
		{"pdf", "Richtlinie.pdf", "application/pdf", pdfFile, ok, "application/pdf"},
		{"pdf, extension in capitals", "SCAN.PDF", "application/pdf", pdfFile, ok, "application/pdf"},
		{"pdf, nothing declared", "a.pdf", "", pdfFile, ok, "application/pdf"},
		{"pdf, browser does not know", "a.pdf", "application/octet-stream", pdfFile, ok, "application/pdf"},
		{"png", "diagram.png", "image/png", pngFile, ok, "image/png"},
		{"jpeg", "foto.jpeg", "image/jpeg", jpegFile, ok, "image/jpeg"},
		{"jpg", "foto.jpg", "image/jpeg", jpegFile, ok, "image/jpeg"},
		{"text with BOM and umlauts", "notiz.txt", "text/plain; charset=utf-8", []byte("\xef\xbb\xbfÜberprüfung\r\n\tok\n"), ok, "text/plain; charset=utf-8"},
		{"csv as Windows declares it", "liste.csv", "application/vnd.ms-excel", []byte("a;b\n1;2\n"), ok, "text/csv; charset=utf-8"},
		{"docx", "konzept.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx(t), ok, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"xlsx", "liste.xlsx", "", zipFile(t, zipEntry{name: "[Content_Types].xml"}, zipEntry{name: "xl/workbook.xml"}), ok, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{"odt", "plan.odt", "application/vnd.oasis.opendocument.text", odt(t, "application/vnd.oasis.opendocument.text", true), ok, "application/vnd.oasis.opendocument.text"},

		{"empty", "a.pdf", "application/pdf", nil, "evidence.err_empty", ""},
		{"executable", "setup.exe", "application/x-msdownload", []byte("MZ\x90\x00"), "evidence.err_type", ""},
		{"html", "page.html", "text/html", []byte("<script>alert(1)</script>"), "evidence.err_type", ""},
		{"svg (scriptable)", "logo.svg", "image/svg+xml", []byte("<svg/>"), "evidence.err_type", ""},
		{"no extension", "README", "text/plain", []byte("x"), "evidence.err_type", ""},
		{"declared type disagrees with name", "a.pdf", "image/png", pdfFile, "evidence.err_declared", ""},
		{"declared type malformed", "a.pdf", "application/", pdfFile, "evidence.err_declared", ""},
		{"png content named pdf", "a.pdf", "application/pdf", pngFile, "evidence.err_content", ""},
		{"pdf content named png", "a.png", "image/png", pdfFile, "evidence.err_content", ""},
		{"truncated png", "a.png", "image/png", pngFile[:10], "evidence.err_content", ""},
		{"latin-1 text", "a.txt", "text/plain", []byte("\xdcberpr\xfcfung"), "evidence.err_content", ""},
		{"binary as text", "a.txt", "text/plain", []byte("ab\x00cd"), "evidence.err_content", ""},
		{"zip named docx", "a.docx", "", zipFile(t, zipEntry{name: "x.txt", body: "x"}), "evidence.err_content", ""},
		{"macro-enabled docm renamed", "a.docx", "", docx(t, zipEntry{name: "word/vbaProject.bin", body: "x"}), "evidence.err_content", ""},
		{"xlsx named docx", "a.docx", "", zipFile(t, zipEntry{name: "[Content_Types].xml"}, zipEntry{name: "xl/workbook.xml"}), "evidence.err_content", ""},
		{"odt with compressed mimetype", "a.odt", "", odt(t, "application/vnd.oasis.opendocument.text", false), "evidence.err_content", ""},
		{"ods named odt", "a.odt", "", odt(t, "application/vnd.oasis.opendocument.spreadsheet", true), "evidence.err_content", ""},
		{"odt with Basic macros", "a.odt", "", zipFile(t, zipEntry{name: "mimetype", body: "application/vnd.oasis.opendocument.text", store: true}, zipEntry{name: "content.xml"}, zipEntry{name: "Basic/Standard/Module1.xml"}), "evidence.err_content", ""},
		{"pdf named docx", "a.docx", "", pdfFile, "evidence.err_content", ""},
	} {
		typ, msg, _ := checkEvidence(tc.file, tc.declared, tc.content)
		if msg != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, msg, tc.want)
			continue
		}
		if msg == ok && typ.MIME != tc.mime {
			t.Errorf("%s: stored as %q, want %q", tc.name, typ.MIME, tc.mime)
		}
	}
}

func TestCleanFileName(t *testing.T) {
	long := strings.Repeat("ä", 150) + ".pdf" // 300 bytes of stem
	for _, tc := range []struct{ in, want string }{
		{"Richtlinie 2026.pdf", "Richtlinie 2026.pdf"},
		{`C:\Users\ciso\Desktop\plan.pdf`, "plan.pdf"},
		{"../../etc/passwd", "passwd"},
		{"invoice\u202efdp.exe", "invoicefdp.exe"}, // right-to-left override
		{"a\r\nb\x00.pdf", "ab.pdf"},
		{".htaccess", "htaccess"},
		{"...", ""},
		{" . ", ""},
		{"dir/", ""},
		{"bad\xffutf8.txt", "badutf8.txt"},
		{"tab\u00a0space.pdf", "tab space.pdf"},
		{long, strings.Repeat("ä", 98) + ".pdf"},
	} {
		got := cleanFileName(tc.in)
		if got != tc.want {
			t.Errorf("cleanFileName(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if len(got) > maxNameBytes {
			t.Errorf("cleanFileName(%q) is %d bytes", tc.in, len(got))
		}
	}
}

// FuzzCleanFileName: whatever a browser sends, the kept name is valid
// UTF-8 without path separators, control or format characters, at most
// maxNameBytes long, and does not start with a dot.
func FuzzCleanFileName(f *testing.F) {
	for _, s := range []string{"a.pdf", `C:\x\y.docx`, "../../etc/passwd", "invoice\u202efdp.exe", ".bashrc", "\xff\xfe", strings.Repeat("ä", 200) + ".pdf"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := cleanFileName(in)
		if got == "" {
			return
		}
		if !utf8.ValidString(got) || len(got) > maxNameBytes || strings.HasPrefix(got, ".") || strings.TrimSpace(got) != got {
			t.Fatalf("cleanFileName(%q) = %q", in, got)
		}
		for _, r := range got {
			if r == '/' || r == '\\' || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("cleanFileName(%q) = %q holds %U", in, got, r)
			}
		}
	})
}

func TestFormatSize(t *testing.T) {
	for _, tc := range []struct {
		n        int64
		lang     string
		expected string
	}{
		{0, "en", "0 B"}, {1023, "de", "1023 B"}, {1536, "en", "1.5 KiB"}, {1536, "de", "1,5 KiB"}, {10 << 20, "de", "10,0 MiB"},
	} {
		if got := formatSize(tc.n, tc.lang); got != tc.expected {
			t.Errorf("formatSize(%d, %s) = %q, want %q", tc.n, tc.lang, got, tc.expected)
		}
	}
}

// FuzzCheckEvidence: no input makes the type check panic, and an accepted
// file is one of the allow-list with a matching extension.
func FuzzCheckEvidence(f *testing.F) {
	f.Add("a.pdf", "application/pdf", pdfFile)
	f.Add("a.docx", "", docx(f))
	f.Add("a.odt", "", odt(f, "application/vnd.oasis.opendocument.text", true))
	f.Add("a.txt", "text/plain; charset=utf-8", []byte("ok"))
	f.Add("a.png", "image/png", pngFile)
	f.Fuzz(func(t *testing.T, name, declared string, content []byte) {
		typ, msg, _ := checkEvidence(name, declared, content)
		if msg != "" {
			return
		}
		if want, ok := evidenceTypeFor(name); !ok || want.MIME != typ.MIME || !typ.match(content) {
			t.Fatalf("accepted %q (%q) as %q", name, declared, typ.MIME)
		}
	})
}

// upload posts a file to the evidence form of measure as a browser does;
// token "" leaves the csrf field out.
func (c *client) upload(measure, token, filename, ctype string, content []byte) *response {
	c.e.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if token != "" {
		mw.WriteField(csrfField, token)
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": "file", "filename": filename}))
	if ctype != "" {
		h.Set("Content-Type", ctype)
	}
	w, _ := mw.CreatePart(h)
	w.Write(content)
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, c.e.http.URL+"/orgs/"+c.e.org.ID+"/measures/"+measure+"/evidence", &b)
	if err != nil {
		c.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept-Language", "en")
	return c.do(req)
}

// withEvidenceLimit restarts the portal of e with an evidence limit of n
// bytes (the body limit stays 64 KiB).
func withEvidenceLimit(t *testing.T, e *env, n int64) {
	t.Helper()
	srv, err := New(Config{Store: e.st, Now: e.clock.now, Logger: slog.New(slog.NewTextHandler(t.Output(), nil)), MaxBodyBytes: 64 << 10, MaxEvidenceBytes: n})
	if err != nil {
		t.Fatal(err)
	}
	e.srv, e.http = srv, httptest.NewServer(srv)
	t.Cleanup(e.http.Close)
}

func evidenceOf(t *testing.T, st *store.Store, org string) []store.Evidence {
	t.Helper()
	ev, err := st.EvidenceList(context.Background(), store.System("test"), org)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestEvidenceUpload(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		withEvidenceLimit(t, e, 4<<10)
		c := e.client()
		c.login(e.member)
		page := "/orgs/" + e.org.ID + "/measures/30.2.2"
		r := c.get(page)
		if r.StatusCode != http.StatusOK || !r.has(t, `form[enctype="multipart/form-data"] input#file[type=file][accept*=".pdf"]`) || !r.has(t, "#no-evidence") {
			t.Fatalf("evidence page: %d\n%s", r.StatusCode, r.body)
		}
		checkPage(t, page, r)
		token := c.csrf(page)

		r = c.upload("30.2.2", token, `C:\Scans\Notfallplan <img src=x onerror=alert(1)>.pdf`, "application/pdf", pdfFile)
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != page+"?done=evidence" {
			t.Fatalf("upload: %d %s\n%s", r.StatusCode, r.Header.Get("Location"), r.body)
		}
		ev := evidenceOf(t, st, e.org.ID)
		if len(ev) != 1 || ev[0].Name != "Notfallplan <img src=x onerror=alert(1)>.pdf" || ev[0].MeasureID != "30.2.2" || ev[0].ContentType != "application/pdf" || ev[0].Size != int64(len(pdfFile)) {
			t.Fatalf("stored %+v", ev)
		}
		r = c.get(page + "?done=evidence")
		row := r.one(t, "tr#evidence-"+ev[0].ID)
		if got := text(findAll(t, row, "a[download]")[0]); got != "Notfallplan <img src=x onerror=alert(1)>.pdf" {
			t.Errorf("listed name %q", got)
		}
		if r.has(t, "table.evidence img") || !strings.Contains(text(row), e.member.Email) || !strings.Contains(text(row), "PDF") || !r.has(t, "#flash") {
			t.Errorf("evidence row: %q", text(row))
		}
		if got, want := text(findAll(t, row, "td.num")[0]), formatSize(int64(len(pdfFile)), "en"); got != want {
			t.Errorf("size %q, want %q", got, want)
		}
		if got := text(c.get("/orgs/"+e.org.ID+"/measures").one(t, `tr[id="measure-30.2.2"] a.evidence-link`)); !strings.HasPrefix(got, "1 file") {
			t.Errorf("measures page evidence count %q", got)
		}

		// The download is an attachment that no browser renders.
		dl := c.get("/orgs/" + e.org.ID + "/evidence/" + ev[0].ID)
		h := dl.Header
		if dl.StatusCode != http.StatusOK || dl.body != string(pdfFile) || h.Get("Content-Type") != "application/pdf" ||
			h.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(h.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("download: %d %v", dl.StatusCode, h)
		}
		if d, params, err := mime.ParseMediaType(h.Get("Content-Disposition")); err != nil || d != "attachment" || params["filename"] != ev[0].Name {
			t.Errorf("Content-Disposition %q", h.Get("Content-Disposition"))
		}

		for _, tc := range []struct {
			name, file, ctype string
			content           []byte
			status            int
			msg               string
		}{
			{"too large", "big.pdf", "application/pdf", append(append([]byte{}, pdfFile...), make([]byte, 4<<10)...), http.StatusRequestEntityTooLarge, "larger than 4.0 KiB"},
			{"wrong type", "tool.exe", "application/x-msdownload", []byte("MZ"), http.StatusUnsupportedMediaType, "not accepted"},
			{"declared type mismatch", "plan.pdf", "image/png", pdfFile, http.StatusUnsupportedMediaType, "declared"},
			{"content mismatch", "plan.pdf", "application/pdf", pngFile, http.StatusUnsupportedMediaType, "not a valid PDF"},
			{"empty", "plan.pdf", "application/pdf", nil, http.StatusUnsupportedMediaType, "empty"},
			{"no file name", "", "application/pdf", pdfFile, http.StatusUnprocessableEntity, "Choose a file"},
			{"unusable file name", "...", "application/pdf", pdfFile, http.StatusUnprocessableEntity, "not usable"},
		} {
			r := c.upload("30.2.2", token, tc.file, tc.ctype, tc.content)
			if r.StatusCode != tc.status {
				t.Errorf("%s: %d, want %d", tc.name, r.StatusCode, tc.status)
				continue
			}
			link := r.one(t, `.error-summary a[href="#file"]`)
			if !strings.Contains(text(link), tc.msg) || !r.has(t, `input#file[aria-invalid="true"]`) {
				t.Errorf("%s: message %q, want %q", tc.name, text(link), tc.msg)
			}
		}

		// A body beyond the upload's own limit is cut off by the server.
		if r := c.upload("30.2.2", token, "huge.pdf", "application/pdf", append(append([]byte{}, pdfFile...), make([]byte, 80<<10)...)); r.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("body over the limit: %d, want 413", r.StatusCode)
		}
		// Other routes keep the small limit.
		big := strings.Repeat("x", 66<<10)
		if r := c.upload("30.2.2", token, "a.txt", "text/plain", []byte("ok")); r.StatusCode != http.StatusSeeOther {
			t.Errorf("small text upload: %d", r.StatusCode)
		}
		req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/orgs/"+e.org.ID+"/measures", strings.NewReader("csrf="+token+"&x="+big))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if r := c.do(req); r.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("measures form over 64 KiB: %d, want 413", r.StatusCode)
		}

		// CSRF: missing and forged tokens are refused before anything is read.
		if r := c.upload("30.2.2", "", "x.pdf", "application/pdf", pdfFile); r.StatusCode != http.StatusForbidden {
			t.Errorf("without csrf: %d, want 403", r.StatusCode)
		}
		if r := c.upload("30.2.2", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "x.pdf", "application/pdf", pdfFile); r.StatusCode != http.StatusForbidden {
			t.Errorf("forged csrf: %d, want 403", r.StatusCode)
		}
		// An unknown measure.
		if r := c.upload("30.2.11", token, "x.pdf", "application/pdf", pdfFile); r.StatusCode != http.StatusNotFound {
			t.Errorf("unknown measure: %d, want 404", r.StatusCode)
		}
		if got := len(evidenceOf(t, st, e.org.ID)); got != 2 {
			t.Errorf("%d evidence files after refused uploads, want 2", got)
		}
	})
}

// TestEvidenceUploadBrokenMidway: a body that ends before the multipart
// form does stores nothing.
func TestEvidenceUploadBrokenMidway(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, c := memberEnv(t, st)
		token := c.csrf("/orgs/" + e.org.ID + "/measures/30.2.1")
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		mw.WriteField(csrfField, token)
		w, _ := mw.CreateFormFile("file", "plan.pdf")
		w.Write(pdfFile)
		w.Write(bytes.Repeat([]byte("x"), 8<<10))
		mw.Close()
		cut := b.Bytes()[:b.Len()-len(mw.Boundary())-20] // the connection breaks inside the file
		req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/orgs/"+e.org.ID+"/measures/30.2.1/evidence", bytes.NewReader(cut))
		req.Header.Set("Content-Type", mw.FormDataContentType())
		if r := c.do(req); r.StatusCode != http.StatusBadRequest {
			t.Errorf("broken upload: %d, want 400", r.StatusCode)
		}
		if ev := evidenceOf(t, st, e.org.ID); len(ev) != 0 {
			t.Errorf("a broken upload left %+v", ev)
		}
	})
}

func TestEvidenceAccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		mine, err := st.AddEvidence(ctx, store.Actor{UserID: e.member.ID}, store.Evidence{OrgID: e.org.ID, MeasureID: "30.2.1", Name: "p.pdf", ContentType: "application/pdf"}, bytes.NewReader(pdfFile))
		if err != nil {
			t.Fatal(err)
		}
		other, err := st.CreateOrganisation(ctx, store.Actor{UserID: e.outsider.ID}, store.Profile{Name: "Andere GmbH"}, "")
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := st.AddEvidence(ctx, store.Actor{UserID: e.outsider.ID}, store.Evidence{OrgID: other.ID, MeasureID: "30.2.1", Name: "q.pdf", ContentType: "application/pdf"}, bytes.NewReader(pdfFile))
		if err != nil {
			t.Fatal(err)
		}
		org := "/orgs/" + e.org.ID
		for _, tc := range []struct {
			who  string
			user store.User
			path string
			want int
		}{
			{"member", e.member, org + "/evidence/" + mine.ID, 200},
			{"member, foreign evidence", e.member, "/orgs/" + other.ID + "/evidence/" + theirs.ID, 404},
			{"member, foreign evidence via own organisation", e.member, org + "/evidence/" + theirs.ID, 404},
			{"outsider", e.outsider, org + "/evidence/" + mine.ID, 404},
			{"outsider, measure page", e.outsider, org + "/measures/30.2.1", 404},
			{"supervisor", e.supervisor, org + "/evidence/" + mine.ID, 200},
			{"admin, evidence under the wrong organisation", e.admin, org + "/evidence/" + theirs.ID, 404},
			{"member, unknown measure", e.member, org + "/measures/30.2.0", 404},
		} {
			c := e.client()
			c.login(tc.user)
			if r := c.get(tc.path); r.StatusCode != tc.want {
				t.Errorf("%s GET %s: %d, want %d", tc.who, tc.path, r.StatusCode, tc.want)
			}
		}
		if r := e.client().get(org + "/evidence/" + mine.ID); r.StatusCode != http.StatusSeeOther {
			t.Errorf("anonymous download: %d, want 303", r.StatusCode)
		}
		// The outsider cannot upload to the organisation, nor can a
		// supervisor, who sees no upload form.
		out := e.client()
		out.login(e.outsider)
		if r := out.upload("30.2.1", out.csrf("/"), "x.pdf", "application/pdf", pdfFile); r.StatusCode != http.StatusNotFound {
			t.Errorf("outsider upload: %d, want 404", r.StatusCode)
		}
		sup := e.client()
		sup.login(e.supervisor)
		if r := sup.get(org + "/measures/30.2.1"); r.has(t, "input#file") || !r.has(t, "tr#evidence-"+mine.ID) {
			t.Errorf("supervisor's evidence page:\n%s", r.body)
		}
		if r := sup.upload("30.2.1", sup.csrf("/"), "x.pdf", "application/pdf", pdfFile); r.StatusCode != http.StatusNotFound {
			t.Errorf("supervisor upload: %d, want 404", r.StatusCode)
		}
		if got := len(evidenceOf(t, st, e.org.ID)); got != 1 {
			t.Errorf("%d evidence files, want 1", got)
		}
	})
}

func TestMeasureReviewDue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		a := store.Actor{UserID: e.member.ID}
		yesterday := berlinDay(t0.Add(-24 * time.Hour))
		today := berlinDay(t0)
		for id, day := range map[string]string{"30.2.3": yesterday, "30.2.4": today} {
			if _, err := st.SetMeasure(context.Background(), a, e.org.ID, store.Measure{MeasureID: id, Status: "implemented", ReviewDate: day}); err != nil {
				t.Fatal(err)
			}
		}
		c := e.client()
		c.login(e.member)
		r := c.get("/orgs/" + e.org.ID + "/measures")
		if !r.has(t, `tr[id="measure-30.2.3"].review-due [id="review-due-30.2.3"]`) || !r.has(t, `input[id="review-30.2.3"][aria-describedby="review-due-30.2.3"]`) {
			t.Errorf("30.2.3 (review %s) not shown as due", yesterday)
		}
		if r.has(t, `[id="review-due-30.2.4"]`) || len(findAll(t, r.doc, "tr.review-due")) != 1 {
			t.Errorf("a review due today is not yet overdue")
		}
		checkPage(t, "measures", r)
		if r := c.get("/orgs/" + e.org.ID + "/measures/30.2.3"); !r.has(t, "#review-due") {
			t.Errorf("evidence page does not show the review as due")
		}
		// A day later the second one is due too.
		set, err := st.Measures(context.Background(), a, e.org.ID)
		if err != nil {
			t.Fatal(err)
		}
		due := 0
		for _, m := range measureRows(set, nil, berlinDay(t0.Add(24*time.Hour))) {
			if m.ReviewDue {
				due++
			}
		}
		if due != 2 {
			t.Errorf("a day later: %d due, want 2", due)
		}
	})
}
