package vex

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pflicht/pflicht/internal/purl"
)

// Limits on what Parse accepts, so that a hostile upload cannot exhaust
// memory. Real VEX documents are far below both.
const (
	MaxDocumentSize = 32 << 20 // bytes
	MaxStatements   = 100_000
)

// Parse reads an OpenVEX v0.2.0, CycloneDX VEX (JSON or XML) or CSAF 2.0
// (category csaf_vex or csaf_security_advisory) document. Statements come in
// document order. Errors name the JSON path of the offending field.
func Parse(data []byte) ([]Statement, error) {
	if len(data) > MaxDocumentSize {
		return nil, fmt.Errorf("vex: document is %d bytes, more than the limit of %d", len(data), MaxDocumentSize)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, errors.New("vex: empty document")
	}
	if trimmed[0] == '<' {
		stmts, err := parseCycloneDXXML(data)
		if err != nil {
			return nil, fmt.Errorf("vex: cyclonedx xml: %w", err)
		}
		return stmts, nil
	}
	var probe struct {
		Context   any    `json:"@context"`
		BOMFormat string `json:"bomFormat"`
		Document  *struct {
			CSAFVersion string `json:"csaf_version"`
		} `json:"document"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("vex: %w", jsonError(err))
	}
	var (
		stmts  []Statement
		err    error
		format string
	)
	switch {
	case probe.Context != nil:
		format = "openvex"
		stmts, err = parseOpenVEX(data)
	case probe.BOMFormat == "CycloneDX":
		format = "cyclonedx"
		stmts, err = parseCycloneDXJSON(data)
	case probe.Document != nil && probe.Document.CSAFVersion != "":
		format = "csaf"
		stmts, err = parseCSAF(data)
	default:
		return nil, errors.New("vex: unknown format: want OpenVEX (@context), CycloneDX (bomFormat) or CSAF (document.csaf_version)")
	}
	if err != nil {
		return nil, fmt.Errorf("vex: %s: %w", format, err)
	}
	return stmts, nil
}

// jsonError makes a decoding error name the field it is about.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return fmt.Errorf("%s: cannot use %s as %s", te.Field, te.Value, te.Type)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("invalid JSON at byte %d: %w", se.Offset, err)
	}
	return err
}

// statements collects parsed statements and enforces MaxStatements.
type statements []Statement

func (s *statements) add(st Statement) error {
	if len(*s) >= MaxStatements {
		return fmt.Errorf("more than %d statements", MaxStatements)
	}
	*s = append(*s, st)
	return nil
}

// parseTime reads an RFC 3339 timestamp; "" is the zero time.
func parseTime(path, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %q is not an RFC 3339 timestamp", path, s)
	}
	return t, nil
}

// firstTime returns the first non-empty timestamp of the candidates, parsed;
// candidates come in pairs of path and value.
func firstTime(pathsAndValues ...string) (time.Time, error) {
	for i := 0; i+1 < len(pathsAndValues); i += 2 {
		if v := pathsAndValues[i+1]; v != "" {
			return parseTime(pathsAndValues[i], v)
		}
	}
	return time.Time{}, nil
}

// isPURL reports whether a product identifier is a package URL.
func isPURL(s string) bool {
	return len(s) > 4 && strings.EqualFold(s[:4], "pkg:")
}

// canonicalPURL returns the canonical form of a package URL, or s unchanged
// when it does not parse, so that odd identifiers still compare exactly.
func canonicalPURL(s string) string {
	p, err := purl.Parse(s)
	if err != nil {
		return s
	}
	return p.String()
}
