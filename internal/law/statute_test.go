package law

import "testing"

func TestStatutesLoad(t *testing.T) {
	if _, err := loadStatutes(); err != nil {
		t.Fatal(err)
	}
}

// TestBSIG2025_SettledBy66 pins the entry-into-force reading: assumed from
// 06.12.2025 (UNVERIFIED) and certain from 16.03.2026, the last day §66 BSIG
// names for a wording of the law in force.
func TestBSIG2025_SettledBy66(t *testing.T) {
	s := BSIG2025()
	if s.ValidFrom != "2025-12-06" || s.Status != Unverified {
		t.Errorf("valid_from %s status %s", s.ValidFrom, s.Status)
	}
	for _, tc := range []struct {
		day  string
		want Status
	}{
		{"2025-12-06", Unverified},
		{"2026-03-06", Unverified},
		{"2026-03-15", Unverified},
		{"2026-03-16", Verified},
		{"2026-11-23", Verified},
	} {
		if got := s.StatusOn(tc.day); got != tc.want {
			t.Errorf("StatusOn(%s) = %s, want %s", tc.day, got, tc.want)
		}
	}
}

func TestStatuteValidate(t *testing.T) {
	ok := BSIG2025()
	for _, tc := range []struct {
		name string
		edit func(*Statute)
	}{
		{"settled before valid_from", func(s *Statute) { s.SettledFrom = "2025-01-01" }},
		{"bad settled_from", func(s *Statute) { s.SettledFrom = "16.03.2026" }},
		{"no text", func(s *Statute) { s.Text = Text{} }},
		{"no status", func(s *Statute) { s.Status = "" }},
	} {
		s := ok
		tc.edit(&s)
		if s.Validate() == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}
