package osv

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pflicht/pflicht/internal/testdata"
)

func TestParseCISAKEV(t *testing.T) {
	data, err := os.ReadFile(testdata.Shared(t, "cisa-kev/known_exploited_vulnerabilities.json"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := ParseCISAKEV(data)
	if err != nil {
		t.Fatal(err)
	}
	if k.Catalog != CatalogCISA || k.Version != "2025.08.25" || len(k.Entries) != 1404 {
		t.Fatalf("catalog %s %s with %d entries", k.Catalog, k.Version, len(k.Entries))
	}
	want := KEVEntry{
		CVE: "CVE-2025-48384", VendorProject: "Git", Product: "Git", Name: "Git Link Following Vulnerability",
		DateAdded: "2025-08-25", DueDate: "2025-09-15", RansomwareUse: "Unknown",
	}
	if diff := cmp.Diff(want, k.Entries[0]); diff != "" {
		t.Errorf("first entry (-want +got):\n%s", diff)
	}

	// The same catalogue as CSV through the tolerant reader gives the same CVEs.
	csvData, err := os.ReadFile(testdata.Shared(t, "cisa-kev/known_exploited_vulnerabilities.csv"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseKEVList(CatalogCISA, csvData)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Entries) != 1404 || c.Skipped != 0 || c.Entries[0].DateAdded != "2025-08-25" || c.Entries[0].DueDate != "2025-09-15" {
		t.Errorf("CSV: %d entries, %d skipped, first %+v", len(c.Entries), c.Skipped, c.Entries[0])
	}
}

func TestParseCISAKEVErrors(t *testing.T) {
	entry := `{"cveID": "CVE-2025-0001", "vendorProject": "v", "product": "p", "vulnerabilityName": "n",
		"dateAdded": "2025-01-01", "shortDescription": "d", "requiredAction": "a", "dueDate": "2025-01-22"}`
	head := `"catalogVersion": "1", "dateReleased": "2025-01-01T00:00:00.000Z"`
	tests := []struct{ json, want string }{
		{`{` + head + `, "count": 2, "vulnerabilities": [` + entry + `]}`, "count is 2 but vulnerabilities holds 1 entries (truncated file?)"},
		{`{"dateReleased": "2025-01-01T00:00:00Z", "count": 0, "vulnerabilities": []}`, "catalogVersion: missing"},
		{`{` + head + `, "count": 1}`, "vulnerabilities: missing"},
		{`{` + head + `, "count": 1, "vulnerabilities": [` + strings.Replace(entry, "CVE-2025-0001", "CVE-25-1", 1) + `]}`, `vulnerabilities[0].cveID: "CVE-25-1" is not a CVE id`},
		{`{` + head + `, "count": 1, "vulnerabilities": [` + strings.Replace(entry, `"2025-01-22"`, `"22.01.2025"`, 1) + `]}`, `vulnerabilities[0].dueDate: "22.01.2025" is not a date`},
		{`{` + head + `, "count": "1"}`, "count: want int, got JSON string"},
		{`[`, "invalid JSON"},
	}
	for _, tt := range tests {
		_, err := ParseCISAKEV([]byte(tt.json))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("got %v, want error containing %q", err, tt.want)
		}
	}
}

func TestParseKEVList(t *testing.T) {
	tests := []struct {
		file    string
		want    []KEVEntry
		skipped int
	}{
		{"euvd.json", []KEVEntry{
			{CVE: "CVE-2025-30400", DateAdded: "2025-05-13"},
			{CVE: "CVE-2024-3400", DateAdded: "2024-04-12"},
		}, 1},
		{"items.json", []KEVEntry{{CVE: "CVE-2021-44228", DateAdded: "2021-12-10"}, {CVE: "CVE-2023-4966"}}, 0},
		{"semicolon.csv", []KEVEntry{{CVE: "CVE-2022-0001", DateAdded: "2022-03-02"}}, 1},
		{"bare.txt", []KEVEntry{{CVE: "CVE-2021-44228"}, {CVE: "CVE-2023-4966"}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile("testdata/kev/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			k, err := ParseKEVList(CatalogEU, data)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, k.Entries); diff != "" || k.Skipped != tt.skipped {
				t.Errorf("skipped %d (want %d); entries (-want +got):\n%s", k.Skipped, tt.skipped, diff)
			}
		})
	}
}

func TestParseKEVListErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "empty file"},
		{`{"a": 1}`, "JSON holds no list of entries"},
		{`[1, 2]`, "entry 0: want an object or a CVE string"},
		{"name,date\nx,2020-01-01\n", `CSV header "name,date" has no CVE column`},
		{"cve,\"unterminated\n", "invalid CSV"},
	}
	for _, tt := range tests {
		_, err := ParseKEVList(CatalogEU, []byte(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want error containing %q", tt.in, err, tt.want)
		}
	}
}
