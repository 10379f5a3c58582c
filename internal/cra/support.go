package cra

import (
	"fmt"
	"time"

	"github.com/pflicht/pflicht/internal/law"
)

// Art. 13 period rule ids in obligations.yaml.
const (
	art13_8     = "cra.13.8"
	art13_9     = "cra.13.9"
	art13_13    = "cra.13.13"
	art13_19    = "cra.13.19"
	periodCount = "cra.period.count"
)

// maxSupportYears bounds input; no product is supported for centuries.
const maxSupportYears = 100

// Support is the Art. 13 timeline of one product. All times are calendar
// days (00:00 UTC, as law.ParseDate returns them), each the last day included.
type Support struct {
	PlacedOn time.Time `json:"placed_on"`
	Years    int       `json:"years"`
	// End is the last day of the support period (Art. 13(8)); state at least
	// its month and year at purchase (Art. 13(19)).
	End time.Time `json:"end"`
	// UpdatesAvailableUntil is how long an update issued on the last day of
	// support must stay available (Art. 13(9)); earlier updates: UpdateAvailableUntil.
	UpdatesAvailableUntil time.Time `json:"updates_available_until"`
	// DocumentationUntil: technical documentation and EU declaration of
	// conformity are kept at least until this day (Art. 13(13)).
	DocumentationUntil time.Time `json:"documentation_until"`
	Citations          []string  `json:"citations"`
	Notes              []Note    `json:"notes"`
}

// SupportPeriodEnd returns the last day of a support period of years starting
// with placing on the market on start (a calendar day): the same date years
// later, or 28 February for 29 February (our reading of Art. 3 Regulation 1182/71).
func SupportPeriodEnd(start time.Time, years int) time.Time {
	y, m, d := start.Date()
	last := time.Date(y+years, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return time.Date(y+years, m, min(d, last), 0, 0, 0, 0, time.UTC)
}

// UpdateAvailableUntil returns the last day a security update issued on
// issued must stay available: 10 years after issue or the end of the
// support period, whichever is later (Art. 13(9)).
func UpdateAvailableUntil(issued, supportEnd time.Time) time.Time {
	return later(SupportPeriodEnd(issued, cat.periods[art13_9].Years), supportEnd)
}

// SupportPeriod computes the Art. 13 dates of a product placed on the market
// on placedOn (a calendar day) with a support period of years.
func SupportPeriod(placedOn time.Time, years int) (Support, error) {
	if years < 1 || years > maxSupportYears {
		return Support{}, fmt.Errorf("cra: support years: %d is not between 1 and %d", years, maxSupportYears)
	}
	placedOn = time.Date(placedOn.Year(), placedOn.Month(), placedOn.Day(), 0, 0, 0, 0, time.UTC)
	end := SupportPeriodEnd(placedOn, years)
	s := Support{
		PlacedOn: placedOn, Years: years, End: end,
		UpdatesAvailableUntil: UpdateAvailableUntil(end, end),
		DocumentationUntil:    later(SupportPeriodEnd(placedOn, cat.periods[art13_13].Years), end),
	}
	for _, id := range []string{art13_8, art13_9, art13_13, art13_19} {
		s.Citations = append(s.Citations, cat.periods[id].Citation)
	}
	if p := cat.periods[art13_8]; years < p.Years {
		s.Notes = append(s.Notes, Note{Citation: p.Citation, Status: p.Status, Text: law.Text{
			DE: fmt.Sprintf("Unterstützungszeitraum unter %d Jahren: nur zulässig, wenn das Produkt voraussichtlich kürzer verwendet wird.", p.Years),
			EN: fmt.Sprintf("Support period under %d years: allowed only if the product is expected to be in use for a shorter time.", p.Years),
		}})
	}
	if placedOn.Before(cat.applies) {
		day := cat.applies.Format("02.01.2006")
		s.Notes = append(s.Notes, Note{Citation: "Art. 69 Abs. 2 VO (EU) 2024/2847", Status: law.Verified, Text: law.Text{
			DE: "Vor dem " + day + " in Verkehr gebracht: Art. 13 gilt nur bei späterer wesentlicher Änderung; Art. 14 gilt trotzdem (Art. 69 Abs. 3).",
			EN: "Placed on the market before " + day + ": Art. 13 applies only after a later substantial modification; Art. 14 applies all the same (Art. 69(3)).",
		}})
	}
	c := cat.periods[periodCount]
	s.Notes = append(s.Notes, Note{Citation: c.Citation, Status: c.Status, Text: c.Explain})
	return s, nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
