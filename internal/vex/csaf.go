package vex

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// The CSAF 2.0 types cover the csaf_vex profile (CSAF 2.0 section 4.5) for
// writing and what Parse needs for reading.

type csafDocument struct {
	Document        csafMeta            `json:"document"`
	ProductTree     *csafProductTree    `json:"product_tree,omitempty"`
	Vulnerabilities []csafVulnerability `json:"vulnerabilities,omitempty"`
}

type csafMeta struct {
	Category    string        `json:"category"`
	CSAFVersion string        `json:"csaf_version"`
	Publisher   csafPublisher `json:"publisher"`
	Title       string        `json:"title"`
	Tracking    csafTracking  `json:"tracking"`
}

type csafPublisher struct {
	Category  string `json:"category"`
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
}

type csafTracking struct {
	ID                 string         `json:"id"`
	Status             string         `json:"status"`
	Version            string         `json:"version"`
	RevisionHistory    []csafRevision `json:"revision_history"`
	InitialReleaseDate string         `json:"initial_release_date"`
	CurrentReleaseDate string         `json:"current_release_date"`
	Generator          *csafGenerator `json:"generator,omitempty"`
}

type csafRevision struct {
	Date    string `json:"date"`
	Number  string `json:"number"`
	Summary string `json:"summary"`
}

type csafGenerator struct {
	Date   string     `json:"date,omitempty"`
	Engine csafEngine `json:"engine"`
}

type csafEngine struct {
	Name string `json:"name"`
}

type csafProductTree struct {
	Branches         []csafBranch       `json:"branches,omitempty"`
	FullProductNames []csafProduct      `json:"full_product_names,omitempty"`
	Relationships    []csafRelationship `json:"relationships,omitempty"`
}

type csafBranch struct {
	Category string       `json:"category"`
	Name     string       `json:"name"`
	Branches []csafBranch `json:"branches,omitempty"`
	Product  *csafProduct `json:"product,omitempty"`
}

type csafProduct struct {
	Name      string      `json:"name"`
	ProductID string      `json:"product_id"`
	Helper    *csafHelper `json:"product_identification_helper,omitempty"`
}

type csafHelper struct {
	PURL string `json:"purl,omitempty"`
}

type csafRelationship struct {
	Category         string      `json:"category"`
	FullProductName  csafProduct `json:"full_product_name"`
	ProductReference string      `json:"product_reference"`
	RelatesToProduct string      `json:"relates_to_product_reference"`
}

type csafVulnerability struct {
	CVE           string             `json:"cve,omitempty"`
	IDs           []csafID           `json:"ids,omitempty"`
	Notes         []csafNote         `json:"notes,omitempty"`
	ProductStatus *csafProductStatus `json:"product_status,omitempty"`
	Flags         []csafFlag         `json:"flags,omitempty"`
	Threats       []csafDetails      `json:"threats,omitempty"`
	Remediations  []csafDetails      `json:"remediations,omitempty"`
}

type csafID struct {
	SystemName string `json:"system_name"`
	Text       string `json:"text"`
}

type csafNote struct {
	Category string `json:"category"`
	Title    string `json:"title,omitempty"`
	Text     string `json:"text"`
}

type csafProductStatus struct {
	FirstAffected      []string `json:"first_affected,omitempty"`
	FirstFixed         []string `json:"first_fixed,omitempty"`
	Fixed              []string `json:"fixed,omitempty"`
	KnownAffected      []string `json:"known_affected,omitempty"`
	KnownNotAffected   []string `json:"known_not_affected,omitempty"`
	LastAffected       []string `json:"last_affected,omitempty"`
	UnderInvestigation []string `json:"under_investigation,omitempty"`
}

type csafFlag struct {
	Label      string   `json:"label"`
	ProductIDs []string `json:"product_ids"`
}

// csafDetails is a threat or a remediation: both are a category, a text and
// the products they concern.
type csafDetails struct {
	Category   string   `json:"category"`
	Details    string   `json:"details"`
	ProductIDs []string `json:"product_ids"`
}

// WriteCSAF writes findings with their decisions as a CSAF 2.0 document of
// category csaf_vex. The product tree holds meta's product (vendor, product
// name, version branches) and every component with its purl; the statuses
// refer to "component as default_component_of product" relationships, or to
// the components themselves when meta names no product. One vulnerability
// entry is written per CVE (or, without one, per id), as CSAF requires.
// A finding without a decision is reported under_investigation.
//
// meta.Publisher, Namespace, DocumentID, Title and Now are required.
func WriteCSAF(w io.Writer, meta DocMeta, findings []Finding) error {
	for _, m := range []struct{ name, value string }{
		{"Publisher", meta.Publisher}, {"Namespace", meta.Namespace},
		{"DocumentID", meta.DocumentID}, {"Title", meta.Title},
	} {
		if strings.TrimSpace(m.value) == "" {
			return fmt.Errorf("vex: csaf: meta.%s: missing", m.name)
		}
	}
	if meta.Now.IsZero() {
		return errors.New("vex: csaf: meta.Now: missing")
	}
	if err := checkFindings(findings); err != nil {
		return fmt.Errorf("vex: csaf: %w", err)
	}
	now := rfc3339(meta.Now)
	doc := csafDocument{Document: csafMeta{
		Category:    "csaf_vex",
		CSAFVersion: "2.0",
		Publisher:   csafPublisher{Category: "vendor", Name: meta.Publisher, Namespace: meta.Namespace},
		Title:       meta.Title,
		Tracking: csafTracking{
			ID:                 meta.DocumentID,
			Status:             "final",
			Version:            "1",
			RevisionHistory:    []csafRevision{{Date: now, Number: "1", Summary: "Initial version."}},
			InitialReleaseDate: now,
			CurrentReleaseDate: now,
			Generator:          &csafGenerator{Date: now, Engine: csafEngine{Name: "pflicht"}},
		},
	}}

	fs := sortFindings(findings)
	tree, productOf := csafTree(meta, fs)
	doc.ProductTree = tree

	groups := map[string][]Finding{}
	for _, f := range fs {
		k := csafVulnKey(f)
		groups[k] = append(groups[k], f)
	}
	for _, k := range slices.Sorted(maps.Keys(groups)) {
		doc.Vulnerabilities = append(doc.Vulnerabilities, csafVulnerabilityOf(groups[k], productOf))
	}
	if err := writeJSON(w, doc); err != nil {
		return fmt.Errorf("vex: csaf: %w", err)
	}
	return nil
}

// csafTree builds the product tree and returns, per component key, the
// product id that statuses refer to.
func csafTree(meta DocMeta, fs []Finding) (*csafProductTree, map[string]string) {
	var comps []Finding // one per component key, in key order
	seen := map[string]bool{}
	for _, f := range fs {
		if k := componentKey(f); !seen[k] {
			seen[k] = true
			comps = append(comps, f)
		}
	}
	slices.SortFunc(comps, func(a, b Finding) int { return strings.Compare(componentKey(a), componentKey(b)) })

	n := 0
	nextID := func() string { n++; return fmt.Sprintf("CSAFPID-%04d", n) }
	tree := &csafProductTree{}
	var mainID, mainName string
	if meta.ProductName != "" {
		mainID = nextID()
		mainName = strings.TrimSpace(strings.Join([]string{meta.Publisher, meta.ProductName, meta.ProductVersion}, " "))
		leaf := csafBranch{Category: "product_name", Name: meta.ProductName}
		product := &csafProduct{Name: mainName, ProductID: mainID}
		if meta.ProductVersion != "" {
			leaf.Branches = []csafBranch{{Category: "product_version", Name: meta.ProductVersion, Product: product}}
		} else {
			leaf.Product = product
		}
		tree.Branches = []csafBranch{{Category: "vendor", Name: meta.Publisher, Branches: []csafBranch{leaf}}}
	}
	productOf := map[string]string{}
	for _, f := range comps {
		p := csafProduct{Name: csafComponentName(f), ProductID: nextID()}
		if f.ComponentPURL != "" {
			p.Helper = &csafHelper{PURL: canonicalPURL(f.ComponentPURL)}
		}
		tree.FullProductNames = append(tree.FullProductNames, p)
		productOf[componentKey(f)] = p.ProductID
	}
	if mainID == "" {
		return tree, productOf
	}
	for i, f := range comps {
		p := tree.FullProductNames[i]
		r := csafRelationship{
			Category:         "default_component_of",
			FullProductName:  csafProduct{Name: p.Name + " as a component of " + mainName, ProductID: nextID()},
			ProductReference: p.ProductID,
			RelatesToProduct: mainID,
		}
		tree.Relationships = append(tree.Relationships, r)
		productOf[componentKey(f)] = r.FullProductName.ProductID
	}
	return tree, productOf
}

func csafComponentName(f Finding) string {
	if f.ComponentName != "" {
		return strings.TrimSpace(f.ComponentName + " " + f.ComponentVersion)
	}
	return componentKey(f)
}

// csafVulnKey groups findings into CSAF vulnerabilities: by CVE when the
// finding has one, since a CVE may appear in one vulnerability only
// (CSAF 2.0 test 6.1.23).
func csafVulnKey(f Finding) string {
	if c := cveOf(f); c != "" {
		return c
	}
	return idKey(f.VulnID)
}

// cveOf returns the finding's CVE id, from its id or, failing that, the
// first of its aliases in sort order.
func cveOf(f Finding) string {
	for _, id := range vulnIDs(f) {
		if u := strings.ToUpper(id); strings.HasPrefix(u, "CVE-") {
			return u
		}
	}
	return ""
}

// statusRank orders decisions for the same product, worst first, to pick
// one when findings disagree (a product may have one status only, CSAF 2.0
// test 6.1.6).
var statusRank = map[Status]int{Affected: 0, "": 1, UnderInvestigation: 1, Fixed: 2, NotAffected: 3}

// csafVulnerabilityOf writes one vulnerability from findings that share it.
func csafVulnerabilityOf(fs []Finding, productOf map[string]string) csafVulnerability {
	// One decision per product: the latest, and of equally late ones the worst.
	decided := map[string]Finding{}
	for _, f := range fs {
		id := productOf[componentKey(f)]
		if d, ok := decided[id]; !ok || f.DecidedAt.After(d.DecidedAt) ||
			f.DecidedAt.Equal(d.DecidedAt) && statusRank[f.Status] < statusRank[d.Status] {
			decided[id] = f
		}
	}
	var v csafVulnerability
	v.CVE = csafVulnKey(fs[0])
	if !strings.HasPrefix(v.CVE, "CVE-") {
		v.CVE = ""
	}
	ids := map[string]string{}
	var summary, severity string
	exploited := false
	for _, f := range fs {
		for _, id := range vulnIDs(f) {
			if k := idKey(id); k != v.CVE {
				ids[k] = id
			}
		}
		summary = cmp.Or(summary, f.Summary)
		severity = cmp.Or(severity, f.Severity)
		exploited = exploited || f.KnownExploited
	}
	for _, k := range slices.Sorted(maps.Keys(ids)) {
		name, _ := advisorySource(ids[k])
		v.IDs = append(v.IDs, csafID{SystemName: name, Text: ids[k]})
	}
	v.Notes = []csafNote{{Category: "description", Title: "Summary", Text: cmp.Or(summary, "No summary was published.")}}
	if severity != "" {
		v.Notes = append(v.Notes, csafNote{Category: "other", Title: "Severity (advisory)", Text: severity})
	}

	ps := &csafProductStatus{}
	flags := groupedIDs{}
	threats := groupedIDs{}
	remediations := groupedIDs{}
	var all []string
	for _, id := range slices.Sorted(maps.Keys(decided)) {
		f := decided[id]
		all = append(all, id)
		switch f.Status {
		case NotAffected:
			ps.KnownNotAffected = append(ps.KnownNotAffected, id)
			if f.Justification != "" {
				flags.add(string(f.Justification), "", id)
			}
			// CSAF requires an impact statement (a flag or an impact threat)
			// for every known_not_affected product.
			if f.Detail != "" || f.Justification == "" {
				threats.add("impact", cmp.Or(f.Detail, "The manufacturer assessed the product as not affected."), id)
			}
		case Affected:
			ps.KnownAffected = append(ps.KnownAffected, id)
			// CSAF requires an action statement (a remediation) for every
			// known_affected product.
			if len(f.FixedVersions) > 0 {
				remediations.add("vendor_fix", strings.TrimSpace(fixText(f)+" "+f.Detail), id)
			} else {
				remediations.add("none_available", cmp.Or(f.Detail, "No fix is available yet."), id)
			}
		case Fixed:
			ps.Fixed = append(ps.Fixed, id)
			if f.Detail != "" {
				remediations.add("vendor_fix", f.Detail, id)
			}
		default:
			ps.UnderInvestigation = append(ps.UnderInvestigation, id)
		}
	}
	v.ProductStatus = ps
	for _, g := range flags.sorted() {
		v.Flags = append(v.Flags, csafFlag{Label: g.category, ProductIDs: g.ids})
	}
	if exploited {
		threats.add("exploit_status", "Known to be exploited in the wild.", all...)
	}
	v.Threats = threats.details()
	v.Remediations = remediations.details()
	return v
}

// groupedIDs collects product ids under a category and a text, so that
// products sharing both share one entry.
type groupedIDs map[[2]string][]string

type idGroup struct {
	category, text string
	ids            []string
}

func (g groupedIDs) add(category, text string, ids ...string) {
	k := [2]string{category, text}
	g[k] = append(g[k], ids...)
}

func (g groupedIDs) sorted() []idGroup {
	var out []idGroup
	for _, k := range slices.SortedFunc(maps.Keys(g), func(a, b [2]string) int {
		return cmp.Or(strings.Compare(a[0], b[0]), strings.Compare(a[1], b[1]))
	}) {
		out = append(out, idGroup{k[0], k[1], slices.Sorted(slices.Values(g[k]))})
	}
	return out
}

func (g groupedIDs) details() []csafDetails {
	var out []csafDetails
	for _, e := range g.sorted() {
		out = append(out, csafDetails{Category: e.category, Details: e.text, ProductIDs: e.ids})
	}
	return out
}

func parseCSAF(data []byte) ([]Statement, error) {
	var doc csafDocument
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, jsonError(err)
	}
	switch doc.Document.Category {
	case "csaf_vex", "csaf_security_advisory":
	default:
		return nil, fmt.Errorf("document.category: %q carries no product status; want csaf_vex or csaf_security_advisory", doc.Document.Category)
	}
	ts, err := parseTime("document.tracking.current_release_date", doc.Document.Tracking.CurrentReleaseDate)
	if err != nil {
		return nil, err
	}
	products := csafProducts(doc.ProductTree)
	var out statements
	for i, v := range doc.Vulnerabilities {
		path := fmt.Sprintf("vulnerabilities[%d]", i)
		ids := []string{}
		if v.CVE != "" {
			ids = append(ids, v.CVE)
		}
		for j, id := range v.IDs {
			if id.Text == "" {
				return nil, fmt.Errorf("%s.ids[%d].text: missing", path, j)
			}
			ids = append(ids, id.Text)
		}
		if len(ids) == 0 {
			return nil, fmt.Errorf("%s: neither cve nor ids", path)
		}
		if v.ProductStatus == nil {
			continue
		}
		justification := map[string]Justification{}
		for j, f := range v.Flags {
			l, err := ParseJustification(f.Label)
			if err != nil {
				return nil, fmt.Errorf("%s.flags[%d].label: %w", path, j, err)
			}
			for _, id := range f.ProductIDs {
				justification[id] = l
			}
		}
		impact := detailsByProduct(v.Threats, "impact")
		action := map[string]string{}
		for _, r := range v.Remediations {
			for _, id := range r.ProductIDs {
				action[id] = strings.TrimSpace(action[id] + "\n" + r.Details)
			}
		}
		// Products sharing status, justification and texts share a Statement.
		type key struct {
			status         Status
			just           Justification
			impact, action string
		}
		var order []key
		byKey := map[key][]string{}
		for _, g := range []struct {
			status Status
			ids    []string
		}{
			{NotAffected, v.ProductStatus.KnownNotAffected},
			{Affected, v.ProductStatus.KnownAffected},
			{Affected, v.ProductStatus.FirstAffected},
			{Affected, v.ProductStatus.LastAffected},
			{Fixed, v.ProductStatus.FirstFixed},
			{Fixed, v.ProductStatus.Fixed},
			{UnderInvestigation, v.ProductStatus.UnderInvestigation},
		} {
			for _, id := range g.ids {
				k := key{g.status, "", impact[id], ""}
				switch g.status {
				case NotAffected:
					k.just = justification[id]
				case Affected:
					k.action = action[id]
				}
				if _, ok := byKey[k]; !ok {
					order = append(order, k)
				}
				// Several product ids (a package per architecture, the
				// same package in several products) often share a purl.
				if p := cmp.Or(products[id], id); !slices.Contains(byKey[k], p) {
					byKey[k] = append(byKey[k], p)
				}
			}
		}
		for _, k := range order {
			st := Statement{
				VulnID: ids[0], Aliases: ids[1:], Products: byKey[k],
				Status: k.status, Justification: k.just,
				ImpactStatement: k.impact, ActionStatement: k.action,
				Timestamp: ts, Author: doc.Document.Publisher.Name,
				Origin: strings.TrimSpace("csaf " + doc.Document.Tracking.ID + " " + path),
			}
			if err := out.add(st); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func detailsByProduct(ds []csafDetails, category string) map[string]string {
	m := map[string]string{}
	for _, d := range ds {
		if d.Category != category {
			continue
		}
		for _, id := range d.ProductIDs {
			m[id] = strings.TrimSpace(m[id] + "\n" + d.Details)
		}
	}
	return m
}

// csafProducts maps product ids to purls. A relationship's product ("X as a
// component of Y") maps to the purl of its component X, which is what a
// finding's component is compared with.
func csafProducts(t *csafProductTree) map[string]string {
	m := map[string]string{}
	if t == nil {
		return m
	}
	add := func(p *csafProduct) {
		if p != nil && p.Helper != nil && p.Helper.PURL != "" {
			m[p.ProductID] = p.Helper.PURL
		}
	}
	var walk func([]csafBranch)
	walk = func(bs []csafBranch) {
		for i := range bs {
			add(bs[i].Product)
			walk(bs[i].Branches)
		}
	}
	walk(t.Branches)
	for i := range t.FullProductNames {
		add(&t.FullProductNames[i])
	}
	for _, r := range t.Relationships {
		if r.FullProductName.Helper != nil && r.FullProductName.Helper.PURL != "" {
			add(&r.FullProductName)
		} else if p := m[r.ProductReference]; p != "" {
			m[r.FullProductName.ProductID] = p
		}
	}
	return m
}
