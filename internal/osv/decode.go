package osv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Formats of record files.
const (
	FormatJSON = "json"
	FormatYAML = "yaml"
)

// FormatOf returns the record format a file name implies (by extension,
// case-insensitive), or "" for files that are not OSV records.
func FormatOf(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".json":
		return FormatJSON
	case ".yaml", ".yml":
		return FormatYAML
	}
	return ""
}

// Parse decodes the records in data. A file holds one record or, as some
// exports do, an array of records. Every record is validated; the error
// names the record (by index when there are several) and the field.
func Parse(format string, data []byte) ([]Record, error) {
	recs, err := parse(format, data)
	if err != nil {
		return nil, fmt.Errorf("osv: %w", err)
	}
	return recs, nil
}

// parse is Parse without the package prefix, for Walk's problems, which
// name the file instead.
func parse(format string, data []byte) ([]Record, error) {
	var recs []Record
	var err error
	switch format {
	case FormatJSON:
		recs, err = parseJSON(data)
	case FormatYAML:
		recs, err = parseYAML(data)
	default:
		return nil, fmt.Errorf("unknown record format %q", format)
	}
	if err != nil {
		return nil, err
	}
	for i := range recs {
		if err := recs[i].Validate(); err != nil {
			if len(recs) > 1 {
				return nil, fmt.Errorf("record %d (%s): %w", i, recs[i].ID, err)
			}
			return nil, err
		}
	}
	return recs, nil
}

func parseJSON(data []byte) ([]Record, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var recs []Record
		if err := json.Unmarshal(trimmed, &recs); err != nil {
			return nil, jsonError(data, err)
		}
		return recs, nil
	}
	var r Record
	if err := json.Unmarshal(trimmed, &r); err != nil {
		return nil, jsonError(data, err)
	}
	return []Record{r}, nil
}

// jsonError adds the field or byte offset encoding/json knows to its error.
func jsonError(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
		return fmt.Errorf("invalid JSON at line %d: %v", line, se)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		// "plain." is the embedded alias Record.UnmarshalJSON decodes into.
		return fmt.Errorf("%s: want %s, got JSON %s", strings.TrimPrefix(te.Field, "plain."), te.Type, te.Value)
	}
	return fmt.Errorf("invalid JSON: %w", err)
}

func parseYAML(data []byte) ([]Record, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("invalid YAML: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, errors.New("empty YAML document")
	}
	root := doc.Content[0]
	switch root.Kind {
	case yaml.MappingNode:
		var r Record
		if err := root.Decode(&r); err != nil {
			return nil, fmt.Errorf("invalid YAML record: %w", err)
		}
		return []Record{r}, nil
	case yaml.SequenceNode:
		var recs []Record
		if err := root.Decode(&recs); err != nil {
			return nil, fmt.Errorf("invalid YAML records: %w", err)
		}
		return recs, nil
	}
	return nil, fmt.Errorf("line %d: YAML must hold a record (mapping) or a list of records", root.Line)
}
