package sbom

import (
	"fmt"
	"strconv"
	"strings"
)

// spdxDoc is the part of an SPDX 2.x document the scan reads. The JSON
// decoder fills it directly; the tag-value reader builds the same value.
type spdxDoc struct {
	SPDXVersion       string             `json:"spdxVersion"`
	SPDXID            string             `json:"SPDXID"`
	Name              string             `json:"name"`
	DocumentDescribes []string           `json:"documentDescribes"`
	Packages          []spdxPackage      `json:"packages"`
	Relationships     []spdxRelationship `json:"relationships"`
}

type spdxPackage struct {
	SPDXID           string            `json:"SPDXID"`
	Name             string            `json:"name"`
	VersionInfo      string            `json:"versionInfo"`
	Supplier         string            `json:"supplier"`
	Purpose          string            `json:"primaryPackagePurpose"`
	LicenseConcluded string            `json:"licenseConcluded"`
	LicenseDeclared  string            `json:"licenseDeclared"`
	Checksums        []spdxChecksum    `json:"checksums"`
	ExternalRefs     []spdxExternalRef `json:"externalRefs"`
	where            string            // "packages[3]" or "line 120"
}

type spdxChecksum struct {
	Algorithm string `json:"algorithm"`
	Value     string `json:"checksumValue"`
}

type spdxExternalRef struct {
	Category string `json:"referenceCategory"`
	Type     string `json:"referenceType"`
	Locator  string `json:"referenceLocator"`
}

type spdxRelationship struct {
	From  string `json:"spdxElementId"`
	Type  string `json:"relationshipType"`
	To    string `json:"relatedSpdxElement"`
	where string
}

var spdxVersions = map[string]bool{"SPDX-2.0": true, "SPDX-2.1": true, "SPDX-2.2": true, "SPDX-2.3": true}

// parseSPDX builds the Document from an SPDX 2.x document; encoding is
// "JSON" or "tag-value".
func parseSPDX(d *spdxDoc, encoding string, lim Limits) (*Document, error) {
	if !spdxVersions[d.SPDXVersion] {
		if strings.HasPrefix(d.SPDXVersion, "SPDX-3") {
			return nil, fmt.Errorf("sbom: %w: %s; use SPDX 2.3 or CycloneDX", ErrUnsupported, d.SPDXVersion)
		}
		return nil, fmt.Errorf("sbom: SPDX %s: spdxVersion %q: not supported (SPDX-2.0 to SPDX-2.3)", encoding, d.SPDXVersion)
	}
	version := strings.TrimPrefix(d.SPDXVersion, "SPDX-")
	b := newBuilder("SPDX "+version+" "+encoding, version, lim)
	b.doc.Name = d.Name
	if d.SPDXID != "" && d.SPDXID != "SPDXRef-DOCUMENT" {
		b.problem("SPDXID", "%q: the document's id must be SPDXRef-DOCUMENT", d.SPDXID)
	}
	described := map[string]bool{}
	for _, id := range d.DocumentDescribes {
		described[id] = true
	}
	for _, r := range d.Relationships {
		switch {
		case r.From == "SPDXRef-DOCUMENT" && r.Type == "DESCRIBES":
			described[r.To] = true
		case r.To == "SPDXRef-DOCUMENT" && r.Type == "DESCRIBED_BY":
			described[r.From] = true
		}
	}
	for i := range d.Packages {
		p := &d.Packages[i]
		if p.where == "" {
			p.where = "packages[" + strconv.Itoa(i) + "]"
		}
		if err := b.addSPDXPackage(p, described[p.SPDXID]); err != nil {
			return nil, err
		}
	}
	for i, r := range d.Relationships {
		where := r.where
		if where == "" {
			where = "relationships[" + strconv.Itoa(i) + "]"
		}
		b.addRelationship(r, where)
	}
	return b.doc, nil
}

func (b *builder) addSPDXPackage(p *spdxPackage, subject bool) error {
	c := Component{
		Ref: p.SPDXID, Type: strings.ToLower(p.Purpose), Name: p.Name, Version: p.VersionInfo,
		Supplier: noAssertion(p.Supplier), Parent: -1, Subject: subject, Where: p.where,
	}
	if p.SPDXID == "" {
		b.problem(p.where+" "+quoteName(c), "SPDXID: missing")
	}
	for _, l := range []string{p.LicenseConcluded, p.LicenseDeclared} {
		if l = noAssertion(l); l != "" && l != "NONE" {
			c.Licenses = append(c.Licenses, l)
		}
	}
	for _, h := range p.Checksums {
		c.Hashes = append(c.Hashes, Hash{Alg: h.Algorithm, Value: h.Value})
	}
	var extra []string
	for _, r := range p.ExternalRefs {
		switch strings.ToLower(r.Type) {
		case "purl":
			if c.PURLRaw == "" {
				c.PURLRaw = strings.TrimSpace(r.Locator)
			} else if r.Locator != c.PURLRaw {
				extra = append(extra, r.Locator)
			}
		case "cpe23type", "cpe22type":
			if c.CPE == "" || r.Type == "cpe23Type" {
				c.CPE = r.Locator
			}
		}
	}
	idx, err := b.add(c)
	if err != nil {
		return err
	}
	if len(extra) > 0 {
		b.problem(p.where+" "+quoteName(b.doc.Components[idx]), "%d more package URLs (%s); checked only the first", len(extra), strings.Join(extra, ", "))
	}
	return nil
}

// noAssertion maps SPDX's "NOASSERTION" to "" and strips the "Organization: "
// or "Person: " prefix of a supplier.
func noAssertion(s string) string {
	if s == "NOASSERTION" {
		return ""
	}
	for _, p := range []string{"Organization: ", "Person: ", "Tool: "} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return rest
		}
	}
	return s
}

// dependencyEdge returns the direction of an SPDX relationship in the
// dependency graph: forward (From depends on To), reverse, or neither.
func dependencyEdge(typ string) (forward, reverse bool) {
	switch typ {
	case "DEPENDS_ON", "CONTAINS":
		return true, false
	case "CONTAINED_BY":
		return false, true
	}
	if strings.HasSuffix(typ, "DEPENDENCY_OF") {
		return false, true
	}
	return false, false
}

func (b *builder) addRelationship(r spdxRelationship, where string) {
	if r.From == "" || r.To == "" || r.Type == "" {
		b.problem(where, "relationship: needs spdxElementId, relationshipType and relatedSpdxElement")
		return
	}
	fwd, rev := dependencyEdge(r.Type)
	from, to := r.From, r.To
	if rev {
		from, to = to, from
	}
	if !fwd && !rev {
		return
	}
	// Files and external documents are no components; keep only package
	// edges so that the graph's ends are all in Components.
	if !b.known(from) || !b.known(to) {
		return
	}
	b.doc.Dependencies[from] = append(b.doc.Dependencies[from], to)
}
