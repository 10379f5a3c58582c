package facts

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pflicht/pflicht/internal/cra"
	"github.com/pflicht/pflicht/internal/law"
	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/vex"
)

// SupportState is where a calendar day lies relative to a support period.
type SupportState string

const (
	NotPlaced    SupportState = "not_placed" // before placing on the market
	InSupport    SupportState = "in_support" // up to and including the last day
	SupportEnded SupportState = "ended"      // after the last day
)

// Support is the Art. 13 timeline of a support period as the cra engine
// computes it. All days are calendar days (00:00 UTC), each included.
type Support struct {
	PlacedOn, End time.Time
	// UpdatesUntil: an update issued on the last day of support stays
	// available at least until then (Art. 13(9)); DocsUntil: technical
	// documentation and declaration of conformity are kept until then
	// (Art. 13(13)). The month and year of End are stated at purchase
	// (Art. 13(19)).
	UpdatesUntil, DocsUntil time.Time
	// The citations as the engine names them: Art. 13(8), 13(19), 13(9)
	// and 13(13).
	EndCitation, StatementCitation, UpdatesCitation, DocsCitation string
	State                                                         SupportState
	Notes                                                         []cra.Note
}

// maxSupportYears is where the engine refuses any period; SupportOf stops
// counting there.
const maxSupportYears = 100

// SupportOf asks the cra engine for the Art. 13 dates of a support period
// from start to end (calendar days, end included), with its state on today.
// The engine counts whole years; an end date between two anniversaries is
// taken as given, and the engine is asked for the whole years it covers, so
// its note on periods under five years (Art. 13(8)) appears exactly when
// the end lies before the fifth anniversary. A period the engine refuses
// (over 100 years) is its error.
func SupportOf(start, end, today time.Time) (Support, error) {
	years := 0
	for years <= maxSupportYears && !cra.SupportPeriodEnd(start, years+1).After(end) {
		years++
	}
	sp, err := cra.SupportPeriod(start, max(years, 1))
	if err != nil {
		return Support{}, err
	}
	docs := sp.DocumentationUntil
	if end.After(docs) {
		docs = end
	}
	s := Support{
		PlacedOn: start, End: end, UpdatesUntil: cra.UpdateAvailableUntil(end, end), DocsUntil: docs,
		EndCitation: sp.Citations[0], UpdatesCitation: sp.Citations[1], DocsCitation: sp.Citations[2], StatementCitation: sp.Citations[3],
		Notes: sp.Notes, State: InSupport,
	}
	switch {
	case today.Before(start):
		s.State = NotPlaced
	case today.After(end):
		s.State = SupportEnded
	}
	return s, nil
}

// Assessment is what the cra engine says about a stored product version.
type Assessment struct {
	Class  cra.Classification
	Routes cra.Assessment
	// ClassErr is the engine's refusal of the stored categories (another
	// client stored ids it does not know); Class and Routes are then empty.
	ClassErr string
	// Support is nil without a day of placing on the market and an end;
	// SupportErr is the engine's refusal of a stored period.
	Support    *Support
	SupportErr string
}

// AssessVersion classifies a stored version (Annex III/IV), lists the
// Art. 32 routes and computes its support period, with its state on today.
// Routes are assessed for the day of placing on the market where it is
// known, as the assessment precedes it (Art. 13(12)), otherwise for today.
func AssessVersion(v store.ProductVersion, today time.Time) Assessment {
	var a Assessment
	asOf := today
	if start, err := law.ParseDate(v.SupportStart); err == nil {
		asOf = start
		if end, err := law.ParseDate(v.SupportEnd); err == nil {
			if s, err := SupportOf(start, end, today); err == nil {
				a.Support = &s
			} else {
				a.SupportErr = engineMessage(err)
			}
		}
	}
	class, err := cra.Classify(v.Categories)
	if err != nil {
		a.ClassErr = engineMessage(err)
		return a
	}
	f := cra.Facts{HarmonisedStandardsAppliedInFull: v.HarmonisedStandards, FOSSPublicTechDoc: v.FOSSPublicDocs, EUSchemeAvailable: v.EUScheme}
	routes, err := cra.Routes(class.Class, f, asOf)
	if err != nil {
		a.ClassErr = engineMessage(err)
		return a
	}
	a.Class, a.Routes = class, routes
	return a
}

// OpenRoutes are the routes open to the version.
func (a Assessment) OpenRoutes() []cra.RouteOption {
	var out []cra.RouteOption
	for _, r := range a.Routes.Routes {
		if r.Open {
			out = append(out, r)
		}
	}
	return out
}

// RuleStatus is the status of the Art. 32 rule applied to the class: the
// engine marks an UNVERIFIED reading with a note citing the rule.
func (a Assessment) RuleStatus() law.Status {
	for _, n := range a.Routes.Notes {
		if n.Citation == a.Routes.Rule && n.Status == law.Unverified {
			return law.Unverified
		}
	}
	return law.Verified
}

// categoryStatus is each Annex III/IV category's status.
var categoryStatus = func() map[string]law.Status {
	m := map[string]law.Status{}
	for _, c := range cra.Categories() {
		m[c.ID] = c.Status
	}
	return m
}()

// CategoryStatus is the status of the engine's reading of a category
// ("" for an id it does not know).
func CategoryStatus(id string) law.Status { return categoryStatus[id] }

func engineMessage(err error) string { return strings.TrimPrefix(err.Error(), "cra: ") }

// VersionInput is a product version's CRA data as a client states it;
// strings are trimmed, "" is not stated. The support period is the day of
// placing on the market and either whole years from it (the engine
// computes the end) or the last day of support.
type VersionInput struct {
	PlacedOn, Years, End string
	Categories           []string
	// The Art. 32 facts (store.ProductVersion says what each means).
	HarmonisedStandards, FOSSPublicDocs, EUScheme bool
}

// Reasons a VersionInput is refused.
const (
	ReasonDate         = "date"          // not a date YYYY-MM-DD
	ReasonYearsOrEnd   = "years_or_end"  // both years and an end date
	ReasonPlacedNeeded = "placed_needed" // a period without the day of placing on the market
	ReasonYears        = "years"         // not a whole number
	ReasonEndBefore    = "end_before"    // the end lies before placing on the market
	ReasonEngine       = "engine"        // the cra engine refuses the period (Detail says why)
	ReasonCategory     = "category"      // a category the engine does not know (Detail)
)

// VersionError is one refused field of a VersionInput. Field is
// placed_on, support_years, support_end or categories; Detail is the
// engine's message for ReasonEngine and ReasonCategory.
type VersionError struct {
	Field, Reason, Detail string
}

var reasonText = map[string]string{
	ReasonDate:         "not a date YYYY-MM-DD",
	ReasonYearsOrEnd:   "give either support_years or support_end, not both",
	ReasonPlacedNeeded: "a support period needs the day of placing on the market",
	ReasonYears:        "not a whole number of years",
	ReasonEndBefore:    "lies before the day of placing on the market",
	ReasonEngine:       "not allowed",
	ReasonCategory:     "not an Annex III or IV category",
}

// Message says in English what is wrong, for the API and logs; the
// portal translates Reason.
func (e VersionError) Message() string {
	if e.Detail != "" {
		return reasonText[e.Reason] + ": " + e.Detail
	}
	return reasonText[e.Reason]
}

func (e VersionError) Error() string { return fmt.Sprintf("facts: %s: %s", e.Field, e.Message()) }

// ProductVersion checks in and returns the store form of what it states:
// SupportStart and SupportEnd (computed by the engine from years), the
// categories once each in the order given, and the facts. Errors come in
// the order of the fields; with errors the version is not to be stored.
func ProductVersion(in VersionInput) (store.ProductVersion, []VersionError) {
	var errs []VersionError
	fail := func(field, reason, detail string) { errs = append(errs, VersionError{field, reason, detail}) }
	placed, years, end := strings.TrimSpace(in.PlacedOn), strings.TrimSpace(in.Years), strings.TrimSpace(in.End)
	v := store.ProductVersion{SupportStart: placed, HarmonisedStandards: in.HarmonisedStandards, FOSSPublicDocs: in.FOSSPublicDocs, EUScheme: in.EUScheme}
	start, startErr := law.ParseDate(placed)
	if placed != "" && startErr != nil {
		fail("placed_on", ReasonDate, "")
	}
	last, endErr := law.ParseDate(end)
	if end != "" && endErr != nil {
		fail("support_end", ReasonDate, "")
	}
	switch {
	case years != "" && end != "":
		fail("support_years", ReasonYearsOrEnd, "")
	case (years != "" || end != "") && placed == "":
		fail("placed_on", ReasonPlacedNeeded, "")
	}
	if years != "" && startErr == nil {
		n, err := strconv.Atoi(years)
		if err != nil {
			fail("support_years", ReasonYears, "")
		} else if sp, err := cra.SupportPeriod(start, n); err != nil {
			fail("support_years", ReasonEngine, engineMessage(err))
		} else {
			v.SupportEnd = sp.End.Format(law.DateLayout)
		}
	}
	if end != "" && endErr == nil && startErr == nil {
		if last.Before(start) {
			fail("support_end", ReasonEndBefore, "")
		} else if _, err := SupportOf(start, last, start); err != nil {
			fail("support_end", ReasonEngine, engineMessage(err))
		} else {
			v.SupportEnd = end
		}
	}
	v.Categories = []string{}
	for _, id := range in.Categories {
		if !slices.Contains(v.Categories, id) {
			v.Categories = append(v.Categories, id)
		}
	}
	if _, err := cra.Classify(v.Categories); err != nil {
		fail("categories", ReasonCategory, engineMessage(err))
	}
	return v, errs
}

// FindingOpen reports whether a finding is open: still found, and no VEX
// decision closes it (not_affected, fixed). The lists count these.
func FindingOpen(f store.Finding) bool {
	return !f.Gone && (f.Status == string(vex.UnderInvestigation) || f.Status == string(vex.Affected))
}
