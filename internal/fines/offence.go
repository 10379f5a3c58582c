package fines

import (
	"strconv"
	"strings"
	"time"
)

// OffenceFor returns the offence of the catalogue on asOf whose sanctioned
// norm covers citation, the norm a duty rests on: "§ 32 Abs. 1 Satz 1 BSIG"
// (offence 65.2.4) covers "§ 32 Abs. 1 Satz 1 Nr. 2 BSIG", "Art. 14 VO (EU)
// 2024/2847" (cra.64.2) covers "Art. 14 Abs. 2 Buchst. b VO (EU) 2024/2847".
// Where several offences cover it, the one naming the norm most precisely
// wins (cra.64.2.ew24 for the 24-hour early warning); two equally precise
// ones are no answer. ok is false if no offence names the norm (§32(2) S. 1
// BSIG, the progress report, is sanctioned by none).
//
// The sanctioned norms are read from Offence.Sanctions. A list the reader
// does not fully understand (a bare number whose unit is ambiguous, an
// "i.V.m." qualification, a remark in brackets) is left out as a whole, so
// a citation can at worst find no offence, never a wrong one.
func OffenceFor(citation string, asOf time.Time) (Offence, bool) {
	cited, ok := parseNorms(citation)
	if !ok || len(cited) != 1 {
		return Offence{}, false
	}
	c := cited[0]
	var best Offence
	depth, tie := 0, false
	for _, o := range Offences(asOf) {
		norms, ok := parseNorms(o.Sanctions)
		if !ok {
			continue
		}
		for _, n := range norms {
			if !n.covers(c) {
				continue
			}
			switch d := len(n.parts); {
			case d > depth:
				best, depth, tie = o, d, false
			case d == depth && o.ID != best.ID:
				tie = true
			}
		}
	}
	if depth == 0 || tie {
		return Offence{}, false
	}
	return best, true
}

// norm is one provision: its subdivisions from the top (§, Art., Anhang)
// down, and the law it belongs to ("BSIG", "VO (EU) 2024/2847").
type norm struct {
	parts []part
	law   string
}

// part is one subdivision: a unit and a value or range of values.
type part struct {
	unit  string // "§", "Abs.", …
	level int    // depth: 0 for §, Art. and Anhang, then Abs., Satz, Nr., Buchst.
	value string // "32", "a", "I", or "1-4" for a range
}

// units are the subdivisions of a citation, from the top down.
var units = []string{"§", "Art.", "Anhang", "Abs.", "Satz", "Nr.", "Buchst."}

// levelOf maps a unit to its depth; the three top units share depth 0.
func levelOf(tok string) (int, bool) {
	for i, u := range units {
		if tok == u {
			return max(i-2, 0), true
		}
	}
	return 0, false
}

func (n norm) covers(c norm) bool {
	if n.law != c.law || len(n.parts) > len(c.parts) {
		return false
	}
	for i, p := range n.parts {
		q := c.parts[i]
		if p.unit != q.unit || !p.contains(q.value) {
			return false
		}
	}
	return true
}

// contains reports whether v is p's value or lies in its range.
func (p part) contains(v string) bool {
	if p.value == v {
		return true
	}
	lo, hi, ok := strings.Cut(p.value, "-")
	if !ok {
		return false
	}
	a, err1 := strconv.Atoi(lo)
	b, err2 := strconv.Atoi(hi)
	x, err3 := strconv.Atoi(v)
	return err1 == nil && err2 == nil && err3 == nil && a <= x && x <= b
}

// parseNorms reads a citation or a list of norms in the style of the law
// data: items separated by ", " or " oder ", each a sequence of unit and
// value ("§ 32 Abs. 1 Satz 1"); an item that starts below the top takes the
// upper subdivisions of the item before ("Art. 14 Abs. 2 Buchst. a, Abs. 4
// Buchst. a"); the last item ends with the law, which all items share. ok
// is false for anything else.
func parseNorms(s string) ([]norm, bool) {
	items := strings.Split(strings.ReplaceAll(s, " oder ", ", "), ", ")
	var out []norm
	var prev []part
	law := ""
	for i, item := range items {
		toks := strings.Fields(item)
		var parts []part
		j := 0
		for ; j+1 < len(toks); j += 2 {
			lvl, ok := levelOf(toks[j])
			if !ok {
				break
			}
			if len(parts) > 0 && lvl <= parts[len(parts)-1].level {
				return nil, false
			}
			if len(parts) == 0 && lvl > 0 {
				// Inherit the subdivisions above this one from the item before.
				for _, p := range prev {
					if p.level < lvl {
						parts = append(parts, p)
					}
				}
				if len(parts) == 0 {
					return nil, false
				}
			}
			if !validValue(toks[j+1]) {
				return nil, false
			}
			parts = append(parts, part{unit: toks[j], level: lvl, value: toks[j+1]})
		}
		if len(parts) == 0 || parts[0].level != 0 {
			return nil, false
		}
		if rest := toks[j:]; len(rest) > 0 {
			if i != len(items)-1 || !validLaw(rest) {
				return nil, false
			}
			law = strings.Join(rest, " ")
		}
		out = append(out, norm{parts: parts})
		prev = parts
	}
	if law == "" {
		return nil, false
	}
	for i := range out {
		out[i].law = law
	}
	return out, true
}

// validValue accepts a number, a letter, a Roman numeral or a range of
// numbers: nothing that could be a word of a remark.
func validValue(v string) bool {
	if lo, hi, ok := strings.Cut(v, "-"); ok {
		_, err1 := strconv.Atoi(lo)
		_, err2 := strconv.Atoi(hi)
		return err1 == nil && err2 == nil
	}
	if _, err := strconv.Atoi(v); err == nil {
		return true
	}
	if len(v) == 1 && v[0] >= 'a' && v[0] <= 'z' {
		return true
	}
	return v != "" && strings.Trim(v, "IVX") == ""
}

// validLaw accepts the name of a law: no unit, qualification or remark in it.
func validLaw(toks []string) bool {
	for _, t := range toks {
		if _, unit := levelOf(t); unit || strings.ContainsAny(t, "()") && t != "(EU)" || t == "i.V.m." || t == "auch" || t == "jeweils" {
			return false
		}
	}
	return true
}
