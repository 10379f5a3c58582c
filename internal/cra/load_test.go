package cra

import (
	"strings"
	"testing"
	"testing/fstest"
)

// TestLoadRejectsBadData: a typo in a data file must fail, not be ignored.
func TestLoadRejectsBadData(t *testing.T) {
	files := map[string][]byte{}
	for _, name := range []string{"annex.yaml", "routes.yaml", "obligations.yaml"} {
		data, err := dataFS.ReadFile("data/" + name)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = data
	}
	for _, tc := range []struct{ name, file, old, new, want string }{
		{"unknown class", "annex.yaml", "class: critical", "class: severe", `class "severe"`},
		{"unknown key", "annex.yaml", "class: critical", "klass: critical", "field klass not found"},
		{"duplicate id", "annex.yaml", "id: annex3.1.2\n", "id: annex3.1.1\n", "duplicate id annex3.1.1"},
		{"unknown route", "routes.yaml", "{route: module_h}", "{route: module_z}", `unknown route "module_z"`},
		{"unknown condition", "routes.yaml", "if: harmonised_standards_in_full", "if: sunshine", "unknown condition"},
		{"missing date", "obligations.yaml", "id: cra.71.2\n", "id: cra.71.9\n", "cra.71.2 missing"},
		{"bad date", "obligations.yaml", `date: "2027-12-11"`, `date: "11.12.2027"`, "date"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, data := range files {
				if name == tc.file {
					if !strings.Contains(string(data), tc.old) {
						t.Fatalf("%s does not contain %q", name, tc.old)
					}
					data = []byte(strings.Replace(string(data), tc.old, tc.new, 1))
				}
				fsys["data/"+name] = &fstest.MapFile{Data: data}
			}
			_, err := load(fsys)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("load: %v; want an error containing %q", err, tc.want)
			}
		})
	}
}
