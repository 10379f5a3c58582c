package osv

import (
	"os"
	"path/filepath"
	"testing"
)

// addFiles seeds a fuzz corpus with the files matching pattern.
func addFiles(f *testing.F, pattern string) {
	paths, err := filepath.Glob(pattern)
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

func fuzzParse(f *testing.F, format string) {
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := Parse(format, data)
		if err != nil {
			return
		}
		for i := range recs {
			if err := recs[i].Validate(); err != nil {
				t.Fatalf("Parse accepted an invalid record: %v", err)
			}
		}
	})
}

func FuzzParseJSON(f *testing.F) {
	addFiles(f, "testdata/tree/*.json")
	addFiles(f, "testdata/tree/nested/*.json")
	fuzzParse(f, FormatJSON)
}

func FuzzParseYAML(f *testing.F) {
	addFiles(f, "testdata/tree/nested/*.yaml")
	fuzzParse(f, FormatYAML)
}

func FuzzParseCISAKEV(f *testing.F) {
	f.Add([]byte(`{"catalogVersion": "1", "dateReleased": "2025-01-01T00:00:00Z", "count": 1, "vulnerabilities": [
		{"cveID": "CVE-2025-0001", "dateAdded": "2025-01-01", "dueDate": "2025-01-22"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParseCISAKEV(data)
		if err != nil {
			return
		}
		for _, e := range k.Entries {
			if !cveID.MatchString(e.CVE) {
				t.Fatalf("accepted CVE id %q", e.CVE)
			}
		}
	})
}

func FuzzParseKEVList(f *testing.F) {
	addFiles(f, "testdata/kev/*")
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParseKEVList(CatalogEU, data)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, e := range k.Entries {
			if seen[e.CVE] || !cveID.MatchString(e.CVE) {
				t.Fatalf("bad or repeated CVE %q", e.CVE)
			}
			seen[e.CVE] = true
		}
	})
}

func FuzzParseCVSS3(f *testing.F) {
	f.Add("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
	f.Add("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N/E:P")
	f.Fuzz(func(t *testing.T, vector string) {
		v, err := ParseCVSS3(vector)
		if err != nil {
			return
		}
		if s := v.BaseScore(); s < 0 || s > 10 {
			t.Fatalf("%s: score %v out of range", vector, s)
		}
	})
}
