package fines

import (
	"strings"
	"testing"
)

// TestOffenceFor maps the citations of the reporting stages (clock data)
// to the offence that sanctions a missed or late report.
func TestOffenceFor(t *testing.T) {
	bsig, cra := day("2026-10-01"), day("2026-10-01")
	for _, c := range []struct {
		citation string
		want     string // "" for none
	}{
		{"§ 32 Abs. 1 Satz 1 Nr. 1 BSIG", "65.2.4"},
		{"§ 32 Abs. 1 Satz 1 Nr. 2 BSIG", "65.2.4"},
		{"§ 32 Abs. 1 Satz 1 Nr. 3 BSIG", "65.2.4"},
		{"§ 32 Abs. 1 Satz 1 Nr. 4 BSIG", "65.2.4"},
		{"§ 32 Abs. 1 Satz 1 BSIG", "65.2.4"},
		{"§ 32 Abs. 2 Satz 2 BSIG", "65.2.5"},
		// The progress report of §32(2) S. 1 is sanctioned by no number of §65(2).
		{"§ 32 Abs. 2 Satz 1 BSIG", ""},
		{"§ 32 Abs. 1 BSIG", ""}, // broader than any sanctioned norm
		{"§ 30 Abs. 1 Satz 1 BSIG", "65.2.2"},
		{"§ 34 Abs. 2 BSIG", "65.2.8"},
		// The 24-hour early warnings: the specific offence of Art. 64(10)(a).
		{"Art. 14 Abs. 2 Buchst. a VO (EU) 2024/2847", "cra.64.2.ew24"},
		{"Art. 14 Abs. 4 Buchst. a VO (EU) 2024/2847", "cra.64.2.ew24"},
		{"Art. 14 Abs. 2 Buchst. b VO (EU) 2024/2847", "cra.64.2"},
		{"Art. 14 Abs. 2 Buchst. c VO (EU) 2024/2847", "cra.64.2"},
		{"Art. 14 Abs. 4 Buchst. c VO (EU) 2024/2847", "cra.64.2"},
		{"Art. 14 Abs. 6 VO (EU) 2024/2847", "cra.64.2"},
		{"Art. 14 Abs. 8 VO (EU) 2024/2847", "cra.64.2"},
		{"Art. 14 Abs. 2 Buchst. a BSIG", ""}, // same numbers, other law
		{"§ 32 Abs. 1 Satz 1 Nr. 2", ""},      // no law
		{"", ""},
		{"Art. 15 VO (EU) 2024/2847", ""},
	} {
		asOf := bsig
		if strings.Contains(c.citation, "VO (EU)") {
			asOf = cra
		}
		o, ok := OffenceFor(c.citation, asOf)
		if got := o.ID; ok != (c.want != "") || got != c.want {
			t.Errorf("OffenceFor(%q) = %q, %v; want %q", c.citation, got, ok, c.want)
		}
	}
}

// TestOffenceForAsOf: an offence not yet in the catalogue on asOf is no answer.
func TestOffenceForAsOf(t *testing.T) {
	if o, ok := OffenceFor("Art. 14 Abs. 2 Buchst. b VO (EU) 2024/2847", day("2026-09-10")); ok {
		t.Errorf("before Art. 14 applies: %s, want none", o.ID)
	}
	if o, ok := OffenceFor("§ 32 Abs. 1 Satz 1 Nr. 2 BSIG", day("2025-01-01")); ok {
		t.Errorf("before BSIG 2025: %s, want none", o.ID)
	}
}

func TestParseNorms(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string // "unit value/…@law"; nil: not understood
	}{
		{"§ 32 Abs. 1 Satz 1 BSIG", []string{"§32/Abs.1/Satz1@BSIG"}},
		{"Anhang I, Art. 13, Art. 14 VO (EU) 2024/2847", []string{"AnhangI@VO (EU) 2024/2847", "Art.13@VO (EU) 2024/2847", "Art.14@VO (EU) 2024/2847"}},
		{"Art. 14 Abs. 2 Buchst. a, Abs. 4 Buchst. a VO (EU) 2024/2847", []string{"Art.14/Abs.2/Buchst.a@VO (EU) 2024/2847", "Art.14/Abs.4/Buchst.a@VO (EU) 2024/2847"}},
		{"§ 49 Abs. 3 Satz 2, Abs. 4 BSIG", []string{"§49/Abs.3/Satz2@BSIG", "§49/Abs.4@BSIG"}},
		{"§ 11 Abs. 6, § 16 Abs. 1 oder § 17 Satz 1 BSIG", []string{"§11/Abs.6@BSIG", "§16/Abs.1@BSIG", "§17/Satz1@BSIG"}},
		{"Art. 30 Abs. 1-4 VO (EU) 2024/2847", []string{"Art.30/Abs.1-4@VO (EU) 2024/2847"}},
		// Ambiguous or qualified: not understood.
		{"§ 35 Abs. 2 Satz 1, 2 BSIG", nil},
		{"Art. 18-23, 28 VO (EU) 2024/2847", nil},
		{"§ 39 Abs. 1 Satz 1 BSIG i.V.m. RVO nach § 56 Abs. 4 Satz 1 BSIG", nil},
		{"§ 33 Abs. 2 Satz 2 BSIG (ursprüngliche Fassung, fortgeltend nach § 66)", nil},
		{"§ 18, § 40 Abs. 5 Satz 1, jeweils auch i.V.m. § 62 BSIG", nil},
		{"§ 32 Satz 1 Abs. 1 BSIG", nil}, // out of order
		{"Abs. 1 BSIG", nil},
		{"§ 32 BSIG, § 33", nil},
		{"§ 32", nil},
	} {
		norms, ok := parseNorms(c.in)
		var got []string
		for _, n := range norms {
			var b strings.Builder
			for i, p := range n.parts {
				if i > 0 {
					b.WriteByte('/')
				}
				b.WriteString(p.unit + p.value)
			}
			got = append(got, b.String()+"@"+n.law)
		}
		if ok != (c.want != nil) || strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("parseNorms(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
}

// TestOffenceForCatalogue: every sanctioned norm the reader understands
// finds its own offence (or one naming it more precisely).
func TestOffenceForCatalogue(t *testing.T) {
	asOf := day("2028-01-01")
	for _, o := range Offences(asOf) {
		norms, ok := parseNorms(o.Sanctions)
		if !ok {
			continue
		}
		for _, n := range norms {
			var b strings.Builder
			for _, p := range n.parts {
				b.WriteString(p.unit + " " + p.value + " ")
			}
			cit := b.String() + n.law
			if strings.Contains(cit, "-") {
				continue // a range is no citation
			}
			if _, found := OffenceFor(cit, asOf); !found {
				t.Errorf("%s: norm %q of its own list finds no offence", o.ID, cit)
			}
		}
	}
}

func FuzzParseNorms(f *testing.F) {
	for _, s := range []string{"§ 32 Abs. 1 Satz 1 BSIG", "Art. 14 Abs. 2 Buchst. a, Abs. 4 Buchst. a VO (EU) 2024/2847",
		"Anhang I, Art. 13, Art. 14 VO (EU) 2024/2847", "§ 35 Abs. 2 Satz 1, 2 BSIG", "Art. 30 Abs. 1-4 VO (EU) 2024/2847", "Abs. 1, , oder"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		norms, ok := parseNorms(s)
		if !ok {
			return
		}
		for _, n := range norms {
			if n.law == "" || len(n.parts) == 0 || n.parts[0].level != 0 {
				t.Fatalf("parseNorms(%q): bad norm %+v", s, n)
			}
			for i := 1; i < len(n.parts); i++ {
				if n.parts[i].level <= n.parts[i-1].level {
					t.Fatalf("parseNorms(%q): parts out of order %+v", s, n.parts)
				}
			}
			if !n.covers(n) {
				t.Fatalf("parseNorms(%q): %+v does not cover itself", s, n)
			}
		}
		OffenceFor(s, day("2028-01-01"))
	})
}
