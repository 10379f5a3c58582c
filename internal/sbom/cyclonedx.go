package sbom

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// cdxBOM is the part of a CycloneDX BOM the scan reads and checks. One set
// of structs serves both encodings: tags agree where the shapes do, and
// normaliseXML moves the few XML-only shapes into the JSON ones, so that the
// checks (checks.go) and the conversion see one model.
type cdxBOM struct {
	BOMFormat    string          `json:"bomFormat"`
	SpecVersion  string          `json:"specVersion"`
	SerialNumber string          `json:"serialNumber" xml:"serialNumber,attr"`
	Version      *int            `json:"version"`
	XMLVersion   string          `json:"-" xml:"version,attr"`
	Metadata     *cdxMetadata    `json:"metadata" xml:"metadata"`
	Components   []cdxComponent  `json:"components" xml:"components>component"`
	Services     []cdxService    `json:"services" xml:"services>service"`
	Dependencies []cdxDependency `json:"dependencies" xml:"dependencies>dependency"`
	Citations    []cdxCitation   `json:"citations" xml:"citations>citation"`
}

type cdxMetadata struct {
	Timestamp   string          `json:"timestamp" xml:"timestamp"`
	Licenses    []cdxLicenseRef `json:"licenses" xml:"-"`
	XMLLicenses *xmlLicenses    `json:"-" xml:"licenses"`
	Component   *cdxComponent   `json:"component" xml:"component"`
	Properties  []cdxProperty   `json:"properties" xml:"properties>property"`
	// The members and elements not decoded above, whose names are checked
	// against the version's schema (checkMetadataFields).
	Other    map[string]jsontext.Value `json:",unknown" xml:"-"`
	XMLOther []xmlElement              `json:"-" xml:",any"`
}

// xmlElement is an element read only for its name.
type xmlElement struct {
	XMLName xml.Name
}

type cdxComponent struct {
	Type         string          `json:"type" xml:"type,attr"`
	BOMRef       *string         `json:"bom-ref" xml:"bom-ref,attr"`
	IsExternal   bool            `json:"isExternal" xml:"isExternal,attr"`
	Supplier     *cdxEntity      `json:"supplier" xml:"supplier"`
	Publisher    string          `json:"publisher" xml:"publisher"`
	Group        string          `json:"group" xml:"group"`
	Name         string          `json:"name" xml:"name"`
	Version      string          `json:"version" xml:"version"`
	VersionRange string          `json:"versionRange" xml:"versionRange"`
	Scope        string          `json:"scope" xml:"scope"`
	Hashes       []cdxHash       `json:"hashes" xml:"hashes>hash"`
	Licenses     []cdxLicenseRef `json:"licenses" xml:"-"`
	XMLLicenses  *xmlLicenses    `json:"-" xml:"licenses"`
	CPE          string          `json:"cpe" xml:"cpe"`
	PURL         string          `json:"purl" xml:"purl"`
	SWID         *cdxSWID        `json:"swid" xml:"swid"`
	Pedigree     *cdxPedigree    `json:"pedigree" xml:"pedigree"`
	Properties   []cdxProperty   `json:"properties" xml:"properties>property"`
	Components   []cdxComponent  `json:"components" xml:"components>component"`
}

// cdxService is read for its bom-ref (dependencies may point to services)
// and its data flows (checked).
type cdxService struct {
	BOMRef   *string       `json:"bom-ref" xml:"bom-ref,attr"`
	Name     string        `json:"name" xml:"name"`
	Data     []cdxDataFlow `json:"data" xml:"data>classification"`
	Services []cdxService  `json:"services" xml:"services>service"`
}

type cdxDataFlow struct {
	Flow string `json:"flow" xml:"flow,attr"`
}

// cdxCitation (1.7) is read for its bom-ref, which must be unique too,
// and checked for the fields the schema requires.
type cdxCitation struct {
	BOMRef      *string  `json:"bom-ref" xml:"bom-ref,attr"`
	Timestamp   string   `json:"timestamp" xml:"timestamp"`
	Pointers    []string `json:"pointers" xml:"pointers>pointer"`
	Expressions []string `json:"expressions" xml:"expressions>expression"`
	// One bom-ref each in JSON; XML can repeat the element, which the
	// schema forbids, so normaliseXML keeps the first and the count.
	AttributedTo    string   `json:"attributedTo" xml:"-"`
	Process         string   `json:"process" xml:"-"`
	XMLAttributedTo []string `json:"-" xml:"attributedTo"`
	XMLProcess      []string `json:"-" xml:"process"`
	nAttributedTo   int
	nProcess        int
}

type cdxEntity struct {
	Name string `json:"name" xml:"name"`
}

type cdxHash struct {
	Alg     string `json:"alg" xml:"alg,attr"`
	Content string `json:"content" xml:",chardata"`
}

// cdxLicenseRef is one entry of "licenses": a license or an expression.
type cdxLicenseRef struct {
	License    *cdxLicense `json:"license"`
	Expression string      `json:"expression"`
}

type cdxLicense struct {
	ID   string `json:"id" xml:"-"`
	Name string `json:"name" xml:"-"`
	// XML repeats elements where JSON has one key; normaliseXML keeps the
	// first and the count for the checks.
	XMLIDs     []string      `json:"-" xml:"id"`
	XMLNames   []string      `json:"-" xml:"name"`
	idNames    int           // how many id and name values were given
	Text       *cdxText      `json:"text" xml:"text"`
	Properties []cdxProperty `json:"properties" xml:"properties>property"`
}

type cdxText struct {
	Encoding string `json:"encoding" xml:"encoding,attr"`
}

type xmlLicenses struct {
	Licenses    []cdxLicense `xml:"license"`
	Expressions []string     `xml:"expression"`
}

type cdxPedigree struct {
	Patches []cdxPatch `json:"patches" xml:"patches>patch"`
}

type cdxPatch struct {
	Type     string     `json:"type" xml:"type,attr"`
	Resolves []cdxIssue `json:"resolves" xml:"resolves>issue"`
}

type cdxIssue struct {
	Type string `json:"type" xml:"type,attr"`
}

type cdxSWID struct {
	TagID string `json:"tagId" xml:"tagId,attr"`
	Name  string `json:"name" xml:"name,attr"`
}

type cdxProperty struct {
	Name  *string `json:"name" xml:"name,attr"`
	Value string  `json:"value" xml:",chardata"`
}

// cdxDependency holds both shapes: JSON {"ref", "dependsOn": [refs]} and
// XML <dependency ref><dependency ref/></dependency>.
type cdxDependency struct {
	Ref       *string         `json:"ref" xml:"ref,attr"`
	DependsOn []string        `json:"dependsOn" xml:"-"`
	Sub       []cdxDependency `json:"-" xml:"dependency"`
}

// normaliseXML moves XML-only shapes into the JSON ones.
func (bom *cdxBOM) normaliseXML() {
	if m := bom.Metadata; m != nil {
		m.Licenses = m.XMLLicenses.choices()
		if m.Component != nil {
			m.Component.normaliseXML()
		}
	}
	for i := range bom.Components {
		bom.Components[i].normaliseXML()
	}
	for i := range bom.Citations {
		c := &bom.Citations[i]
		c.nAttributedTo, c.nProcess = len(c.XMLAttributedTo), len(c.XMLProcess)
		if c.nAttributedTo > 0 {
			c.AttributedTo = c.XMLAttributedTo[0]
		}
		if c.nProcess > 0 {
			c.Process = c.XMLProcess[0]
		}
	}
}

func (c *cdxComponent) normaliseXML() {
	c.Licenses = c.XMLLicenses.choices()
	for i := range c.Components {
		c.Components[i].normaliseXML()
	}
}

func (x *xmlLicenses) choices() []cdxLicenseRef {
	if x == nil {
		return nil
	}
	var out []cdxLicenseRef
	for _, l := range x.Licenses {
		l.idNames = len(l.XMLIDs) + len(l.XMLNames)
		if len(l.XMLIDs) > 0 {
			l.ID = l.XMLIDs[0]
		}
		if len(l.XMLNames) > 0 {
			l.Name = l.XMLNames[0]
		}
		out = append(out, cdxLicenseRef{License: &l})
	}
	for _, e := range x.Expressions {
		out = append(out, cdxLicenseRef{Expression: e})
	}
	return out
}

func (l cdxLicenseRef) String() string {
	switch {
	case l.Expression != "":
		return l.Expression
	case l.License == nil:
		return ""
	case l.License.ID != "":
		return l.License.ID
	}
	return l.License.Name
}

// cdxVersions are the CycloneDX versions the scan reads. 1.0 and 1.1 (XML
// only) have the same component model for what is read here.
var cdxVersions = map[string]bool{"1.0": true, "1.1": true, "1.2": true, "1.3": true, "1.4": true, "1.5": true, "1.6": true, "1.7": true}

const cdxNamespace = "http://cyclonedx.org/schema/bom/"

func parseXML(data []byte, lim Limits) (*Document, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var root xml.StartElement
	for {
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, errors.New("sbom: XML without a root element")
			}
			return nil, fmt.Errorf("sbom: XML: %w", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			root = se
			break
		}
	}
	switch {
	case root.Name.Local == "RDF":
		return nil, fmt.Errorf("sbom: %w: SPDX RDF/XML; export the SBOM as SPDX JSON or tag-value", ErrUnsupported)
	case root.Name.Local == "Document" || root.Name.Local == "SpdxDocument" || strings.Contains(root.Name.Space, "spdx"):
		return nil, fmt.Errorf("sbom: %w: SPDX XML; export the SBOM as SPDX JSON or tag-value", ErrUnsupported)
	case root.Name.Local != "bom":
		return nil, fmt.Errorf("sbom: XML root element <%s> is neither a CycloneDX <bom> nor SPDX", root.Name.Local)
	}
	version, ok := strings.CutPrefix(root.Name.Space, cdxNamespace)
	if !ok || !cdxVersions[version] {
		return nil, fmt.Errorf("sbom: <bom xmlns=%q>: not a CycloneDX namespace (%s1.0 to 1.7)", root.Name.Space, cdxNamespace)
	}
	var bom cdxBOM
	if err := dec.DecodeElement(&bom, &root); err != nil {
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("sbom: CycloneDX XML line %d: %s", se.Line, se.Msg)
		}
		return nil, fmt.Errorf("sbom: CycloneDX XML: %w", err)
	}
	bom.normaliseXML()
	b := newBuilder("CycloneDX "+version+" XML", version, lim)
	if v := bom.XMLVersion; v != "" {
		if n, err := strconv.Atoi(v); err != nil || n < 1 {
			b.problem("version", "%q: not a positive integer", v)
		}
	}
	checkCycloneDX(b, &bom, version, false)
	if err := b.addCycloneDX(&bom); err != nil {
		return nil, err
	}
	return b.doc, nil
}

// parseCycloneDXJSON finishes a JSON document identified as CycloneDX.
func parseCycloneDXJSON(bom *cdxBOM, lim Limits) (*Document, error) {
	version := bom.SpecVersion
	b := newBuilder("CycloneDX "+version+" JSON", version, lim)
	if bom.BOMFormat != "CycloneDX" {
		b.problem("bomFormat", "%q: must be \"CycloneDX\"", bom.BOMFormat)
	}
	if !cdxVersions[version] || version == "1.0" || version == "1.1" {
		if version == "" {
			return nil, errors.New("sbom: CycloneDX JSON: specVersion: missing")
		}
		return nil, fmt.Errorf("sbom: CycloneDX JSON: specVersion %q: not supported (1.2 to 1.7)", version)
	}
	if bom.Version != nil && *bom.Version < 1 {
		b.problem("version", "%d: must be 1 or more", *bom.Version)
	}
	checkCycloneDX(b, bom, version, true)
	if err := b.addCycloneDX(bom); err != nil {
		return nil, err
	}
	return b.doc, nil
}

func (b *builder) addCycloneDX(bom *cdxBOM) error {
	if m := bom.Metadata; m != nil && m.Component != nil {
		b.doc.Name = m.Component.Name
		if err := b.addCDXComponent(m.Component, "metadata.component", -1, 0, true); err != nil {
			return err
		}
	}
	for i := range bom.Components {
		if err := b.addCDXComponent(&bom.Components[i], "components["+strconv.Itoa(i)+"]", -1, 0, false); err != nil {
			return err
		}
	}
	b.addServiceRefs(bom.Services, "services")
	for i, c := range bom.Citations {
		b.claimRef(deref(c.BOMRef), "citations["+strconv.Itoa(i)+"]")
	}
	for i, d := range bom.Dependencies {
		b.addCDXDependency(d, "dependencies["+strconv.Itoa(i)+"]")
	}
	b.checkDependencies("dependencies")
	return nil
}

func (b *builder) addCDXComponent(c *cdxComponent, where string, parent, depth int, subject bool) error {
	comp := Component{
		// XML pretty-printers may wrap element text in whitespace.
		Ref: deref(c.BOMRef), Type: c.Type, Group: strings.TrimSpace(c.Group),
		Name: strings.TrimSpace(c.Name), Version: strings.TrimSpace(c.Version),
		PURLRaw: strings.TrimSpace(c.PURL), CPE: c.CPE, Supplier: c.Publisher,
		Parent: parent, Depth: depth, Subject: subject, Where: where,
	}
	if c.Supplier != nil && c.Supplier.Name != "" {
		comp.Supplier = c.Supplier.Name
	}
	for _, h := range c.Hashes {
		comp.Hashes = append(comp.Hashes, Hash{Alg: h.Alg, Value: strings.TrimSpace(h.Content)})
	}
	for _, l := range c.Licenses {
		if s := l.String(); s != "" {
			comp.Licenses = append(comp.Licenses, s)
		}
	}
	idx, err := b.add(comp)
	if err != nil {
		return err
	}
	for i := range c.Components {
		if err := b.addCDXComponent(&c.Components[i], where+".components["+strconv.Itoa(i)+"]", idx, depth+1, false); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) addServiceRefs(services []cdxService, where string) {
	for i, s := range services {
		sw := where + "[" + strconv.Itoa(i) + "]"
		b.claimRef(deref(s.BOMRef), sw)
		b.addServiceRefs(s.Services, sw+".services")
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (b *builder) addCDXDependency(d cdxDependency, where string) {
	if d.Ref == nil {
		b.problem(where, "ref: missing")
		return
	}
	if *d.Ref == "" {
		b.problem(where, "ref: empty")
		return
	}
	deps := b.doc.Dependencies[*d.Ref]
	for _, to := range d.DependsOn {
		if to == "" {
			b.problem(where, "dependsOn: empty ref")
			continue
		}
		deps = append(deps, to)
	}
	for i, s := range d.Sub {
		sw := where + ".dependency[" + strconv.Itoa(i) + "]"
		switch {
		case s.Ref == nil:
			b.problem(sw, "ref: missing")
		case *s.Ref == "":
			b.problem(sw, "ref: empty")
		default:
			deps = append(deps, *s.Ref)
		}
	}
	b.doc.Dependencies[*d.Ref] = deps
}
