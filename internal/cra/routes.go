package cra

import (
	"fmt"
	"time"

	"github.com/pflicht/pflicht/internal/law"
)

// Facts are what decides between the Art. 32 routes besides the class.
type Facts struct {
	// HarmonisedStandardsAppliedInFull: harmonised standards, common
	// specifications or an EU scheme at level at least "substantial" were
	// applied in full (Art. 32(2)).
	HarmonisedStandardsAppliedInFull bool
	// FOSSPublicTechDoc: the product is free and open-source software whose
	// technical documentation is public when placed on the market (Art. 32(5)).
	FOSSPublicTechDoc bool
	// EUSchemeAvailable: a European cybersecurity certification scheme is
	// available for the product (for Annex IV: one under Art. 8(1)).
	EUSchemeAvailable bool
}

// RouteOption is one route and whether it is open, with the provision that
// decides and why.
type RouteOption struct {
	Route
	Open  bool     `json:"open"`
	Basis string   `json:"basis"`
	Why   law.Text `json:"why"`
}

// Note is a caveat attached to a result.
type Note struct {
	Citation string     `json:"citation"`
	Text     law.Text   `json:"text"`
	Status   law.Status `json:"status"`
}

// Assessment lists the conformity-assessment routes for a class.
type Assessment struct {
	Class  Class         `json:"class"`
	Rule   string        `json:"rule"`
	Routes []RouteOption `json:"routes"`
	Notes  []Note        `json:"notes"`
}

func (f Facts) holds(cond string) bool {
	switch cond {
	case "eu_scheme_available":
		return f.EUSchemeAvailable
	case "harmonised_standards_in_full":
		return f.HarmonisedStandardsAppliedInFull
	case "foss_public_tech_doc":
		return f.FOSSPublicTechDoc
	}
	return false
}

// Routes returns every route with whether Art. 32 opens it to a product of
// class with the given facts; asOf only adds a note before Art. 32 applies.
func Routes(class Class, f Facts, asOf time.Time) (Assessment, error) {
	cr, ok := cat.classes[class]
	if _, ranked := classRank[class]; !ok || !ranked {
		return Assessment{}, fmt.Errorf("cra: class %q is not one of default, important_class_1, important_class_2, critical", class)
	}
	res := Assessment{Class: class, Rule: cr.Citation}
	res.Notes = append(res.Notes, Note{Citation: cr.Citation, Status: cr.Status, Text: cr.Explain})
	rules := []classRule{cr}
	// Art. 32(5): FOSS in Annex III may also take any Art. 32(1) route.
	if fr := cat.classes[foss]; (class == ImportantClass1 || class == ImportantClass2) && f.FOSSPublicTechDoc {
		rules = append(rules, fr)
		res.Notes = append(res.Notes, Note{Citation: fr.Citation, Status: fr.Status, Text: fr.Explain})
	}
	for _, r := range cat.routes {
		opt := RouteOption{Route: r, Basis: cr.Citation, Why: law.Text{
			DE: "nicht vorgesehen in " + cr.Citation,
			EN: "not provided by " + cr.Citation,
		}}
		// The class's own rule decides first; Art. 32(5) can only open more.
		decided := false
		for _, rule := range rules {
			if o, ok := evaluate(rule, r.ID, f); ok && (!decided || o.Open && !opt.Open) {
				opt.Open, opt.Basis, opt.Why = o.Open, o.Basis, o.Why
				decided = true
			}
		}
		res.Routes = append(res.Routes, opt)
	}
	if asOf.Before(cat.applies) {
		day := cat.applies.Format("02.01.2006")
		res.Notes = append(res.Notes, Note{Citation: "Art. 71 Abs. 2 VO (EU) 2024/2847", Status: law.Verified, Text: law.Text{
			DE: "Art. 32 gilt ab dem " + day + "; vorher ist keine Konformitätsbewertung nach dem CRA vorgeschrieben.",
			EN: "Art. 32 applies from " + day + "; no CRA conformity assessment is required before.",
		}})
	}
	return res, nil
}

// evaluate applies one class rule to a route; ok is false if the rule does not name it.
func evaluate(cr classRule, routeID string, f Facts) (RouteOption, bool) {
	for _, o := range cr.Open {
		if o.Route != routeID {
			continue
		}
		opt := RouteOption{Open: true, Basis: cr.Citation, Why: law.Text{DE: "vorgesehen in " + cr.Citation, EN: "provided by " + cr.Citation}}
		switch {
		case o.If != "" && !f.holds(o.If):
			c := cat.conditions[o.If]
			opt.Open, opt.Why = false, law.Text{DE: "nur bei " + c.DE, EN: "only if " + c.EN}
		case o.Unless != "" && f.holds(o.Unless):
			c := cat.conditions[o.Unless]
			opt.Open, opt.Why = false, law.Text{DE: "nicht bei " + c.DE, EN: "not where " + c.EN}
		case o.If != "":
			c := cat.conditions[o.If]
			opt.Why = law.Text{DE: "bei " + c.DE + " (" + cr.Citation + ")", EN: c.EN + " (" + cr.Citation + ")"}
		}
		return opt, true
	}
	return RouteOption{}, false
}
