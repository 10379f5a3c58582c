package vex

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// openVEXContext is the @context of the OpenVEX version we read.
const openVEXContext = "https://openvex.dev/ns/v0.2.0"

type ovDocument struct {
	Context     string        `json:"@context"`
	ID          string        `json:"@id"`
	Author      string        `json:"author"`
	Timestamp   string        `json:"timestamp"`
	LastUpdated string        `json:"last_updated"`
	Statements  []ovStatement `json:"statements"`
}

type ovStatement struct {
	Vulnerability   ovVulnerability `json:"vulnerability"`
	Timestamp       string          `json:"timestamp"`
	LastUpdated     string          `json:"last_updated"`
	Products        []ovComponent   `json:"products"`
	Status          string          `json:"status"`
	Justification   string          `json:"justification"`
	ImpactStatement string          `json:"impact_statement"`
	ActionStatement string          `json:"action_statement"`
	StatusNotes     string          `json:"status_notes"`
}

type ovVulnerability struct {
	ID      string   `json:"@id"`
	Name    string   `json:"name"`
	Aliases []string `json:"aliases"`
}

type ovComponent struct {
	ID            string            `json:"@id"`
	Identifiers   map[string]string `json:"identifiers"`
	Subcomponents []ovComponent     `json:"subcomponents"`
}

// ref prefers the purl identifier over the @id, which may be any IRI.
func (c ovComponent) ref() string {
	if p := c.Identifiers["purl"]; p != "" {
		return p
	}
	return c.ID
}

func parseOpenVEX(data []byte) ([]Statement, error) {
	var doc ovDocument
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, jsonError(err)
	}
	if doc.Context != openVEXContext {
		return nil, fmt.Errorf("@context: %q is not %s", doc.Context, openVEXContext)
	}
	var out statements
	for i, s := range doc.Statements {
		path := fmt.Sprintf("statements[%d]", i)
		st, err := openVEXStatement(path, doc, s)
		if err != nil {
			return nil, err
		}
		// A statement lists products, each possibly with the subcomponents
		// that carry the vulnerability. Products without subcomponents share
		// one Statement; each product with subcomponents gets its own, so that
		// the subcomponents stay tied to their product.
		var plain []string
		for j, p := range s.Products {
			ref := p.ref()
			if ref == "" {
				return nil, fmt.Errorf("%s.products[%d]: neither @id nor identifiers.purl", path, j)
			}
			if len(p.Subcomponents) == 0 {
				plain = append(plain, ref)
				continue
			}
			sub := st
			sub.Products = []string{ref}
			for k, c := range p.Subcomponents {
				if c.ref() == "" {
					return nil, fmt.Errorf("%s.products[%d].subcomponents[%d]: neither @id nor identifiers.purl", path, j, k)
				}
				sub.Subcomponents = append(sub.Subcomponents, c.ref())
			}
			if err := out.add(sub); err != nil {
				return nil, err
			}
		}
		if len(plain) > 0 || len(s.Products) == 0 {
			st.Products = plain
			if err := out.add(st); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// openVEXStatement converts the parts of s that all its products share.
func openVEXStatement(path string, doc ovDocument, s ovStatement) (Statement, error) {
	id := s.Vulnerability.Name
	if id == "" {
		id = s.Vulnerability.ID
	}
	if id == "" {
		return Statement{}, fmt.Errorf("%s.vulnerability.name: missing", path)
	}
	st := Statement{
		VulnID:          id,
		Aliases:         s.Vulnerability.Aliases,
		ImpactStatement: s.ImpactStatement,
		ActionStatement: s.ActionStatement,
		Author:          doc.Author,
		Origin:          strings.TrimSpace("openvex " + doc.ID + " " + path),
	}
	var err error
	if st.Status, err = openVEXStatus(s.Status); err != nil {
		return Statement{}, fmt.Errorf("%s.status: %w", path, err)
	}
	if s.Justification != "" {
		if st.Justification, err = ParseJustification(s.Justification); err != nil {
			return Statement{}, fmt.Errorf("%s.justification: %w", path, err)
		}
	}
	// The spec requires a reason for not_affected; a statement without one
	// would silence a finding on nobody's word.
	if st.Status == NotAffected && st.Justification == "" && st.ImpactStatement == "" {
		return Statement{}, fmt.Errorf("%s: not_affected needs a justification or an impact_statement", path)
	}
	if st.ImpactStatement == "" {
		st.ImpactStatement = s.StatusNotes
	}
	st.Timestamp, err = firstTime(
		path+".last_updated", s.LastUpdated,
		path+".timestamp", s.Timestamp,
		"last_updated", doc.LastUpdated,
		"timestamp", doc.Timestamp)
	return st, err
}

// openVEXStatus accepts only the four OpenVEX statuses, not the CycloneDX
// states ParseStatus also knows.
func openVEXStatus(s string) (Status, error) {
	switch st := Status(s); st {
	case NotAffected, Affected, Fixed, UnderInvestigation:
		return st, nil
	case "":
		return "", errors.New("missing")
	}
	return "", fmt.Errorf("unknown status %q", s)
}
