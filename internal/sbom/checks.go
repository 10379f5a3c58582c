package sbom

import (
	"embed"
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// checkCycloneDX applies the schema rules of CycloneDX (JSON schema and XSD
// agree on them) to the parts of a BOM that are decoded: required fields,
// enumerations, formats and id uniqueness, and unknown fields of metadata.
//
// Hand-written rather than a JSON-schema validator: validating against the
// official schemas with santhosh-tekuri/jsonschema flagged a few more test
// files but cost about 45 ms per MB (five times the parse itself), added 1 MB
// of embedded schemas, and could not serve XML, for which Go has no XSD
// validator. These checks cost next to nothing and treat JSON and XML alike.
func checkCycloneDX(b *builder, bom *cdxBOM, version string, isJSON bool) {
	if bom.SerialNumber != "" && !serialRE.MatchString(bom.SerialNumber) {
		b.problem("serialNumber", "%q: not a urn:uuid", bom.SerialNumber)
	}
	// Licenses and expressions may stand side by side in 1.7 and, by an
	// oversight of those schemas, in JSON up to 1.4; elsewhere it is either
	// licenses or one expression.
	mixLicenses := version == "1.7" || isJSON && version <= "1.4"
	if m := bom.Metadata; m != nil {
		if m.Timestamp != "" && !isDateTime(m.Timestamp) {
			b.problem("metadata.timestamp", "%q: not a date-time", m.Timestamp)
		}
		checkMetadataFields(b, m, version, isJSON)
		checkProperties(b, "metadata", m.Properties)
		checkLicenses(b, "metadata", m.Licenses, mixLicenses)
		if m.Component != nil {
			checkComponent(b, m.Component, "metadata.component", mixLicenses)
		}
	}
	for i := range bom.Components {
		checkComponent(b, &bom.Components[i], "components["+strconv.Itoa(i)+"]", mixLicenses)
	}
	checkServices(b, bom.Services, "services")
	for i := range bom.Citations {
		checkCitation(b, &bom.Citations[i], "citations["+strconv.Itoa(i)+"]")
	}
}

// metadataSince gives the CycloneDX version that introduced each field of
// metadata; the JSON schemas from 1.4 and the XSDs of every version admit
// no others (XML: none in the CycloneDX namespace).
var metadataSince = map[string]string{
	"timestamp": "1.2", "tools": "1.2", "authors": "1.2", "component": "1.2", "manufacture": "1.2", "supplier": "1.2",
	"licenses": "1.3", "properties": "1.3", "lifecycles": "1.5", "manufacturer": "1.6", "distributionConstraints": "1.7",
}

// checkMetadataFields flags the members of metadata that its version does
// not define, as the schema's additionalProperties false does: a misspelt
// or invented field ("distribution") would otherwise be dropped unseen.
func checkMetadataFields(b *builder, m *cdxMetadata, version string, isJSON bool) {
	var names []string
	if isJSON {
		if version < "1.4" { // the 1.2 and 1.3 JSON schemas allow other members
			return
		}
		for name := range m.Other {
			names = append(names, name)
		}
		slices.Sort(names)
	} else {
		ns := cdxNamespace + version
		for _, e := range m.XMLOther {
			if e.XMLName.Space == ns || e.XMLName.Space == "" {
				names = append(names, e.XMLName.Local)
			}
		}
	}
	for _, name := range names {
		if since, ok := metadataSince[name]; !ok || since > version {
			b.problem("metadata", "%q: not a field of CycloneDX %s metadata", truncate(name), version)
		}
	}
}

// checkCitation applies the rules of the 1.7 schema: a timestamp, an
// attributedTo or a process (at most one each), and either pointers or
// expressions.
func checkCitation(b *builder, c *cdxCitation, where string) {
	if c.BOMRef != nil && *c.BOMRef != "" {
		where += " " + strconv.Quote(*c.BOMRef)
	}
	switch {
	case c.Timestamp == "":
		b.problem(where, "timestamp: missing")
	case !isDateTime(strings.TrimSpace(c.Timestamp)):
		b.problem(where, "timestamp %q: not a date-time", truncate(c.Timestamp))
	}
	attributed, process := count(c.AttributedTo, c.nAttributedTo), count(c.Process, c.nProcess)
	if attributed == 0 && process == 0 {
		b.problem(where, "needs attributedTo or process")
	}
	if attributed > 1 {
		b.problem(where, "attributedTo: at most one")
	}
	if process > 1 {
		b.problem(where, "process: at most one")
	}
	if (len(c.Pointers) > 0) == (len(c.Expressions) > 0) {
		b.problem(where, "exactly one of pointers and expressions")
	}
}

// count is how many values a field has: n as XML counted them, else one if
// the JSON value is set.
func count(value string, n int) int {
	if n == 0 && value != "" {
		return 1
	}
	return n
}

var (
	serialRE = regexp.MustCompile(`^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	hexRE    = regexp.MustCompile(`^[0-9a-fA-F]+$`)
)

var componentTypes = map[string]bool{
	"application": true, "framework": true, "library": true, "container": true, "operating-system": true,
	"device": true, "firmware": true, "file": true, "platform": true, "device-driver": true,
	"machine-learning-model": true, "data": true, "cryptographic-asset": true,
}

// hashLengths gives the hex length of each CycloneDX hash algorithm; 0 means
// any length (BLAKE3 has variable output).
var hashLengths = map[string]int{
	"MD5": 32, "SHA-1": 40, "SHA-256": 64, "SHA-384": 96, "SHA-512": 128,
	"SHA3-256": 64, "SHA3-384": 96, "SHA3-512": 128,
	"BLAKE2b-256": 64, "BLAKE2b-384": 96, "BLAKE2b-512": 128, "BLAKE3": 0,
	"Streebog-256": 64, "Streebog-512": 128,
}

func checkComponent(b *builder, c *cdxComponent, where string, mixLicenses bool) {
	at := where
	if c.Name != "" {
		at += " " + strconv.Quote(c.Name)
	}
	switch {
	case c.Type == "":
		b.problem(at, "type: missing")
	case !componentTypes[c.Type]:
		b.problem(at, "type %q: not a CycloneDX component type", c.Type)
	}
	if c.BOMRef != nil && *c.BOMRef == "" {
		b.problem(at, "bom-ref: empty")
	}
	switch c.Scope {
	case "", "required", "optional", "excluded":
	default:
		b.problem(at, "scope %q: must be required, optional or excluded", c.Scope)
	}
	if c.VersionRange != "" {
		if c.Version != "" {
			b.problem(at, "version and versionRange: only one of them")
		}
		if !c.IsExternal {
			b.problem(at, "versionRange: only for external components (isExternal)")
		}
	}
	for i, h := range c.Hashes {
		hw := at + " hash " + strconv.Itoa(i+1)
		v := strings.TrimSpace(h.Content)
		n, known := hashLengths[h.Alg]
		switch {
		case !known:
			b.problem(hw, "alg %q: not a CycloneDX hash algorithm", h.Alg)
		case !hexRE.MatchString(v) || n != 0 && len(v) != n:
			b.problem(hw, "%s value %q: want %d hex digits", h.Alg, truncate(v), n)
		}
	}
	checkLicenses(b, at, c.Licenses, mixLicenses)
	if p := c.Pedigree; p != nil {
		for i, patch := range p.Patches {
			pw := at + " patch " + strconv.Itoa(i+1)
			switch patch.Type {
			case "unofficial", "monkey", "backport", "cherry-pick":
			default:
				b.problem(pw, "type %q: must be unofficial, monkey, backport or cherry-pick", patch.Type)
			}
			for _, is := range patch.Resolves {
				switch is.Type {
				case "defect", "enhancement", "security":
				default:
					b.problem(pw, "issue type %q: must be defect, enhancement or security", is.Type)
				}
			}
		}
	}
	if s := c.SWID; s != nil {
		if s.TagID == "" {
			b.problem(at, "swid: tagId missing")
		}
		if s.Name == "" {
			b.problem(at, "swid: name missing")
		}
	}
	checkProperties(b, at, c.Properties)
	for i := range c.Components {
		checkComponent(b, &c.Components[i], where+".components["+strconv.Itoa(i)+"]", mixLicenses)
	}
}

func checkLicenses(b *builder, at string, ls []cdxLicenseRef, mixLicenses bool) {
	var nLic, nExpr int
	for i, l := range ls {
		lw := at + " license " + strconv.Itoa(i+1)
		if l.Expression != "" {
			nExpr++
			if l.License != nil {
				b.problem(lw, "either a license or an expression, not both")
			}
			continue
		}
		lic := l.License
		if lic == nil {
			b.problem(lw, "needs a license or an expression")
			continue
		}
		nLic++
		n := lic.count()
		switch {
		case n == 0:
			b.problem(lw, "needs an id or a name")
		case n > 1:
			b.problem(lw, "exactly one id or one name")
		case lic.ID != "" && !isSPDXLicenseID(lic.ID):
			b.problem(lw, "id %q: not an SPDX license id (use name for others)", lic.ID)
		}
		if lic.Text != nil && lic.Text.Encoding != "" && lic.Text.Encoding != "base64" {
			b.problem(lw, "text encoding %q: only base64 is defined", lic.Text.Encoding)
		}
		checkProperties(b, lw, lic.Properties)
	}
	if !mixLicenses && nLic > 0 && nExpr > 0 {
		b.problem(at, "licenses: either licenses or one expression, not both")
	}
	if !mixLicenses && nExpr > 1 {
		b.problem(at, "licenses: at most one expression")
	}
}

// count is how many id and name values a license has; one is right.
func (l *cdxLicense) count() int {
	if l.idNames > 0 {
		return l.idNames // XML: counted by normaliseXML
	}
	n := 0
	if l.ID != "" {
		n++
	}
	if l.Name != "" {
		n++
	}
	return n
}

func checkServices(b *builder, services []cdxService, where string) {
	for i, s := range services {
		sw := where + "[" + strconv.Itoa(i) + "]"
		for _, f := range s.Data {
			switch f.Flow {
			case "inbound", "outbound", "bi-directional", "unknown":
			default:
				b.problem(sw+" data", "flow %q: must be inbound, outbound, bi-directional or unknown", f.Flow)
			}
		}
		checkServices(b, s.Services, sw+".services")
	}
}

func checkProperties(b *builder, where string, props []cdxProperty) {
	for i, p := range props {
		if p.Name == nil {
			b.problem(where+" property "+strconv.Itoa(i+1), "name: missing")
		}
	}
}

// isDateTime accepts RFC 3339 date-times, and, as xs:dateTime does, ones
// without a zone.
func isDateTime(s string) bool {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

// spdxLicenses is the SPDX license list as the CycloneDX schemas embed it
// (data/spdx.schema.json, copied unchanged from CycloneDX/specification,
// Apache-2.0, see data/LICENSE).
//
//go:embed data/spdx.schema.json
var spdxLicenses embed.FS

var (
	spdxIDsOnce sync.Once
	spdxIDs     map[string]bool
)

func isSPDXLicenseID(id string) bool {
	spdxIDsOnce.Do(func() {
		data, err := spdxLicenses.ReadFile("data/spdx.schema.json")
		if err != nil {
			panic("sbom: embedded spdx.schema.json: " + err.Error())
		}
		var s struct{ Enum []string }
		if err := json.Unmarshal(data, &s); err != nil {
			panic("sbom: embedded spdx.schema.json: " + err.Error())
		}
		spdxIDs = make(map[string]bool, len(s.Enum))
		for _, e := range s.Enum {
			spdxIDs[e] = true
		}
	})
	return spdxIDs[id]
}
