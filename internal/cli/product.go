package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pflicht/pflicht/internal/cra"
	"github.com/pflicht/pflicht/internal/law"
)

func newProductCmd(e *env) *cobra.Command {
	var (
		categories []string
		facts      cra.Facts
		placedOn   string
		years      int
		list       bool
	)
	cmd := &cobra.Command{
		Use:   "product",
		Short: "CRA class of a product, its conformity-assessment routes and support-period dates",
		Long: `product classifies a product with digital elements under the Cyber Resilience
Act by its Annex III and IV categories (the highest class wins), lists the
Art. 32 conformity-assessment routes open to it, and, with --placed-on, the
Art. 13 dates: end of the support period, availability of security updates and
retention of the technical documentation.

Category ids: annex3.1.N (Annex III class I, N = 1-19), annex3.2.N (class II,
N = 1-4), annex4.N (Annex IV, N = 1-3); --list shows them all. A product in no
category is "default".`,
		Example: `  pflicht product --list
  pflicht product --category annex3.1.11 --placed-on 2028-01-15
  pflicht product --category annex3.1.12 --category annex3.2.2 --harmonised-standards --json
  pflicht product --category annex3.2.1 --foss-public-docs --placed-on 2028-03-01 --support-years 7 --lang de`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if list {
				return listCategories(e)
			}
			class, err := cra.Classify(categories)
			if err != nil {
				return &InputError{Field: "--category", Msg: strings.TrimPrefix(err.Error(), "cra: ")}
			}
			asOf := e.now()
			var support *cra.Support
			if placedOn != "" {
				day, err := law.ParseDate(placedOn)
				if err != nil {
					return &InputError{Field: "--placed-on", Msg: err.Error()}
				}
				s, err := cra.SupportPeriod(day, years)
				if err != nil {
					return &InputError{Field: "--support-years", Msg: strings.TrimPrefix(err.Error(), "cra: ")}
				}
				asOf, support = day, &s
			} else if cmd.Flags().Changed("support-years") {
				return &InputError{Field: "--support-years", Msg: "needs --placed-on"}
			}
			routes, err := cra.Routes(class.Class, facts, asOf)
			if err != nil {
				return err
			}
			if e.json {
				return writeJSON(e.stdout, productView(class, routes, support))
			}
			return renderProduct(e.stdout, e.lang, class, routes, support)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&categories, "category", nil, "Annex III/IV category id, e.g. annex3.1.11 (repeatable)")
	f.BoolVar(&facts.HarmonisedStandardsAppliedInFull, "harmonised-standards", false, "harmonised standards, common specifications or an EU scheme (≥ substantial) applied in full (Art. 32(2))")
	f.BoolVar(&facts.FOSSPublicTechDoc, "foss-public-docs", false, "free and open-source software with public technical documentation (Art. 32(5))")
	f.BoolVar(&facts.EUSchemeAvailable, "eu-scheme", false, "a European cybersecurity certification scheme is available (for Annex IV: under Art. 8(1))")
	f.StringVar(&placedOn, "placed-on", "", "day of placing on the market, YYYY-MM-DD (also the date for which the routes are shown)")
	f.IntVar(&years, "support-years", 5, "support period in years (Art. 13(8): at least 5 unless the expected use is shorter)")
	f.BoolVar(&list, "list", false, "list the Annex III and IV categories")
	return cmd
}

var classText = map[cra.Class]law.Text{
	cra.Default:         {DE: "ohne Einstufung (Standard)", EN: "not classified (default)"},
	cra.ImportantClass1: {DE: "wichtiges Produkt, Klasse I (Anhang III)", EN: "important product, class I (Annex III)"},
	cra.ImportantClass2: {DE: "wichtiges Produkt, Klasse II (Anhang III)", EN: "important product, class II (Annex III)"},
	cra.Critical:        {DE: "kritisches Produkt (Anhang IV)", EN: "critical product (Annex IV)"},
}

func listCategories(e *env) error {
	cats := cra.Categories()
	if e.json {
		return writeJSON(e.stdout, cats)
	}
	var b strings.Builder
	for _, k := range cats {
		fmt.Fprintf(&b, "%-12s %-18s %s\n", k.ID, k.Class, k.Title.In(e.lang))
	}
	_, err := io.WriteString(e.stdout, b.String())
	return err
}

type productJSON struct {
	Classification cra.Classification `json:"classification"`
	Conformity     cra.Assessment     `json:"conformity"`
	Support        *supportJSON       `json:"support,omitempty"`
}

// supportJSON shows the Art. 13 dates as calendar days.
type supportJSON struct {
	PlacedOn              string     `json:"placed_on"`
	Years                 int        `json:"years"`
	End                   string     `json:"end"`
	EndStatement          string     `json:"end_statement"`
	UpdatesAvailableUntil string     `json:"updates_available_until"`
	DocumentationUntil    string     `json:"documentation_until"`
	Citations             []string   `json:"citations"`
	Notes                 []cra.Note `json:"notes"`
}

func productView(c cra.Classification, a cra.Assessment, s *cra.Support) productJSON {
	v := productJSON{Classification: c, Conformity: a}
	if s != nil {
		v.Support = &supportJSON{
			PlacedOn: s.PlacedOn.Format(law.DateLayout), Years: s.Years, End: s.End.Format(law.DateLayout),
			EndStatement:          s.End.Format("01/2006"),
			UpdatesAvailableUntil: s.UpdatesAvailableUntil.Format(law.DateLayout),
			DocumentationUntil:    s.DocumentationUntil.Format(law.DateLayout),
			Citations:             s.Citations, Notes: s.Notes,
		}
	}
	return v
}

var productLabels = map[string]law.Text{
	"class":   {DE: "Einstufung", EN: "Class"},
	"because": {DE: "wegen", EN: "because of"},
	"nocat":   {DE: "keine Kategorie aus Anhang III oder IV angegeben", EN: "no Annex III or IV category given"},
	"routes":  {DE: "Konformitätsbewertung", EN: "Conformity assessment"},
	"open":    {DE: "offen", EN: "open"},
	"closed":  {DE: "nicht offen", EN: "closed"},
	"support": {DE: "Unterstützungszeitraum", EN: "Support period"},
	"placed":  {DE: "in Verkehr gebracht am", EN: "placed on the market on"},
	"years":   {DE: "Jahre", EN: "years"},
	"end":     {DE: "Ende des Unterstützungszeitraums", EN: "end of the support period"},
	"state":   {DE: "beim Kauf anzugeben, mindestens Monat und Jahr", EN: "to be stated at purchase, at least month and year"},
	"updates": {DE: "Sicherheitsupdates je 10 Jahre nach Ausgabe verfügbar, mindestens bis Supportende; ein Update vom letzten Supporttag bis", EN: "each security update available 10 years after issue, at least until the end of support; one issued on the last day of support until"},
	"docs":    {DE: "technische Dokumentation und EU-Konformitätserklärung aufbewahren bis", EN: "keep technical documentation and EU declaration of conformity until"},
	"nosupp":  {DE: "Mit --placed-on JJJJ-MM-TT zeigt pflicht die Fristen nach Art. 13.", EN: "Give --placed-on YYYY-MM-DD for the Art. 13 dates."},
	"notes":   {DE: "Hinweise", EN: "Notes"},
}

func renderProduct(w io.Writer, lang string, c cra.Classification, a cra.Assessment, s *cra.Support) error {
	l := func(k string) string { return productLabels[k].In(lang) }
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", l("class"), classText[c.Class].In(lang))
	if len(c.Reasons) == 0 {
		fmt.Fprintf(&b, "  %s\n", l("nocat"))
	}
	for _, r := range c.Reasons {
		fmt.Fprintf(&b, "  %s %s: %s (%s)\n", l("because"), r.CategoryID, r.Title.In(lang), r.Citation)
	}
	fmt.Fprintf(&b, "\n%s (%s):\n", l("routes"), a.Rule)
	for _, open := range []bool{true, false} {
		for _, r := range a.Routes {
			if r.Open != open {
				continue
			}
			state := l("closed")
			if open {
				state = l("open")
			}
			fmt.Fprintf(&b, "  %-12s %s — %s\n", state+":", r.Name.In(lang), r.Why.In(lang))
		}
	}
	var notes []cra.Note
	notes = append(notes, a.Notes...)
	if s == nil {
		fmt.Fprintf(&b, "\n%s\n", l("nosupp"))
	} else {
		day := func(t time.Time) string { return t.Format("02.01.2006") }
		fmt.Fprintf(&b, "\n%s (%s %s, %d %s):\n", l("support"), l("placed"), day(s.PlacedOn), s.Years, l("years"))
		fmt.Fprintf(&b, "  %s: %s (%s: %s) — %s\n", l("end"), day(s.End), l("state"), s.End.Format("01/2006"), s.Citations[0]+"; "+s.Citations[3])
		fmt.Fprintf(&b, "  %s %s — %s\n", l("updates"), day(s.UpdatesAvailableUntil), s.Citations[1])
		fmt.Fprintf(&b, "  %s %s — %s\n", l("docs"), day(s.DocumentationUntil), s.Citations[2])
		notes = append(notes, s.Notes...)
	}
	if len(notes) > 0 {
		fmt.Fprintf(&b, "\n%s:\n", l("notes"))
		for _, n := range notes {
			mark := ""
			if n.Status == law.Unverified {
				mark = "[UNVERIFIED] "
			}
			fmt.Fprintf(&b, "- %s%s: %s\n", mark, n.Citation, n.Text.In(lang))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
