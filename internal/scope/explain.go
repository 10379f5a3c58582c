package scope

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pflicht/pflicht/internal/clock"
	"github.com/pflicht/pflicht/internal/law"
)

// builder assembles the explained result of Check. The class it finds must
// equal decide's; TestCheckAgreesWithClassify holds the two together.
type builder struct {
	p     *Profile
	facts fact
	asOf  time.Time
	r     Result
}

func tx(de, en string) law.Text { return law.Text{DE: de, EN: en} }

func (b *builder) add(s Step) { b.r.Reasons = append(b.r.Reasons, s) }

func (b *builder) note(id string, o Outcome) Step {
	n := data.notes[id]
	return Step{ID: n.ID, Citation: n.Citation, Title: n.Title, Text: n.Text, Outcome: o, Status: n.Status}
}

func (b *builder) missing(field string) {
	if !slices.Contains(b.r.Missing, field) {
		b.r.Missing = append(b.r.Missing, field)
	}
}

func (b *builder) run() {
	e := data.entry
	from := germanDate(e.ValidFrom)
	if dayKey(b.asOf) < data.entryDay {
		b.add(Step{ID: e.ID, Citation: e.Citation, Title: e.Title, Outcome: NotMet, Status: e.Status, Text: tx(
			fmt.Sprintf("Am %s war das BSIG 2025 noch nicht in Kraft (Inkrafttreten angenommen am %s, nicht geprüft): keine Einstufung. Das frühere BSIG prüft pflicht nicht.", germanDate(b.r.AsOf), from),
			fmt.Sprintf("On %s BSIG 2025 was not yet in force (entry into force assumed on %s, not verified): no class. pflicht does not check the former BSIG.", b.r.AsOf, e.ValidFrom))})
		return
	}
	b.r.InForce = true
	settled := germanDate(e.SettledFrom)
	text := tx(
		fmt.Sprintf("In Kraft seit %s (Datum angenommen, nicht geprüft); sicher erst ab %s, dem letzten Tag, den § 66 für eine geltende Fassung nennt.", from, settled),
		fmt.Sprintf("In force since %s (date assumed, not verified); certain only from %s, the last day § 66 names for a wording in force.", e.ValidFrom, e.SettledFrom))
	if e.StatusOn(b.r.AsOf) == law.Verified {
		text = tx(
			fmt.Sprintf("In Kraft (seit %s angenommen); spätestens seit %s sicher, denn § 66 nennt eine bis dahin geltende Fassung.", from, settled),
			fmt.Sprintf("In force (assumed since %s); certain since %s at the latest, as § 66 names a wording in force until then.", e.ValidFrom, e.SettledFrom))
	}
	b.add(Step{ID: e.ID, Citation: e.Citation, Title: e.Title, Outcome: Met, Status: e.StatusOn(b.r.AsOf), Text: text})
	for i := range data.carveOuts {
		if c := &data.carveOuts[i]; c.ExcludesLaw && b.facts&c.when == c.when {
			b.r.CarveOuts = append(b.r.CarveOuts, CarveOut{ID: c.ID, Citation: c.Citation, Title: c.Title, Text: c.Text, Applied: true, Status: c.Status})
			b.add(Step{ID: c.ID, Citation: c.Citation, Title: c.Title, Text: c.Text, Outcome: Met, Status: c.Status})
			return
		}
	}
	b.activities()
	b.size()
	b.classify()
	b.r.KRITIS = b.p.KRITISOperator

	federalRegime := b.r.Class == None && b.facts&fFederal != 0
	registrar := b.facts&fDomainRegistrar != 0
	b.r.InScope = b.r.Class != None || federalRegime || registrar
	// Without a class, the rule that still gives duties stands in as Rule.
	for _, n := range []struct {
		id string
		on bool
	}{{"29.1", federalRegime}, {"DNR", registrar}} {
		if !n.on {
			continue
		}
		s := b.note(n.id, Met)
		b.add(s)
		if b.r.Rule == nil {
			b.r.Rule = &s
		}
	}
	if !b.r.InScope {
		return
	}
	sel := b.facts
	switch {
	case b.r.Class == BesondersWichtig || federalRegime:
		sel |= fBesondersWichtig | fInScope
	case b.r.Class == Wichtig:
		sel |= fWichtig | fInScope
	}
	disabled, limited := b.carveOuts()
	b.explainQualified()
	b.obligations(sel, disabled, limited)
	b.jurisdiction()
	if len(b.r.Pending) > 0 {
		b.add(b.note("66", Info))
	}
	b.add(b.note("37", Info))
}

func (b *builder) activities() {
	if len(b.p.Activities) == 0 {
		b.add(Step{ID: "Anlagen", Citation: "Anlagen 1, 2 BSIG", Outcome: Info, Status: law.Verified,
			Title: tx("Einrichtungsart", "Type of entity"),
			Text:  tx("Keine Einrichtungsart nach Anlage 1 oder 2 angegeben.", "No type of entity of Anlage 1 or 2 given.")})
		return
	}
	for _, id := range b.p.Activities {
		a := data.activities[data.byID[id]]
		sector, branch := a.Sector, a.Branch
		de, en := "Sektor "+sector.DE, "Sector "+sector.EN
		if branch.DE != "" {
			de += ", Branche " + branch.DE
			en += ", branch " + branch.EN
		}
		if a.Definition != "" {
			de += "; Begriff: " + a.Definition
			en += "; definition: " + a.Definition
		}
		b.add(Step{ID: a.ID, Citation: a.Citation, Title: a.Title, Text: tx(de+".", en+"."), Outcome: Met, Status: a.Status})
	}
	b.add(b.note("28.3", Info))
}

// size explains §28(4) when a size threshold can matter.
func (b *builder) size() {
	relevant := false
	for i := range data.classRules {
		if r := &data.classRules[i]; r.Threshold != nil && b.facts&r.when != 0 {
			relevant = true
		}
	}
	if !relevant {
		return
	}
	s := b.note("28.4.S1", Info)
	s.Text.DE += " " + labels["de"].given + " " + b.figures("de") + "."
	s.Text.EN += " " + labels["en"].given + " " + b.figures("en") + "."
	b.add(s)
	b.add(b.note("28.4.S2", Info))
	b.add(b.note("2003/361/EG", Info))
}

func (b *builder) figures(lang string) string {
	l := labels[lang]
	return strings.Join([]string{
		l.employees + " " + orUnknown(b.p.Employees, lang, num),
		l.turnover + " " + orUnknown(b.p.TurnoverEUR, lang, eur),
		l.balance + " " + orUnknown(b.p.BalanceSheetEUR, lang, eur),
	}, ", ")
}

func orUnknown(v *float64, lang string, f func(float64, string) string) string {
	if v == nil {
		return labels[lang].unknown
	}
	return f(*v, lang)
}

func (b *builder) classify() {
	for i := range data.classRules {
		r := &data.classRules[i]
		s := Step{ID: r.ID, Citation: r.Citation, Title: r.Title, Status: r.Status}
		present := b.facts & r.when
		switch {
		case present == 0:
			s.Outcome = NotMet
			s.Text = tx("Nicht erfüllt: es liegt nichts davon vor: "+factList(r.when, "de", " oder ")+".",
				"Not met: none of these applies: "+factList(r.when, "en", " or ")+".")
		case r.Threshold != nil && !r.Threshold.met(b.p):
			s.Outcome = NotMet
			s.Text = tx("Nicht erfüllt: "+factList(present, "de", ", ")+" liegt vor, aber die Größenschwelle ist nicht erreicht. "+b.threshold(r.Threshold, "de"),
				"Not met: "+factList(present, "en", ", ")+" applies, but the size threshold is not reached. "+b.threshold(r.Threshold, "en"))
			for _, f := range [...]struct {
				name string
				v    *float64
			}{{"employees", b.p.Employees}, {"turnover_eur", b.p.TurnoverEUR}, {"balance_sheet_eur", b.p.BalanceSheetEUR}} {
				if f.v == nil {
					b.missing(f.name)
				}
			}
		case r.excl != nil && b.facts&r.excl.when == r.excl.when:
			s.Outcome = Excluded
			s.Text = tx("Voraussetzungen erfüllt, aber ausgeschlossen nach "+r.excl.Citation+".",
				"Requirements met, but excluded by "+r.excl.Citation+".")
			b.add(s)
			x := r.excl
			b.add(Step{ID: x.ID, Citation: x.Citation, Title: x.Title, Outcome: Met, Status: x.Status,
				Text: tx("Erfüllt: "+factList(x.when, "de", ", ")+".", "Met: "+factList(x.when, "en", ", ")+".")})
			continue
		default:
			s.Outcome = Met
			de := "Erfüllt: " + factList(present, "de", ", ") + "."
			en := "Met: " + factList(present, "en", ", ") + "."
			if r.Threshold != nil {
				de += " " + b.threshold(r.Threshold, "de")
				en += " " + b.threshold(r.Threshold, "en")
			} else {
				de += " Die Größe spielt keine Rolle."
				en += " Size does not matter."
			}
			de += " → " + r.Class.Title().DE + "."
			en += " → " + r.Class.Title().EN + "."
			s.Text = tx(de, en)
			b.r.Class = r.Class
			b.add(s)
			rule := s
			b.r.Rule = &rule
			return
		}
		b.add(s)
	}
	b.add(Step{ID: "28", Citation: "§ 28 Abs. 1, 2 BSIG", Outcome: NotMet, Status: law.Verified,
		Title: tx("Ergebnis der Einstufung", "Result of the classification"),
		Text:  tx("Keine der Regeln des § 28 Abs. 1 und 2 trifft zu: keine besonders wichtige oder wichtige Einrichtung.", "None of the rules of § 28(1) and (2) applies: not a particularly important or important entity.")})
}

// threshold explains a size rule against the profile's figures.
func (b *builder) threshold(t *Threshold, lang string) string {
	l := labels[lang]
	var sb strings.Builder
	fmt.Fprintf(&sb, l.thresholdRule, num(t.Employees, lang), eur(t.TurnoverEUR, lang), eur(t.BalanceSheetEUR, lang))
	sb.WriteString(" " + l.given + " ")
	sb.WriteString(l.employees + " " + compare(b.p.Employees, t.Employees, true, lang, num))
	sb.WriteString("; ")
	sb.WriteString(l.turnover + " " + compare(b.p.TurnoverEUR, t.TurnoverEUR, false, lang, eur))
	sb.WriteString(", ")
	sb.WriteString(l.balance + " " + compare(b.p.BalanceSheetEUR, t.BalanceSheetEUR, false, lang, eur))
	sb.WriteString(".")
	return sb.String()
}

// compare shows a figure against its limit: "49 < 50" (atLeast: met at >=)
// or "9.000.000 € ≤ 10.000.000 €" (met only above the limit).
func compare(v *float64, limit float64, atLeast bool, lang string, f func(float64, string) string) string {
	if v == nil {
		return labels[lang].unknown
	}
	op := ""
	switch {
	case atLeast && *v >= limit:
		op = "≥"
	case atLeast:
		op = "<"
	case *v > limit:
		op = ">"
	default:
		op = "≤"
	}
	return f(*v, lang) + " " + op + " " + f(limit, lang)
}

func (b *builder) carveOuts() (disabled map[int]int, limited map[int][]string) {
	disabled, limited = make(map[int]int), make(map[int][]string)
	for i := range data.carveOuts {
		c := &data.carveOuts[i]
		if c.ExcludesLaw || b.facts&c.when != c.when {
			continue
		}
		co := CarveOut{ID: c.ID, Citation: c.Citation, Title: c.Title, Text: c.Text, Applied: true, Status: c.Status}
		if c.only != 0 && b.activityWithout(c.only) || b.facts&c.limitedIf != 0 {
			co.Applied, co.Limited = false, c.Limited
		}
		idx := len(b.r.CarveOuts)
		b.r.CarveOuts = append(b.r.CarveOuts, co)
		for _, p := range c.Disables {
			if !co.Applied {
				limited[p] = append(limited[p], c.ID)
			} else if _, ok := disabled[p]; !ok {
				disabled[p] = idx
			}
		}
	}
	return disabled, limited
}

func (b *builder) activityWithout(f fact) bool {
	for _, id := range b.p.Activities {
		if data.activities[data.byID[id]].flags&f == 0 {
			return true
		}
	}
	return false
}

func (o *obligationRule) applies(sel fact) bool {
	for _, m := range o.appliesTo {
		if sel&m == m {
			return true
		}
	}
	return false
}

func (b *builder) obligations(sel fact, disabled map[int]int, limited map[int][]string) {
	for i := range data.obligations {
		o := &data.obligations[i]
		if !o.InForce(b.asOf) || !o.applies(sel) {
			continue
		}
		ob := Obligation{
			ID: o.ID, Norm: o.Citation, Title: o.Title, Trigger: o.Trigger, Deadline: o.Deadline, Items: o.Items,
			Status: o.Status, Wording: o.Wording, ValidFrom: o.ValidFrom, ValidTo: o.ValidTo, Source: o.Source, Note: o.Note,
		}
		if o.Awaits != nil {
			ob.Awaits = o.Awaits
			b.r.Pending = append(b.r.Pending, ob)
			continue
		}
		if idx, ok := disabled[o.Paragraph]; ok {
			b.r.CarveOuts[idx].Disabled = append(b.r.CarveOuts[idx].Disabled, o.ID)
			continue
		}
		ob.LimitedBy = limited[o.Paragraph]
		b.due(o, &ob)
		b.r.Obligations = append(b.r.Obligations, ob)
		if o.WithMeasures {
			for _, m := range data.measures {
				if m.InForce(b.asOf) {
					b.r.Measures = append(b.r.Measures, m)
				}
			}
		}
	}
}

// due sets the due date: a fixed date of the statute, or months after the
// day the entity qualified (§§187(1), 188(2) BGB, package clock). A computed
// date is only as sure as the counting method and, where the period runs
// from the entry into force, that date: DueStatus says so.
func (b *builder) due(o *obligationRule, ob *Obligation) {
	var end time.Time
	switch {
	case !o.dueDate.IsZero():
		end = o.dueDate
		ob.DueStatus = law.Verified
	case o.DueMonths > 0:
		if b.p.QualifiedSince.IsZero() {
			b.missing("qualified_since")
			return
		}
		end = clock.PeriodEnd(b.qualified(), o.DueMonths, clock.Months)
		ob.DueStatus = clock.Method(clock.CountBGB).Status
		if dayKey(b.p.QualifiedSince) < data.entryDay && data.entry.Status == law.Unverified {
			// Runs from the assumed first day itself, which settling the law
			// later does not confirm.
			ob.DueStatus = law.Unverified
		}
	default:
		return
	}
	last := end.In(law.Berlin).AddDate(0, 0, -1)
	ob.Due = &end
	ob.DueLastDay = last.Format(law.DateLayout)
	ob.DeadlinePassed = dayKey(b.asOf) > dayKey(last)
}

// qualified is the event the registration periods run from: the day the
// entity qualified, but not before the law was in force (explained by
// explainQualified).
func (b *builder) qualified() time.Time {
	q := b.p.QualifiedSince
	if dayKey(q) < data.entryDay {
		q, _ = law.ParseDate(data.entry.ValidFrom) // validated at init
	}
	y, m, d := q.Date()
	// Noon: the event's calendar day is the same in every zone's reading.
	return time.Date(y, m, d, 12, 0, 0, 0, law.Berlin)
}

func (b *builder) explainQualified() {
	if b.p.QualifiedSince.IsZero() || dayKey(b.p.QualifiedSince) >= data.entryDay {
		return
	}
	e := data.entry
	b.add(Step{ID: "qualified_since", Citation: "§ 33 Abs. 1 BSIG", Outcome: Info, Status: e.Status,
		Title: tx("Beginn der Registrierungsfrist", "Start of the registration period"),
		Text: tx(fmt.Sprintf("qualified_since liegt vor dem Inkrafttreten; die Fristen laufen ab dem Inkrafttreten (%s, angenommen).", germanDate(e.ValidFrom)),
			fmt.Sprintf("qualified_since is before the entry into force; the periods run from the entry into force (%s, assumed).", e.ValidFrom))})
}

func (b *builder) jurisdiction() {
	add := func(id string) {
		n := data.jurisdiction[id]
		b.r.Jurisdiction = append(b.r.Jurisdiction, Step{ID: n.ID, Citation: n.Citation, Title: n.Title, Text: n.Text, Outcome: Info, Status: n.Status})
	}
	add("59")
	if b.facts&(fArt60|fDomainRegistrar) == 0 {
		return
	}
	switch b.p.MainEstablishment {
	case InGermany:
		add("60.1")
	case InOtherEU:
		add("60.1-other")
	case OutsideEU:
		add("60.3")
		if b.p.Representative == "" || b.p.Representative == NoneDesigned {
			add("60.3-none")
		}
		add("60.4")
	default:
		add("60.2")
		b.missing("main_establishment")
	}
}

// factList names facts for the trace; activity facts by the Anlage ids that
// carry them, so the text follows the data.
func factList(f fact, lang, sep string) string {
	var parts []string
	for bit := fact(1); bit != 0 && bit <= f; bit <<= 1 {
		if f&bit == 0 {
			continue
		}
		if l, ok := factLabels[bit]; ok {
			parts = append(parts, l.In(lang))
			continue
		}
		var ids []string
		for _, a := range data.activities {
			if a.flags&bit != 0 {
				ids = append(ids, a.ID)
			}
		}
		parts = append(parts, labels[lang].activity+" "+strings.Join(ids, "/"))
	}
	return strings.Join(parts, sep)
}

var factLabels = map[fact]law.Text{
	fKRITIS:  tx("Betreiber kritischer Anlagen (kritis_operator)", "operator of critical installations (kritis_operator)"),
	fQTSP:    tx("qualifizierter Vertrauensdiensteanbieter (qualified_trust_service_provider)", "qualified trust service provider (qualified_trust_service_provider)"),
	fFederal: tx("Einrichtung der Bundesverwaltung (federal_administration)", "federal administration entity (federal_administration)"),
	fAnlage1: tx("eine Einrichtungsart nach Anlage 1", "a type of entity of Anlage 1"),
	fAnlage2: tx("eine Einrichtungsart nach Anlage 2", "a type of entity of Anlage 2"),
}

type langLabels struct {
	employees, turnover, balance, unknown, activity, given, thresholdRule string
}

var labels = map[string]langLabels{
	"de": {"Mitarbeiter", "Jahresumsatz", "Jahresbilanzsumme", "nicht angegeben", "Einrichtungsart", "Angaben:",
		"Schwelle: mindestens %s Mitarbeiter oder Jahresumsatz über %s und Jahresbilanzsumme über %s."},
	"en": {"employees", "annual turnover", "balance sheet total", "not given", "type of entity", "Given:",
		"Threshold: at least %s employees, or annual turnover above %s and balance sheet total above %s."},
}

// Title names the class in German and English.
func (c Class) Title() law.Text {
	switch c {
	case BesondersWichtig:
		return tx("besonders wichtige Einrichtung", "particularly important entity")
	case Wichtig:
		return tx("wichtige Einrichtung", "important entity")
	}
	return tx("keine Einrichtung nach § 28", "no entity under § 28")
}

// num formats a number with German or English digit grouping.
func num(v float64, lang string) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	whole, frac, _ := strings.Cut(s, ".")
	group, point := ",", "."
	if lang == "de" {
		group, point = ".", ","
	}
	var sb strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			sb.WriteString(group)
		}
		sb.WriteRune(c)
	}
	if frac != "" {
		sb.WriteString(point + frac)
	}
	return sb.String()
}

func eur(v float64, lang string) string {
	if lang == "de" {
		return num(v, lang) + " €"
	}
	return "EUR " + num(v, lang)
}

// germanDate turns YYYY-MM-DD into DD.MM.YYYY.
func germanDate(s string) string {
	t, err := law.ParseDate(s)
	if err != nil {
		return s
	}
	return t.Format("02.01.2006")
}
