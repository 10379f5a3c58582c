// Package vex reads and writes VEX (Vulnerability Exploitability eXchange)
// documents and applies their statements to scan findings.
//
// A manufacturer records, per vulnerability and component, whether its
// product is affected; the CRA expects that assessment to be documented and
// shared, and the BSI promotes CSAF 2.0 for it. Parse reads OpenVEX v0.2.0,
// CycloneDX VEX (JSON and XML) and CSAF 2.0 VEX into Statements; Apply sets
// the decision of the matching Findings; WriteCycloneDX and WriteCSAF publish
// Findings with their decisions.
//
// The package is pure: values in, values out, no I/O beyond the io.Writer
// given to a writer, no clock reads.
//
// # Status mapping
//
//	ours                 OpenVEX              CSAF product_status                       CycloneDX analysis.state
//	not_affected         not_affected         known_not_affected                        not_affected, false_positive*
//	affected             affected             known_affected, first_affected*,          exploitable
//	                                          last_affected*
//	fixed                fixed                fixed, first_fixed*                       resolved, resolved_with_pedigree*
//	under_investigation  under_investigation  under_investigation                       in_triage
//
// Values marked * are only read; the writers use the first value of a cell.
// From CSAF, Parse takes justifications from flags and impact statements
// from threats of category impact, both by product_ids; product groups
// (group_ids) are not resolved.
//
// # Justification mapping
//
// Our labels are the five of the CISA "VEX Status Justifications" paper,
// used unchanged by OpenVEX (justification) and CSAF 2.0 (flags[].label).
// CycloneDX has its own nine values; each maps onto the label with the same
// meaning. WriteCycloneDX uses the first CycloneDX value of each line, so
// that a written document reads back to the label it came from:
//
//	component_not_present                              requires_dependency
//	vulnerable_code_not_present                        code_not_present
//	vulnerable_code_not_in_execute_path                code_not_reachable
//	vulnerable_code_cannot_be_controlled_by_adversary  requires_environment, requires_configuration
//	inline_mitigations_already_exist                   protected_by_mitigating_control, protected_by_compiler,
//	                                                   protected_at_runtime, protected_at_perimeter
package vex

import (
	"fmt"
	"time"
)

// Status is the exploitability status of a vulnerability in a product.
type Status string

// The four statuses of the CISA minimum requirements for VEX.
const (
	NotAffected        Status = "not_affected"
	Affected           Status = "affected"
	Fixed              Status = "fixed"
	UnderInvestigation Status = "under_investigation"
)

// Justification says why a product is not affected.
type Justification string

// The justification labels of OpenVEX and CSAF 2.0.
const (
	ComponentNotPresent                         Justification = "component_not_present"
	VulnerableCodeNotPresent                    Justification = "vulnerable_code_not_present"
	VulnerableCodeNotInExecutePath              Justification = "vulnerable_code_not_in_execute_path"
	VulnerableCodeCannotBeControlledByAdversary Justification = "vulnerable_code_cannot_be_controlled_by_adversary"
	InlineMitigationsAlreadyExist               Justification = "inline_mitigations_already_exist"
)

// cdxStates maps CycloneDX analysis.state values onto our statuses.
var cdxStates = map[string]Status{
	"not_affected":           NotAffected,
	"false_positive":         NotAffected,
	"exploitable":            Affected,
	"resolved":               Fixed,
	"resolved_with_pedigree": Fixed,
	"in_triage":              UnderInvestigation,
}

// cdxJustifications maps CycloneDX analysis.justification values onto our
// labels; see the package documentation for the reasoning.
var cdxJustifications = map[string]Justification{
	"requires_dependency":             ComponentNotPresent,
	"code_not_present":                VulnerableCodeNotPresent,
	"code_not_reachable":              VulnerableCodeNotInExecutePath,
	"requires_environment":            VulnerableCodeCannotBeControlledByAdversary,
	"requires_configuration":          VulnerableCodeCannotBeControlledByAdversary,
	"protected_by_mitigating_control": InlineMitigationsAlreadyExist,
	"protected_by_compiler":           InlineMitigationsAlreadyExist,
	"protected_at_runtime":            InlineMitigationsAlreadyExist,
	"protected_at_perimeter":          InlineMitigationsAlreadyExist,
}

// ParseStatus accepts our status names and CycloneDX analysis states.
func ParseStatus(s string) (Status, error) {
	switch st := Status(s); st {
	case NotAffected, Affected, Fixed, UnderInvestigation:
		return st, nil
	}
	if st, ok := cdxStates[s]; ok {
		return st, nil
	}
	return "", fmt.Errorf("unknown status %q", s)
}

// ParseJustification accepts the OpenVEX/CSAF labels and the CycloneDX
// analysis.justification values.
func ParseJustification(s string) (Justification, error) {
	switch j := Justification(s); j {
	case ComponentNotPresent, VulnerableCodeNotPresent, VulnerableCodeNotInExecutePath,
		VulnerableCodeCannotBeControlledByAdversary, InlineMitigationsAlreadyExist:
		return j, nil
	}
	if j, ok := cdxJustifications[s]; ok {
		return j, nil
	}
	return "", fmt.Errorf("unknown justification %q", s)
}

// CycloneDX returns the CycloneDX analysis.state for s; an empty status is
// reported as in_triage, since nobody has decided yet.
func (s Status) CycloneDX() string {
	switch s {
	case NotAffected:
		return "not_affected"
	case Affected:
		return "exploitable"
	case Fixed:
		return "resolved"
	}
	return "in_triage"
}

// CycloneDX returns the CycloneDX analysis.justification for j, or "".
func (j Justification) CycloneDX() string {
	switch j {
	case ComponentNotPresent:
		return "requires_dependency"
	case VulnerableCodeNotPresent:
		return "code_not_present"
	case VulnerableCodeNotInExecutePath:
		return "code_not_reachable"
	case VulnerableCodeCannotBeControlledByAdversary:
		return "requires_environment"
	case InlineMitigationsAlreadyExist:
		return "protected_by_mitigating_control"
	}
	return ""
}

// Statement is one VEX assertion: the status of a vulnerability in products.
type Statement struct {
	VulnID  string
	Aliases []string
	// Products are package URLs or, where a document names no purl, its own
	// product identifiers (a CycloneDX bom-ref or BOM-Link, an OpenVEX @id, a
	// CSAF product_id).
	Products []string
	// Subcomponents are the components of Products that carry the
	// vulnerability (OpenVEX). When present, they, not Products, are matched
	// against a finding's component.
	Subcomponents   []string
	Status          Status
	Justification   Justification
	ImpactStatement string // why not affected, or other detail
	ActionStatement string // what to do when affected
	Timestamp       time.Time
	Author          string
	// Origin names the document and the position the statement came from,
	// e.g. "openvex https://example.com/vex-1 statements[2]".
	Origin string
}

// Finding is one vulnerability matched against one component of an SBOM,
// together with the manufacturer's decision about it.
type Finding struct {
	ComponentRef     string // bom-ref or SPDXID in the SBOM
	ComponentPURL    string
	ComponentName    string
	ComponentVersion string
	VulnID           string
	Aliases          []string
	Summary          string
	Severity         string // CRITICAL, HIGH, MEDIUM (or MODERATE), LOW, NONE; case-insensitive
	FixedVersions    []string
	KnownExploited   bool

	Status        Status // "" while nobody has decided
	Justification Justification
	Detail        string
	DecidedBy     string
	DecidedAt     time.Time
	// Applied is the statement that set the decision when Apply did; nil
	// when the decision was made elsewhere or not at all.
	Applied *Statement
}

// DocMeta describes a document to write. Now is the document's time; the
// writers never read the clock.
type DocMeta struct {
	Publisher      string // organisation publishing the document
	Namespace      string // publisher's URL, e.g. https://example.com
	DocumentID     string
	Title          string
	Now            time.Time
	ProductName    string // the product the findings belong to; optional
	ProductVersion string
}
