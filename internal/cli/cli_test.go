package cli

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// fixedNow is the clock every CLI test runs at.
var fixedNow = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// runCLI runs pflicht in-process with a pinned clock and environment.
func runCLI(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{
		stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb,
		now:    func() time.Time { return fixedNow },
		getenv: func(string) string { return "" },
	}
	code = run(args, e)
	return out.String(), errb.String(), code
}

// golden compares got with testdata/NAME.golden (rewritten with -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run with -update after checking):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestLangResolution(t *testing.T) {
	for _, tc := range []struct {
		flag string
		env  map[string]string
		want string
		err  bool
	}{
		{want: "en"},
		{flag: "de", want: "de"},
		{flag: "EN", want: "en"},
		{flag: "fr", err: true},
		{env: map[string]string{"LANG": "de_DE.UTF-8"}, want: "de"},
		{env: map[string]string{"LANG": "de_DE.UTF-8", "LC_ALL": "C"}, want: "en"},
		{env: map[string]string{"PFLICHT_LANG": "de", "LC_ALL": "en_US"}, want: "de"},
	} {
		got, err := resolveLang(tc.flag, func(k string) string { return tc.env[k] })
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("resolveLang(%q, %v) = %q, %v; want %q (error %v)", tc.flag, tc.env, got, err, tc.want, tc.err)
		}
	}
}

func TestDecodeJSONErrorsNameTheField(t *testing.T) {
	type in struct {
		Employees *int   `json:"employees"`
		AsOf      string `json:"as_of"`
	}
	for _, tc := range []struct{ input, want string }{
		{`{"employees": "many"}`, "employees: must be a number"},
		{`{"employes": 3}`, "employes: unknown field"},
		{`{"employees": 3} x`, "unexpected data after the JSON object"},
		{`{"employees": 3`, "malformed JSON"},
		{``, "no input"},
	} {
		var v in
		err := decodeJSON([]byte(tc.input), &v)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("decodeJSON(%q) = %v; want error containing %q", tc.input, err, tc.want)
		}
	}
}

// TestUsageErrors: what cobra itself refuses (unknown command or flag, a
// missing required flag, a flag without its value) is bad input, exit 2.
func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, "unknown command"},
		{[]string{"check", "--frobnicate"}, "unknown flag"},
		{[]string{"token", "list"}, `required flag(s) "user" not set`},
		{[]string{"check", "--employees"}, "flag needs an argument"},
	} {
		_, stderr, code := runCLI(t, "", tc.args...)
		if code != ExitInput || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: code %d, stderr %q; want %d and %q", tc.args, code, stderr, ExitInput, tc.want)
		}
	}
}
