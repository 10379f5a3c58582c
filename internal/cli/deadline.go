package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pflicht/pflicht/internal/clock"
	"github.com/pflicht/pflicht/internal/law"
	"github.com/pflicht/pflicht/internal/view"
)

// deadlineHelp is the flag help of each optional event time of
// view.DeadlineTimes; the flag is the JSON field with dashes.
var deadlineHelp = map[string]string{
	"notified_at":           "when the notification (72-hour stage) was submitted",
	"fix_available_at":      "when a corrective or mitigating measure became available (cra-vulnerability)",
	"early_warning_at":      "when the early warning was submitted",
	"interim_requested_at":  "when the authority requested an interim report",
	"interim_due_at":        "the deadline the authority set for the interim report",
	"interim_at":            "when the interim report was submitted",
	"progress_at":           "when the progress report was submitted (bsig, ongoing incident)",
	"final_at":              "when the final report was submitted",
	"user_informed_at":      "when users were informed (cra)",
	"handling_completed_at": "when the incident was finally handled (bsig, ongoing incident)",
}

func timeFlag(tf view.TimeField) string { return strings.ReplaceAll(tf.JSON, "_", "-") }

func newDeadlineCmd(e *env) *cobra.Command {
	var inPath string
	var flags view.DeadlineRequest
	cmd := &cobra.Command{
		Use:   "deadline",
		Short: "Reporting clock for an incident (§32 BSIG) or a CRA report (Art. 14)",
		Long: `deadline shows every reporting stage of one incident or vulnerability: when
it is due, what starts its period, its status now, and what the report must
contain. Times are RFC 3339 (2026-03-28T10:00:00+01:00); the output is in
Europe/Berlin.

Regimes:
  bsig               significant incident under §32 BSIG (NIS-2)
  cra-vulnerability  actively exploited vulnerability under Art. 14(2) CRA
  cra-incident       severe incident under Art. 14(4) CRA

The final reports run from their own trigger, not from awareness: BSIG one
month after the notification was submitted, CRA vulnerability 14 days after a
fix is available, CRA incident one month after the incident notification.

For the CRA regimes the output says to whom the reports go (Art. 14(1), (3),
(7)): main_establishment (the member state of the manufacturer's main
establishment in the Union, e.g. DE) names the CSIRT end-point;
no_eu_establishment shows the order for manufacturers without one.

Input is JSON (--in FILE, or standard input) with the fields regime, aware_at
and, where known, notified_at, fix_available_at, early_warning_at,
interim_requested_at, interim_due_at, interim_at, progress_at, final_at,
user_informed_at, handling_completed_at, incident_ongoing, kritis_operator,
main_establishment, no_eu_establishment and now; or the same as flags.`,
		Example: `  pflicht deadline --regime bsig --aware-at 2026-03-28T10:00:00+01:00
  pflicht deadline --regime bsig --aware-at 2026-01-28T09:00:00+01:00 --notified-at 2026-01-31T09:00:00+01:00
  pflicht deadline --regime cra-vulnerability --aware-at 2026-10-01T10:17:00+02:00 --fix-available-at 2026-10-05T15:00:00+02:00 --json
  echo '{"regime":"cra-incident","aware_at":"2026-12-30T10:00:00+01:00"}' | pflicht deadline --lang de`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			raw, err := deadlineRaw(e, cmd, inPath, flags)
			if err != nil {
				return err
			}
			var res clock.Result
			in, err := raw.Input(e.now())
			if err == nil {
				res, err = clock.Compute(in)
			}
			var fe *clock.FieldError
			if errors.As(err, &fe) {
				return &InputError{Field: fe.Field, Msg: fe.Msg}
			} else if err != nil {
				return err
			}
			if e.json {
				return writeJSON(e.stdout, view.NewTimeline(res, in.Now))
			}
			return renderDeadline(e.stdout, e.lang, res, in)
		},
	}
	f := cmd.Flags()
	f.StringVar(&inPath, "in", "", "read the JSON input from FILE (- for standard input)")
	f.StringVar(&flags.Regime, "regime", "", "bsig, cra-vulnerability or cra-incident")
	f.StringVar(&flags.AwareAt, "aware-at", "", "when the entity or manufacturer became aware (RFC 3339)")
	for _, tf := range view.DeadlineTimes {
		f.StringVar(tf.Of(&flags), timeFlag(tf), "", deadlineHelp[tf.JSON]+" (RFC 3339)")
	}
	f.BoolVar(&flags.IncidentOngoing, "incident-ongoing", false, "the BSIG incident is still ongoing when the final report is due (§32(2))")
	f.BoolVar(&flags.KRITISOperator, "kritis-operator", false, "the entity operates a critical installation (adds the §32(3) content)")
	f.StringVar(&flags.MainEstablishment, "main-establishment", "", "member state of the manufacturer's main establishment in the Union, e.g. DE (cra regimes, Art. 14(7))")
	f.BoolVar(&flags.NoEUEstablishment, "no-eu-establishment", false, "the manufacturer has no establishment in the Union (cra regimes, Art. 14(7))")
	f.StringVar(&flags.Now, "now", "", "compute as of this time instead of the current time (RFC 3339)")
	return cmd
}

// deadlineRaw merges the JSON input (--in, or standard input when no flag
// gives the regime or awareness) with the flags; set flags win.
func deadlineRaw(e *env, cmd *cobra.Command, inPath string, flags view.DeadlineRequest) (view.DeadlineRequest, error) {
	var raw view.DeadlineRequest
	fromFlags := cmd.Flags().Changed("regime") || cmd.Flags().Changed("aware-at")
	if inPath != "" || !fromFlags {
		data, err := readInput(e, inPath)
		if err != nil {
			return raw, err
		}
		if err := decodeJSON(data, &raw); err != nil {
			return raw, err
		}
	}
	set := func(name string, dst *string, v string) {
		if cmd.Flags().Changed(name) {
			*dst = v
		}
	}
	set("regime", &raw.Regime, flags.Regime)
	set("aware-at", &raw.AwareAt, flags.AwareAt)
	set("now", &raw.Now, flags.Now)
	for _, tf := range view.DeadlineTimes {
		set(timeFlag(tf), tf.Of(&raw), *tf.Of(&flags))
	}
	if cmd.Flags().Changed("incident-ongoing") {
		raw.IncidentOngoing = flags.IncidentOngoing
	}
	if cmd.Flags().Changed("kritis-operator") {
		raw.KRITISOperator = flags.KRITISOperator
	}
	set("main-establishment", &raw.MainEstablishment, flags.MainEstablishment)
	if cmd.Flags().Changed("no-eu-establishment") {
		raw.NoEUEstablishment = flags.NoEUEstablishment
	}
	return raw, nil
}

var regimeTitle = map[clock.Regime]law.Text{
	clock.BSIG:             {DE: "Meldepflicht nach § 32 BSIG (erheblicher Sicherheitsvorfall)", EN: "Reporting under §32 BSIG (significant incident)"},
	clock.CRAVulnerability: {DE: "Meldepflicht nach Art. 14 Abs. 1, 2 CRA (aktiv ausgenutzte Schwachstelle)", EN: "Reporting under Art. 14(1), (2) CRA (actively exploited vulnerability)"},
	clock.CRAIncident:      {DE: "Meldepflicht nach Art. 14 Abs. 3, 4 CRA (schwerwiegender Sicherheitsvorfall)", EN: "Reporting under Art. 14(3), (4) CRA (severe incident)"},
}

var statusText = map[clock.Status]law.Text{
	clock.Met:       {DE: "erfüllt", EN: "met"},
	clock.Late:      {DE: "verspätet", EN: "late"},
	clock.Due:       {DE: "offen", EN: "open"},
	clock.Overdue:   {DE: "ÜBERFÄLLIG", EN: "OVERDUE"},
	clock.Waiting:   {DE: "wartet auf Auslöser", EN: "waiting for its trigger"},
	clock.OnRequest: {DE: "nur auf Ersuchen", EN: "only on request"},
}

var conditionText = map[clock.Condition]law.Text{
	clock.WhereApplicable:  {DE: "soweit zutreffend", EN: "where applicable"},
	clock.WhereAvailable:   {DE: "soweit verfügbar", EN: "where available"},
	clock.WhereNecessary:   {DE: "soweit erforderlich", EN: "where necessary"},
	clock.WhereAppropriate: {DE: "soweit angemessen", EN: "where appropriate"},
	clock.KRITISOperator:   {DE: "Betreiber kritischer Anlagen, § 32 Abs. 3 BSIG", EN: "critical-installation operators, §32(3) BSIG"},
}

// deadlineLabels are the fixed words of the human output.
var deadlineLabels = map[string]law.Text{
	"aware":     {DE: "Kenntnis", EN: "Aware"},
	"now":       {DE: "Stand", EN: "As of"},
	"due":       {DE: "fällig", EN: "due"},
	"trigger":   {DE: "Auslöser", EN: "trigger"},
	"status":    {DE: "Status", EN: "status"},
	"content":   {DE: "Inhalt", EN: "content"},
	"legal":     {DE: "rechtliches Ende (Lesart, UNVERIFIED)", EN: "legal end (reading, UNVERIFIED)"},
	"notyet":    {DE: "noch nicht eingetreten", EN: "not yet"},
	"notes":     {DE: "Hinweise", EN: "Notes"},
	"left":      {DE: "noch", EN: "left"},
	"overdue":   {DE: "überfällig seit", EN: "overdue by"},
	"submitted": {DE: "übermittelt", EN: "submitted"},
	"na":        {DE: "Keine Meldefrist — siehe Hinweise.", EN: "No reporting clock — see the notes."},
	"recipient": {DE: "Meldung an", EN: "Report to"},
}

func renderDeadline(w io.Writer, lang string, r clock.Result, in clock.Input) error {
	l := func(k string) string { return deadlineLabels[k].In(lang) }
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", regimeTitle[r.Regime].In(lang))
	fmt.Fprintf(&b, "%s: %s    %s: %s\n", l("aware"), fmtInstant(in.AwareAt, lang), l("now"), fmtInstant(in.Now, lang))
	if !r.Applicable {
		fmt.Fprintf(&b, "\n%s\n", l("na"))
	}
	if len(r.Recipient) > 0 {
		fmt.Fprintf(&b, "\n%s:\n", l("recipient"))
		writeNotes(&b, lang, r.Recipient)
	}
	for i, s := range r.Stages {
		mark := ""
		if s.RuleStatus == law.Unverified {
			mark = " [UNVERIFIED]"
		}
		fmt.Fprintf(&b, "\n%d. %s — %s%s\n", i+1, s.Title.In(lang), s.Citation, mark)
		fmt.Fprintf(&b, "   %-9s %s\n", l("due")+":", stageDue(s, lang))
		if s.LegalEnd != nil {
			end := fmtInstant(*s.LegalEnd, lang)
			if isMidnight(*s.LegalEnd) {
				end = fmtDayEnd(*s.LegalEnd, lang)
			}
			fmt.Fprintf(&b, "   %-9s %s: %s\n", "", l("legal"), end)
		}
		trig := l("notyet")
		if s.TriggerAt != nil {
			trig = fmtInstant(*s.TriggerAt, lang)
		}
		fmt.Fprintf(&b, "   %-9s %s — %s\n", l("trigger")+":", s.Trigger.Text().In(lang), trig)
		fmt.Fprintf(&b, "   %-9s %s\n", l("status")+":", stageStatus(s, lang))
		for j, f := range s.Content {
			label := ""
			if j == 0 {
				label = l("content") + ":"
			}
			text := f.EN
			if lang == "de" {
				text = f.DE
			}
			if c, ok := conditionText[f.Condition]; ok {
				text += " (" + c.In(lang) + ")"
			}
			fmt.Fprintf(&b, "   %-9s - %s\n", label, text)
		}
	}
	if len(r.Notes) > 0 {
		fmt.Fprintf(&b, "\n%s:\n", l("notes"))
		writeNotes(&b, lang, r.Notes)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeNotes(b *strings.Builder, lang string, notes []clock.Note) {
	for _, n := range notes {
		mark := ""
		if n.Status == law.Unverified {
			mark = "[UNVERIFIED] "
		}
		fmt.Fprintf(b, "- %s%s: %s\n", mark, n.Citation, n.Text.In(lang))
	}
}

// stageDue renders the due instant: "by the end of" a day for BGB day
// periods, else the instant, marked where it rests on an UNVERIFIED
// reading (counting method, entry into force), followed by the statutory timing.
func stageDue(s clock.Stage, lang string) string {
	timing := s.Timing.In(lang)
	if s.Due == nil {
		return timing
	}
	due := fmtInstant(*s.Due, lang)
	if s.DayEnd {
		due = fmtDayEnd(*s.Due, lang)
	}
	if s.DueStatus == law.Unverified {
		due += " [UNVERIFIED]"
	}
	return due + " — " + timing
}

// fmtDayEnd shows an instant at 00:00 Berlin as the end (24:00) of the day before.
func fmtDayEnd(t time.Time, lang string) string {
	last := t.In(law.Berlin).AddDate(0, 0, -1)
	if lang == "de" {
		return fmt.Sprintf("bis Ende %s (24:00 Uhr)", fmtDay(last, lang))
	}
	return fmt.Sprintf("by the end of %s (24:00)", fmtDay(last, lang))
}

// isMidnight reports whether t is 00:00 in Berlin, i.e. the end of a day.
func isMidnight(t time.Time) bool {
	h, m, sec := t.In(law.Berlin).Clock()
	return h == 0 && m == 0 && sec == 0 && t.Nanosecond() == 0
}

func stageStatus(s clock.Stage, lang string) string {
	out := statusText[s.Status].In(lang)
	if s.SubmittedAt != nil {
		out += ", " + deadlineLabels["submitted"].In(lang) + " " + fmtInstant(*s.SubmittedAt, lang)
	}
	if s.Remaining != nil {
		if *s.Remaining > 0 {
			out += " (" + deadlineLabels["left"].In(lang) + " " + fmtDuration(*s.Remaining, lang) + ")"
		} else {
			out += " (" + deadlineLabels["overdue"].In(lang) + " " + fmtDuration(-*s.Remaining, lang) + ")"
		}
	}
	return out
}

var weekdays = map[string][7]string{
	"de": {"So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"},
	"en": {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"},
}

func fmtDay(t time.Time, lang string) string {
	return weekdays[lang][t.Weekday()] + " " + t.Format("02.01.2006")
}

// fmtInstant shows an instant in Europe/Berlin with its offset.
func fmtInstant(t time.Time, lang string) string {
	b := t.In(law.Berlin)
	return fmtDay(b, lang) + " " + b.Format("15:04 MST (-07:00)")
}

// fmtDuration renders a duration in days, hours and minutes (rounded down).
func fmtDuration(d time.Duration, lang string) string {
	units := [3]string{"d", "h", "min"}
	if lang == "de" {
		units = [3]string{"T", "Std", "Min"}
	}
	days := int(d / (24 * time.Hour))
	hours := int(d % (24 * time.Hour) / time.Hour)
	mins := int(d % time.Hour / time.Minute)
	var parts []string
	if days > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", days, units[0]))
	}
	if hours > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", hours, units[1]))
	}
	if mins > 0 || len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("%d %s", mins, units[2]))
	}
	return strings.Join(parts, " ")
}
