package clock

import (
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/law"
)

// berlin parses a wall-clock time in Europe/Berlin for test tables.
func berlin(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, law.Berlin)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestBGB_188_Abs2_Weeks(t *testing.T) {
	tests := []struct {
		name, event string
		n           int
		want        string // 00:00 Berlin of the day after the last day
	}{
		{"two weeks, same weekday", "2026-03-04 10:00", 2, "2026-03-19 00:00"},
		{"spring DST inside", "2026-03-25 23:30", 1, "2026-04-02 00:00"},
		{"autumn DST inside", "2026-10-20 00:10", 2, "2026-11-04 00:00"},
		{"event at 00:00 still not counted", "2026-05-01 00:00", 1, "2026-05-09 00:00"},
		{"year end", "2026-12-28 12:00", 1, "2027-01-05 00:00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := PeriodEnd(berlin(t, tc.event), tc.n, Weeks)
			if want := berlin(t, tc.want); !got.Equal(want) {
				t.Errorf("PeriodEnd(%s, %d weeks) = %s, want %s", tc.event, tc.n, got.In(law.Berlin), want)
			}
		})
	}
}

func TestBGB_188_Abs3_Months(t *testing.T) {
	tests := []struct {
		name, event string
		n           int
		want        string
	}{
		{"Jan 31 + 1 month ends Feb 28", "2026-01-31 09:00", 1, "2026-03-01 00:00"},
		{"Jan 31 + 1 month in leap year ends Feb 29", "2028-01-31 09:00", 1, "2028-03-01 00:00"},
		{"leap day + 1 month", "2028-02-29 09:00", 1, "2028-03-30 00:00"},
		{"leap day + 12 months ends Feb 28", "2028-02-29 09:00", 12, "2029-03-01 00:00"},
		{"Dec 31 + 1 month", "2026-12-31 23:59", 1, "2027-02-01 00:00"},
		{"Nov 30 + 3 months ends Feb 28", "2026-11-30 08:00", 3, "2027-03-01 00:00"},
		{"Mar 31 + 1 month ends Apr 30", "2026-03-31 08:00", 1, "2026-05-01 00:00"},
		{"across spring DST", "2026-03-10 12:00", 1, "2026-04-11 00:00"},
		{"across autumn DST", "2026-10-01 12:00", 1, "2026-11-02 00:00"},
		{"three months, plain", "2026-01-15 12:00", 3, "2026-04-16 00:00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := PeriodEnd(berlin(t, tc.event), tc.n, Months)
			if want := berlin(t, tc.want); !got.Equal(want) {
				t.Errorf("PeriodEnd(%s, %d months) = %s, want %s", tc.event, tc.n, got.In(law.Berlin), want)
			}
		})
	}
}

func TestBGB_187_Abs1_EventDayInBerlin(t *testing.T) {
	// 23:30 UTC on 31 Jan is already 1 Feb in Berlin: the event day is 1 Feb.
	event := time.Date(2026, 1, 31, 23, 30, 0, 0, time.UTC)
	got := PeriodEnd(event, 1, Months)
	if want := berlin(t, "2026-03-02 00:00"); !got.Equal(want) {
		t.Errorf("got %s, want %s", got.In(law.Berlin), want)
	}
	if got, want := PeriodEnd(berlin(t, "2026-06-10 15:00"), 3, Days), berlin(t, "2026-06-14 00:00"); !got.Equal(want) {
		t.Errorf("3 days: got %s, want %s", got.In(law.Berlin), want)
	}
}

func TestPeriodEnd_HoursElapsed(t *testing.T) {
	tests := []struct {
		name, event string
		n           int
		want        string
	}{
		{"plain", "2026-05-05 10:00", 24, "2026-05-06 10:00"},
		// 29 March 2026: 02:00 -> 03:00, so 24 h of elapsed time end at 11:00.
		{"spring DST", "2026-03-28 10:00", 24, "2026-03-29 11:00"},
		// 25 October 2026: 03:00 -> 02:00, so 24 h end at 09:00.
		{"autumn DST", "2026-10-24 10:00", 24, "2026-10-25 09:00"},
		{"72 h across spring DST", "2026-03-27 10:00", 72, "2026-03-30 11:00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := PeriodEnd(berlin(t, tc.event), tc.n, Hours)
			if want := berlin(t, tc.want); !got.Equal(want) {
				t.Errorf("got %s, want %s", got.In(law.Berlin), want)
			}
		})
	}
}
