package vex

import (
	"cmp"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// checkFindings rejects findings a document cannot be written from.
func checkFindings(findings []Finding) error {
	for i, f := range findings {
		if strings.TrimSpace(f.VulnID) == "" {
			return fmt.Errorf("findings[%d].VulnID: missing", i)
		}
		if componentKey(f) == "" {
			return fmt.Errorf("findings[%d]: no ComponentRef, ComponentPURL or ComponentName", i)
		}
		switch f.Status {
		case "", NotAffected, Affected, Fixed, UnderInvestigation:
		default:
			return fmt.Errorf("findings[%d].Status: unknown status %q", i, f.Status)
		}
		if f.Justification != "" {
			if _, err := ParseJustification(string(f.Justification)); err != nil {
				return fmt.Errorf("findings[%d].Justification: %w", i, err)
			}
		}
	}
	return nil
}

// sortFindings returns a sorted copy, so that output does not depend on the
// order in which a scan produced the findings.
func sortFindings(findings []Finding) []Finding {
	fs := slices.Clone(findings)
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			strings.Compare(idKey(a.VulnID), idKey(b.VulnID)),
			strings.Compare(componentKey(a), componentKey(b)),
			strings.Compare(a.ComponentRef, b.ComponentRef),
			a.DecidedAt.Compare(b.DecidedAt),
		)
	})
	return fs
}

// componentKey identifies a finding's component across documents: its purl,
// else its SBOM reference, else name and version.
func componentKey(f Finding) string {
	switch {
	case f.ComponentPURL != "":
		return canonicalPURL(f.ComponentPURL)
	case f.ComponentRef != "":
		return f.ComponentRef
	case f.ComponentName != "":
		return strings.TrimSuffix(f.ComponentName+"@"+f.ComponentVersion, "@")
	}
	return ""
}

// vulnIDs returns the finding's id followed by its distinct aliases, sorted.
func vulnIDs(f Finding) []string {
	seen := map[string]bool{idKey(f.VulnID): true}
	var aliases []string
	for _, a := range f.Aliases {
		if k := idKey(a); k != "" && !seen[k] {
			seen[k] = true
			aliases = append(aliases, a)
		}
	}
	slices.Sort(aliases)
	return append([]string{f.VulnID}, aliases...)
}

// advisorySource names the database an id comes from, for the source fields
// of both output formats.
func advisorySource(id string) (name, url string) {
	switch u := strings.ToUpper(id); {
	case strings.HasPrefix(u, "CVE-"):
		return "NVD", "https://nvd.nist.gov/vuln/detail/" + u
	case strings.HasPrefix(u, "GHSA-"):
		return "GitHub", "https://github.com/advisories/" + id
	}
	return "OSV", "https://osv.dev/vulnerability/" + id
}

// cdxSeverity maps an advisory severity onto the CycloneDX severity enum.
func cdxSeverity(s string) string {
	switch s = strings.ToLower(strings.TrimSpace(s)); s {
	case "critical", "high", "medium", "low", "info", "none":
		return s
	case "moderate":
		return "medium"
	case "":
		return ""
	}
	return "unknown"
}

// fixText tells the reader which versions fix the vulnerability.
func fixText(f Finding) string {
	name := cmp.Or(f.ComponentName, f.ComponentPURL, f.ComponentRef)
	return fmt.Sprintf("Update %s to a fixed version: %s.", name, strings.Join(f.FixedVersions, ", "))
}

// serialNumber returns meta.DocumentID as a urn:uuid when it is a UUID, and
// otherwise a name-based UUID (RFC 9562 version 5, URL namespace) of
// Namespace and DocumentID, so that the same document keeps its serial.
func serialNumber(meta DocMeta) string {
	id := strings.TrimPrefix(strings.ToLower(meta.DocumentID), "urn:uuid:")
	if isUUID(id) {
		return "urn:uuid:" + id
	}
	// 6ba7b811-9dad-11d1-80b4-00c04fd430c8 is the RFC 9562 URL namespace.
	ns := []byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	h := sha1.Sum(append(ns, strings.TrimSuffix(meta.Namespace, "/")+"/"+meta.DocumentID...))
	u := h[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	x := hex.EncodeToString(u)
	return "urn:uuid:" + x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// rfc3339 formats a time for both output formats, in UTC.
func rfc3339(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}

// writeJSON writes v indented and without HTML escaping, as people read VEX.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// WriteCycloneDX writes findings with their decisions as a CycloneDX 1.6
// JSON VEX BOM: the findings' components, and one vulnerability per
// vulnerability id and decision, whose affects name those components.
// meta.DocumentID and meta.Now are required.
//
// DecidedBy is not written: it often names a person, and a published VEX
// document is no place for that; the document names meta.Publisher.
func WriteCycloneDX(w io.Writer, meta DocMeta, findings []Finding) error {
	if meta.DocumentID == "" {
		return errors.New("vex: cyclonedx: meta.DocumentID: missing")
	}
	if meta.Now.IsZero() {
		return errors.New("vex: cyclonedx: meta.Now: missing")
	}
	if err := checkFindings(findings); err != nil {
		return fmt.Errorf("vex: cyclonedx: %w", err)
	}
	bom := cdxBOM{
		Schema:       "http://cyclonedx.org/schema/bom-1.6.schema.json",
		BOMFormat:    "CycloneDX",
		SpecVersion:  "1.6",
		SerialNumber: serialNumber(meta),
		Version:      1,
		Metadata: &cdxMetadata{
			Timestamp: rfc3339(meta.Now),
			Tools:     &cdxTools{Components: []cdxComponent{{Type: "application", Name: "pflicht"}}},
		},
	}
	if meta.Publisher != "" {
		bom.Metadata.Manufacturer = &cdxContact{Name: meta.Publisher}
		if meta.Namespace != "" {
			bom.Metadata.Manufacturer.URL = []string{meta.Namespace}
		}
	}
	if meta.ProductName != "" {
		bom.Metadata.Component = &cdxComponent{Type: "application", Name: meta.ProductName, Version: meta.ProductVersion}
	}

	seen := map[string]bool{}
	vulnIndex := map[string]int{}
	for _, f := range sortFindings(findings) {
		ref := cmp.Or(f.ComponentRef, f.ComponentPURL, componentKey(f))
		if !seen[ref] {
			seen[ref] = true
			bom.Components = append(bom.Components, cdxComponent{
				Type: "library", BOMRef: ref, Name: cmp.Or(f.ComponentName, ref),
				Version: f.ComponentVersion, PURL: f.ComponentPURL,
			})
		}
		key := strings.Join([]string{idKey(f.VulnID), string(f.Status), string(f.Justification), f.Detail}, "\x00")
		i, ok := vulnIndex[key]
		if !ok {
			i = len(bom.Vulnerabilities)
			vulnIndex[key] = i
			bom.Vulnerabilities = append(bom.Vulnerabilities, cdxVulnerabilityOf(f))
		}
		mergeCDX(&bom.Vulnerabilities[i], f, ref)
	}
	slices.SortFunc(bom.Components, func(a, b cdxComponent) int { return strings.Compare(a.BOMRef, b.BOMRef) })
	for i := range bom.Vulnerabilities {
		v := &bom.Vulnerabilities[i]
		slices.SortFunc(v.Affects, func(a, b cdxAffect) int { return strings.Compare(a.Ref, b.Ref) })
		slices.SortFunc(v.References, func(a, b cdxReference) int { return strings.Compare(a.ID, b.ID) })
	}
	if err := writeJSON(w, bom); err != nil {
		return fmt.Errorf("vex: cyclonedx: %w", err)
	}
	return nil
}

// cdxVulnerabilityOf starts the vulnerability entry for f's id and decision.
func cdxVulnerabilityOf(f Finding) cdxVulnerability {
	name, url := advisorySource(f.VulnID)
	v := cdxVulnerability{
		ID:          f.VulnID,
		Source:      &cdxSource{Name: name, URL: url},
		Description: f.Summary,
		Analysis:    &cdxAnalysis{State: f.Status.CycloneDX(), Detail: f.Detail},
	}
	if f.Status == NotAffected {
		v.Analysis.Justification = f.Justification.CycloneDX()
	}
	return v
}

// mergeCDX adds what finding f contributes to v: its component, aliases,
// severity, fixed versions and exploitation.
func mergeCDX(v *cdxVulnerability, f Finding, ref string) {
	if !slices.ContainsFunc(v.Affects, func(a cdxAffect) bool { return a.Ref == ref }) {
		v.Affects = append(v.Affects, cdxAffect{Ref: ref})
	}
	for _, id := range vulnIDs(f)[1:] {
		if !slices.ContainsFunc(v.References, func(r cdxReference) bool { return idKey(r.ID) == idKey(id) }) {
			name, url := advisorySource(id)
			v.References = append(v.References, cdxReference{ID: id, Source: cdxSource{Name: name, URL: url}})
		}
	}
	if s := cdxSeverity(f.Severity); s != "" && len(v.Ratings) == 0 {
		v.Ratings = []cdxRating{{Severity: s}}
	}
	if !f.DecidedAt.IsZero() {
		// Fixed-width UTC timestamps order as strings.
		v.Analysis.LastUpdated = max(v.Analysis.LastUpdated, rfc3339(f.DecidedAt))
	}
	if v.Description == "" {
		v.Description = f.Summary
	}
	if len(f.FixedVersions) > 0 {
		if t := fixText(f); !strings.Contains(v.Recommendation, t) {
			v.Recommendation = strings.TrimSpace(v.Recommendation + " " + t)
		}
		if f.Status == Affected {
			v.Analysis.Response = []string{"update"}
		}
	}
	if f.KnownExploited && len(v.Properties) == 0 {
		v.Properties = []cdxProperty{{Name: "pflicht:known_exploited", Value: "true"}}
	}
}
