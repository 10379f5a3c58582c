package vex

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/pflicht/pflicht/internal/purl"
)

// The CycloneDX types below carry both JSON and XML tags: the two encodings
// hold the same fields, XML only wraps lists in an element of their own.
// They cover what VEX needs, for reading and for writing.

type cdxBOM struct {
	XMLName         xml.Name           `json:"-" xml:"bom"`
	Schema          string             `json:"$schema,omitempty" xml:"-"`
	BOMFormat       string             `json:"bomFormat" xml:"-"`
	SpecVersion     string             `json:"specVersion" xml:"-"`
	SerialNumber    string             `json:"serialNumber,omitempty" xml:"serialNumber,attr"`
	Version         int                `json:"version" xml:"version,attr"`
	Metadata        *cdxMetadata       `json:"metadata,omitempty" xml:"metadata"`
	Components      []cdxComponent     `json:"components,omitempty" xml:"components>component"`
	Vulnerabilities []cdxVulnerability `json:"vulnerabilities,omitempty" xml:"vulnerabilities>vulnerability"`
}

type cdxMetadata struct {
	Timestamp    string        `json:"timestamp,omitempty" xml:"timestamp"`
	Tools        *cdxTools     `json:"tools,omitempty" xml:"-"`
	Authors      []cdxContact  `json:"authors,omitempty" xml:"authors>author"`
	Component    *cdxComponent `json:"component,omitempty" xml:"component"`
	Manufacturer *cdxContact   `json:"manufacturer,omitempty" xml:"manufacturer"`
	Supplier     *cdxContact   `json:"supplier,omitempty" xml:"supplier"`
}

type cdxTools struct {
	Components []cdxComponent `json:"components"`
}

type cdxContact struct {
	Name string   `json:"name,omitempty" xml:"name"`
	URL  []string `json:"url,omitempty" xml:"url"`
}

type cdxComponent struct {
	Type       string         `json:"type" xml:"type,attr"`
	BOMRef     string         `json:"bom-ref,omitempty" xml:"bom-ref,attr"`
	Name       string         `json:"name" xml:"name"`
	Version    string         `json:"version,omitempty" xml:"version"`
	PURL       string         `json:"purl,omitempty" xml:"purl"`
	Components []cdxComponent `json:"components,omitempty" xml:"components>component"`
}

type cdxVulnerability struct {
	ID             string         `json:"id" xml:"id"`
	Source         *cdxSource     `json:"source,omitempty" xml:"source"`
	References     []cdxReference `json:"references,omitempty" xml:"references>reference"`
	Ratings        []cdxRating    `json:"ratings,omitempty" xml:"ratings>rating"`
	Description    string         `json:"description,omitempty" xml:"description"`
	Recommendation string         `json:"recommendation,omitempty" xml:"recommendation"`
	Analysis       *cdxAnalysis   `json:"analysis,omitempty" xml:"analysis"`
	Affects        []cdxAffect    `json:"affects,omitempty" xml:"affects>target"`
	Properties     []cdxProperty  `json:"properties,omitempty" xml:"properties>property"`
}

type cdxSource struct {
	Name string `json:"name,omitempty" xml:"name"`
	URL  string `json:"url,omitempty" xml:"url"`
}

type cdxReference struct {
	ID     string    `json:"id" xml:"id"`
	Source cdxSource `json:"source" xml:"source"`
}

type cdxRating struct {
	Severity string `json:"severity,omitempty" xml:"severity"`
}

type cdxAnalysis struct {
	State         string   `json:"state,omitempty" xml:"state"`
	Justification string   `json:"justification,omitempty" xml:"justification"`
	Response      []string `json:"response,omitempty" xml:"responses>response"`
	Detail        string   `json:"detail,omitempty" xml:"detail"`
	FirstIssued   string   `json:"firstIssued,omitempty" xml:"firstIssued"`
	LastUpdated   string   `json:"lastUpdated,omitempty" xml:"lastUpdated"`
}

type cdxAffect struct {
	Ref      string       `json:"ref" xml:"ref"`
	Versions []cdxVersion `json:"versions,omitempty" xml:"versions>version"`
}

type cdxVersion struct {
	Version string `json:"version,omitempty" xml:"version"`
	Range   string `json:"range,omitempty" xml:"range"`
	Status  string `json:"status,omitempty" xml:"status"`
}

type cdxProperty struct {
	Name  string `json:"name" xml:"name,attr"`
	Value string `json:"value" xml:",chardata"`
}

func parseCycloneDXJSON(data []byte) ([]Statement, error) {
	var bom cdxBOM
	if err := json.Unmarshal(data, &bom); err != nil {
		return nil, jsonError(err)
	}
	return cycloneDXStatements(&bom)
}

func parseCycloneDXXML(data []byte) ([]Statement, error) {
	var bom cdxBOM
	if err := xml.Unmarshal(data, &bom); err != nil {
		return nil, err
	}
	return cycloneDXStatements(&bom)
}

// cycloneDXStatements turns each vulnerability with an analysis state into a
// Statement. Vulnerabilities without one are scan results, not VEX, and are
// left out.
func cycloneDXStatements(bom *cdxBOM) ([]Statement, error) {
	refs := map[string]string{} // bom-ref -> purl, or "" when it has none
	var walk func([]cdxComponent)
	walk = func(cs []cdxComponent) {
		for _, c := range cs {
			if c.BOMRef != "" {
				refs[c.BOMRef] = c.PURL
			}
			walk(c.Components)
		}
	}
	var (
		docTime string
		author  string
	)
	if m := bom.Metadata; m != nil {
		docTime = m.Timestamp
		if m.Component != nil {
			walk([]cdxComponent{*m.Component})
		}
		switch {
		case m.Manufacturer != nil && m.Manufacturer.Name != "":
			author = m.Manufacturer.Name
		case m.Supplier != nil && m.Supplier.Name != "":
			author = m.Supplier.Name
		case len(m.Authors) > 0:
			author = m.Authors[0].Name
		}
	}
	walk(bom.Components)

	var out statements
	for i, v := range bom.Vulnerabilities {
		path := fmt.Sprintf("vulnerabilities[%d]", i)
		if v.Analysis == nil || v.Analysis.State == "" {
			continue
		}
		if v.ID == "" {
			return nil, fmt.Errorf("%s.id: missing", path)
		}
		a := v.Analysis
		st := Statement{
			VulnID: v.ID,
			Author: author,
			Origin: strings.TrimSpace("cyclonedx " + bom.SerialNumber + " " + path),
		}
		var err error
		if st.Status, err = cdxStatus(a.State); err != nil {
			return nil, fmt.Errorf("%s.analysis.state: %w", path, err)
		}
		if a.Justification != "" {
			if st.Justification, err = ParseJustification(a.Justification); err != nil {
				return nil, fmt.Errorf("%s.analysis.justification: %w", path, err)
			}
		}
		switch {
		case st.Status == Affected:
			st.ActionStatement = a.Detail
		case a.Detail == "" && a.State == "false_positive":
			st.ImpactStatement = "CycloneDX analysis: false_positive"
		default:
			st.ImpactStatement = a.Detail
		}
		for j, r := range v.References {
			if r.ID == "" {
				return nil, fmt.Errorf("%s.references[%d].id: missing", path, j)
			}
			if !strings.EqualFold(r.ID, v.ID) {
				st.Aliases = append(st.Aliases, r.ID)
			}
		}
		for j, t := range v.Affects {
			if t.Ref == "" {
				return nil, fmt.Errorf("%s.affects[%d].ref: missing", path, j)
			}
			st.Products = append(st.Products, affectedProducts(refs, t, st.Status)...)
		}
		// The advisory's own dates (published, updated) say nothing about
		// when the manufacturer decided; the document's date does.
		st.Timestamp, err = firstTime(
			path+".analysis.lastUpdated", a.LastUpdated,
			path+".analysis.firstIssued", a.FirstIssued,
			"metadata.timestamp", docTime)
		if err != nil {
			return nil, err
		}
		if err := out.add(st); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// cdxStatus accepts only CycloneDX analysis states.
func cdxStatus(s string) (Status, error) {
	if st, ok := cdxStates[s]; ok {
		return st, nil
	}
	return "", fmt.Errorf("unknown state %q", s)
}

// affectedProducts resolves an affects target to product identifiers. A ref
// names a component of this BOM (its purl is used when it has one), a
// BOM-Link into another BOM ("urn:cdx:serial/version#bom-ref", where the
// bom-ref is often itself a purl), or a purl.
//
// A target that lists versions is narrowed to them: each explicit version of
// a purl becomes that purl at that version. Version ranges (vers:) and
// versions of refs without a purl cannot be expressed as a product and are
// dropped, so a statement never covers more than its document says; so is a
// version whose own status contradicts the analysis state.
func affectedProducts(refs map[string]string, t cdxAffect, st Status) []string {
	ref := t.Ref
	if p, ok := refs[ref]; ok && p != "" {
		ref = p
	} else if _, frag, ok := strings.Cut(ref, "#"); ok && strings.HasPrefix(ref, "urn:cdx:") {
		if isPURL(frag) {
			ref = frag
		} else if p := refs[frag]; p != "" {
			ref = p
		}
	}
	if len(t.Versions) == 0 {
		return []string{ref}
	}
	p, err := purl.Parse(ref)
	if err != nil {
		return nil
	}
	var out []string
	for _, v := range t.Versions {
		if v.Version == "" || contradicts(st, v.Status) {
			continue
		}
		p.Version = v.Version
		out = append(out, p.String())
	}
	return out
}

// contradicts reports whether a CycloneDX per-version status (affected,
// unaffected, unknown) says the opposite of the analysis state.
func contradicts(st Status, versionStatus string) bool {
	switch versionStatus {
	case "affected":
		return st == NotAffected || st == Fixed
	case "unaffected":
		return st == Affected
	}
	return false
}
