// Package sbom reads software bills of materials (CycloneDX 1.0 to 1.7 in
// JSON and XML, SPDX 2.x in JSON and tag-value) into one component model.
//
// The goal is that no component disappears without a word: Parse returns
// every component it finds, even incomplete ones, and Component.Package says
// for each one either the OSV coordinates to check or why it cannot be
// checked. Deviations from the format's schema are collected as Problems;
// only input that cannot be read at all (not an SBOM, truncated, over the
// limits) is an error.
//
// The decoders are own minimal structs over encoding/json, encoding/xml and
// a small tag-value reader rather than cyclonedx-go or spdx/tools-golang:
// they read only the fields a vulnerability scan needs, so they are faster,
// and every error can name the field, path or line it comes from.
package sbom

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pflicht/pflicht/internal/purl"
)

// Limits bound the work Parse does on untrusted input. Zero fields take the
// defaults.
type Limits struct {
	MaxBytes      int // size of the document
	MaxComponents int // components after flattening
	MaxDepth      int // nesting of CycloneDX components
}

// Defaults for Limits: far above real SBOMs (the largest container SBOMs
// have a few ten thousand packages) and low enough to refuse a hostile file.
const (
	DefaultMaxBytes      = 64 << 20
	DefaultMaxComponents = 200_000
	DefaultMaxDepth      = 64
)

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxComponents <= 0 {
		l.MaxComponents = DefaultMaxComponents
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	return l
}

// Document is one parsed SBOM.
type Document struct {
	Format      string // "CycloneDX 1.6 JSON", "SPDX 2.3 tag-value", ...
	SpecVersion string // "1.6", "2.3"
	Name        string // SPDX document name, or the CycloneDX metadata component's name
	// Components in document order, nested CycloneDX components right after
	// their parent.
	Components []Component
	// Dependencies maps a component Ref to the Refs it depends on (CycloneDX
	// dependencies; SPDX DEPENDS_ON, *_DEPENDENCY_OF and CONTAINS).
	Dependencies map[string][]string
	Problems     []Problem
}

// Problem is a deviation from the format that did not stop parsing.
type Problem struct {
	Where  string // component path and name, JSON pointer, or "line N"
	Reason string
}

func (p Problem) String() string { return p.Where + ": " + p.Reason }

// Component is one package, library, application, ... listed in the SBOM.
type Component struct {
	Ref      string // CycloneDX bom-ref or SPDX SPDXID
	Type     string // CycloneDX component type, SPDX primaryPackagePurpose (lower case)
	Group    string
	Name     string
	Version  string
	PURLRaw  string    // the package URL as written
	PURL     purl.PURL // parsed and canonical; zero when PURLRaw is empty or malformed
	PURLErr  string    // why PURLRaw did not parse
	CPE      string
	Supplier string
	Hashes   []Hash
	Licenses []string // SPDX ids, names or expressions as written
	// Parent is the index of the enclosing component in Document.Components,
	// or -1; Depth is 0 for top-level components.
	Parent int
	Depth  int
	// Subject marks what the document describes (CycloneDX
	// metadata.component, SPDX documentDescribes / DESCRIBES).
	Subject bool
	// Where locates the component in the input for messages
	// ("components[3].components[0]", "packages[12]", "line 240").
	Where string
}

// Hash is one checksum of a component.
type Hash struct{ Alg, Value string }

// Label names the component for messages: name@version, or its ref or
// position when it has no name.
func (c Component) Label() string {
	name := c.Name
	if c.Group != "" {
		name = c.Group + "/" + name
	}
	switch {
	case name != "" && c.Version != "":
		return name + "@" + c.Version
	case name != "":
		return name
	case c.Ref != "":
		return c.Ref
	}
	return c.Where
}

// Unchecked says why a component cannot be checked: Code is stable, for
// machines; Text says it in words. The zero value means it can be.
type Unchecked struct {
	Code Code
	Text string
}

// Code names a reason a component cannot be checked.
type Code string

// Codes of Unchecked.
const (
	NoPURL      Code = "no_purl"        // no package URL
	CPEOnly     Code = "cpe_only"       // only a CPE, which is not matched
	BadPURL     Code = "malformed_purl" // the package URL does not parse
	UnknownType Code = "unknown_type"   // the purl type has no vulnerability ecosystem
	NoVersion   Code = "no_version"     // neither the purl nor the component has a version
)

// Package returns the OSV coordinates to check the component against, or,
// with empty coordinates, why it cannot be checked.
func (c Component) Package() (ecosystem, name, version string, why Unchecked) {
	switch {
	case c.PURLRaw == "" && c.CPE != "":
		return "", "", "", Unchecked{CPEOnly, "no package URL (only a CPE, which is not matched)"}
	case c.PURLRaw == "":
		return "", "", "", Unchecked{NoPURL, "no package URL"}
	case c.PURLErr != "":
		return "", "", "", Unchecked{BadPURL, "malformed package URL: " + c.PURLErr}
	}
	eco, n, ok := c.PURL.OSVPackage()
	if !ok {
		if c.PURL.Namespace != "" && hasNamespacedEcosystem(c.PURL.Type) {
			return "", "", "", Unchecked{UnknownType, fmt.Sprintf("package type '%s' with namespace '%s' has no vulnerability ecosystem", c.PURL.Type, c.PURL.Namespace)}
		}
		return "", "", "", Unchecked{UnknownType, fmt.Sprintf("package type '%s' has no vulnerability ecosystem", c.PURL.Type)}
	}
	v := c.PURL.Version
	if v == "" {
		// Some generators put the version only in the component.
		v = c.Version
	}
	if v == "" {
		return "", "", "", Unchecked{NoVersion, "no version"}
	}
	return eco, n, v, Unchecked{}
}

// hasNamespacedEcosystem: purl types whose ecosystem depends on the
// namespace (the distribution), so the message can name the namespace.
func hasNamespacedEcosystem(typ string) bool {
	return typ == "deb" || typ == "rpm" || typ == "apk"
}

// ErrUnsupported is wrapped by errors for recognised but unsupported
// formats (SPDX RDF, YAML, XLSX, SPDX 3, CycloneDX protobuf text).
var ErrUnsupported = errors.New("unsupported format")

// Parse detects the format of data and parses it.
func Parse(data []byte, lim Limits) (*Document, error) {
	lim = lim.withDefaults()
	if len(data) > lim.MaxBytes {
		return nil, fmt.Errorf("sbom: document is %d bytes, over the limit of %d bytes", len(data), lim.MaxBytes)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // UTF-8 byte order mark
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, errors.New("sbom: empty document")
	}
	switch {
	case trimmed[0] == '{':
		return parseJSON(data, lim)
	case trimmed[0] == '<':
		return parseXML(data, lim)
	case isTagValue(trimmed):
		return parseTagValue(data, lim)
	case bytes.HasPrefix(trimmed, []byte("PK\x03\x04")):
		return nil, fmt.Errorf("sbom: %w: a ZIP file (XLSX spreadsheet?); export the SBOM as JSON", ErrUnsupported)
	case bytes.HasPrefix(trimmed, []byte("\xff\xfe")) || bytes.HasPrefix(trimmed, []byte("\xfe\xff")):
		return nil, fmt.Errorf("sbom: %w: UTF-16 text; convert the SBOM to UTF-8", ErrUnsupported)
	case looksLikeYAML(trimmed):
		return nil, fmt.Errorf("sbom: %w: YAML; convert the SBOM to JSON", ErrUnsupported)
	case bytes.HasPrefix(trimmed, []byte("# proto-")) || bytes.HasPrefix(trimmed, []byte("spec_version:")):
		return nil, fmt.Errorf("sbom: %w: CycloneDX protobuf text format; use JSON or XML", ErrUnsupported)
	}
	return nil, fmt.Errorf("sbom: not an SBOM: starts with %q; expected CycloneDX (JSON or XML) or SPDX (JSON or tag-value)", string(firstLine(trimmed)))
}

func firstLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	const max = 60
	if len(b) > max {
		b = b[:max]
	}
	return bytes.TrimRight(b, "\r")
}

// isTagValue reports whether the first non-comment line is an SPDX tag.
func isTagValue(b []byte) bool {
	for len(b) > 0 {
		line := firstLine(b)
		if len(line) > 0 && line[0] != '#' {
			return bytes.HasPrefix(line, []byte("SPDXVersion:"))
		}
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return false
		}
		b = bytes.TrimLeft(b[i+1:], " \t\r\n")
	}
	return false
}

func looksLikeYAML(b []byte) bool {
	line := string(firstLine(b))
	return line == "---" || strings.HasPrefix(line, "spdxVersion:") || strings.HasPrefix(line, "SPDXID:") ||
		strings.HasPrefix(line, "bomFormat:") || strings.HasPrefix(line, "specVersion:") || strings.HasPrefix(line, "%YAML")
}

// builder accumulates a Document and enforces the limits.
type builder struct {
	doc  *Document
	lim  Limits
	refs map[string]string // every Ref → where it was first used
}

func newBuilder(format, version string, lim Limits) *builder {
	return &builder{
		doc:  &Document{Format: format, SpecVersion: version, Dependencies: map[string][]string{}},
		lim:  lim,
		refs: map[string]string{},
	}
}

func (b *builder) problem(where, format string, args ...any) {
	b.doc.Problems = append(b.doc.Problems, Problem{Where: where, Reason: fmt.Sprintf(format, args...)})
}

// add appends c, parses its purl and records per-component problems.
func (b *builder) add(c Component) (int, error) {
	if len(b.doc.Components) >= b.lim.MaxComponents {
		return 0, fmt.Errorf("sbom: more than %d components, over the limit", b.lim.MaxComponents)
	}
	if c.Depth > b.lim.MaxDepth {
		return 0, fmt.Errorf("sbom: %s: components nested more than %d deep, over the limit", c.Where, b.lim.MaxDepth)
	}
	if c.PURLRaw != "" {
		p, err := purl.Parse(c.PURLRaw)
		if err != nil {
			c.PURLErr = strings.TrimPrefix(err.Error(), "purl: ")
			b.problem(c.Where+" "+quoteName(c), "purl: %s", c.PURLErr)
		} else {
			c.PURL = p
		}
	}
	if c.Name == "" {
		b.problem(c.Where, "name: missing")
	}
	b.claimRef(c.Ref, strings.TrimSpace(c.Where+" "+quoteName(c)))
	b.doc.Components = append(b.doc.Components, c)
	return len(b.doc.Components) - 1, nil
}

func quoteName(c Component) string {
	if c.Name == "" {
		return ""
	}
	return fmt.Sprintf("%q", c.Label())
}

// claimRef records that where uses ref as its id; ids must be unique in a
// document (components, services, citations alike).
func (b *builder) claimRef(ref, where string) {
	if ref == "" {
		return
	}
	if first, dup := b.refs[ref]; dup {
		b.problem(where, "ref %q: already used by %s", ref, first)
		return
	}
	b.refs[ref] = where
}

func (b *builder) known(ref string) bool {
	_, ok := b.refs[ref]
	return ok
}

// checkDependencies reports graph edges whose ends are not in the document.
func (b *builder) checkDependencies(where string) {
	for _, from := range slices.Sorted(maps.Keys(b.doc.Dependencies)) {
		if !b.known(from) {
			b.problem(where, "ref %q: not a component in this document", from)
		}
		for _, to := range b.doc.Dependencies[from] {
			if !b.known(to) {
				b.problem(where, "ref %q (dependency of %q): not a component in this document", to, from)
			}
		}
	}
}
