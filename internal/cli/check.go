package cli

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pflicht/pflicht/internal/law"
	"github.com/pflicht/pflicht/internal/scope"
	"github.com/pflicht/pflicht/internal/view"
)

// checkFlagNames maps JSON fields to the flags that set them, so that an
// error names what the user typed.
var checkFlagNames = map[string]string{
	"employees":                        "--employees",
	"turnover_eur":                     "--turnover",
	"balance_sheet_eur":                "--balance-sheet",
	"activities":                       "--activity",
	"kritis_operator":                  "--kritis",
	"qualified_trust_service_provider": "--qtsp",
	"federal_administration":           "--federal",
	"federal_security_authority":       "--federal-security",
	"domain_registrar":                 "--domain-registrar",
	"dora_financial_entity":            "--dora",
	"telematik_infrastruktur":          "--telematik",
	"kritis_for_dora":                  "--kritis-for-dora",
	"energy_enwg_5c":                   "--energy-enwg-5c",
	"land_law_28_8":                    "--land-law-28-8",
	"main_establishment":               "--main-establishment",
	"representative":                   "--representative",
	"qualified_since":                  "--qualified-since",
	"as_of":                            "--as-of",
}

func newCheckCmd(e *env) *cobra.Command {
	var (
		in, employees, turnover, balance string
		listActivities                   bool
		flagIn                           view.CheckRequest
	)
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Is an organisation in scope of BSIG 2025 (NIS-2), in which class, with which duties?",
		Long: `check classifies an organisation under §28 BSIG 2025 (besonders wichtige or
wichtige Einrichtung), applies the carve-outs of §28(5)-(8) and §29, and lists the
obligations with their norms, triggers and deadlines, and the jurisdiction rules of
§§59, 60. Every step shows its citation; readings not verified against the statute
are marked UNVERIFIED.

Give the profile with flags, or as JSON with --in FILE or on standard input:
  {"employees": 120, "turnover_eur": 30000000, "balance_sheet_eur": 20000000,
   "activities": ["A1-6.1.4"], "kritis_operator": false,
   "qualified_trust_service_provider": false, "federal_administration": false,
   "as_of": "2026-11-23"}
Optional fields: domain_registrar, dora_financial_entity, telematik_infrastruktur,
kritis_for_dora, energy_enwg_5c, land_law_28_8, federal_security_authority
(booleans); main_establishment ("DE", "EU-other", "non-EU"); representative
("DE", "EU-other", "none"); qualified_since (YYYY-MM-DD, the day the organisation
qualified; registration is due 3 months later).

Activities are Anlage ids: A1-6.1.4 = Anlage 1 Nr. 6.1.4 (cloud computing).
--list-activities shows the catalogue.`,
		Example: `  pflicht check --employees 120 --turnover 30e6 --balance-sheet 20e6 --activity A1-6.1.4
  pflicht check --employees 12 --activity A1-6.1.9 --lang de
  pflicht check --kritis --activity A1-1.1.2 --qualified-since 2026-02-01 --json
  pflicht check --in profile.json
  echo '{"employees": 60, "activities": ["A2-5.4.1"]}' | pflicht check
  pflicht check --list-activities`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if listActivities {
				return writeActivities(e)
			}
			input, fromFlags, err := readCheckInput(e, cmd, in, employees, turnover, balance, flagIn)
			if err != nil {
				return err
			}
			res, err := runCheck(e, input)
			if err != nil {
				// Name the flag, not the JSON field, for what came from flags.
				flagged := func(field string) bool {
					return fromFlags || field == "as_of" && cmd.Flags().Changed("as-of")
				}
				var fe *scope.FieldError
				if errors.As(err, &fe) {
					return checkFieldError(fe.Field, fe.Msg, flagged(fe.Field))
				}
				var ie *InputError
				if errors.As(err, &ie) {
					return checkFieldError(ie.Field, ie.Msg, flagged(ie.Field))
				}
				return err
			}
			if e.json {
				return writeJSON(e.stdout, res)
			}
			return writeCheckReport(e.stdout, e.lang, res)
		},
	}
	f := cmd.Flags()
	f.StringVar(&in, "in", "", "read the JSON profile from FILE (- for standard input)")
	f.BoolVar(&listActivities, "list-activities", false, "list the Anlage 1 and 2 catalogue (ids for --activity)")
	f.StringVar(&employees, "employees", "", "employees in annual work units (fractions allowed)")
	f.StringVar(&turnover, "turnover", "", "annual turnover in euros")
	f.StringVar(&balance, "balance-sheet", "", "annual balance sheet total in euros")
	f.StringSliceVar(&flagIn.Activities, "activity", nil, "Anlage id of an activity, e.g. A1-6.1.4 (repeatable)")
	f.BoolVar(&flagIn.KRITISOperator, "kritis", false, "operates a critical installation (Betreiber kritischer Anlagen)")
	f.BoolVar(&flagIn.QualifiedTrustServiceProvider, "qtsp", false, "qualified trust service provider")
	f.BoolVar(&flagIn.FederalAdministration, "federal", false, "federal administration entity (§29)")
	f.BoolVar(&flagIn.FederalSecurityAuthority, "federal-security", false, "Auswärtiges Amt, BMVg, BND or BfV (§29(3))")
	f.BoolVar(&flagIn.DomainRegistrar, "domain-registrar", false, "domain name registration service provider")
	f.BoolVar(&flagIn.DORAFinancialEntity, "dora", false, "DORA financial entity (§28(6) Nr. 1)")
	f.BoolVar(&flagIn.TelematikInfrastruktur, "telematik", false, "gematik or telematics infrastructure operator (§28(6) Nr. 2)")
	f.BoolVar(&flagIn.KRITISForDORA, "kritis-for-dora", false, "critical installation operated for DORA financial entities (§28(7))")
	f.BoolVar(&flagIn.EnergyEnWG5c, "energy-enwg-5c", false, "energy operator subject to §§5c-5e EnWG (§28(5) Nr. 2)")
	f.BoolVar(&flagIn.LandLaw28Abs8, "land-law-28-8", false, "municipal service provider under comparable Land law (§28(8))")
	f.StringVar(&flagIn.MainEstablishment, "main-establishment", "", "main establishment in the EU: DE, EU-other or non-EU (§60)")
	f.StringVar(&flagIn.Representative, "representative", "", "representative of a non-EU entity: DE, EU-other or none (§60(3))")
	f.StringVar(&flagIn.QualifiedSince, "qualified-since", "", "day the organisation qualified, YYYY-MM-DD (registration deadlines)")
	f.StringVar(&flagIn.AsOf, "as-of", "", "date to check on, YYYY-MM-DD (default today)")
	return cmd
}

// readCheckInput takes the profile from the flags if any profile flag is
// set, else from --in or standard input as JSON; --as-of goes with either.
func readCheckInput(e *env, cmd *cobra.Command, in, employees, turnover, balance string, flagIn view.CheckRequest) (view.CheckRequest, bool, error) {
	fromFlags := false
	for field, name := range checkFlagNames {
		if field != "as_of" && cmd.Flags().Changed(strings.TrimPrefix(name, "--")) {
			fromFlags = true
		}
	}
	if fromFlags {
		if in != "" {
			return view.CheckRequest{}, true, &InputError{Field: "--in", Msg: "give the profile either as flags or as JSON, not both"}
		}
		for _, n := range []struct {
			flag, raw string
			dst       **float64
		}{{"--employees", employees, &flagIn.Employees}, {"--turnover", turnover, &flagIn.TurnoverEUR}, {"--balance-sheet", balance, &flagIn.BalanceSheetEUR}} {
			if !cmd.Flags().Changed(strings.TrimPrefix(n.flag, "--")) {
				continue
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(n.raw), 64)
			if err != nil {
				return view.CheckRequest{}, true, &InputError{Field: n.flag, Msg: fmt.Sprintf("%q is not a number", n.raw)}
			}
			*n.dst = &v
		}
		return flagIn, true, nil
	}
	data, err := readInput(e, in)
	if err != nil {
		return view.CheckRequest{}, false, err
	}
	var input view.CheckRequest
	if err := decodeJSON(data, &input); err != nil {
		return view.CheckRequest{}, false, err
	}
	if cmd.Flags().Changed("as-of") {
		if input.AsOf != "" {
			return view.CheckRequest{}, false, &InputError{Field: "--as-of", Msg: "as_of is also given in the JSON input"}
		}
		input.AsOf = flagIn.AsOf
	}
	return input, false, nil
}

// runCheck runs the engine on the input; as_of defaults to today.
func runCheck(e *env, in view.CheckRequest) (scope.Result, error) {
	p, asOf, err := in.Input(e.today())
	if err != nil {
		return scope.Result{}, err
	}
	return scope.Check(p, asOf)
}

// checkFieldError names the flag instead of the JSON field when the profile
// came from flags.
func checkFieldError(field, msg string, fromFlags bool) error {
	if fromFlags {
		base, _, _ := strings.Cut(field, "[")
		if flag, ok := checkFlagNames[base]; ok {
			field = flag
		}
	}
	return &InputError{Field: field, Msg: msg}
}

func writeActivities(e *env) error {
	acts := scope.Activities()
	if e.json {
		return writeJSON(e.stdout, acts)
	}
	r := &checkReport{lang: e.lang}
	sector := ""
	for _, a := range acts {
		head := fmt.Sprintf("Anlage %d · %s", a.Anlage, a.Sector.In(e.lang))
		if head != sector {
			if sector != "" {
				r.line("")
			}
			r.line(head)
			sector = head
		}
		r.line(fmt.Sprintf("  %-10s %s", a.ID, a.Title.In(e.lang)))
	}
	_, err := io.WriteString(e.stdout, r.b.String())
	return err
}

// checkReport renders a scope.Result for people.
type checkReport struct {
	lang string
	b    strings.Builder
}

func (r *checkReport) t(de, en string) string {
	if r.lang == "de" {
		return de
	}
	return en
}

func (r *checkReport) line(s string) { r.b.WriteString(s + "\n") }

// para writes text wrapped at 100 columns: the first line starts with first,
// the others are indented by rest.
func (r *checkReport) para(first, rest, text string) {
	const width = 100
	line, empty := first, true
	for _, w := range strings.Fields(text) {
		if !empty && len([]rune(line))+1+len([]rune(w)) > width {
			r.line(line)
			line, empty = rest, true
		}
		if !empty {
			line += " "
		}
		line += w
		empty = false
	}
	if !empty {
		r.line(line)
	}
}

// text writes an indented paragraph.
func (r *checkReport) text(s string) { r.para("      ", "      ", s) }

// head writes a heading line of one result entry, wrapped.
func (r *checkReport) head(mark, citation string, title law.Text, st law.Status) {
	r.para("  "+mark+citation+" · ", "      ", title.In(r.lang)+r.status(st))
}

func (r *checkReport) date(s string) string {
	if r.lang == "de" {
		if t, err := law.ParseDate(s); err == nil {
			return t.Format("02.01.2006")
		}
	}
	return s
}

func (r *checkReport) status(s law.Status) string {
	if s == law.Unverified {
		return " [UNVERIFIED]"
	}
	return ""
}

func (r *checkReport) yesNo(b bool) string {
	if b {
		return r.t("ja", "yes")
	}
	return r.t("nein", "no")
}

// carveCitations turns carve-out ids into their citations.
func carveCitations(res scope.Result, ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id
		for _, c := range res.CarveOuts {
			if c.ID == id {
				out[i] = c.Citation
			}
		}
	}
	return out
}

var checkOutcomeMarks = map[scope.Outcome]string{scope.Met: "✓", scope.NotMet: "✗", scope.Excluded: "⊘", scope.Info: "·"}

func writeCheckReport(w io.Writer, lang string, res scope.Result) error {
	r := &checkReport{lang: lang}
	r.line(r.t("pflicht check · BSIG 2025 · Stichtag ", "pflicht check · BSIG 2025 · as of ") + r.date(res.AsOf))
	r.line("")
	result := res.Class.Title().In(lang)
	if res.Rule != nil {
		if res.Class == scope.None {
			result += " · " + res.Rule.Title.In(lang)
		}
		result += " (" + res.Rule.Citation + ")"
	}
	for _, kv := range [][2]string{
		{r.t("Ergebnis:", "Result:"), result},
		{r.t("KRITIS-Betreiber:", "KRITIS operator:"), r.yesNo(res.KRITIS)},
		{r.t("Pflichten:", "Duties:"), r.yesNo(res.InScope)},
	} {
		r.para(fmt.Sprintf("%-18s", kv[0]), strings.Repeat(" ", 18), kv[1])
	}

	r.line("")
	r.line(r.t("Begründung", "Reasons"))
	for _, s := range res.Reasons {
		r.head(checkOutcomeMarks[s.Outcome]+" ", s.Citation, s.Title, s.Status)
		r.text(s.Text.In(lang))
	}

	if len(res.CarveOuts) > 0 {
		r.line("")
		r.line(r.t("Ausnahmen", "Carve-outs"))
		for _, c := range res.CarveOuts {
			r.head("", c.Citation, c.Title, c.Status)
			r.text(c.Text.In(lang))
			switch {
			case c.Limited != nil:
				r.text(r.t("Nicht angewandt: ", "Not applied: ") + c.Limited.In(lang))
			case len(c.Disabled) > 0:
				r.text(r.t("Angewandt; entfallen: ", "Applied; switched off: ") + strings.Join(c.Disabled, ", "))
			default:
				r.line("      " + r.t("Angewandt.", "Applied."))
			}
		}
	}

	if res.InScope {
		r.line("")
		r.line(fmt.Sprintf("%s (%d)", r.t("Pflichten", "Obligations"), len(res.Obligations)))
		for _, o := range res.Obligations {
			r.head("", o.Norm, o.Title, o.Status)
			r.text(r.t("Auslöser: ", "Trigger: ") + o.Trigger.In(lang))
			r.text(r.t("Frist: ", "Deadline: ") + o.Deadline.In(lang))
			if o.Due != nil {
				// The mark says when the date rests on an UNVERIFIED reading
				// (BGB counting, the assumed entry into force).
				due := r.t("Fällig: bis einschließlich ", "Due: by the end of ") + r.date(o.DueLastDay) + r.t(" (24:00 Uhr Europe/Berlin)", " (24:00 Europe/Berlin)") + r.status(o.DueStatus)
				if o.DeadlinePassed {
					due += r.t(" – am Stichtag abgelaufen", " – passed on the as-of date")
				}
				r.line("      " + due)
			}
			for _, it := range o.Items {
				r.para("      • ", "        ", it.In(lang))
			}
			if len(o.LimitedBy) > 0 {
				r.text(r.t("Ausnahme nicht angewandt: ", "Carve-out not applied: ") + strings.Join(carveCitations(res, o.LimitedBy), ", "))
			}
		}
		if len(res.Measures) > 0 {
			r.line("")
			r.line(r.t("Mindestmaßnahmen (§ 30 Abs. 2 Satz 2 BSIG)", "Minimum measures (§ 30(2) sentence 2 BSIG)"))
			for _, m := range res.Measures {
				r.para(fmt.Sprintf("  %-8s ", m.ID), "           ", m.Title.In(lang)+r.status(m.Status))
			}
		}
		if len(res.Pending) > 0 {
			r.line("")
			r.line(r.t("Geltende Fassung, noch nicht anwendbar (§ 66 BSIG)", "In the text, not yet applicable (§ 66 BSIG)"))
			for _, o := range res.Pending {
				r.head("", o.Norm, o.Title, o.Status)
				r.text(r.t("Wartet auf: ", "Awaits: ") + o.Awaits.In(lang))
			}
		}
		r.line("")
		r.line(r.t("Zuständigkeit", "Jurisdiction"))
		for _, s := range res.Jurisdiction {
			r.head("", s.Citation, s.Title, s.Status)
			r.text(s.Text.In(lang))
		}
	}
	if len(res.Missing) > 0 {
		r.line("")
		r.para("", "", r.t("Fehlende Angaben (genauere Antwort mit): ", "Missing input (a more precise answer with): ")+strings.Join(res.Missing, ", "))
	}
	r.line("")
	r.para("", "", r.t("[UNVERIFIED] = Lesart nicht am Gesetzestext geprüft. Keine Rechtsberatung.", "[UNVERIFIED] = reading not verified against the statute. Not legal advice."))
	_, err := io.WriteString(w, r.b.String())
	return err
}
