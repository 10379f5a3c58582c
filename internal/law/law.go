// Package law holds what every legal rule in pflicht carries: its id, its
// citation in German statutory form, the period in which it is in force, the
// wording it follows and whether our reading of it is verified. The rules
// themselves live as embedded data files next to the engine that reads them
// (scope, fines, clock, cra); this package holds only the statute-level
// entries several engines share (statute.go: from when a whole law applies).
package law

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Status says how sure we are of a reading (shared/spec/legal-spec.md).
type Status string

const (
	// Verified: read in the statute or Official-Journal text.
	Verified Status = "VERIFIED"
	// Unverified: secondary source, memory or our own reading; shown to users as such.
	Unverified Status = "UNVERIFIED"
)

// Wordings of the law a rule can follow. BSIG 2025 exists in its original
// promulgated wording (December 2025) and a consolidated one (2026); §66 BSIG
// keeps parts of the original in force.
const (
	WordingBSIGOriginal     = "BSIG 2025 original (BGBl. 2025 I Nr. 301)"
	WordingBSIGConsolidated = "BSIG 2025 consolidated (as amended up to July 2026)"
	WordingBSIGBoth         = "BSIG 2025 (original = consolidated)"
	WordingOWiG             = "OWiG (current)"
	WordingCRA              = "Regulation (EU) 2024/2847 with corrigenda"
	WordingBGB              = "BGB §§187, 188 via §31 VwVfG"
	WordingEU118271         = "Regulation (EEC, Euratom) No 1182/71"
)

// DateLayout is the only accepted date form (as_of, valid_from, valid_to).
const DateLayout = "2006-01-02"

// Text is a short text in German and English.
type Text struct {
	DE string `yaml:"de" json:"de"`
	EN string `yaml:"en" json:"en"`
}

// In returns the text in lang ("de" or "en"), falling back to the other one.
func (t Text) In(lang string) string {
	if lang == "en" && t.EN != "" || t.DE == "" {
		return t.EN
	}
	return t.DE
}

// Meta is the part every rule entry in a data file carries.
type Meta struct {
	ID       string `yaml:"id" json:"id"`
	Citation string `yaml:"citation" json:"citation"`
	Title    Text   `yaml:"title" json:"title"`
	// ValidFrom and ValidTo are inclusive calendar days (YYYY-MM-DD);
	// an empty ValidTo means open-ended.
	ValidFrom string `yaml:"valid_from" json:"valid_from"`
	ValidTo   string `yaml:"valid_to,omitempty" json:"valid_to,omitempty"`
	Wording   string `yaml:"wording" json:"wording"`
	Status    Status `yaml:"status" json:"status"`
	// Source names where the reading comes from (a section of the legal spec).
	Source string `yaml:"source" json:"source"`
	Note   string `yaml:"note,omitempty" json:"note,omitempty"`
}

// InForce reports whether the rule applies on the calendar day of asOf.
func (m Meta) InForce(asOf time.Time) bool {
	day := asOf.Format(DateLayout)
	// YYYY-MM-DD strings compare like dates.
	return m.ValidFrom <= day && (m.ValidTo == "" || day <= m.ValidTo)
}

// Validate checks the fields every rule must have.
func (m Meta) Validate() error {
	switch {
	case m.ID == "":
		return fmt.Errorf("rule without id (citation %q)", m.Citation)
	case m.Citation == "":
		return fmt.Errorf("rule %s: no citation", m.ID)
	case m.Wording == "":
		return fmt.Errorf("rule %s: no wording", m.ID)
	case m.Status != Verified && m.Status != Unverified:
		return fmt.Errorf("rule %s: status %q is neither VERIFIED nor UNVERIFIED", m.ID, m.Status)
	case m.Source == "":
		return fmt.Errorf("rule %s: no source", m.ID)
	}
	if _, err := ParseDate(m.ValidFrom); err != nil {
		return fmt.Errorf("rule %s: valid_from: %w", m.ID, err)
	}
	if m.ValidTo != "" {
		if _, err := ParseDate(m.ValidTo); err != nil {
			return fmt.Errorf("rule %s: valid_to: %w", m.ID, err)
		}
		if m.ValidTo < m.ValidFrom {
			return fmt.Errorf("rule %s: valid_to %s before valid_from %s", m.ID, m.ValidTo, m.ValidFrom)
		}
	}
	return nil
}

// Rule is the review view of any rule: what `pflicht law` lists.
type Rule struct {
	Meta `yaml:",inline"`
	// Kind groups rules for review: "scope", "obligation", "fine", "period", "cra".
	Kind string `json:"kind"`
}

// ParseDate parses a calendar day in the only accepted form, YYYY-MM-DD.
func ParseDate(s string) (time.Time, error) {
	t, err := time.Parse(DateLayout, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date of the form YYYY-MM-DD", s)
	}
	return t, nil
}

// DecodeYAML strictly decodes an embedded law data file: unknown keys are
// errors, so a typo in a data file fails the tests instead of being ignored.
func DecodeYAML(name string, data []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("law: %s: %w", name, err)
	}
	return nil
}

// Berlin is the time zone in which BSIG day, week and month periods end.
var Berlin = mustLoad("Europe/Berlin")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// The binary embeds time/tzdata, so this only fails on a broken build.
		panic(fmt.Sprintf("law: time zone %s: %v", name, err))
	}
	return loc
}
