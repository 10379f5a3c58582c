package osv

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Names of the known-exploited catalogues.
const (
	CatalogCISA = "CISA KEV"
	CatalogEU   = "EU KEV"
)

// KEV is a catalogue of known exploited vulnerabilities, one entry per CVE.
type KEV struct {
	Catalog  string     `json:"catalog"`
	Version  string     `json:"version,omitempty"`
	Released time.Time  `json:"released,omitzero"`
	Entries  []KEVEntry `json:"entries"`
	// Skipped counts rows of a tolerantly read list that named no CVE.
	Skipped int `json:"skipped,omitempty"`
}

// KEVEntry is one exploited CVE. Dates are calendar days (YYYY-MM-DD) as the
// catalogues publish them, without a time zone.
type KEVEntry struct {
	CVE           string `json:"cve"`
	VendorProject string `json:"vendor_project,omitempty"`
	Product       string `json:"product,omitempty"`
	Name          string `json:"name,omitempty"`
	DateAdded     string `json:"date_added,omitempty"`
	// DueDate is CISA's remediation deadline for US federal agencies; it
	// has no legal effect under the CRA.
	DueDate string `json:"due_date,omitempty"`
	// RansomwareUse is CISA's knownRansomwareCampaignUse: Known or Unknown.
	RansomwareUse string `json:"ransomware_use,omitempty"`
}

var cveID = regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,19}$`)

// cveAnywhere finds CVE ids inside free text such as an aliases field.
var cveAnywhere = regexp.MustCompile(`CVE-[0-9]{4}-[0-9]{4,19}`)

// cisaCatalog mirrors known_exploited_vulnerabilities_schema.json.
type cisaCatalog struct {
	Title           string  `json:"title"`
	CatalogVersion  *string `json:"catalogVersion"`
	DateReleased    *string `json:"dateReleased"`
	Count           *int    `json:"count"`
	Vulnerabilities []struct {
		CVEID                      string `json:"cveID"`
		VendorProject              string `json:"vendorProject"`
		Product                    string `json:"product"`
		VulnerabilityName          string `json:"vulnerabilityName"`
		DateAdded                  string `json:"dateAdded"`
		DueDate                    string `json:"dueDate"`
		KnownRansomwareCampaignUse string `json:"knownRansomwareCampaignUse"`
	} `json:"vulnerabilities"`
}

// ParseCISAKEV reads CISA's known_exploited_vulnerabilities.json strictly
// by its published schema. The count field must equal the number of
// entries, which catches a truncated download.
func ParseCISAKEV(data []byte) (*KEV, error) {
	var c cisaCatalog
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("osv: cisa kev: %w", jsonError(data, err))
	}
	switch {
	case c.CatalogVersion == nil:
		return nil, errors.New("osv: cisa kev: catalogVersion: missing")
	case c.DateReleased == nil:
		return nil, errors.New("osv: cisa kev: dateReleased: missing")
	case c.Count == nil:
		return nil, errors.New("osv: cisa kev: count: missing")
	case c.Vulnerabilities == nil:
		return nil, errors.New("osv: cisa kev: vulnerabilities: missing")
	case *c.Count != len(c.Vulnerabilities):
		return nil, fmt.Errorf("osv: cisa kev: count is %d but vulnerabilities holds %d entries (truncated file?)", *c.Count, len(c.Vulnerabilities))
	}
	released, err := time.Parse(time.RFC3339, *c.DateReleased)
	if err != nil {
		return nil, fmt.Errorf("osv: cisa kev: dateReleased: %w", err)
	}
	k := &KEV{Catalog: CatalogCISA, Version: *c.CatalogVersion, Released: released}
	for i, v := range c.Vulnerabilities {
		e := KEVEntry{
			CVE: v.CVEID, VendorProject: v.VendorProject, Product: v.Product, Name: v.VulnerabilityName,
			DateAdded: v.DateAdded, DueDate: v.DueDate, RansomwareUse: v.KnownRansomwareCampaignUse,
		}
		if !cveID.MatchString(e.CVE) {
			return nil, fmt.Errorf("osv: cisa kev: vulnerabilities[%d].cveID: %q is not a CVE id", i, e.CVE)
		}
		for _, d := range []struct{ field, v string }{{"dateAdded", e.DateAdded}, {"dueDate", e.DueDate}} {
			if _, err := time.Parse(time.DateOnly, d.v); err != nil {
				return nil, fmt.Errorf("osv: cisa kev: vulnerabilities[%d].%s: %q is not a date (YYYY-MM-DD)", i, d.field, d.v)
			}
		}
		k.Entries = append(k.Entries, e)
	}
	return k, nil
}

// ParseKEVList reads a known-exploited list whose exact format is not
// fixed, such as the EU list (ENISA EUVD exploited vulnerabilities), and
// labels it catalog. It accepts:
//
//   - JSON: an array, or an object holding an array (under "vulnerabilities",
//     "items", "data", "content" or "results", else its only array of
//     objects). Each element is a CVE string or an object; CVE ids are taken
//     from string or string-array values of keys named id, alias(es) or
//     containing "cve" (case-insensitive), wherever such a value contains
//     CVE-YYYY-NNNN, so "aliases": "CVE-…\nGHSA-…" works.
//   - CSV (comma, semicolon or tab separated) with a header row and a column
//     whose name contains "cve" (or is id or aliases); or a bare list of CVE
//     ids, one per line.
//
// A date-added column or key (dateAdded or exploitedSince, in any case and
// with or without ' ', '_' or '-') and a due date (dueDate, alike) are kept
// when they parse as a date (YYYY-MM-DD, RFC 3339, "Jan 2, 2006[, 3:04:05
// PM]" or DD.MM.YYYY). Elements naming no CVE are counted in Skipped; a CVE
// listed twice is kept once.
func ParseKEVList(catalog string, data []byte) (*KEV, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("osv: %s: empty file", catalog)
	}
	var rows []map[string][]string
	var err error
	if trimmed[0] == '{' || trimmed[0] == '[' {
		rows, err = kevJSONRows(trimmed)
	} else {
		rows, err = kevCSVRows(trimmed)
	}
	if err != nil {
		return nil, fmt.Errorf("osv: %s: %w", catalog, err)
	}
	k := &KEV{Catalog: catalog}
	seen := map[string]bool{}
	for _, row := range rows {
		var cves []string
		for key, vals := range row {
			if isCVEKey(key) {
				for _, v := range vals {
					cves = append(cves, cveAnywhere.FindAllString(v, -1)...)
				}
			}
		}
		slices.Sort(cves)
		cves = slices.Compact(cves)
		if len(cves) == 0 {
			k.Skipped++
			continue
		}
		added := firstDate(row, "dateadded", "exploitedsince")
		due := firstDate(row, "duedate")
		for _, c := range cves {
			if !seen[c] {
				seen[c] = true
				k.Entries = append(k.Entries, KEVEntry{CVE: c, DateAdded: added, DueDate: due})
			}
		}
	}
	return k, nil
}

func isCVEKey(key string) bool {
	k := normKey(key)
	return k == "id" || k == "alias" || k == "aliases" || strings.Contains(k, "cve")
}

// normKey folds the spellings of a column or key name: "Date added",
// "date_added" and "dateAdded" are all "dateadded".
func normKey(k string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '_' || r == '-' {
			return -1
		}
		return unicode.ToLower(r)
	}, k)
}

// dateLayouts are the date forms seen in the lists, ISO first.
var dateLayouts = []string{time.DateOnly, time.RFC3339, "Jan 2, 2006, 3:04:05 PM", "Jan 2, 2006", "02.01.2006"}

func firstDate(row map[string][]string, keys ...string) string {
	for _, want := range keys {
		for key, vals := range row {
			if normKey(key) != want || len(vals) == 0 {
				continue
			}
			v := strings.TrimSpace(vals[0])
			for _, l := range dateLayouts {
				if t, err := time.Parse(l, v); err == nil {
					return t.Format(time.DateOnly)
				}
			}
		}
	}
	return ""
}

// kevJSONRows flattens the list's elements to key → string values.
func kevJSONRows(data []byte) ([]map[string][]string, error) {
	var top any
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, jsonError(data, err)
	}
	items, ok := top.([]any)
	if obj, isObj := top.(map[string]any); isObj {
		items, ok = listIn(obj)
	}
	if !ok {
		return nil, errors.New("JSON holds no list of entries")
	}
	rows := make([]map[string][]string, 0, len(items))
	for i, it := range items {
		switch v := it.(type) {
		case string:
			rows = append(rows, map[string][]string{"cve": {v}})
		case map[string]any:
			row := map[string][]string{}
			for key, val := range v {
				switch x := val.(type) {
				case string:
					row[key] = []string{x}
				case []any:
					for _, s := range x {
						if s, ok := s.(string); ok {
							row[key] = append(row[key], s)
						}
					}
				}
			}
			rows = append(rows, row)
		default:
			return nil, fmt.Errorf("entry %d: want an object or a CVE string", i)
		}
	}
	return rows, nil
}

// listIn finds the array of entries inside a JSON object.
func listIn(obj map[string]any) ([]any, bool) {
	for _, k := range []string{"vulnerabilities", "items", "data", "content", "results"} {
		if l, ok := obj[k].([]any); ok {
			return l, true
		}
	}
	var found []any
	n := 0
	for _, v := range obj {
		if l, ok := v.([]any); ok && len(l) > 0 {
			if _, isObj := l[0].(map[string]any); isObj {
				found = l
				n++
			}
		}
	}
	return found, n == 1
}

// kevCSVRows reads a delimited table with a header, or a bare CVE list.
func kevCSVRows(data []byte) ([]map[string][]string, error) {
	firstLine, _, _ := bytes.Cut(data, []byte("\n"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.Comma = ','
	for _, d := range []rune{';', '\t'} {
		if bytes.Count(firstLine, []byte(string(d))) > bytes.Count(firstLine, []byte(string(r.Comma))) {
			r.Comma = d
		}
	}
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("invalid CSV: %w", err)
	}
	header := recs[0]
	for i, h := range header {
		header[i] = strings.TrimSpace(h)
	}
	bare := slices.ContainsFunc(header, func(h string) bool { return cveID.MatchString(strings.TrimSpace(h)) })
	if bare {
		header = make([]string, len(header))
		for i := range header {
			header[i] = "cve"
		}
	} else {
		recs = recs[1:]
		if !slices.ContainsFunc(header, isCVEKey) {
			return nil, fmt.Errorf("CSV header %q has no CVE column", strings.Join(header, string(r.Comma)))
		}
	}
	rows := make([]map[string][]string, 0, len(recs))
	for _, rec := range recs {
		row := map[string][]string{}
		for i, cell := range rec {
			if i < len(header) {
				row[header[i]] = append(row[header[i]], cell)
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}
