package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/pflicht/pflicht/internal/findings"
	"github.com/pflicht/pflicht/internal/law"
	"github.com/pflicht/pflicht/internal/osv"
	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/vuln"
)

func newVulnDBCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "vulndb",
		Short: "Import and inspect the offline vulnerability database",
		Long: `The vulnerability database holds OSV advisories and known-exploited catalogues
(CISA KEV, EU KEV) imported from local files. Nothing is downloaded: fetch the
files with your own tools (git, curl) and import them.`,
	}
	cmd.AddCommand(newVulnDBImportCmd(e), newVulnDBStatusCmd(e))
	return cmd
}

// importBatch is how many records one transaction stores: a failure later
// in an import keeps every batch committed before it.
const importBatch = 1000

// maxKEVBytes bounds a known-exploited catalogue file (CISA's is 1.5 MB).
const maxKEVBytes = 64 << 20

// importFailure is an input that was rejected, or a file within it.
type importFailure struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// importReport is what `vulndb import` says, per path and in total, and
// what re-matching the stored SBOMs found.
type importReport struct {
	Sources  []store.VulnImportLog  `json:"sources"`
	Total    store.VulnImportLog    `json:"total"`
	Failures []importFailure        `json:"failures"`
	Rematch  findings.RematchResult `json:"rematch"`
}

func newVulnDBImportCmd(e *env) *cobra.Command {
	var loc storeFlags
	var euKEV []string
	cmd := &cobra.Command{
		Use:   "import PATH…",
		Short: "Import OSV advisories and known-exploited catalogues from local files",
		Long: `Imports OSV records from directories (searched recursively), single .json/.yaml
files and osv.dev all.zip archives, a CISA KEV catalogue (known_exploited_vulnerabilities.json,
recognised by its catalogVersion field) and EU KEV lists (--eu-kev FILE, or a .csv or
.txt file, or a .json file whose name contains "euvd" or "exploited").

Imports are incremental: a record whose modified time is not newer than the stored
copy is skipped; a withdrawn record is taken out of matching. Records are committed in
batches of 1000, so a failure keeps what was imported before it. Every rejected file is
listed with its reason, and the exit code is then 2.

Afterwards the SBOMs stored for product versions are matched again, those components
only whose advisories changed: new findings are recorded, findings no longer matched
are marked gone, and a new known-exploited finding opens a CRA Art. 14 reporting track.`,
		Example: `  pflicht vulndb import ./advisory-database/vulns ./vulndb/data/osv Go-all.zip
  pflicht vulndb import known_exploited_vulnerabilities.json --eu-kev euvd-exploited.csv`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args)+len(euKEV) == 0 {
				return &InputError{Field: "PATH", Msg: "name at least one directory, file or archive to import"}
			}
			s, err := loc.open(cmd.Context())
			if err != nil {
				return err
			}
			defer s.Close()
			rep, rematchErr := runImport(cmd.Context(), e, s, args, euKEV)
			if e.json {
				if err := writeJSON(e.stdout, rep); err != nil {
					return err
				}
			} else {
				renderImport(e.stdout, e.lang, rep)
			}
			if rematchErr != nil {
				return rematchErr
			}
			if len(rep.Failures) > 0 {
				return &exitError{code: ExitInput}
			}
			return nil
		},
	}
	loc.add(cmd)
	cmd.Flags().StringArrayVar(&euKEV, "eu-kev", nil, "an EU known-exploited list (JSON or CSV); repeatable")
	return cmd
}

// inputKind is how a path is imported.
type inputKind int

const (
	osvInput inputKind = iota
	cisaKEVInput
	euKEVInput
)

// kindOf recognises known-exploited catalogues among the paths; everything
// else is read as OSV records.
func kindOf(path string) inputKind {
	base := strings.ToLower(filepath.Base(path))
	ext := filepath.Ext(base)
	switch {
	case ext == ".csv" || ext == ".txt":
		return euKEVInput
	case ext != ".json":
		return osvInput
	}
	// An unreadable file is still classified, by name; its import reports
	// the error.
	var head []byte
	if f, err := os.Open(path); err == nil {
		head = make([]byte, 4096)
		n, _ := io.ReadFull(f, head)
		head = head[:n]
		f.Close()
	}
	switch {
	case bytes.Contains(head, []byte(`"catalogVersion"`)):
		return cisaKEVInput
	case strings.Contains(base, "euvd") || strings.Contains(base, "exploited"):
		return euKEVInput
	}
	return osvInput
}

// runImport imports the inputs, then re-matches the stored SBOMs against
// what changed; a failed re-match is an error, the import stays.
func runImport(ctx context.Context, e *env, s *store.Store, paths, euKEV []string) (importReport, error) {
	rep := importReport{Sources: []store.VulnImportLog{}, Failures: []importFailure{}}
	changed := map[vuln.Key]bool{}
	type input struct {
		path string
		kind inputKind
	}
	var inputs []input
	for _, p := range paths {
		inputs = append(inputs, input{p, kindOf(p)})
	}
	for _, p := range euKEV {
		inputs = append(inputs, input{p, euKEVInput})
	}
	for _, in := range inputs {
		l := store.VulnImportLog{Source: in.path, StartedAt: e.now()}
		var failures []importFailure
		if in.kind == osvInput {
			failures = importOSV(ctx, e, s, in.path, &l, changed)
		} else {
			failures = importKEV(ctx, s, in.path, in.kind, &l, changed)
		}
		l.Failed = len(failures)
		l.FinishedAt = e.now()
		if err := s.LogVulnImport(ctx, "cli", l); err != nil {
			failures = append(failures, importFailure{in.path, err.Error()})
		}
		rep.Sources = append(rep.Sources, l)
		rep.Failures = append(rep.Failures, failures...)
		rep.Total.New += l.New
		rep.Total.Updated += l.Updated
		rep.Total.Unchanged += l.Unchanged
		rep.Total.Withdrawn += l.Withdrawn
		rep.Total.Failed += l.Failed
		rep.Total.KEVEntries += l.KEVEntries
	}
	if len(changed) == 0 {
		return rep, nil
	}
	var err error
	rep.Rematch, err = findings.Rematch(ctx, s, slices.Collect(maps.Keys(changed)), e.now())
	if err != nil {
		return rep, fmt.Errorf("re-matching the stored SBOMs (the import itself is kept): %w", err)
	}
	return rep, nil
}

// importOSV imports the records under path and adds the packages whose
// findings may have changed to changed.
func importOSV(ctx context.Context, e *env, s *store.Store, path string, l *store.VulnImportLog, changed map[vuln.Key]bool) []importFailure {
	var failures []importFailure
	var batch []osv.Record
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		res, err := s.ImportVulns(ctx, path, batch)
		batch = batch[:0]
		l.New += res.New
		l.Updated += res.Updated
		l.Unchanged += res.Unchanged
		l.Withdrawn += res.Withdrawn
		for _, k := range res.Keys {
			changed[k] = true
		}
		return err
	}
	bar := newProgress(e, path)
	rep, err := osv.Walk([]string{path}, osv.Options{Progress: bar.set}, func(r osv.Record) error {
		batch = append(batch, r)
		if len(batch) < importBatch {
			return nil
		}
		return flush()
	})
	if err == nil {
		err = flush()
	}
	bar.done()
	for _, p := range rep.Problems {
		failures = append(failures, importFailure{p.Path, p.Err.Error()})
	}
	if err != nil {
		failures = append(failures, importFailure{path, err.Error()})
	}
	return failures
}

func importKEV(ctx context.Context, s *store.Store, path string, kind inputKind, l *store.VulnImportLog, changed map[vuln.Key]bool) []importFailure {
	fail := func(err error) []importFailure { return []importFailure{{path, err.Error()}} }
	f, err := os.Open(path)
	if err != nil {
		return fail(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKEVBytes+1))
	if err != nil {
		return fail(err)
	}
	if len(data) > maxKEVBytes {
		return fail(fmt.Errorf("larger than %d bytes", maxKEVBytes))
	}
	var k *osv.KEV
	if kind == cisaKEVInput {
		k, err = osv.ParseCISAKEV(data)
	} else {
		k, err = osv.ParseKEVList(osv.CatalogEU, data)
	}
	if err != nil {
		return fail(err)
	}
	keys, err := s.ImportKEV(ctx, path, k)
	if err != nil {
		return fail(err)
	}
	for _, k := range keys {
		changed[k] = true
	}
	l.KEVCatalog, l.KEVVersion, l.KEVEntries = k.Catalog, k.Version, len(k.Entries)
	return nil
}

// progress draws a bar on stderr while Walk reads, if stderr is a terminal.
type progress struct {
	e     *env
	label string
	bar   *progressbar.ProgressBar
}

func newProgress(e *env, label string) *progress {
	f, ok := e.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return &progress{}
	}
	return &progress{e: e, label: label}
}

func (p *progress) set(done, total int) {
	if p.e == nil {
		return
	}
	if p.bar == nil {
		p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(p.e.stderr),
			progressbar.OptionSetDescription(p.label), progressbar.OptionShowCount(),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
	}
	p.bar.Set(done)
}

func (p *progress) done() {
	if p.bar != nil {
		p.bar.Finish()
	}
}

var vulnDBLabels = map[string]law.Text{
	"imported":  {EN: "Imported", DE: "Importiert"},
	"records":   {EN: "%d new, %d updated, %d unchanged, %d withdrawn", DE: "%d neu, %d aktualisiert, %d unverändert, %d zurückgezogen"},
	"kev":       {EN: "%s, entries: %d", DE: "%s, Einträge: %d"},
	"kevver":    {EN: "%s, version %s, entries: %d", DE: "%s, Version %s, Einträge: %d"},
	"notimp":    {EN: "Not imported", DE: "Nicht importiert"},
	"failed":    {EN: "failed", DE: "fehlgeschlagen"},
	"total":     {EN: "Total", DE: "Gesamt"},
	"rejected":  {EN: "Rejected (%d):", DE: "Abgewiesen (%d):"},
	"partial":   {EN: "Everything else was imported: records are committed in batches of %d, so those read before a failure are kept.", DE: "Alles Übrige wurde importiert: Datensätze werden in Blöcken zu %d gespeichert, vor einem Fehler gelesene bleiben erhalten."},
	"empty":     {EN: "The vulnerability database is empty. Import advisories first, e.g.:", DE: "Die Schwachstellendatenbank ist leer. Importieren Sie zuerst Advisories, z. B.:"},
	"records2":  {EN: "Advisories: %d (withdrawn: %d)", DE: "Advisories: %d (zurückgezogen: %d)"},
	"ecosystem": {EN: "Per ecosystem:", DE: "Je Ökosystem:"},
	"source":    {EN: "Per source:", DE: "Je Quelle:"},
	"catalogs":  {EN: "Known-exploited catalogues:", DE: "Kataloge ausgenutzter Schwachstellen:"},
	"nocatalog": {EN: "Known-exploited catalogues: none (import CISA's known_exploited_vulnerabilities.json to flag exploited findings)", DE: "Kataloge ausgenutzter Schwachstellen: keine (importieren Sie CISAs known_exploited_vulnerabilities.json, um ausgenutzte Befunde zu markieren)"},
	"last":      {EN: "Last import: %s at %s", DE: "Letzter Import: %s am %s"},
	"imported2": {EN: "imported %s from %s", DE: "importiert %s aus %s"},
	"rematch":   {EN: "Stored SBOMs matched again: %d component(s) in %d product version(s); findings: %d new, %d updated, %d gone; CRA Art. 14 tracks opened: %d", DE: "Gespeicherte SBOMs neu abgeglichen: %d Komponente(n) in %d Produktversion(en); Befunde: %d neu, %d aktualisiert, %d entfallen; eröffnete Meldeverfahren nach Art. 14 CRA: %d"},
	"refreshed": {EN: "Stored SBOMs whose list of components not checked for want of advisories was updated: %d", DE: "Gespeicherte SBOMs, deren Liste der mangels Advisories nicht geprüften Komponenten aktualisiert wurde: %d"},
}

func renderImport(w io.Writer, lang string, rep importReport) {
	l := func(k string) string { return vulnDBLabels[k].In(lang) }
	var b strings.Builder
	for _, s := range rep.Sources {
		if s.Failed > 0 && s.KEVCatalog == "" && s.New+s.Updated+s.Unchanged+s.Withdrawn == 0 {
			fmt.Fprintf(&b, "%s: %s\n", l("notimp"), s.Source)
			continue
		}
		fmt.Fprintf(&b, "%s %s: ", l("imported"), s.Source)
		if s.KEVCatalog != "" {
			b.WriteString(kevLine(lang, s.KEVCatalog, s.KEVVersion, s.KEVEntries))
		} else {
			fmt.Fprintf(&b, l("records"), s.New, s.Updated, s.Unchanged, s.Withdrawn)
		}
		if s.Failed > 0 {
			fmt.Fprintf(&b, "; %d %s", s.Failed, l("failed"))
		}
		b.WriteString("\n")
	}
	if len(rep.Sources) > 1 {
		fmt.Fprintf(&b, "%s: ", l("total"))
		fmt.Fprintf(&b, l("records"), rep.Total.New, rep.Total.Updated, rep.Total.Unchanged, rep.Total.Withdrawn)
		b.WriteString("\n")
	}
	if len(rep.Failures) > 0 {
		fmt.Fprintf(&b, "\n"+l("rejected")+"\n", len(rep.Failures))
		for _, f := range rep.Failures {
			fmt.Fprintf(&b, "  %s: %s\n", f.Path, f.Reason)
		}
		if rep.Total.New+rep.Total.Updated+rep.Total.Unchanged+rep.Total.Withdrawn > 0 || anyKEV(rep.Sources) {
			fmt.Fprintf(&b, l("partial")+"\n", importBatch)
		}
	}
	if m := rep.Rematch; m.Versions > 0 {
		fmt.Fprintf(&b, l("rematch")+"\n", m.Components, m.Versions, m.New, m.Updated, m.Gone, m.Opened)
	}
	if n := rep.Rematch.Refreshed; n > 0 {
		fmt.Fprintf(&b, l("refreshed")+"\n", n)
	}
	io.WriteString(w, b.String())
}

func kevLine(lang, catalog, version string, entries int) string {
	if version == "" {
		return fmt.Sprintf(vulnDBLabels["kev"].In(lang), catalog, entries)
	}
	return fmt.Sprintf(vulnDBLabels["kevver"].In(lang), catalog, version, entries)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// errEmptyDB says how to fill an empty database; scanning against it would
// report "no findings" that mean nothing.
func errEmptyDB(lang string) error {
	return &exitError{code: ExitFailure, msg: vulnDBLabels["empty"].In(lang) + `
  git clone --depth 1 https://github.com/golang/vulndb && pflicht vulndb import vulndb/data/osv
  curl -LO https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip && pflicht vulndb import all.zip
  curl -LO https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json && pflicht vulndb import known_exploited_vulnerabilities.json
(use the same --data or --db for the import and the scan)`}
}

func newVulnDBStatusCmd(e *env) *cobra.Command {
	var loc storeFlags
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show what the vulnerability database holds",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := loc.open(cmd.Context())
			if err != nil {
				return err
			}
			defer s.Close()
			st, err := s.VulnStatus(cmd.Context())
			if err != nil {
				return err
			}
			if e.json {
				return writeJSON(e.stdout, st)
			}
			renderStatus(e.stdout, e.lang, st)
			if st.Records == 0 {
				return errEmptyDB(e.lang)
			}
			return nil
		},
	}
	loc.add(cmd)
	return cmd
}

func renderStatus(w io.Writer, lang string, st store.VulnStatus) {
	l := func(k string) string { return vulnDBLabels[k].In(lang) }
	var b strings.Builder
	fmt.Fprintf(&b, l("records2")+"\n", st.Records, st.Withdrawn)
	for _, sec := range []struct {
		label  string
		counts []store.Count
	}{{"ecosystem", st.Ecosystems}, {"source", st.Sources}} {
		if len(sec.counts) == 0 {
			continue
		}
		fmt.Fprintf(&b, "%s\n", l(sec.label))
		for _, c := range sec.counts {
			fmt.Fprintf(&b, "  %-40s %7d\n", c.Name, c.Records)
		}
	}
	if len(st.KEV) == 0 {
		fmt.Fprintf(&b, "%s\n", l("nocatalog"))
	} else {
		fmt.Fprintf(&b, "%s\n", l("catalogs"))
		for _, k := range st.KEV {
			fmt.Fprintf(&b, "  %s, "+l("imported2")+"\n", kevLine(lang, k.Catalog, k.Version, k.Entries), formatInstant(k.ImportedAt, lang), k.Source)
		}
	}
	if st.LastImport != nil {
		fmt.Fprintf(&b, l("last")+"\n", st.LastImport.Source, formatInstant(st.LastImport.FinishedAt, lang))
	}
	io.WriteString(w, b.String())
}

// formatInstant shows t in Berlin time, as every time pflicht prints.
func formatInstant(t time.Time, lang string) string {
	t = t.In(law.Berlin)
	if lang == "de" {
		return t.Format("02.01.2006 15:04 MST")
	}
	return t.Format("2006-01-02 15:04 MST")
}

// anyKEV reports whether a known-exploited catalogue was imported: then
// something was, even with no OSV record.
func anyKEV(sources []store.VulnImportLog) bool {
	for _, s := range sources {
		if s.KEVCatalog != "" {
			return true
		}
	}
	return false
}
