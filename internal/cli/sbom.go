package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/pflicht/pflicht/internal/findings"
	"github.com/pflicht/pflicht/internal/law"
	"github.com/pflicht/pflicht/internal/sbom"
	"github.com/pflicht/pflicht/internal/vex"
	"github.com/pflicht/pflicht/internal/vuln"
)

func newSBOMCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sbom",
		Short: "Work with software bills of materials",
	}
	cmd.AddCommand(newSBOMScanCmd(e))
	return cmd
}

// scanFlags are the options of `sbom scan`.
type scanFlags struct {
	loc       storeFlags
	vex       []string
	failOn    string
	outVEX    string
	publisher string
	namespace string
}

// failLevels rank --fail-on thresholds; a finding fails the gate when its
// rank is at least the threshold's.
var failLevels = map[string]int{"low": 1, "medium": 2, "high": 3, "critical": 4}

// severityRank ranks a finding's rating. A finding without a usable rating
// ranks as critical: it cannot be shown to be below any threshold, and a
// gate must not pass because a database gave no score.
func severityRank(rating string) int {
	switch strings.ToUpper(rating) {
	case "NONE":
		return 0
	case "LOW":
		return 1
	case "MEDIUM", "MODERATE":
		return 2
	case "HIGH":
		return 3
	}
	return 4
}

func newSBOMScanCmd(e *env) *cobra.Command {
	var f scanFlags
	cmd := &cobra.Command{
		Use:   "scan FILE…",
		Short: "Check the components of SBOMs against the vulnerability database",
		Long: `Reads CycloneDX (JSON, XML) and SPDX 2.x (JSON, tag-value) SBOMs and checks every
component against the imported advisories (pflicht vulndb import), offline. Findings
are matched by package URL; a component that cannot be checked (no purl, no version,
an ecosystem without advisories) is listed with its reason, never dropped.

A finding in a known-exploited catalogue (★) may start the CRA Art. 14 reporting
clock: an early warning is due within 24 hours of becoming aware of an actively
exploited vulnerability in your product.

--vex FILE applies OpenVEX, CycloneDX VEX or CSAF statements: findings stated
not_affected or fixed are shown as such and do not fail --fail-on.
--fail-on low|medium|high|critical|kev exits with 1 when a finding at or above that
severity (or, for kev, a known-exploited one) remains; findings without a rating
count as critical. Advisories that could not be evaluated and components not
scanned are listed and counted, but do not fail the gate. --output-vex FORMAT=FILE writes the findings with their VEX
status as cyclonedx or csaf (csaf needs --publisher and --namespace).`,
		Example: `  pflicht sbom scan app.cdx.json
  pflicht sbom scan --fail-on high --vex triage.openvex.json app.spdx.json
  pflicht sbom scan --json --output-vex csaf=app.csaf.json --publisher "Example GmbH" --namespace https://example.com app.cdx.json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runScan(cmd.Context(), e, f, args)
		},
	}
	f.loc.add(cmd)
	fl := cmd.Flags()
	fl.StringArrayVar(&f.vex, "vex", nil, "VEX document (OpenVEX, CycloneDX VEX, CSAF) to apply; repeatable")
	fl.StringVar(&f.failOn, "fail-on", "", "exit 1 on findings at or above: low, medium, high, critical, or kev (known exploited)")
	fl.StringVar(&f.outVEX, "output-vex", "", "write the findings as VEX: cyclonedx=FILE or csaf=FILE")
	fl.StringVar(&f.publisher, "publisher", "", "publisher named in the written VEX document")
	fl.StringVar(&f.namespace, "namespace", "", "publisher's URL for the written VEX document (https://…)")
	return cmd
}

// scanDoc is one SBOM read from a file.
type scanDoc struct {
	file string
	data []byte
	doc  *sbom.Document
}

func runScan(ctx context.Context, e *env, f scanFlags, files []string) error {
	if _, ok := failLevels[f.failOn]; !ok && f.failOn != "" && f.failOn != "kev" {
		return &InputError{Field: "--fail-on", Msg: fmt.Sprintf("%q is not one of low, medium, high, critical, kev", f.failOn)}
	}
	vexFormat, vexFile, err := parseOutputVEX(f)
	if err != nil {
		return err
	}
	// All input is read before the database is opened: bad input is exit 2
	// whatever the database holds.
	var docs []scanDoc
	for _, file := range files {
		data, err := readFileLimited(file, sbom.DefaultMaxBytes)
		if err != nil {
			return err
		}
		doc, err := sbom.Parse(data, sbom.Limits{})
		if err != nil {
			return &InputError{Field: file, Msg: err.Error()}
		}
		docs = append(docs, scanDoc{file, data, doc})
	}
	var stmts []vex.Statement
	for _, file := range f.vex {
		data, err := readFileLimited(file, vex.MaxDocumentSize)
		if err != nil {
			return err
		}
		st, err := vex.Parse(data)
		if err != nil {
			return &InputError{Field: file, Msg: err.Error()}
		}
		stmts = append(stmts, st...)
	}

	s, err := f.loc.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	m, err := findings.NewMatcher(ctx, s)
	if err != nil {
		return err
	}
	if len(m.Ecosystems) == 0 {
		return errEmptyDB(e.lang)
	}
	rep := scanReport{Scans: []docScan{}}
	for _, d := range docs {
		ds, err := scan(ctx, m, d)
		if err != nil {
			return err
		}
		vf := vex.Apply(ds.vexFindings(), stmts)
		for i := range ds.Findings {
			ds.Findings[i].setVEX(vf[i])
		}
		rep.add(ds)
	}
	if vexFile != "" {
		if err := writeVEX(e, f, vexFormat, vexFile, docs, rep); err != nil {
			return err
		}
	}
	if e.json {
		if err := writeJSON(e.stdout, rep); err != nil {
			return err
		}
	} else {
		renderScan(e.stdout, e.lang, rep, len(stmts) > 0)
	}
	if rep.fails(f.failOn) {
		return &exitError{code: ExitFindings}
	}
	return nil
}

func parseOutputVEX(f scanFlags) (format, file string, err error) {
	if f.outVEX == "" {
		return "", "", nil
	}
	format, file, ok := strings.Cut(f.outVEX, "=")
	if !ok || file == "" || (format != "cyclonedx" && format != "csaf") {
		return "", "", &InputError{Field: "--output-vex", Msg: fmt.Sprintf("%q: use cyclonedx=FILE or csaf=FILE", f.outVEX)}
	}
	if format == "csaf" && (f.publisher == "" || f.namespace == "") {
		return "", "", &InputError{Field: "--publisher, --namespace", Msg: "a CSAF document names its publisher and the publisher's URL; give both"}
	}
	return format, file, nil
}

// readFileLimited reads a named input file of at most max bytes.
func readFileLimited(path string, max int) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, &InputError{Field: path, Msg: "cannot read: " + strings.TrimPrefix(err.Error(), "open "+path+": ")}
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, int64(max)+1))
	if err != nil {
		return nil, &InputError{Field: path, Msg: "cannot read: " + err.Error()}
	}
	if len(data) > max {
		return nil, &InputError{Field: path, Msg: fmt.Sprintf("larger than the limit of %d bytes", max)}
	}
	return data, nil
}

// scanComponent names the SBOM component a finding or gap belongs to.
type scanComponent struct {
	Ref     string `json:"ref,omitempty"`
	PURL    string `json:"purl,omitempty"`
	Group   string `json:"group,omitempty"`
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	// Where locates it in the file (components[3], packages[12], line 240).
	Where string `json:"where"`
}

func componentOf(c *sbom.Component) scanComponent {
	return scanComponent{Ref: c.Ref, PURL: c.PURLRaw, Group: c.Group, Name: c.Name, Version: c.Version, Where: c.Where}
}

type scanFinding struct {
	Component scanComponent `json:"component"`
	// Package is what was matched: OSV ecosystem, name and version.
	Package        vuln.Package     `json:"package"`
	ID             string           `json:"id"`
	Aliases        []string         `json:"aliases"`
	Summary        string           `json:"summary,omitempty"`
	Severity       vuln.Severity    `json:"severity"`
	FixedVersions  []string         `json:"fixed_versions"`
	KnownExploited bool             `json:"known_exploited"`
	KEV            []vuln.Exploited `json:"kev,omitempty"`
	VEX            *scanVEX         `json:"vex,omitempty"`
}

// scanVEX is the VEX statement that decided a finding.
type scanVEX struct {
	Status        vex.Status        `json:"status"`
	Justification vex.Justification `json:"justification,omitempty"`
	Detail        string            `json:"detail,omitempty"`
	Origin        string            `json:"origin"`
}

// resolved: a VEX statement says the product is not affected or fixed.
func (f *scanFinding) resolved() bool {
	return f.VEX != nil && (f.VEX.Status == vex.NotAffected || f.VEX.Status == vex.Fixed)
}

func (f *scanFinding) setVEX(v vex.Finding) {
	if v.Applied == nil {
		return
	}
	f.VEX = &scanVEX{Status: v.Status, Justification: v.Justification, Detail: v.Detail, Origin: v.Applied.Origin}
}

type scanNotEvaluable struct {
	Component scanComponent `json:"component"`
	ID        string        `json:"id"`
	Aliases   []string      `json:"aliases,omitempty"`
	Reason    string        `json:"reason"`
	// Codes name the kinds of reason (vuln.GitRange …), for machines.
	Codes []string `json:"codes"`
}

type scanUnscanned struct {
	Component scanComponent `json:"component"`
	// Reason is a vuln.Reason code; Code says it more precisely for what
	// the SBOM lacks (an sbom.Code: no_purl, unknown_type …) and is Reason
	// otherwise; Detail says it in words.
	Reason vuln.Reason `json:"reason"`
	Code   string      `json:"code"`
	Detail string      `json:"detail"`
}

type scanProblem struct {
	Where  string `json:"where"`
	Reason string `json:"reason"`
}

// docScan is the result for one SBOM file.
type docScan struct {
	File         string             `json:"file"`
	Format       string             `json:"format"`
	Name         string             `json:"name,omitempty"`
	Components   int                `json:"components"`
	Scanned      int                `json:"scanned"`
	Findings     []scanFinding      `json:"findings"`
	NotEvaluable []scanNotEvaluable `json:"not_evaluable"`
	Unscanned    []scanUnscanned    `json:"unscanned"`
	Problems     []scanProblem      `json:"problems"`
}

// scan matches one document. Only the records naming its packages are
// loaded, so the cost follows the SBOM, not the database.
func scan(ctx context.Context, m *findings.Matcher, d scanDoc) (docScan, error) {
	comps := d.doc.Components
	ds := docScan{File: d.file, Format: d.doc.Format, Name: d.doc.Name, Components: len(comps),
		Findings: []scanFinding{}, NotEvaluable: []scanNotEvaluable{}, Unscanned: []scanUnscanned{}, Problems: []scanProblem{}}
	for _, p := range d.doc.Problems {
		ds.Problems = append(ds.Problems, scanProblem{p.Where, p.Reason})
	}
	dm, err := m.MatchDocument(ctx, d.doc)
	if err != nil {
		return ds, err
	}
	ds.Scanned = dm.Scanned
	for _, u := range dm.Unscanned {
		ds.Unscanned = append(ds.Unscanned, scanUnscanned{componentOf(&comps[u.Index]), u.Reason, u.Code, u.Detail})
	}
	for _, f := range dm.Findings {
		sf := scanFinding{Component: componentOf(dm.Component(f.Package)), Package: f.Package, ID: f.ID, Aliases: f.Aliases,
			Summary: f.Summary, Severity: f.Severity, FixedVersions: []string{}, KnownExploited: len(f.KnownExploited) > 0, KEV: f.KnownExploited}
		sf.Package.Ref = sf.Component.Ref
		if sf.Aliases == nil {
			sf.Aliases = []string{}
		}
		if f.FixedIn != "" {
			sf.FixedVersions = []string{f.FixedIn}
		}
		ds.Findings = append(ds.Findings, sf)
	}
	for _, n := range dm.NotEvaluable {
		ds.NotEvaluable = append(ds.NotEvaluable, scanNotEvaluable{componentOf(dm.Component(n.Package)), n.ID, n.Aliases, n.Reason, n.Codes})
	}
	return ds, nil
}

func (ds *docScan) vexFindings() []vex.Finding {
	out := make([]vex.Finding, len(ds.Findings))
	for i, f := range ds.Findings {
		out[i] = vex.Finding{
			ComponentRef: f.Component.Ref, ComponentPURL: f.Component.PURL, ComponentName: f.Component.Name,
			ComponentVersion: f.Component.Version, VulnID: f.ID, Aliases: f.Aliases, Summary: f.Summary,
			Severity: f.Severity.Rating, FixedVersions: f.FixedVersions, KnownExploited: f.KnownExploited,
		}
		if f.VEX != nil {
			out[i].Status, out[i].Justification, out[i].Detail = f.VEX.Status, f.VEX.Justification, f.VEX.Detail
		}
	}
	return out
}

// scanSummary counts over every scanned file.
type scanSummary struct {
	Components     int            `json:"components"`
	Scanned        int            `json:"scanned"`
	Unscanned      int            `json:"unscanned"`
	Findings       int            `json:"findings"`
	BySeverity     map[string]int `json:"by_severity"`
	KnownExploited int            `json:"known_exploited"`
	Resolved       int            `json:"resolved_by_vex"`
	NotEvaluable   int            `json:"not_evaluable"`
}

type scanReport struct {
	Scans   []docScan   `json:"scans"`
	Summary scanSummary `json:"summary"`
}

func (r *scanReport) add(ds docScan) {
	r.Scans = append(r.Scans, ds)
	sum := &r.Summary
	if sum.BySeverity == nil {
		sum.BySeverity = map[string]int{}
	}
	sum.Components += ds.Components
	sum.Scanned += ds.Scanned
	sum.Unscanned += len(ds.Unscanned)
	sum.NotEvaluable += len(ds.NotEvaluable)
	for i := range ds.Findings {
		f := &ds.Findings[i]
		sum.Findings++
		if f.resolved() {
			sum.Resolved++
			continue
		}
		sum.BySeverity[ratingName(f.Severity.Rating)]++
		if f.KnownExploited {
			sum.KnownExploited++
		}
	}
}

// ratingName folds database labels into the CVSS ratings.
func ratingName(rating string) string {
	switch r := strings.ToLower(rating); r {
	case "none", "low", "medium", "high", "critical":
		return r
	case "moderate":
		return "medium"
	}
	return "unrated"
}

// fails applies --fail-on to the findings no VEX statement resolved.
func (r *scanReport) fails(failOn string) bool {
	if failOn == "" {
		return false
	}
	for _, ds := range r.Scans {
		for i := range ds.Findings {
			f := &ds.Findings[i]
			if f.resolved() {
				continue
			}
			if failOn == "kev" && f.KnownExploited || failOn != "kev" && severityRank(f.Severity.Rating) >= failLevels[failOn] {
				return true
			}
		}
	}
	return false
}

func writeVEX(e *env, f scanFlags, format, file string, docs []scanDoc, rep scanReport) error {
	h := sha256.New()
	var found []vex.Finding
	for i, d := range docs {
		h.Write(d.data)
		found = append(found, rep.Scans[i].vexFindings()...)
	}
	meta := vex.DocMeta{
		Publisher: f.publisher, Namespace: f.namespace, Now: e.now(),
		// The same SBOMs give the same id, so a re-issued document
		// supersedes its predecessor.
		DocumentID: "pflicht-vex-" + hex.EncodeToString(h.Sum(nil))[:16],
		Title:      "VEX: " + strings.Join(files(docs), ", "),
	}
	if len(docs) == 1 {
		meta.ProductName = docs[0].doc.Name
	}
	var buf bytes.Buffer
	var err error
	if format == "csaf" {
		err = vex.WriteCSAF(&buf, meta, found)
	} else {
		err = vex.WriteCycloneDX(&buf, meta, found)
	}
	if err != nil {
		return err
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing VEX: %w", err)
	}
	return nil
}

func files(docs []scanDoc) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.file
	}
	return out
}

var scanLabels = map[string]law.Text{
	"sbom":        {EN: "SBOM %s: %s, %d components", DE: "SBOM %s: %s, %d Komponenten"},
	"component":   {EN: "COMPONENT", DE: "KOMPONENTE"},
	"version":     {EN: "VERSION", DE: "VERSION"},
	"vuln":        {EN: "VULNERABILITY", DE: "SCHWACHSTELLE"},
	"aliases":     {EN: "ALIASES", DE: "ALIASE"},
	"severity":    {EN: "SEVERITY", DE: "SCHWERE"},
	"fixed":       {EN: "FIXED IN", DE: "BEHOBEN IN"},
	"kev":         {EN: "EXPLOITED", DE: "AUSGENUTZT"},
	"vex":         {EN: "VEX", DE: "VEX"},
	"kevmark":     {EN: "★ known exploited", DE: "★ bekannt ausgenutzt"},
	"nofindings":  {EN: "No findings in the scanned components.", DE: "Keine Befunde in den geprüften Komponenten."},
	"kevhead":     {EN: "★ Known exploited, listed in a known-exploited catalogue:", DE: "★ Bekannt ausgenutzt, in einem Katalog ausgenutzter Schwachstellen gelistet:"},
	"kevline":     {EN: "  %s in %s %s: %s since %s", DE: "  %s in %s %s: %s seit %s"},
	"art14":       {EN: "If such a vulnerability is contained in your product, it is an actively exploited vulnerability under CRA Art. 14 Abs. 1 VO (EU) 2024/2847 (reporting applies from 11.09.2026): an early warning to the CSIRT designated as coordinator and to ENISA is due within 24 hours of becoming aware of it (Art. 14 Abs. 2 lit. a), the notification within 72 hours, the final report within 14 days after a corrective measure is available.", DE: "Ist eine solche Schwachstelle in Ihrem Produkt enthalten, ist sie eine aktiv ausgenutzte Schwachstelle nach Art. 14 Abs. 1 VO (EU) 2024/2847 (Meldepflicht ab 11.09.2026): Eine Frühwarnung an das als Koordinator benannte CSIRT und an die ENISA ist binnen 24 Stunden ab Kenntnis fällig (Art. 14 Abs. 2 lit. a), die Meldung binnen 72 Stunden, der Abschlussbericht binnen 14 Tagen, nachdem eine Korrekturmaßnahme verfügbar ist."},
	"deadline":    {EN: "Compute the deadlines: pflicht deadline --regime cra-vulnerability --aware-at <when you became aware>", DE: "Fristen berechnen: pflicht deadline --regime cra-vulnerability --aware-at <Zeitpunkt der Kenntnis>"},
	"noteval":     {EN: "Not evaluable (an advisory names the package, but its versions could not be decided) (%d):", DE: "Nicht auswertbar (ein Advisory nennt das Paket, die Versionen ließen sich nicht entscheiden) (%d):"},
	"unscanned":   {EN: "Not scanned (%d):", DE: "Nicht geprüft (%d):"},
	"problems":    {EN: "Problems in the SBOM (%d):", DE: "Probleme im SBOM (%d):"},
	"summary":     {EN: "Summary: %d components, %d scanned, %d not scanned; %d findings", DE: "Zusammenfassung: %d Komponenten, %d geprüft, %d nicht geprüft; %d Befunde"},
	"known":       {EN: "%d known exploited", DE: "%d bekannt ausgenutzt"},
	"resolved":    {EN: "%d resolved by VEX", DE: "%d per VEX erledigt"},
	"noteval2":    {EN: "%d not evaluable", DE: "%d nicht auswertbar"},
	"total":       {EN: "Total", DE: "Gesamt"},
	"unrated":     {EN: "unrated", DE: "ohne Bewertung"},
	"not_scanned": {EN: "not scanned", DE: "nicht geprüft"},
}

var ratingLabels = map[string]law.Text{
	"critical": {EN: "critical", DE: "kritisch"},
	"high":     {EN: "high", DE: "hoch"},
	"medium":   {EN: "medium", DE: "mittel"},
	"low":      {EN: "low", DE: "niedrig"},
	"none":     {EN: "none", DE: "keine"},
	"unrated":  {EN: "unrated", DE: "ohne Bewertung"},
}

func renderScan(w io.Writer, lang string, rep scanReport, withVEX bool) {
	l := func(k string) string { return scanLabels[k].In(lang) }
	var b strings.Builder
	for i, ds := range rep.Scans {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, l("sbom")+"\n\n", ds.File, ds.Format, ds.Components)
		renderFindings(&b, lang, ds, withVEX)
		if len(ds.NotEvaluable) > 0 {
			fmt.Fprintf(&b, "\n"+l("noteval")+"\n", len(ds.NotEvaluable))
			for _, n := range ds.NotEvaluable {
				fmt.Fprintf(&b, "  %s: %s\n", componentLabel(n.Component), n.Reason)
			}
		}
		if len(ds.Unscanned) > 0 {
			fmt.Fprintf(&b, "\n"+l("unscanned")+"\n", len(ds.Unscanned))
			for _, u := range ds.Unscanned {
				fmt.Fprintf(&b, "  %s: %s\n", componentLabel(u.Component), u.Detail)
			}
		}
		if len(ds.Problems) > 0 {
			fmt.Fprintf(&b, "\n"+l("problems")+"\n", len(ds.Problems))
			for _, p := range ds.Problems {
				fmt.Fprintf(&b, "  %s: %s\n", p.Where, p.Reason)
			}
		}
		var one scanReport
		one.add(ds)
		b.WriteString("\n")
		renderSummary(&b, lang, "", one.Summary)
	}
	if len(rep.Scans) > 1 {
		b.WriteString("\n")
		renderSummary(&b, lang, l("total")+" ", rep.Summary)
	}
	io.WriteString(w, b.String())
}

func componentLabel(c scanComponent) string {
	name := c.Name
	if c.Group != "" {
		name = c.Group + "/" + name
	}
	switch {
	case name == "":
		name = c.Where
	case c.Version != "":
		name += " " + c.Version
	}
	if c.PURL != "" {
		name += " (" + c.PURL + ")"
	}
	return name
}

func renderFindings(b *strings.Builder, lang string, ds docScan, withVEX bool) {
	l := func(k string) string { return scanLabels[k].In(lang) }
	if len(ds.Findings) == 0 {
		b.WriteString(l("nofindings") + "\n")
		return
	}
	var table bytes.Buffer
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	head := []string{l("component"), l("version"), l("vuln"), l("aliases"), l("severity"), l("fixed"), l("kev")}
	if withVEX {
		head = append(head, l("vex"))
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	var kev []scanFinding
	for _, f := range ds.Findings {
		sev := f.Severity.Rating
		if f.Severity.Score > 0 {
			sev += " " + strconv.FormatFloat(f.Severity.Score, 'f', 1, 64)
		}
		mark := ""
		if f.KnownExploited {
			mark = l("kevmark")
			if !f.resolved() {
				kev = append(kev, f)
			}
		}
		row := []string{f.Package.Name, f.Package.Version, f.ID, orDash(strings.Join(f.Aliases, ", ")), sev, orDash(strings.Join(f.FixedVersions, ", ")), mark}
		if withVEX {
			status := ""
			if f.VEX != nil {
				status = string(f.VEX.Status)
			}
			row = append(row, status)
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()
	// Empty last cells leave padding behind.
	for line := range strings.Lines(table.String()) {
		b.WriteString(strings.TrimRight(line, " \n") + "\n")
	}
	if len(kev) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s\n", l("kevhead"))
	for _, f := range kev {
		for _, x := range f.KEV {
			fmt.Fprintf(b, l("kevline")+"\n", x.CVE, f.Package.Name, f.Package.Version, x.Catalog, orDash(x.DateAdded))
		}
	}
	fmt.Fprintf(b, "%s\n%s\n", l("art14"), l("deadline"))
}

func renderSummary(b *strings.Builder, lang, prefix string, s scanSummary) {
	l := func(k string) string { return scanLabels[k].In(lang) }
	fmt.Fprintf(b, prefix+l("summary"), s.Components, s.Scanned, s.Unscanned, s.Findings)
	var parts []string
	for _, r := range []string{"critical", "high", "medium", "low", "none", "unrated"} {
		if n := s.BySeverity[r]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, ratingLabels[r].In(lang)))
		}
	}
	if len(parts) > 0 {
		fmt.Fprintf(b, " (%s)", strings.Join(parts, ", "))
	}
	for _, x := range []struct {
		n     int
		label string
	}{{s.KnownExploited, "known"}, {s.Resolved, "resolved"}, {s.NotEvaluable, "noteval2"}} {
		if x.n > 0 {
			fmt.Fprintf(b, ", "+l(x.label), x.n)
		}
	}
	b.WriteString(".\n")
}
