package fines

// cra derives the maximum for an Art. 64 CRA offence: dates of application
// (Art. 71(2)), the exemptions of Art. 64(10) and the higher of the fixed
// amount and the share of worldwide turnover. What German law adds
// (authority, limitation, OWiG) is not known and is said so.
func (d *derivation) cra(o *Offence, c Case) error {
	day := d.res.AsOf
	st := o.cat.Statute
	if day < st.ValidFrom {
		return fieldErr("as_of", "%s is before the CRA entered into force (%s)", day, st.ValidFrom)
	}
	if day < o.EarlyFrom {
		return fieldErr("as_of", "%s is before any duty sanctioned by offence %s applies (from %s; Art. 64 itself applies from %s, Art. 71(2) CRA)", day, o.ID, o.EarlyFrom, o.ValidFrom)
	}
	d.step(st.Meta, st.StatusOn(day), st.Text)
	d.provision(ruleCRADates)
	if day < o.ValidFrom {
		d.provision(ruleCRAEarly)
	}
	d.offence(o, day)

	switch {
	case c.OpenSourceSteward:
		d.noFine(ruleCRASteward)
		return nil
	case c.MicroOrSmall && o.MicroSmallExempt:
		d.noFine(ruleCRAMicro)
		return nil
	case c.MicroOrSmall:
		d.provision(ruleCRAMicroScope)
	}

	t := o.Tiers[0]
	d.res.Tier = t.Tier
	d.set(t.MaxEUR)
	d.step(t.Meta, t.Status, t.Title)
	if err := d.turnoverCap(o, t, c); err != nil {
		return err
	}
	// Authority, limitation, negligence, corporate fines and §17(4) OWiG all
	// depend on the German implementing act, which was not found.
	d.provision(o.AuthorityRule)
	return nil
}
