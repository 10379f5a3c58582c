package view

import (
	"errors"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/clock"
	"github.com/pflicht/pflicht/internal/fines"
	"github.com/pflicht/pflicht/internal/scope"
)

var today = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

// TestFieldErrors checks that each bad input is the engine's FieldError
// naming the JSON field, which the CLI and the API both report by field.
func TestFieldErrors(t *testing.T) {
	fieldOf := func(err error) string {
		if fe, ok := errors.AsType[*scope.FieldError](err); ok {
			return fe.Field
		}
		if fe, ok := errors.AsType[*fines.FieldError](err); ok {
			return fe.Field
		}
		if fe, ok := errors.AsType[*clock.FieldError](err); ok {
			return fe.Field
		}
		return "not a field error: " + err.Error()
	}
	check := func(r CheckRequest) error { _, _, err := r.Input(today); return err }
	fine := func(r FineRequest) error { _, err := r.Case(today); return err }
	deadline := func(r DeadlineRequest) error { _, err := r.Input(today); return err }
	for _, tc := range []struct {
		name, field string
		err         error
	}{
		{"check qualified_since", "qualified_since", check(CheckRequest{QualifiedSince: "2026-13-01"})},
		{"check as_of", "as_of", check(CheckRequest{AsOf: "tomorrow"})},
		{"fine as_of", "as_of", fine(FineRequest{Offence: "65.2.2", AsOf: "23.11.2026"})},
		{"deadline regime", "regime", deadline(DeadlineRequest{AwareAt: "2026-03-28T10:00:00+01:00"})},
		{"deadline aware_at missing", "aware_at", deadline(DeadlineRequest{Regime: "bsig"})},
		{"deadline aware_at local", "aware_at", deadline(DeadlineRequest{Regime: "bsig", AwareAt: "2026-03-28T10:00:00"})},
		{"deadline now", "now", deadline(DeadlineRequest{Regime: "bsig", AwareAt: "2026-03-28T10:00:00+01:00", Now: "x"})},
		{"deadline final_at", "final_at", deadline(DeadlineRequest{Regime: "bsig", AwareAt: "2026-03-28T10:00:00+01:00", FinalAt: "2026-04-01"})},
	} {
		if tc.err == nil {
			t.Errorf("%s: no error", tc.name)
		} else if got := fieldOf(tc.err); got != tc.field {
			t.Errorf("%s: field %q, want %q", tc.name, got, tc.field)
		}
	}
}

// TestDefaults checks that an absent as_of or now takes the caller's day
// or instant, and that every event time reaches the engine's input.
func TestDefaults(t *testing.T) {
	if _, asOf, err := (&CheckRequest{}).Input(today); err != nil || !asOf.Equal(today) {
		t.Errorf("check as_of %v, %v", asOf, err)
	}
	if c, err := (&FineRequest{Offence: "65.2.2"}).Case(today); err != nil || !c.AsOf.Equal(today) {
		t.Errorf("fine as_of %v, %v", c.AsOf, err)
	}
	now := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
	r := DeadlineRequest{Regime: " bsig ", AwareAt: "2026-03-28T10:00:00+01:00"}
	for i, tf := range DeadlineTimes {
		*tf.Of(&r) = time.Date(2026, 3, 29, i, 0, 0, 0, time.UTC).Format(time.RFC3339)
	}
	in, err := r.Input(now)
	if err != nil || in.Regime != clock.BSIG || !in.Now.Equal(now) {
		t.Fatalf("deadline: %+v, %v", in, err)
	}
	for i, tf := range DeadlineTimes {
		if got := *tf.to(&in); got == nil || got.Hour() != i {
			t.Errorf("%s: %v", tf.JSON, got)
		}
	}
}

func TestToday(t *testing.T) {
	// 23:30 UTC on 23 November is already 24 November in Berlin.
	if got := Today(time.Date(2026, 11, 23, 23, 30, 0, 0, time.UTC)); !got.Equal(time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Today = %v", got)
	}
}
