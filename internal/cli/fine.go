package cli

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/pflicht/pflicht/internal/fines"
	"github.com/pflicht/pflicht/internal/law"
	"github.com/pflicht/pflicht/internal/view"
)

// fineFlags names the flag for each JSON field, so that an error names what
// the user actually typed.
var fineFlags = map[string]string{
	"offence":                  "offence",
	"entity_class":             "class",
	"legal_person":             "legal-person",
	"natural_person_is_entity": "natural-person-is-entity",
	"negligent":                "negligent",
	"turnover_eur":             "turnover",
	"as_of":                    "as-of",
	"economic_benefit_eur":     "benefit",
	"federal_administration":   "federal-admin",
	"gdpr_fined_same_conduct":  "gdpr-fined",
	"micro_or_small":           "micro-small",
	"open_source_steward":      "steward",
}

func newFineCmd(e *env) *cobra.Command {
	var (
		in                view.FineRequest
		inPath            string
		list              bool
		turnover, benefit float64
		isEntity          bool
	)
	cmd := &cobra.Command{
		Use:   "fine",
		Short: "Maximum fine for an offence under §65 BSIG (with OWiG) or Art. 64 CRA, with its derivation",
		Long: `fine computes the statutory maximum fine for an offence of §65 BSIG 2025 (with §§10,
17, 30, 31 OWiG) or Art. 64 of the Cyber Resilience Act, and shows the derivation step by
step with the citation of every step. Readings that are not verified are marked UNVERIFIED.

Input is JSON (--in FILE or standard input) with the fields offence, entity_class
(besonders_wichtig | wichtig), legal_person, natural_person_is_entity (for a natural
person: true if it is the entity itself, e.g. a sole trader; false if it is fined for
acting for the entity, §9 OWiG; it decides whether the turnover caps of §65(6), (7)
reach the person, and without it that step is UNVERIFIED), negligent, turnover_eur (worldwide turnover
of the undertaking in the preceding business year, §65(8) BSIG), as_of (YYYY-MM-DD,
default today), economic_benefit_eur (§17(4) OWiG), federal_administration (§29(2)),
gdpr_fined_same_conduct (§65(11)), micro_or_small and open_source_steward (Art. 64(10) CRA);
or the flags below. Flags override JSON fields.

The maximum is the statutory one; where an economic benefit is given, the output says
separately whether §17(4) OWiG allows going above it.`,
		Example: `  pflicht fine --list
  pflicht fine --offence 65.2.2 --class besonders_wichtig --legal-person --turnover 1200000000
  pflicht fine --offence 65.2.1a --legal-person --negligent --lang de
  echo '{"offence":"65.2.6","negligent":true,"as_of":"2026-11-23"}' | pflicht fine --json
  pflicht fine --offence cra.64.2.ew24 --micro-small --as-of 2028-01-10`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if list {
				return e.fineList(e.today())
			}
			flags := cmd.Flags()
			if flags.Changed("turnover") {
				in.TurnoverEUR = &turnover
			}
			if flags.Changed("benefit") {
				in.EconomicBenefitEUR = &benefit
			}
			if flags.Changed(fineFlags["natural_person_is_entity"]) {
				in.NaturalPersonIsEntity = &isEntity
			}
			if inPath != "" || !flags.Changed("offence") {
				data, err := readInput(e, inPath)
				if err != nil {
					return err
				}
				var j view.FineRequest
				if err := decodeJSON(data, &j); err != nil {
					return err
				}
				in = mergeFineInput(flags, in, j)
			}
			return e.fine(in, flags)
		},
	}
	f := cmd.Flags()
	f.StringVar(&inPath, "in", "", "JSON input file (- for standard input)")
	f.BoolVar(&list, "list", false, "list all offences (BSIG and CRA) with tier and maximum")
	f.StringVar(&in.Offence, "offence", "", "offence id, e.g. 65.2.2 or cra.64.3 (see --list)")
	f.StringVar(&in.EntityClass, "class", "", "entity class: besonders_wichtig or wichtig (§28 BSIG)")
	f.BoolVar(&in.LegalPerson, "legal-person", false, "the fine is imposed on a legal person (§30 OWiG)")
	f.BoolVar(&isEntity, fineFlags["natural_person_is_entity"], false, "natural person: true if it is the entity itself (sole trader), =false if fined for acting for it (§9 OWiG)")
	f.BoolVar(&in.Negligent, "negligent", false, "the act was negligent, not intentional")
	f.Float64Var(&turnover, "turnover", 0, "worldwide turnover of the undertaking in the preceding business year, in euros")
	f.StringVar(&in.AsOf, "as-of", "", "reference date YYYY-MM-DD (default today)")
	f.Float64Var(&benefit, "benefit", 0, "economic benefit gained from the offence, in euros (§17(4) OWiG)")
	f.BoolVar(&in.FederalAdministration, "federal-admin", false, "the entity belongs to the federal administration (§29 BSIG)")
	f.BoolVar(&in.GDPRFinedSameConduct, "gdpr-fined", false, "a data protection authority fined the same conduct (§65(11) BSIG)")
	f.BoolVar(&in.MicroOrSmall, "micro-small", false, "the manufacturer is a micro or small enterprise (Art. 64(10)(a) CRA)")
	f.BoolVar(&in.OpenSourceSteward, "steward", false, "the infringer is an open-source software steward (Art. 64(10)(b) CRA)")
	return cmd
}

// mergeFineInput takes each field from the flags if set there, else from JSON.
func mergeFineInput(flags *pflag.FlagSet, fl, j view.FineRequest) view.FineRequest {
	out := j
	set := func(field string) bool { return flags.Changed(fineFlags[field]) }
	if set("offence") {
		out.Offence = fl.Offence
	}
	if set("entity_class") {
		out.EntityClass = fl.EntityClass
	}
	if set("legal_person") {
		out.LegalPerson = fl.LegalPerson
	}
	if set("natural_person_is_entity") {
		out.NaturalPersonIsEntity = fl.NaturalPersonIsEntity
	}
	if set("negligent") {
		out.Negligent = fl.Negligent
	}
	if set("turnover_eur") {
		out.TurnoverEUR = fl.TurnoverEUR
	}
	if set("as_of") {
		out.AsOf = fl.AsOf
	}
	if set("economic_benefit_eur") {
		out.EconomicBenefitEUR = fl.EconomicBenefitEUR
	}
	if set("federal_administration") {
		out.FederalAdministration = fl.FederalAdministration
	}
	if set("gdpr_fined_same_conduct") {
		out.GDPRFinedSameConduct = fl.GDPRFinedSameConduct
	}
	if set("micro_or_small") {
		out.MicroOrSmall = fl.MicroOrSmall
	}
	if set("open_source_steward") {
		out.OpenSourceSteward = fl.OpenSourceSteward
	}
	return out
}

// today is the current calendar day in Europe/Berlin, as a date.
func (e *env) today() time.Time { return view.Today(e.now()) }

func (e *env) fine(in view.FineRequest, flags *pflag.FlagSet) error {
	// name gives the field as the user wrote it: a flag or a JSON field.
	name := func(field string) string {
		if flags.Changed(fineFlags[field]) {
			return "--" + fineFlags[field]
		}
		return field
	}
	c, err := in.Case(e.today())
	var res fines.Result
	if err == nil {
		res, err = fines.Compute(c)
	}
	var fe *fines.FieldError
	if errors.As(err, &fe) {
		return &InputError{Field: name(fe.Field), Msg: fe.Msg}
	}
	if err != nil {
		return err
	}
	if e.json {
		return writeJSON(e.stdout, view.NewFineResponse(res))
	}
	return writeFine(e.stdout, e.lang, in, res)
}

// fineLabels are the words of the human output.
var fineLabels = map[string]map[string]string{
	"de": {
		"asof": "Stand", "bwE": "besonders wichtige Einrichtung", "wE": "wichtige Einrichtung",
		"legal": "juristische Person", "natural": "natürliche Person", "negligent": "fahrlässig", "intent": "vorsätzlich",
		"entity": "selbst die Einrichtung", "agent": "handelt für die Einrichtung, § 9 OWiG",
		"turnover": "Gesamtumsatz", "derivation": "Herleitung", "max": "Höchstmaß der Geldbuße", "nofine": "Keine Geldbuße",
		"authority": "Bußgeldbehörde", "unknown": "nicht bekannt (UNVERIFIED, siehe Herleitung)",
		"limitation": "Verfolgungsverjährung", "years": "%d Jahre ab Beendigung der Handlung",
		"benefit": "Wirtschaftlicher Vorteil", "status": "Status", "unverified": "enthält nicht verifizierte Lesarten",
		"verified": "alle Schritte verifiziert",
		"id":       "Tat", "title": "Bezeichnung", "tier": "Stufe", "maximum": "Höchstmaß", "from": "ab",
		"or": "oder", "higher": "des Umsatzes, der höhere Betrag", "above": "über %s Umsatz: %s",
		"tenfold": "×10 für juristische Personen",
	},
	"en": {
		"asof": "As of", "bwE": "particularly important entity", "wE": "important entity",
		"legal": "legal person", "natural": "natural person", "negligent": "negligent", "intent": "intentional",
		"entity": "the entity itself", "agent": "acting for the entity, §9 OWiG",
		"turnover": "total turnover", "derivation": "Derivation", "max": "Maximum fine", "nofine": "No fine",
		"authority": "Fining authority", "unknown": "not known (UNVERIFIED, see derivation)",
		"limitation": "Limitation of prosecution", "years": "%d years from the end of the act",
		"benefit": "Economic benefit", "status": "Status", "unverified": "contains readings that are not verified",
		"verified": "all steps verified",
		"id":       "Offence", "title": "Title", "tier": "Tier", "maximum": "Maximum", "from": "from",
		"or": "or", "higher": "of turnover, whichever is higher", "above": "above %s turnover: %s",
		"tenfold": "×10 for legal persons",
	},
}

func writeFine(w io.Writer, lang string, in view.FineRequest, r fines.Result) error {
	l := fineLabels[lang]
	o := r.Offence
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s – %s: %s\n", l["id"], o.ID, o.Citation, o.Title.In(lang))
	facts := []string{l["asof"] + " " + formatDay(r.AsOf, lang)}
	switch in.EntityClass {
	case fines.BesondersWichtig:
		facts = append(facts, l["bwE"])
	case fines.Wichtig:
		facts = append(facts, l["wE"])
	}
	// Art. 64 CRA leaves person and fault to national law: show them only where they count.
	if o.MensRea != fines.Unspecified {
		person := pick(in.LegalPerson, l["legal"], l["natural"])
		if e := in.NaturalPersonIsEntity; e != nil && !in.LegalPerson {
			person += " (" + pick(*e, l["entity"], l["agent"]) + ")"
		}
		facts = append(facts, person, pick(in.Negligent, l["negligent"], l["intent"]))
	}
	if in.TurnoverEUR != nil {
		facts = append(facts, l["turnover"]+" "+formatEUR(*in.TurnoverEUR, lang))
	}
	fmt.Fprintf(&b, "%s\n\n%s\n", strings.Join(facts, " · "), l["derivation"])
	var prev *float64
	for i, s := range r.Steps {
		fmt.Fprintf(&b, "%2d. %s\n    %s", i+1, s.Text.In(lang), s.Citation)
		// Show the running maximum where a step changes it.
		if s.AmountEUR != nil && (prev == nil || *prev != *s.AmountEUR) {
			fmt.Fprintf(&b, "  →  %s", formatEUR(*s.AmountEUR, lang))
		}
		prev = s.AmountEUR
		if s.Status == law.Unverified {
			b.WriteString("  [UNVERIFIED]")
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	if r.MaxEUR != nil {
		fmt.Fprintf(&b, "%s: %s\n", l["max"], formatEUR(*r.MaxEUR, lang))
	} else {
		fmt.Fprintf(&b, "%s: %s\n", l["nofine"], r.NoFine.In(lang))
	}
	if bf := r.Benefit; bf != nil {
		fmt.Fprintf(&b, "%s %s: %s (%s)\n", l["benefit"], formatEUR(bf.EconomicBenefitEUR, lang), bf.Text.In(lang), bf.Citation)
	}
	if r.MaxEUR != nil {
		authority := r.Authority
		if authority == "" {
			authority = l["unknown"]
		}
		fmt.Fprintf(&b, "%s: %s\n", l["authority"], authority)
		limitation := l["unknown"]
		if r.LimitationYears != 0 {
			limitation = fmt.Sprintf(l["years"], r.LimitationYears)
		}
		fmt.Fprintf(&b, "%s: %s\n", l["limitation"], limitation)
	}
	status := l["verified"]
	if r.Status == law.Unverified {
		status = l["unverified"]
	}
	fmt.Fprintf(&b, "%s: %s – %s\n", l["status"], r.Status, status)
	_, err := io.WriteString(w, b.String())
	return err
}

func pick(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}

func (e *env) fineList(asOf time.Time) error {
	offences := fines.Offences(asOf)
	if e.json {
		return writeJSON(e.stdout, offences)
	}
	l := fineLabels[e.lang]
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", strings.ToUpper(l["id"]), strings.ToUpper(l["tier"]), strings.ToUpper(l["maximum"]), "STATUS", strings.ToUpper(l["title"]))
	for _, o := range offences {
		var tiers, maxima []string
		for _, t := range o.Tiers {
			tiers = append(tiers, t.Tier)
			maxima = append(maxima, tierSummary(t, l, e.lang))
		}
		title := o.Title.In(e.lang)
		if o.EarlyFrom != "" {
			title += fmt.Sprintf(" (Art. 64 %s %s)", l["from"], formatDay(o.ValidFrom, e.lang))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", o.ID, strings.Join(tiers, "/"), strings.Join(maxima, "; "), o.Status, title)
	}
	return tw.Flush()
}

// tierSummary is the maximum of a tier in one line.
func tierSummary(t fines.Tier, l map[string]string, lang string) string {
	s := formatEUR(t.MaxEUR, lang)
	if t.EntityClass != "" {
		s += " (" + t.EntityClass + ")"
	}
	switch {
	case t.Cap == nil:
	case t.Cap.Mode == fines.CapHigher:
		s += " " + l["or"] + " " + formatPercent(t.Cap.RateBP, lang) + " " + l["higher"]
	default:
		s += ", " + fmt.Sprintf(l["above"], formatEUR(t.Cap.OverEUR, lang), formatPercent(t.Cap.RateBP, lang))
	}
	if t.Tenfold {
		s += ", " + l["tenfold"]
	}
	return s
}

// formatEUR formats euros for lang: 10.000.000 € or €10,000,000; cents only
// when there are any. It works on the decimal string, so it never overflows.
func formatEUR(v float64, lang string) string {
	s := strconv.FormatFloat(v, 'f', 2, 64)
	whole, cents, _ := strings.Cut(s, ".")
	thousands, decimal := ",", "."
	if lang == "de" {
		thousands, decimal = ".", ","
	}
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(thousands)
		}
		b.WriteRune(c)
	}
	if cents != "00" {
		b.WriteString(decimal + cents)
	}
	if lang == "de" {
		return b.String() + " €"
	}
	return "€" + b.String()
}

func formatPercent(bp int, lang string) string {
	s := strconv.FormatFloat(float64(bp)/100, 'f', -1, 64)
	if lang == "de" {
		s = strings.ReplaceAll(s, ".", ",")
	}
	return s + " %"
}

// formatDay shows a YYYY-MM-DD day as 23.11.2026 in German.
func formatDay(day, lang string) string {
	if lang != "de" {
		return day
	}
	t, err := law.ParseDate(day)
	if err != nil {
		return day
	}
	return t.Format("02.01.2006")
}
