package vex

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/purl"
)

// csafProblems checks a CSAF 2.0 document against the rules of the standard
// that need no network and no JSON schema: the mandatory fields (section 3),
// the csaf_vex profile (4.5, tests 6.1.27.4-10) and the mandatory tests on
// product ids, statuses, flags, remediations and revisions (6.1.1, 6.1.2,
// 6.1.6, 6.1.13, 6.1.16, 6.1.23, 6.1.29, 6.1.32-34). It reads the document
// generically, not through the writer's types, so that it checks them.
func csafProblems(data []byte) []string {
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	var p []string
	bad := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }
	str := func(m any, path string) string {
		for _, k := range strings.Split(path, ".") {
			mm, ok := m.(map[string]any)
			if !ok {
				return ""
			}
			m = mm[k]
		}
		s, _ := m.(string)
		return s
	}
	need := func(m any, path string, allowed ...string) string {
		s := str(m, path)
		switch {
		case s == "":
			bad("%s: missing", path)
		case len(allowed) > 0 && !slices.Contains(allowed, s):
			bad("%s: %q not one of %v", path, s, allowed)
		}
		return s
	}
	date := func(m any, path string) {
		if s := need(m, path); s != "" {
			if _, err := time.Parse(time.RFC3339, s); err != nil {
				bad("%s: %q is no date-time", path, s)
			}
		}
	}
	list := func(m any, key string) []any {
		mm, _ := m.(map[string]any)
		l, _ := mm[key].([]any)
		return l
	}
	strs := func(m any, key string) []string {
		var out []string
		for _, v := range list(m, key) {
			s, _ := v.(string)
			out = append(out, s)
		}
		return out
	}

	need(doc, "document.category", "csaf_vex")
	need(doc, "document.csaf_version", "2.0")
	need(doc, "document.publisher.category", "coordinator", "discoverer", "other", "translator", "user", "vendor")
	need(doc, "document.publisher.name")
	if ns := need(doc, "document.publisher.namespace"); ns != "" && !strings.Contains(ns, "://") {
		bad("document.publisher.namespace: %q is no URI", ns)
	}
	need(doc, "document.title")
	need(doc, "document.tracking.id")
	need(doc, "document.tracking.status", "draft", "final", "interim")
	version := need(doc, "document.tracking.version")
	date(doc, "document.tracking.initial_release_date")
	date(doc, "document.tracking.current_release_date")
	tracking, _ := doc["document"].(map[string]any)["tracking"]
	revs := list(tracking, "revision_history")
	if len(revs) == 0 {
		bad("document.tracking.revision_history: missing")
	}
	for i, r := range revs {
		path := fmt.Sprintf("document.tracking.revision_history[%d]", i)
		date(r, "date")
		need(r, "number")
		need(r, "summary")
		if i == len(revs)-1 && str(r, "number") != version {
			bad("6.1.16: %s.number %q is not tracking.version %q", path, str(r, "number"), version)
		}
	}

	// Product ids: definitions (6.1.2), purls (6.1.13), depth (6.1.34).
	defined := map[string]bool{}
	define := func(fpn any, path string) {
		id := need(fpn, "product_id")
		need(fpn, "name")
		if defined[id] {
			bad("6.1.2: %s: product id %q defined twice", path, id)
		}
		defined[id] = true
		if u := str(fpn, "product_identification_helper.purl"); u != "" {
			if _, err := purl.Parse(u); err != nil {
				bad("6.1.13: %s: %v", path, err)
			}
		}
	}
	tree, ok := doc["product_tree"]
	if !ok {
		bad("6.1.27.4: product_tree: missing")
	}
	var walk func(bs []any, path string, depth int)
	walk = func(bs []any, path string, depth int) {
		if depth > 30 {
			bad("6.1.34: %s: branches nested deeper than 30", path)
			return
		}
		for i, b := range bs {
			bp := fmt.Sprintf("%s[%d]", path, i)
			need(b, "category", "architecture", "host_name", "language", "legacy", "patch_level",
				"product_family", "product_name", "product_version", "product_version_range",
				"service_pack", "specification", "vendor")
			need(b, "name")
			if prod, ok := b.(map[string]any)["product"]; ok {
				define(prod, bp+".product")
			}
			walk(list(b, "branches"), bp+".branches", depth+1)
		}
	}
	walk(list(tree, "branches"), "product_tree.branches", 1)
	for i, f := range list(tree, "full_product_names") {
		define(f, fmt.Sprintf("product_tree.full_product_names[%d]", i))
	}
	var referenced []string
	for i, r := range list(tree, "relationships") {
		path := fmt.Sprintf("product_tree.relationships[%d]", i)
		need(r, "category", "default_component_of", "external_component_of", "installed_on",
			"installed_with", "optional_component_of")
		define(r.(map[string]any)["full_product_name"], path+".full_product_name")
		referenced = append(referenced, need(r, "product_reference"), need(r, "relates_to_product_reference"))
	}

	cves := map[string]bool{}
	for i, v := range list(doc, "vulnerabilities") {
		path := fmt.Sprintf("vulnerabilities[%d]", i)
		cve := str(v, "cve")
		if cve == "" && len(list(v, "ids")) == 0 {
			bad("6.1.27.8: %s: neither cve nor ids", path)
		}
		if cve != "" {
			if cves[cve] {
				bad("6.1.23: %s: %s used in more than one vulnerability", path, cve)
			}
			cves[cve] = true
		}
		if len(list(v, "notes")) == 0 {
			bad("6.1.27.5: %s.notes: missing", path)
		}
		for j, n := range list(v, "notes") {
			need(n, "category", "description", "details", "faq", "general", "legal_disclaimer", "other", "summary")
			if str(n, "text") == "" {
				bad("%s.notes[%d].text: missing", path, j)
			}
		}
		ps, _ := v.(map[string]any)["product_status"].(map[string]any)
		groupOf := map[string]string{}
		byStatus := map[string][]string{}
		for key, group := range map[string]string{
			"first_affected": "affected", "known_affected": "affected", "last_affected": "affected",
			"known_not_affected": "not affected", "first_fixed": "fixed", "fixed": "fixed",
			"under_investigation": "under investigation", "recommended": "",
		} {
			for _, id := range strs(ps, key) {
				referenced = append(referenced, id)
				byStatus[key] = append(byStatus[key], id)
				if group == "" {
					continue
				}
				if g, ok := groupOf[id]; ok && g != group {
					bad("6.1.6: %s: product %s is both %s and %s", path, id, g, group)
				}
				groupOf[id] = group
			}
		}
		if len(byStatus["fixed"])+len(byStatus["known_affected"])+len(byStatus["known_not_affected"])+len(byStatus["under_investigation"]) == 0 {
			bad("6.1.27.7: %s.product_status: none of fixed, known_affected, known_not_affected, under_investigation", path)
		}
		flagged := map[string]bool{}
		for j, f := range list(v, "flags") {
			need(f, "label", "component_not_present", "inline_mitigations_already_exist",
				"vulnerable_code_cannot_be_controlled_by_adversary", "vulnerable_code_not_in_execute_path",
				"vulnerable_code_not_present")
			ids := strs(f, "product_ids")
			if len(ids) == 0 && len(list(f, "group_ids")) == 0 {
				bad("6.1.32: %s.flags[%d]: no product_ids", path, j)
			}
			for _, id := range ids {
				if flagged[id] {
					bad("6.1.33: %s: product %s has more than one flag", path, id)
				}
				flagged[id] = true
				referenced = append(referenced, id)
			}
		}
		impact := map[string]bool{}
		for j, th := range list(v, "threats") {
			cat := need(th, "category", "exploit_status", "impact", "target_set")
			if str(th, "details") == "" {
				bad("%s.threats[%d].details: missing", path, j)
			}
			for _, id := range strs(th, "product_ids") {
				referenced = append(referenced, id)
				if cat == "impact" {
					impact[id] = true
				}
			}
		}
		remedied := map[string]bool{}
		for j, r := range list(v, "remediations") {
			need(r, "category", "mitigation", "no_fix_planned", "none_available", "vendor_fix", "workaround")
			if str(r, "details") == "" {
				bad("%s.remediations[%d].details: missing", path, j)
			}
			ids := strs(r, "product_ids")
			if len(ids) == 0 && len(list(r, "group_ids")) == 0 {
				bad("6.1.29: %s.remediations[%d]: no product_ids", path, j)
			}
			for _, id := range ids {
				remedied[id] = true
				referenced = append(referenced, id)
			}
		}
		for _, id := range byStatus["known_not_affected"] {
			if !flagged[id] && !impact[id] {
				bad("6.1.27.9: %s: known_not_affected product %s has neither flag nor impact threat", path, id)
			}
		}
		for _, id := range byStatus["known_affected"] {
			if !remedied[id] {
				bad("6.1.27.10: %s: known_affected product %s has no remediation", path, id)
			}
		}
	}
	for _, id := range referenced {
		if id != "" && !defined[id] {
			bad("6.1.1: product id %q is referenced but not defined", id)
		}
	}
	return p
}

// checkCSAF fails the test when the document breaks a rule of csafProblems.
func checkCSAF(t *testing.T, data []byte) {
	t.Helper()
	for _, p := range csafProblems(data) {
		t.Error("CSAF: " + p)
	}
}

// TestCSAFProblems shows that the checker catches what it claims to, by
// breaking a valid document one rule at a time.
func TestCSAFProblems(t *testing.T) {
	valid := readFile(t, "testdata/golden/csaf.json")
	if p := csafProblems(valid); len(p) > 0 {
		t.Fatalf("golden document has problems: %v", p)
	}
	for _, tc := range []struct {
		name   string
		mutate func(doc map[string]any)
		want   string
	}{
		{"no publisher name", func(d map[string]any) { delete(d["document"].(map[string]any)["publisher"].(map[string]any), "name") }, "document.publisher.name: missing"},
		{"wrong category", func(d map[string]any) { d["document"].(map[string]any)["category"] = "csaf_base" }, "document.category"},
		{"no product tree", func(d map[string]any) { delete(d, "product_tree") }, "6.1.27.4"},
		{"no notes", func(d map[string]any) { delete(vuln(d, 0), "notes") }, "6.1.27.5"},
		{"no ids", func(d map[string]any) { delete(vuln(d, 0), "cve"); delete(vuln(d, 0), "ids") }, "6.1.27.8"},
		{"no remediation", func(d map[string]any) {
			for i := range d["vulnerabilities"].([]any) {
				delete(vuln(d, i), "remediations")
			}
		}, "6.1.27.10"},
		{"no flags or threats", func(d map[string]any) {
			for i := range d["vulnerabilities"].([]any) {
				delete(vuln(d, i), "flags")
				delete(vuln(d, i), "threats")
			}
		}, "6.1.27.9"},
		{"undefined product", func(d map[string]any) {
			ps := vuln(d, 0)["product_status"].(map[string]any)
			ps["fixed"] = append(asList(ps["fixed"]), "CSAFPID-9999")
		}, "6.1.1"},
		{"contradicting status", func(d map[string]any) {
			ps := vuln(d, 0)["product_status"].(map[string]any)
			for _, k := range []string{"known_affected", "known_not_affected", "fixed", "under_investigation"} {
				if l := asList(ps[k]); len(l) > 0 {
					other := "fixed"
					if k == other {
						other = "known_affected"
					}
					ps[other] = append(asList(ps[other]), l[0])
					return
				}
			}
		}, "6.1.6"},
		{"duplicate cve", func(d map[string]any) {
			vuln(d, 1)["cve"] = vuln(d, 0)["cve"]
		}, "6.1.23"},
		{"revision number", func(d map[string]any) { d["document"].(map[string]any)["tracking"].(map[string]any)["version"] = "2" }, "6.1.16"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var doc map[string]any
			if err := json.Unmarshal(valid, &doc); err != nil {
				t.Fatal(err)
			}
			tc.mutate(doc)
			data, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			p := csafProblems(data)
			if !slices.ContainsFunc(p, func(s string) bool { return strings.Contains(s, tc.want) }) {
				t.Errorf("problems %v, want one containing %q", p, tc.want)
			}
		})
	}
}

func vuln(d map[string]any, i int) map[string]any {
	return d["vulnerabilities"].([]any)[i].(map[string]any)
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
