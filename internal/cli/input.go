package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// InputError is bad input: it names the field (a JSON field, a flag, a
// position) and says what is wrong. It always leads to exit code 2.
type InputError struct {
	Field string
	Msg   string
}

func (e *InputError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return fmt.Sprintf("%s: %s", e.Field, e.Msg)
}

// maxInput bounds JSON read from a file or stdin.
const maxInput = 1 << 20

// readInput returns the bytes of --in FILE ("-" or "" means stdin).
func readInput(e *env, path string) ([]byte, error) {
	var r io.Reader = e.stdin
	name := "standard input"
	if path != "" && path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, &InputError{Field: "--in", Msg: err.Error()}
		}
		defer f.Close()
		r, name = f, path
	}
	data, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(data) > maxInput {
		return nil, &InputError{Field: name, Msg: fmt.Sprintf("input larger than %d bytes", maxInput)}
	}
	return data, nil
}

// decodeJSON strictly decodes one JSON object into v: unknown fields, wrong
// types, syntax errors and trailing data are InputErrors naming the field or
// byte offset.
func decodeJSON(data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return &InputError{Msg: "no input: give JSON with --in FILE or on standard input, or use flags"}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return jsonInputError(err)
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err != io.EOF {
		return &InputError{Field: fmt.Sprintf("byte %d", dec.InputOffset()), Msg: "unexpected data after the JSON object"}
	}
	return nil
}

func jsonInputError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var ie *InputError
	switch {
	case errors.As(err, &ie):
		return ie
	case errors.As(err, &se):
		return &InputError{Field: fmt.Sprintf("byte %d", se.Offset), Msg: "malformed JSON: " + se.Error()}
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "input"
		}
		return &InputError{Field: field, Msg: fmt.Sprintf("must be %s, not JSON %s", jsonKind(te.Type.Kind().String()), te.Value)}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &InputError{Msg: "malformed JSON: unexpected end of input"}
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return &InputError{Field: strings.Trim(f, `"`), Msg: "unknown field"}
	}
	return &InputError{Msg: "malformed JSON: " + strings.TrimPrefix(msg, "json: ")}
}

func jsonKind(k string) string {
	switch k {
	case "bool":
		return "a boolean"
	case "string":
		return "a string"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return "a number"
}

// writeJSON prints v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
