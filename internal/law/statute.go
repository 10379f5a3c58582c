package law

import (
	"embed"
	"fmt"
)

//go:embed data/statutes.yaml
var statuteFS embed.FS

// Statute says from when a whole law applies. It is the one entry for that
// date: the engines read it instead of keeping their own copy, so its status
// is the same wherever a result relies on it.
type Statute struct {
	Meta `yaml:",inline"`
	// SettledFrom is the day from which an UNVERIFIED ValidFrom no longer
	// matters: from then on the law certainly applies.
	SettledFrom string `yaml:"settled_from,omitempty" json:"settled_from,omitempty"`
	// Text is what a result step says about the law applying.
	Text Text `yaml:"text" json:"text"`
}

// StatusOn returns the status of the statement "the law applies on day"
// (YYYY-MM-DD): the entry's status, or VERIFIED from SettledFrom on.
func (s Statute) StatusOn(day string) Status {
	if s.SettledFrom != "" && day >= s.SettledFrom {
		return Verified
	}
	return s.Status
}

// Validate checks the entry and its settled_from.
func (s Statute) Validate() error {
	if err := s.Meta.Validate(); err != nil {
		return err
	}
	if s.Text.DE == "" || s.Text.EN == "" {
		return fmt.Errorf("rule %s: text needs de and en", s.ID)
	}
	if s.SettledFrom == "" {
		return nil
	}
	if _, err := ParseDate(s.SettledFrom); err != nil {
		return fmt.Errorf("rule %s: settled_from: %w", s.ID, err)
	}
	if s.SettledFrom < s.ValidFrom {
		return fmt.Errorf("rule %s: settled_from %s before valid_from %s", s.ID, s.SettledFrom, s.ValidFrom)
	}
	return nil
}

// IDBSIG2025 is the id of the entry-into-force entry of BSIG 2025.
const IDBSIG2025 = "bsig2025"

var statutes = mustLoadStatutes()

func mustLoadStatutes() map[string]Statute {
	m, err := loadStatutes()
	if err != nil {
		// The file is embedded and tested; this only fails on a broken build.
		panic(err)
	}
	return m
}

func loadStatutes() (map[string]Statute, error) {
	data, err := statuteFS.ReadFile("data/statutes.yaml")
	if err != nil {
		return nil, fmt.Errorf("law: %w", err)
	}
	var f struct {
		Statutes []Statute `yaml:"statutes"`
	}
	if err := DecodeYAML("statutes.yaml", data, &f); err != nil {
		return nil, err
	}
	m := make(map[string]Statute, len(f.Statutes))
	for _, s := range f.Statutes {
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("law: statutes.yaml: %w", err)
		}
		if _, dup := m[s.ID]; dup {
			return nil, fmt.Errorf("law: statutes.yaml: duplicate id %s", s.ID)
		}
		m[s.ID] = s
	}
	if _, ok := m[IDBSIG2025]; !ok {
		return nil, fmt.Errorf("law: statutes.yaml: %s missing", IDBSIG2025)
	}
	return m, nil
}

// BSIG2025 is the entry into force of BSIG 2025. Package scope lists it in
// `pflicht law`; fines and clock cite it.
func BSIG2025() Statute { return statutes[IDBSIG2025] }
