package cli

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/pflicht/pflicht/internal/clock"
	"github.com/pflicht/pflicht/internal/cra"
	"github.com/pflicht/pflicht/internal/fines"
	"github.com/pflicht/pflicht/internal/law"
	"github.com/pflicht/pflicht/internal/scope"
)

// allRules gathers every rule of every engine, ordered by kind and id.
func allRules() []law.Rule {
	var rules []law.Rule
	for _, part := range [][]law.Rule{scope.Rules(), fines.Rules(), clock.Rules(), cra.Rules()} {
		rules = append(rules, part...)
	}
	slices.SortStableFunc(rules, func(a, b law.Rule) int {
		if c := strings.Compare(a.Kind, b.Kind); c != 0 {
			return c
		}
		return naturalCompare(a.ID, b.ID)
	})
	return rules
}

// naturalCompare orders ids like "65.2.2" before "65.2.10": runs of digits
// compare by value, everything else byte by byte.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digitRun(a), digitRun(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if c := cmp.Compare(len(na), len(nb)); c != 0 {
				return c
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func digitRun(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

func newLawCmd(e *env) *cobra.Command {
	var kind, asOf string
	var unverified bool
	cmd := &cobra.Command{
		Use:   "law [ID]",
		Short: "List and show the rules pflicht applies, with citations and validity",
		Long: `law lists every rule in pflicht's law data with its citation, the period in which it is
in force, the wording it follows and whether our reading is VERIFIED or UNVERIFIED.
With an ID it shows one rule in full. This is the view for lawyers and auditors.`,
		Example: `  pflicht law
  pflicht law --kind fine
  pflicht law --unverified
  pflicht law --as-of 2026-01-15 --kind obligation
  pflicht law 65.2.6
  pflicht law --json 65.2.6`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rules := allRules()
			if len(args) == 1 {
				return showRule(e, rules, args[0])
			}
			var day string
			if asOf != "" {
				t, err := law.ParseDate(asOf)
				if err != nil {
					return &InputError{Field: "--as-of", Msg: err.Error()}
				}
				day = t.Format(law.DateLayout)
			}
			kinds := map[string]bool{}
			for _, r := range rules {
				kinds[r.Kind] = true
			}
			if kind != "" && !kinds[kind] {
				return &InputError{Field: "--kind", Msg: fmt.Sprintf("%q is not a kind of rule; use one of %s", kind, strings.Join(sortedKeys(kinds), ", "))}
			}
			var out []law.Rule
			for _, r := range rules {
				if kind != "" && r.Kind != kind || unverified && r.Status != law.Unverified {
					continue
				}
				if day != "" && !(r.ValidFrom <= day && (r.ValidTo == "" || day <= r.ValidTo)) {
					continue
				}
				out = append(out, r)
			}
			if e.json {
				return writeJSON(e.stdout, map[string]any{"rules": out, "count": len(out)})
			}
			return printRules(e.stdout, e.lang, out)
		},
	}
	cmd.Flags().StringVar(&kind, "kind", "", "only rules of this kind (scope, obligation, fine, period, cra)")
	cmd.Flags().StringVar(&asOf, "as-of", "", "only rules in force on this day (YYYY-MM-DD)")
	cmd.Flags().BoolVar(&unverified, "unverified", false, "only rules whose reading is UNVERIFIED")
	return cmd
}

func sortedKeys(m map[string]bool) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func printRules(w io.Writer, lang string, rules []law.Rule) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := "ID\tKIND\tCITATION\tIN FORCE\tSTATUS\tTITLE"
	if lang == "de" {
		head = "ID\tART\tFUNDSTELLE\tIN KRAFT\tSTATUS\tTITEL"
	}
	fmt.Fprintln(tw, head)
	for _, r := range rules {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Kind, r.Citation, validity(r.Meta), r.Status, r.Title.In(lang))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if lang == "de" {
		_, err := fmt.Fprintf(w, "\n%d Regeln. Einzelheiten: pflicht law ID\n", len(rules))
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d rules. Details: pflicht law ID\n", len(rules))
	return err
}

func validity(m law.Meta) string {
	to := m.ValidTo
	if to == "" {
		to = "…"
	}
	return m.ValidFrom + " – " + to
}

func showRule(e *env, rules []law.Rule, id string) error {
	for _, r := range rules {
		if !strings.EqualFold(r.ID, id) {
			continue
		}
		if e.json {
			return writeJSON(e.stdout, r)
		}
		labels := []string{"ID", "Kind", "Citation", "Title", "In force", "Wording", "Status", "Source", "Note"}
		if e.lang == "de" {
			labels = []string{"ID", "Art", "Fundstelle", "Titel", "In Kraft", "Fassung", "Status", "Quelle", "Anmerkung"}
		}
		values := []string{r.ID, r.Kind, r.Citation, r.Title.In(e.lang), validity(r.Meta), r.Wording, string(r.Status), r.Source, r.Note}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		for i, l := range labels {
			if values[i] != "" {
				fmt.Fprintf(tw, "%s:\t%s\n", l, values[i])
			}
		}
		return tw.Flush()
	}
	return &InputError{Field: "ID", Msg: fmt.Sprintf("no rule %q; list them with: pflicht law", id)}
}
