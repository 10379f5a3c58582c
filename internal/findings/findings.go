// Package findings is the supply-chain workflow of a manufacturer: an SBOM
// uploaded for a product version is parsed, stored and matched against the
// stored vulnerability database; its findings are kept per version with
// their VEX decisions; importing advisories re-matches the stored SBOMs, and
// a known-exploited finding opens a CRA Art. 14 reporting track.
//
// The parsing (sbom), matching (vuln) and storage (store) live in their
// packages; this one puts them together, once, for the portal, the API and
// the CLI.
package findings

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pflicht/pflicht/internal/osv"
	"github.com/pflicht/pflicht/internal/sbom"
	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/vuln"
)

// InputError is an SBOM that cannot be stored: Field names the file or the
// position in it, Msg what is wrong.
type InputError struct {
	Field, Msg string
}

func (e *InputError) Error() string { return e.Field + ": " + e.Msg }

// UploadResult is what an upload stored and found.
type UploadResult struct {
	SBOM           store.SBOMFile `json:"sbom"`
	Findings       int            `json:"findings"`
	KnownExploited int            `json:"known_exploited"`
	// New and Gone compare with the version's previous SBOM.
	New  int `json:"new"`
	Gone int `json:"gone"`
	// Opened are the CRA Art. 14 tracks this upload opened.
	Opened []store.Incident `json:"opened"`
	// Problems are the deviations from the format in an SBOM read in
	// part, in document order (the same as SBOM.Problems): the findings
	// cover only what could be read.
	Problems []store.SBOMProblem `json:"problems"`
}

// Upload parses the SBOM read from r, stores it as the current SBOM of the
// product version, matches its components against the stored advisories and
// known-exploited catalogues and records the findings: those of the previous
// SBOM not found again are gone. A known-exploited finding opens a CRA
// Art. 14 track (see OpenTracks). now is when pflicht learns of the
// findings. An unreadable SBOM is an *InputError.
func Upload(ctx context.Context, st *store.Store, a store.Actor, versionID, name string, r io.Reader, now time.Time) (UploadResult, error) {
	if strings.TrimSpace(name) == "" || len(name) > store.MaxSBOMName || !utf8.ValidString(name) {
		return UploadResult{}, &InputError{Field: "name", Msg: fmt.Sprintf("the file name must be UTF-8 of 1 to %d bytes", store.MaxSBOMName)}
	}
	data, err := io.ReadAll(io.LimitReader(r, sbom.DefaultMaxBytes+1))
	if err != nil {
		return UploadResult{}, fmt.Errorf("findings: read %s: %w", name, err)
	}
	if len(data) > sbom.DefaultMaxBytes {
		return UploadResult{}, &InputError{Field: name, Msg: fmt.Sprintf("larger than the limit of %d bytes", sbom.DefaultMaxBytes)}
	}
	doc, err := sbom.Parse(data, sbom.Limits{})
	if err != nil {
		return UploadResult{}, &InputError{Field: name, Msg: err.Error()}
	}
	m, err := NewMatcher(ctx, st)
	if err != nil {
		return UploadResult{}, err
	}
	dm, err := m.MatchDocument(ctx, doc)
	if err != nil {
		return UploadResult{}, err
	}
	// Stored as unscanned: the components not checked and, since that
	// advisory was not checked, each component with an advisory that could
	// not be evaluated; in document order, with the coordinates matched, so
	// a re-match can check a "no advisories" entry again (refreshUnscanned).
	type gap struct {
		index        int
		code, reason string
		pkg          vuln.Package
	}
	pkgs := make(map[int]vuln.Package, len(dm.Packages))
	for _, p := range dm.Packages {
		pkgs[index(p)] = p
	}
	gaps := make([]gap, 0, len(dm.Unscanned)+len(dm.NotEvaluable))
	for _, u := range dm.Unscanned {
		gaps = append(gaps, gap{u.Index, u.Code, u.Detail, pkgs[u.Index]})
	}
	for _, n := range dm.NotEvaluable {
		gaps = append(gaps, gap{index(n.Package), NotEvaluableCode, notEvaluable(n), n.Package})
	}
	slices.SortStableFunc(gaps, func(a, b gap) int { return a.index - b.index })
	up := store.SBOMUpload{VersionID: versionID, Name: name, Format: doc.Format, Data: data, Components: len(doc.Components),
		Unscanned: make([]store.Unscanned, len(gaps)), Problems: make([]store.SBOMProblem, len(doc.Problems))}
	for i, p := range doc.Problems {
		up.Problems[i] = store.SBOMProblem{Where: p.Where, Reason: p.Reason}
	}
	for i, g := range gaps {
		up.Unscanned[i] = store.Unscanned{Component: doc.Components[g.index].Label(), Reason: g.reason, Code: g.code,
			Ecosystem: g.pkg.Ecosystem, PURL: g.pkg.PURL}
	}
	for _, p := range dm.Packages {
		up.Packages = append(up.Packages, store.SBOMComponent{Ecosystem: p.Ecosystem, Name: p.Name, Version: p.Version, PURL: p.PURL,
			Label: componentName(dm.Component(p))})
	}
	found := make([]store.Finding, len(dm.Findings))
	for i, f := range dm.Findings {
		found[i] = finding(f, componentName(dm.Component(f.Package)))
	}
	file, ch, err := st.AddSBOM(ctx, a, up, found)
	if err != nil {
		return UploadResult{}, err
	}
	out := UploadResult{SBOM: file, New: ch.New, Gone: ch.Gone, Opened: []store.Incident{}, Problems: file.Problems}
	for _, f := range dedupe(found) {
		out.Findings++
		if f.KnownExploited {
			out.KnownExploited++
		}
	}
	if len(ch.Untracked) > 0 {
		if out.Opened, err = OpenTracks(ctx, st, ch.Untracked, now); err != nil {
			return out, err
		}
	}
	return out, nil
}

// notEvaluable is the stored reason of a component checked against an
// advisory that could not be evaluated.
func notEvaluable(n vuln.NotEvaluable) string {
	return "advisory " + n.ID + " not evaluable: " + n.Reason
}

// dedupe drops the findings of a package listed twice, as the store does.
func dedupe(fs []store.Finding) []store.Finding {
	seen := map[[2]string]bool{}
	var out []store.Finding
	for _, f := range fs {
		k := [2]string{f.PURL, f.VulnID}
		if !seen[k] {
			seen[k] = true
			out = append(out, f)
		}
	}
	return out
}

func index(p vuln.Package) int {
	i, _ := strconv.Atoi(p.Ref)
	return i
}

func componentName(c *sbom.Component) string {
	if c.Group != "" {
		return c.Group + "/" + c.Name
	}
	return c.Name
}

// finding is the stored form of a match in the component named component
// (the package name when "").
func finding(f vuln.Finding, component string) store.Finding {
	out := store.Finding{PURL: f.PURL, Component: component, ComponentVersion: f.Version, Ecosystem: f.Ecosystem, Package: f.Name,
		VulnID: f.ID, Aliases: f.Aliases, Severity: f.Severity.Rating, Summary: f.Summary, Fixed: []string{},
		KnownExploited: len(f.KnownExploited) > 0}
	if component == "" {
		out.Component = f.Name
	}
	if f.FixedIn != "" {
		out.Fixed = []string{f.FixedIn}
	}
	if out.KnownExploited {
		cves := make([]string, len(f.KnownExploited))
		for i, e := range f.KnownExploited {
			cves[i] = e.CVE
		}
		out.KEVCVE = slices.Min(cves)
	}
	return out
}

// NotEvaluableCode is the store.Unscanned code of a component checked
// against an advisory whose ranges pflicht could not evaluate (a GIT range,
// an unknown range type): the component is listed, not silently clean.
const NotEvaluableCode = "not_evaluable"

// Unscannable is a component of a document that could not be checked.
type Unscannable struct {
	Index int // in Document.Components
	// Reason is the matcher's code; Code the precise cause, an sbom.Code
	// where the component itself lacks something, else Reason; Detail says
	// it in words.
	Reason vuln.Reason
	Code   string
	Detail string
}

// DocumentMatch is the match of one SBOM's components.
type DocumentMatch struct {
	// Packages are the components matched, Ref their index in
	// Document.Components (see Component).
	Packages []vuln.Package
	// Scanned counts the components checked, with or without findings;
	// Unscanned are the others, in document order.
	Scanned      int
	Findings     []vuln.Finding
	NotEvaluable []vuln.NotEvaluable
	Unscanned    []Unscannable
	doc          *sbom.Document
}

// Component is the component of the document that p, one of the
// packages matched, was made from.
func (dm *DocumentMatch) Component(p vuln.Package) *sbom.Component {
	return &dm.doc.Components[index(p)]
}

// MatchDocument matches the components of doc: those with OSV coordinates
// against the stored advisories (Match), the others are unscanned with the
// reason. A component without a version whose package has coordinates is
// matched all the same: the matcher tells "no advisories for the package"
// from "no version to compare".
func (m *Matcher) MatchDocument(ctx context.Context, doc *sbom.Document) (DocumentMatch, error) {
	dm := DocumentMatch{doc: doc}
	for i := range doc.Components {
		c := &doc.Components[i]
		eco, name, version, why := c.Package()
		if why.Code != "" {
			var ok bool
			if eco, name, ok = c.PURL.OSVPackage(); !ok || c.PURLRaw == "" || c.PURLErr != "" {
				dm.Unscanned = append(dm.Unscanned, Unscannable{Index: i, Reason: vuln.NoCoordinates, Code: string(why.Code), Detail: why.Text})
				continue
			}
		}
		dm.Packages = append(dm.Packages, vuln.Package{Ref: strconv.Itoa(i), PURL: c.PURLRaw, Ecosystem: eco, Name: name, Version: version})
	}
	res, err := m.Match(ctx, dm.Packages)
	if err != nil {
		return DocumentMatch{}, err
	}
	dm.Scanned, dm.Findings, dm.NotEvaluable = res.Scanned, res.Findings, res.NotEvaluable
	for _, u := range res.Unscanned {
		dm.Unscanned = append(dm.Unscanned, Unscannable{Index: index(u.Package), Reason: u.Reason, Code: string(u.Reason), Detail: u.Detail})
	}
	slices.SortStableFunc(dm.Unscanned, func(a, b Unscannable) int { return a.Index - b.Index })
	return dm, nil
}

// Matcher matches packages against the stored vulnerability database,
// loading only the advisories of the packages it is given.
type Matcher struct {
	st *store.Store
	// Ecosystems are those the database has advisories for; KEV the
	// known-exploited catalogues.
	Ecosystems []string
	KEV        []*osv.KEV
}

// NewMatcher reads what every match needs from the store.
func NewMatcher(ctx context.Context, st *store.Store) (*Matcher, error) {
	ecos, err := st.VulnEcosystems(ctx)
	if err != nil {
		return nil, err
	}
	kev, err := st.KEVCatalogs(ctx)
	if err != nil {
		return nil, err
	}
	return &Matcher{st: st, Ecosystems: ecos, KEV: kev}, nil
}

// Match matches pkgs. The index holds only their records, so it is told
// the ecosystems of the whole database: a package of such an ecosystem that
// no advisory names is checked and clean, not unscanned for want of
// advisories.
func (m *Matcher) Match(ctx context.Context, pkgs []vuln.Package) (vuln.Result, error) {
	keys := make([]vuln.Key, len(pkgs))
	for i, p := range pkgs {
		keys[i] = vuln.KeyOf(p.Ecosystem, p.Name)
	}
	recs, err := m.st.VulnRecords(ctx, keys)
	if err != nil {
		return vuln.Result{}, err
	}
	ix := vuln.New(recs)
	ix.SetKEV(m.KEV...)
	ix.SetCovered(m.Ecosystems)
	return ix.Match(pkgs), nil
}

// RematchResult counts what a re-match did.
type RematchResult struct {
	Versions   int `json:"versions"`   // product versions whose components were matched again
	Components int `json:"components"` // components matched again
	New        int `json:"new"`
	Gone       int `json:"gone"`
	Updated    int `json:"updated"`
	Opened     int `json:"opened"` // CRA Art. 14 tracks opened
	// Refreshed counts the current SBOMs whose unscanned list was rewritten
	// because its "no advisories" entries were out of date (refreshUnscanned).
	Refreshed int `json:"refreshed"`
}

// rematchBatch is how many versions one transaction records.
const rematchBatch = 200

// Rematch matches the components of every current SBOM whose package is
// one of keys (as ImportVulns and ImportKEV report them; nil: every
// component) against the stored database and records the findings, opening
// CRA Art. 14 tracks for new known-exploited ones, and checks again the
// "no advisories" entries of the SBOMs' unscanned lists (refreshUnscanned).
// now is when pflicht learns of them.
func Rematch(ctx context.Context, st *store.Store, keys []vuln.Key, now time.Time) (RematchResult, error) {
	var res RematchResult
	if keys != nil && len(keys) == 0 {
		return res, nil
	}
	sys := store.System("rematch")
	m, err := NewMatcher(ctx, st)
	if err != nil {
		return res, err
	}
	comps, err := st.CurrentComponents(ctx, sys, keys)
	if err != nil {
		return res, err
	}
	if len(comps) == 0 {
		// Advisories for packages no SBOM lists may still cover an
		// ecosystem an SBOM's unscanned list says has none.
		res.Refreshed, err = refreshUnscanned(ctx, st, sys, m)
		return res, err
	}
	pkgs := make([]vuln.Package, len(comps))
	for i, c := range comps {
		pkgs[i] = vuln.Package{Ref: strconv.Itoa(i), PURL: c.PURL, Ecosystem: c.Ecosystem, Name: c.Name, Version: c.Version}
	}
	matched, err := m.Match(ctx, pkgs)
	if err != nil {
		return res, err
	}
	byComp := map[int][]store.Finding{}
	for _, f := range matched.Findings {
		i := index(f.Package)
		byComp[i] = append(byComp[i], finding(f, comps[i].Label))
	}
	// comps are sorted by version: one set per run of a version.
	var sets []store.FindingSet
	for i := 0; i < len(comps); {
		set := store.FindingSet{VersionID: comps[i].VersionID, SBOMID: comps[i].SBOMID, Findings: []store.Finding{}}
		seen := map[vuln.Key]bool{}
		j := i
		for ; j < len(comps) && comps[j].VersionID == set.VersionID; j++ {
			if k := vuln.KeyOf(comps[j].Ecosystem, comps[j].Name); keys != nil && !seen[k] {
				seen[k] = true
				set.Keys = append(set.Keys, k)
			}
			set.Findings = append(set.Findings, byComp[j]...)
		}
		sets = append(sets, set)
		i = j
	}
	res.Versions, res.Components = len(sets), len(comps)
	var untracked []string
	for chunk := range slices.Chunk(sets, rematchBatch) {
		ch, err := st.RecordFindings(ctx, sys, chunk)
		if err != nil {
			return res, err
		}
		res.New += ch.New
		res.Gone += ch.Gone
		res.Updated += ch.Updated
		untracked = append(untracked, ch.Untracked...)
	}
	// After the findings: a list that says a component is checked never
	// stands without its findings.
	if res.Refreshed, err = refreshUnscanned(ctx, st, sys, m); err != nil {
		return res, err
	}
	if len(untracked) > 0 {
		opened, err := OpenTracks(ctx, st, untracked, now)
		res.Opened = len(opened)
		if err != nil {
			return res, err
		}
	}
	return res, nil
}
