// Package cra holds the product side of the Cyber Resilience Act
// (Regulation (EU) 2024/2847): the Annex III and IV product categories and
// the class they give a product, the Art. 32 conformity-assessment routes
// open to each class, the Art. 13 support and retention periods and the
// dates of application. Its rules are embedded data (data/*.yaml); it is pure.
package cra

import (
	"embed"
	"fmt"
	"io/fs"
	"time"

	"github.com/pflicht/pflicht/internal/law"
)

//go:embed data/*.yaml
var dataFS embed.FS

// Class is the CRA class of a product with digital elements.
type Class string

// Classes, in ascending order of scrutiny.
const (
	Default         Class = "default"
	ImportantClass1 Class = "important_class_1"
	ImportantClass2 Class = "important_class_2"
	Critical        Class = "critical"
	// foss marks the Art. 32(5) rule in routes.yaml; it is no product class.
	foss Class = "foss"
)

var classRank = map[Class]int{Default: 0, ImportantClass1: 1, ImportantClass2: 2, Critical: 3}

// Category is one Annex III or Annex IV product category.
type Category struct {
	law.Meta `yaml:",inline"`
	Class    Class `yaml:"class" json:"class"`
}

// Route is one conformity-assessment procedure.
type Route struct {
	ID       string   `yaml:"id" json:"id"`
	Name     law.Text `yaml:"name" json:"name"`
	Citation string   `yaml:"citation" json:"citation"`
}

// classRule lists the routes Art. 32 opens to one class.
type classRule struct {
	law.Meta `yaml:",inline"`
	Explain  law.Text    `yaml:"explain"`
	Class    Class       `yaml:"class"`
	Open     []routeRule `yaml:"open"`
}

type routeRule struct {
	Route  string `yaml:"route"`
	If     string `yaml:"if,omitempty"`
	Unless string `yaml:"unless,omitempty"`
}

type condition struct {
	ID string `yaml:"id"`
	DE string `yaml:"de"`
	EN string `yaml:"en"`
}

// Period is an Art. 13 duration (Years == 0 for a duty without a length).
type Period struct {
	law.Meta `yaml:",inline"`
	Years    int      `yaml:"years,omitempty"`
	Explain  law.Text `yaml:"explain,omitempty"`
}

// Date is a date of application (Art. 69, 71).
type Date struct {
	law.Meta `yaml:",inline"`
	Date     string `yaml:"date" json:"date"`
}

type catalogue struct {
	categories []Category
	category   map[string]Category
	routes     []Route
	classes    map[Class]classRule
	classOrder []classRule
	conditions map[string]law.Text
	periods    map[string]Period
	periodList []Period
	dates      []Date
	applies    time.Time // Art. 71(2): Art. 13 and 32 apply from this day
}

var cat = mustLoad(dataFS)

func mustLoad(fsys fs.FS) *catalogue {
	c, err := load(fsys)
	if err != nil {
		// The data is embedded and tested; this only fails on a broken build.
		panic(err)
	}
	return c
}

func decode(fsys fs.FS, name string, v any) error {
	data, err := fs.ReadFile(fsys, "data/"+name)
	if err != nil {
		return fmt.Errorf("cra: %w", err)
	}
	if err := law.DecodeYAML(name, data, v); err != nil {
		return fmt.Errorf("cra: %w", err)
	}
	return nil
}

func load(fsys fs.FS) (*catalogue, error) {
	c := &catalogue{
		category: map[string]Category{}, classes: map[Class]classRule{},
		conditions: map[string]law.Text{}, periods: map[string]Period{},
	}
	var annex struct {
		Categories []Category `yaml:"categories"`
	}
	var routes struct {
		Routes     []Route     `yaml:"routes"`
		Classes    []classRule `yaml:"classes"`
		Conditions []condition `yaml:"conditions"`
	}
	var obl struct {
		Periods []Period `yaml:"periods"`
		Dates   []Date   `yaml:"dates"`
	}
	for name, v := range map[string]any{"annex.yaml": &annex, "routes.yaml": &routes, "obligations.yaml": &obl} {
		if err := decode(fsys, name, v); err != nil {
			return nil, err
		}
	}
	for _, k := range annex.Categories {
		if err := k.Validate(); err != nil {
			return nil, fmt.Errorf("cra: annex.yaml: %w", err)
		}
		if _, ok := classRank[k.Class]; !ok || k.Class == Default {
			return nil, fmt.Errorf("cra: annex.yaml: %s: class %q", k.ID, k.Class)
		}
		if _, dup := c.category[k.ID]; dup {
			return nil, fmt.Errorf("cra: annex.yaml: duplicate id %s", k.ID)
		}
		c.category[k.ID] = k
		c.categories = append(c.categories, k)
	}
	for _, cd := range routes.Conditions {
		c.conditions[cd.ID] = law.Text{DE: cd.DE, EN: cd.EN}
	}
	known := map[string]bool{}
	for _, r := range routes.Routes {
		known[r.ID] = true
		c.routes = append(c.routes, r)
	}
	for _, cr := range routes.Classes {
		if err := cr.Validate(); err != nil {
			return nil, fmt.Errorf("cra: routes.yaml: %w", err)
		}
		if cr.Explain.DE == "" || cr.Explain.EN == "" {
			return nil, fmt.Errorf("cra: routes.yaml: %s: explain needs de and en", cr.ID)
		}
		for _, o := range cr.Open {
			_, okIf := c.conditions[o.If]
			_, okUnless := c.conditions[o.Unless]
			switch {
			case !known[o.Route]:
				return nil, fmt.Errorf("cra: routes.yaml: %s: unknown route %q", cr.ID, o.Route)
			case o.If != "" && !okIf, o.Unless != "" && !okUnless:
				return nil, fmt.Errorf("cra: routes.yaml: %s: route %s: unknown condition", cr.ID, o.Route)
			}
		}
		c.classes[cr.Class] = cr
		c.classOrder = append(c.classOrder, cr)
	}
	for cl := range classRank {
		if _, ok := c.classes[cl]; !ok {
			return nil, fmt.Errorf("cra: routes.yaml: no rule for class %s", cl)
		}
	}
	if _, ok := c.classes[foss]; !ok {
		return nil, fmt.Errorf("cra: routes.yaml: no rule for class %s", foss)
	}
	for _, p := range obl.Periods {
		if err := p.Validate(); err != nil {
			return nil, fmt.Errorf("cra: obligations.yaml: %w", err)
		}
		c.periods[p.ID] = p
		c.periodList = append(c.periodList, p)
	}
	for _, id := range []string{art13_8, art13_9, art13_13, art13_19, periodCount} {
		if _, ok := c.periods[id]; !ok {
			return nil, fmt.Errorf("cra: obligations.yaml: rule %s missing", id)
		}
	}
	for _, d := range obl.Dates {
		if err := d.Validate(); err != nil {
			return nil, fmt.Errorf("cra: obligations.yaml: %w", err)
		}
		if _, err := law.ParseDate(d.Date); err != nil {
			return nil, fmt.Errorf("cra: obligations.yaml: %s: date: %w", d.ID, err)
		}
		c.dates = append(c.dates, d)
		if d.ID == "cra.71.2" {
			c.applies, _ = law.ParseDate(d.Date)
		}
	}
	if c.applies.IsZero() {
		return nil, fmt.Errorf("cra: obligations.yaml: date cra.71.2 missing")
	}
	return c, nil
}

// Categories lists the Annex III and IV categories in annex order.
func Categories() []Category { return cat.categories }

// Dates lists the dates of application (Art. 69, 71) in order.
func Dates() []Date { return cat.dates }

// Rules lists every CRA product rule for review (`pflicht law`).
func Rules() []law.Rule {
	var out []law.Rule
	for _, k := range cat.categories {
		out = append(out, law.Rule{Meta: k.Meta, Kind: "cra"})
	}
	for _, cr := range cat.classOrder {
		out = append(out, law.Rule{Meta: cr.Meta, Kind: "cra"})
	}
	for _, p := range cat.periodList {
		out = append(out, law.Rule{Meta: p.Meta, Kind: "cra"})
	}
	for _, d := range cat.dates {
		out = append(out, law.Rule{Meta: d.Meta, Kind: "cra"})
	}
	return out
}
