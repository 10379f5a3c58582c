package clock

import (
	"time"

	"github.com/pflicht/pflicht/internal/law"
)

// exactOffset is the safe due instant for CRA periods (spec §8): the event
// plus the period, hours and days as elapsed time (a day is 24 h), months by
// calendar at the same Berlin wall-clock time, clamped to the month's last day.
func exactOffset(event time.Time, l Length) time.Time {
	switch l.Unit {
	case Hours:
		return event.Add(time.Duration(l.N) * time.Hour).UTC()
	case Days:
		return event.Add(time.Duration(l.N) * 24 * time.Hour).UTC()
	case Weeks:
		return event.Add(time.Duration(l.N) * 7 * 24 * time.Hour).UTC()
	}
	b := event.In(law.Berlin)
	y, m, d := b.Date()
	last := time.Date(y, m+time.Month(l.N)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return time.Date(y, m+time.Month(l.N), min(d, last), b.Hour(), b.Minute(), b.Second(), b.Nanosecond(), law.Berlin).UTC()
}

// legalEnd is our reading of Art. 3 Regulation 1182/71: for hours, the hour
// of the event is not counted and the period ends with the expiry of its last
// full hour; for days, weeks and months, the day of the event is not counted
// and the period ends at the end of its last day (counted like §§187, 188 BGB,
// whose rule 3(2)(c) matches), moved to the end of the next working day when
// that is a Saturday, Sunday or public holiday (3(4)). Days end in
// Europe/Berlin and only nationwide German holidays count (rule eu.1182_71.art3).
func legalEnd(event time.Time, l Length) time.Time {
	if l.Unit == Hours {
		// Berlin offsets are whole hours, so UTC hour boundaries are Berlin's.
		return event.UTC().Truncate(time.Hour).Add(time.Duration(l.N+1) * time.Hour)
	}
	end := PeriodEnd(event, l.N, l.Unit) // 00:00 Berlin after the last day
	for last := end.AddDate(0, 0, -1); !workingDay(last); last = end.AddDate(0, 0, -1) {
		end = end.AddDate(0, 0, 1)
	}
	return end.UTC()
}

// workingDay reports whether the Berlin calendar day of t is neither a
// weekend day nor a nationwide German public holiday.
func workingDay(t time.Time) bool {
	b := t.In(law.Berlin)
	if wd := b.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	y, m, d := b.Date()
	switch {
	case m == time.January && d == 1, m == time.May && d == 1, m == time.October && d == 3,
		m == time.December && (d == 25 || d == 26):
		return false
	}
	easter := easterSunday(y)
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	for _, off := range []int{-2, 1, 39, 50} { // Good Friday, Easter Monday, Ascension, Whit Monday
		if day.Equal(easter.AddDate(0, 0, off)) {
			return false
		}
	}
	return true
}

// easterSunday returns Gregorian Easter Sunday of year y (anonymous
// Gregorian algorithm, Meeus/Jones/Butcher), at 00:00 UTC.
func easterSunday(y int) time.Time {
	a := y % 19
	b, c := y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(y, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}
