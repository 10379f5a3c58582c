package clock

import (
	"time"

	"github.com/pflicht/pflicht/internal/law"
)

// Unit is the unit in which a statutory period is expressed.
type Unit int

const (
	// Hours are counted as exact elapsed time (shared/spec/legal-spec.md §8).
	Hours Unit = iota
	// Days, Weeks and Months are counted by calendar under §§187(1), 188 BGB.
	Days
	Weeks
	Months
)

// String returns the unit name as used in the data files.
func (u Unit) String() string {
	switch u {
	case Hours:
		return "hours"
	case Days:
		return "days"
	case Weeks:
		return "weeks"
	case Months:
		return "months"
	}
	return "unit(?)"
}

// PeriodEnd returns the instant at which a period of n units, started by an
// event at the given instant, expires.
//
// Hours are exact elapsed time: event + n·60 min, so a 24-hour period across
// the spring DST change ends one wall-clock hour later.
//
// Days, weeks and months follow §§187(1), 188(1)-(3) BGB in Europe/Berlin: the
// day of the event is not counted; the period ends at 24:00 of the n-th day,
// of the day of the n-th week with the event day's name, or of the day of the
// n-th month with the event day's number (the last day of that month if it has
// no such day). The returned instant is that 24:00, i.e. 00:00 Berlin of the
// following day, so "before PeriodEnd" means "in time".
func PeriodEnd(event time.Time, n int, unit Unit) time.Time {
	if unit == Hours {
		return event.Add(time.Duration(n) * time.Hour)
	}
	y, m, d := event.In(law.Berlin).Date()
	switch unit {
	case Weeks:
		d += 7 * n
	case Days:
		d += n
	case Months:
		// Day 0 of the month after the target month is the target's last day.
		last := time.Date(y, m+time.Month(n)+1, 0, 0, 0, 0, 0, time.UTC).Day()
		return time.Date(y, m+time.Month(n), min(d, last)+1, 0, 0, 0, 0, law.Berlin)
	}
	// Midnight always exists in Berlin: DST switches at 02:00/03:00.
	return time.Date(y, m, d+1, 0, 0, 0, 0, law.Berlin)
}
