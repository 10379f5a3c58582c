package fines

import (
	"github.com/pflicht/pflicht/internal/law"
)

// bsig derives the maximum for a §65 BSIG offence: tier of §65(5), the
// turnover caps of §65(6)-(8), §17(2) OWiG as limited by §65(9), §30(2) OWiG
// for legal persons, §17(4) OWiG, authority (§65(10)) and limitation.
func (d *derivation) bsig(o *Offence, c Case) error {
	day := d.res.AsOf
	st := o.cat.Statute
	if day < st.ValidFrom {
		return fieldErr("as_of", "%s is before BSIG 2025 applies (from %s, a date not verified)", day, st.ValidFrom)
	}
	d.step(st.Meta, st.StatusOn(day), st.Text)
	d.offence(o, day)

	switch {
	case o.MensRea == Intent && c.Negligent:
		return fieldErr("negligent", "offence %s (%s) can only be committed intentionally (§ 10 OWiG); the negligent act is offence 65.3 (§ 65 Abs. 3 BSIG)", o.ID, o.Citation)
	case o.MensRea == Negligence && !c.Negligent:
		return fieldErr("negligent", "offence %s (%s) is the negligent act; set negligent to true, or use offence 65.1 for intent", o.ID, o.Citation)
	case o.MensRea == Intent:
		d.provision(ruleIntentOnly)
	}

	if c.FederalAdministration {
		d.noFine(ruleFederalAdmin)
		return nil
	}
	if c.GDPRFinedSameConduct {
		d.noFine(ruleGDPR)
		return nil
	}

	t, err := tierFor(o, c.EntityClass)
	if err != nil {
		return err
	}
	d.res.Tier = t.Tier
	d.set(t.MaxEUR)
	d.step(t.Meta, t.Status, t.Title)
	if o.ID == "65.2.17" && c.EntityClass == Wichtig {
		d.provision(rule17Wichtig)
	}
	if t.Cap != nil {
		d.provision(ruleTurnover)
	}
	if err := d.turnoverCap(o, t, c); err != nil {
		return err
	}

	// §17(2) OWiG halves the maximum for negligence unless §65(9) excludes it
	// or §65(1)/(3) set their own maxima for intent and negligence.
	halved := false
	switch {
	case !c.Negligent:
	case t.NoHalving:
		d.provision(ruleNoHalving)
	case o.MensRea == Negligence:
		d.provision(ruleOwnNegligence)
	default:
		halved = true
		d.set(*d.amount / 2)
		d.provision(ruleHalving)
	}

	if c.LegalPerson {
		if t.Tenfold {
			if halved {
				d.provision(ruleTenfoldOrder)
			}
			d.set(*d.amount * 10)
			d.provision(ruleTenfold)
		} else {
			d.provision(ruleCorporate)
		}
	}

	if c.EconomicBenefitEUR != nil {
		d.benefit(*c.EconomicBenefitEUR)
	}

	d.res.Authority = o.Authority
	d.provision(o.AuthorityRule)

	// §31(2) Nr. 1 OWiG needs a maximum above 15 000 €; load checked that
	// every maximum of the catalogue, even halved, exceeds it.
	lim := o.cat.Limitation
	d.res.LimitationYears = lim.Years
	d.step(lim.Meta, lim.Status, lim.Text)
	for _, id := range o.Cites {
		d.provision(id)
	}
	return nil
}

// offence records the offence step, in the wording in force on day.
func (d *derivation) offence(o *Offence, day string) {
	status, citation, sanctions := o.Status, o.Citation, o.Sanctions
	m := o.Meta
	for _, w := range o.Wordings {
		if w.ValidFrom <= day && (w.ValidTo == "" || day <= w.ValidTo) {
			m = w.Meta
			status = settled(w.Status, w.SettledFrom, day)
			citation, sanctions = w.Citation, w.Sanctions
		}
	}
	m.Citation = citation
	d.step(m, status, law.Text{
		DE: "Tat " + o.ID + ": " + o.Conduct.DE + " (sanktionierte Norm: " + sanctions + ").",
		EN: "Offence " + o.ID + ": " + o.Conduct.EN + " (sanctioned norm: " + sanctions + ").",
	})
}

// benefit records what §17(4) OWiG says about the economic benefit.
func (d *derivation) benefit(b float64) {
	p := reg.provisions[ruleBenefit]
	exceeds := b > *d.amount
	outcome := law.Text{
		DE: "Das Höchstmaß reicht aus, damit die Geldbuße den wirtschaftlichen Vorteil übersteigt.",
		EN: "The maximum suffices for the fine to exceed the economic benefit.",
	}
	if exceeds {
		outcome = law.Text{
			DE: "Der wirtschaftliche Vorteil übersteigt das Höchstmaß: § 17 Abs. 4 OWiG erlaubt eine Geldbuße über dem Höchstmaß, damit sie den Vorteil übersteigt.",
			EN: "The economic benefit exceeds the maximum: § 17(4) OWiG allows a fine above the maximum so that it exceeds the benefit.",
		}
	}
	text := join(p.Text, outcome)
	d.res.Benefit = &Benefit{EconomicBenefitEUR: b, ExceedsMax: exceeds, Citation: p.Citation, Text: outcome}
	d.step(p.Meta, p.Status, text)
}
