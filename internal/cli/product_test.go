package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestProductGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"product_class1_en", []string{"product", "--lang", "en", "--category", "annex3.1.11", "--placed-on", "2028-01-15"}},
		{"product_class1_standards_de", []string{"product", "--lang", "de", "--category", "annex3.1.11", "--harmonised-standards", "--placed-on", "2028-01-15"}},
		{"product_foss_de", []string{"product", "--lang", "de", "--category", "annex3.1.12", "--category", "annex3.2.1", "--foss-public-docs", "--placed-on", "2027-03-01", "--support-years", "3"}},
		{"product_critical_en", []string{"product", "--lang", "en", "--category", "annex4.2", "--category", "annex3.1.13"}},
		{"product_default_en", []string{"product", "--lang", "en", "--eu-scheme", "--placed-on", "2028-02-29", "--support-years", "8"}},
		{"product_json", []string{"product", "--json", "--category", "annex3.2.2", "--placed-on", "2028-02-29"}},
		{"product_list_en", []string{"product", "--lang", "en", "--list"}},
		{"product_list_de", []string{"product", "--lang", "de", "--list"}},
	} {
		t.Run(tc.name, func(t *testing.T) { goldenRun(t, tc.name, "", tc.args...) })
	}
}

func TestProductJSON(t *testing.T) {
	stdout, _, code := runCLI(t, "", "product", "--json", "--category", "annex3.1.3", "--placed-on", "2028-01-15")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	var v struct {
		Classification struct{ Class string } `json:"classification"`
		Conformity     struct {
			Routes []struct {
				ID   string `json:"id"`
				Open bool   `json:"open"`
			} `json:"routes"`
		} `json:"conformity"`
		Support struct {
			End          string `json:"end"`
			EndStatement string `json:"end_statement"`
		} `json:"support"`
	}
	if err := json.Unmarshal([]byte(stdout), &v); err != nil {
		t.Fatal(err)
	}
	if v.Classification.Class != "important_class_1" || v.Support.End != "2033-01-15" || v.Support.EndStatement != "01/2033" {
		t.Errorf("unexpected result: %+v", v)
	}
	for _, r := range v.Conformity.Routes {
		if r.ID == "module_a" && r.Open {
			t.Errorf("Module A open for class I without harmonised standards")
		}
	}
}

func TestProductBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--category", "annex3.1.20"}, `--category: category 1: "annex3.1.20"`},
		{[]string{"--category", "annex3.1.1", "--category", "os"}, "--category: category 2"},
		{[]string{"--placed-on", "15.01.2028"}, "--placed-on: "},
		{[]string{"--placed-on", "2028-01-15", "--support-years", "0"}, "--support-years: "},
		{[]string{"--support-years", "7"}, "--support-years: needs --placed-on"},
		{[]string{"--support-years", "x"}, "invalid argument"},
	} {
		_, stderr, code := runCLI(t, "", append([]string{"product"}, tc.args...)...)
		if code != ExitInput || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

func TestProductHelp(t *testing.T) {
	stdout, _, code := runCLI(t, "", "product", "--help")
	if code != ExitOK || !strings.Contains(stdout, "Examples:") || !strings.Contains(stdout, "--placed-on") {
		t.Errorf("help without examples or flags (exit %d):\n%s", code, stdout)
	}
}
