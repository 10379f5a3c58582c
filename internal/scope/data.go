package scope

import (
	"embed"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/pflicht/pflicht/internal/law"
)

//go:embed data/*.yaml
var dataFS embed.FS

// fact is one bit of what is known about an entity: a fact of the profile,
// a flag of one of its activities, or (for obligations) its class. Rules in
// the data files name facts; the engine compiles the names to masks at init so
// that classifying needs no lookups beyond the activity index.
type fact uint32

const (
	fKRITIS fact = 1 << iota
	fQTSP
	fFederal
	fFederalSecurity
	fDomainRegistrar
	fDORA
	fTelematik
	fKRITISForDORA
	fEnergyEnWG
	fLandLaw
	fAnlage1
	fAnlage2
	fTK
	fTrust
	fDNS
	fTLD
	fArt60
	fDVO
	fS35
	fEnergy
	// Class facts, set after classification; only obligations test them.
	fBesondersWichtig
	fWichtig
	fInScope
)

// factNames are the names the data files use.
var factNames = map[string]fact{
	"kritis":                     fKRITIS,
	"qtsp":                       fQTSP,
	"federal":                    fFederal,
	"federal_security_authority": fFederalSecurity,
	"domain_registrar":           fDomainRegistrar,
	"dora_financial_entity":      fDORA,
	"telematik_infrastruktur":    fTelematik,
	"kritis_for_dora":            fKRITISForDORA,
	"energy_enwg_5c":             fEnergyEnWG,
	"land_law_28_8":              fLandLaw,
	"anlage1":                    fAnlage1,
	"anlage2":                    fAnlage2,
	"tk":                         fTK,
	"trust":                      fTrust,
	"dns":                        fDNS,
	"tld":                        fTLD,
	"art60":                      fArt60,
	"dvo":                        fDVO,
	"s35":                        fS35,
	"energy":                     fEnergy,
	"besonders_wichtig":          fBesondersWichtig,
	"wichtig":                    fWichtig,
	"in_scope":                   fInScope,
}

// activityFlags are the facts an Anlage entry may carry.
const activityFlags = fTK | fTrust | fDNS | fTLD | fArt60 | fDVO | fS35 | fEnergy

// classFacts may only be tested by obligations, not by scope rules.
const classFacts = fBesondersWichtig | fWichtig | fInScope

func parseFacts(names []string, allowed fact) (fact, error) {
	var f fact
	for _, n := range names {
		b, ok := factNames[n]
		if !ok || b&allowed == 0 {
			return 0, fmt.Errorf("unknown fact %q", n)
		}
		f |= b
	}
	return f, nil
}

// Threshold is a size rule of §28 BSIG: met if the entity has at least
// Employees, or more than TurnoverEUR and more than BalanceSheetEUR.
type Threshold struct {
	Employees       float64 `yaml:"employees" json:"employees"`
	TurnoverEUR     float64 `yaml:"turnover_eur" json:"turnover_eur"`
	BalanceSheetEUR float64 `yaml:"balance_sheet_eur" json:"balance_sheet_eur"`
}

func (t *Threshold) met(p *Profile) bool {
	if p.Employees != nil && *p.Employees >= t.Employees {
		return true
	}
	return p.TurnoverEUR != nil && p.BalanceSheetEUR != nil &&
		*p.TurnoverEUR > t.TurnoverEUR && *p.BalanceSheetEUR > t.BalanceSheetEUR
}

type classRule struct {
	law.Meta   `yaml:",inline"`
	Class      Class      `yaml:"class"`
	When       []string   `yaml:"when"`
	Threshold  *Threshold `yaml:"threshold"`
	ExcludedBy string     `yaml:"excluded_by"`

	when fact       // any one of these
	excl *exclusion // nil if none
}

type exclusion struct {
	law.Meta `yaml:",inline"`
	When     []string `yaml:"when"`

	when fact // all of these
}

type carveOutRule struct {
	law.Meta       `yaml:",inline"`
	When           []string  `yaml:"when"`
	OnlyActivities string    `yaml:"only_activities"`
	LimitedIf      []string  `yaml:"limited_if"`
	Disables       []int     `yaml:"disables"`
	ExcludesLaw    bool      `yaml:"excludes_law"`
	Text           law.Text  `yaml:"text"`
	Limited        *law.Text `yaml:"limited"`

	when      fact // all of these
	only      fact // every activity must carry it, else the carve-out is limited
	limitedIf fact // any of these limits the carve-out
}

// note is an explanation the trace quotes (size rules, §37, §66,
// jurisdiction); it decides nothing by itself.
type note struct {
	law.Meta `yaml:",inline"`
	Text     law.Text `yaml:"text"`
}

type obligationRule struct {
	law.Meta  `yaml:",inline"`
	Paragraph int        `yaml:"paragraph"`
	AppliesTo []string   `yaml:"applies_to"`
	Trigger   law.Text   `yaml:"trigger"`
	Deadline  law.Text   `yaml:"deadline"`
	DueMonths int        `yaml:"due_months"`
	DueDate   string     `yaml:"due_date"`
	Items     []law.Text `yaml:"items"`
	Awaits    *law.Text  `yaml:"awaits"`
	// WithMeasures attaches the §30(2) minimum measures to the result.
	WithMeasures bool `yaml:"with_measures"`

	appliesTo []fact    // any entry, each a conjunction
	dueDate   time.Time // 24:00 Berlin of DueDate, zero if none
	dueDay    int
}

// Activity is one Einrichtungsart of Anlage 1 or 2 BSIG.
type Activity struct {
	law.Meta `yaml:",inline"`
	// Anlage is 1 or 2.
	Anlage int      `yaml:"anlage" json:"anlage"`
	Sector law.Text `yaml:"sector" json:"sector"`
	// Branch is empty where the Anlage names none.
	Branch law.Text `yaml:"branch" json:"branch"`
	// Definition is the legal definition the Anlage refers to, if any.
	Definition string   `yaml:"definition" json:"definition,omitempty"`
	Flags      []string `yaml:"flags" json:"flags,omitempty"`

	flags fact
}

// Measure is one of the ten minimum measures of §30(2) Satz 2 BSIG.
type Measure struct {
	law.Meta `yaml:",inline"`
}

type anchors = map[string]any // YAML anchors shared by entries; not read

type lawData struct {
	entry        law.Statute // law.BSIG2025, the one entry-into-force entry
	entryDay     int
	activities   []Activity
	byID         map[string]int
	classRules   []classRule
	exclusions   []exclusion
	carveOuts    []carveOutRule
	notes        map[string]note
	noteOrder    []note
	jurisdiction map[string]note
	jurisOrder   []note
	obligations  []obligationRule
	measures     []Measure
}

// data is the law, loaded and indexed once; the embedded files are part of
// the binary, so an error in them is a build defect caught by the tests.
var data = mustLoad()

func mustLoad() *lawData {
	d, err := load()
	if err != nil {
		panic(err)
	}
	return d
}

func load() (*lawData, error) {
	var af struct {
		Anchors    anchors    `yaml:"anchors"`
		Activities []Activity `yaml:"activities"`
	}
	var sf struct {
		Anchors      anchors        `yaml:"anchors"`
		ClassRules   []classRule    `yaml:"class_rules"`
		Exclusions   []exclusion    `yaml:"exclusions"`
		CarveOuts    []carveOutRule `yaml:"carve_outs"`
		Notes        []note         `yaml:"notes"`
		Jurisdiction []note         `yaml:"jurisdiction"`
	}
	var of struct {
		Anchors     anchors          `yaml:"anchors"`
		Obligations []obligationRule `yaml:"obligations"`
		Measures    []Measure        `yaml:"measures"`
	}
	for _, f := range []struct {
		name string
		v    any
	}{{"anlagen.yaml", &af}, {"scope.yaml", &sf}, {"obligations.yaml", &of}} {
		b, err := dataFS.ReadFile("data/" + f.name)
		if err != nil {
			return nil, fmt.Errorf("scope: %w", err)
		}
		if err := law.DecodeYAML(f.name, b, f.v); err != nil {
			return nil, fmt.Errorf("scope: %w", err)
		}
	}
	d := &lawData{
		entry:        law.BSIG2025(),
		activities:   af.Activities,
		byID:         make(map[string]int, len(af.Activities)),
		classRules:   sf.ClassRules,
		exclusions:   sf.Exclusions,
		carveOuts:    sf.CarveOuts,
		notes:        make(map[string]note),
		noteOrder:    sf.Notes,
		jurisdiction: make(map[string]note),
		jurisOrder:   sf.Jurisdiction,
		obligations:  of.Obligations,
		measures:     of.Measures,
	}
	if err := d.compile(); err != nil {
		return nil, fmt.Errorf("scope: %w", err)
	}
	return d, nil
}

// compile checks cross references and turns names into masks.
func (d *lawData) compile() error {
	entry, err := law.ParseDate(d.entry.ValidFrom)
	if err != nil {
		return fmt.Errorf("entry_into_force: %w", err)
	}
	d.entryDay = dayKey(entry)
	for i := range d.activities {
		a := &d.activities[i]
		if _, dup := d.byID[a.ID]; dup {
			return fmt.Errorf("activity %s: duplicate id", a.ID)
		}
		if want := fmt.Sprintf("A%d-", a.Anlage); !strings.HasPrefix(a.ID, want) {
			return fmt.Errorf("activity %s: id does not start with %s", a.ID, want)
		}
		d.byID[a.ID] = i
		if a.flags, err = parseFacts(a.Flags, activityFlags); err != nil {
			return fmt.Errorf("activity %s: flags: %w", a.ID, err)
		}
		if a.Anlage == 1 {
			a.flags |= fAnlage1
		} else {
			a.flags |= fAnlage2
		}
	}
	excl := make(map[string]*exclusion)
	for i := range d.exclusions {
		x := &d.exclusions[i]
		if x.when, err = parseFacts(x.When, ^classFacts); err != nil {
			return fmt.Errorf("exclusion %s: %w", x.ID, err)
		}
		excl[x.ID] = x
	}
	for i := range d.classRules {
		r := &d.classRules[i]
		if r.Class != BesondersWichtig && r.Class != Wichtig {
			return fmt.Errorf("class rule %s: class %q", r.ID, r.Class)
		}
		if r.when, err = parseFacts(r.When, ^classFacts); err != nil {
			return fmt.Errorf("class rule %s: when: %w", r.ID, err)
		}
		if r.when == 0 {
			return fmt.Errorf("class rule %s: when is empty", r.ID)
		}
		if r.ExcludedBy != "" {
			if r.excl = excl[r.ExcludedBy]; r.excl == nil {
				return fmt.Errorf("class rule %s: excluded_by %q: no such exclusion", r.ID, r.ExcludedBy)
			}
		}
	}
	paragraphs := make(map[int]bool)
	for i := range d.obligations {
		o := &d.obligations[i]
		paragraphs[o.Paragraph] = true
		for _, sel := range o.AppliesTo {
			m, err := parseFacts(strings.Split(sel, "+"), ^fact(0))
			if err != nil {
				return fmt.Errorf("obligation %s: applies_to: %w", o.ID, err)
			}
			o.appliesTo = append(o.appliesTo, m)
		}
		if len(o.appliesTo) == 0 {
			return fmt.Errorf("obligation %s: no applies_to", o.ID)
		}
		if o.DueDate != "" {
			t, err := law.ParseDate(o.DueDate)
			if err != nil {
				return fmt.Errorf("obligation %s: due_date: %w", o.ID, err)
			}
			o.dueDay = dayKey(t)
			o.dueDate = endOfDay(t)
		}
	}
	for i := range d.carveOuts {
		c := &d.carveOuts[i]
		if c.when, err = parseFacts(c.When, ^classFacts); err != nil {
			return fmt.Errorf("carve-out %s: when: %w", c.ID, err)
		}
		if c.LimitedIf != nil {
			if c.limitedIf, err = parseFacts(c.LimitedIf, ^classFacts); err != nil {
				return fmt.Errorf("carve-out %s: limited_if: %w", c.ID, err)
			}
		}
		if c.OnlyActivities != "" {
			if c.only, err = parseFacts([]string{c.OnlyActivities}, activityFlags); err != nil {
				return fmt.Errorf("carve-out %s: only_activities: %w", c.ID, err)
			}
		}
		if (c.only != 0 || c.limitedIf != 0) && c.Limited == nil {
			return fmt.Errorf("carve-out %s: can be limited but has no limited text", c.ID)
		}
		for _, p := range c.Disables {
			if !paragraphs[p] {
				return fmt.Errorf("carve-out %s: disables §%d, which no obligation has", c.ID, p)
			}
		}
	}
	for _, n := range d.noteOrder {
		d.notes[n.ID] = n
	}
	for _, n := range d.jurisOrder {
		d.jurisdiction[n.ID] = n
	}
	for _, id := range []string{"28.3", "28.4.S1", "28.4.S2", "2003/361/EG", "29.1", "DNR", "37", "66"} {
		if _, ok := d.notes[id]; !ok {
			return fmt.Errorf("note %s missing", id)
		}
	}
	for _, id := range []string{"59", "60.1", "60.1-other", "60.2", "60.3", "60.3-none", "60.4"} {
		if _, ok := d.jurisdiction[id]; !ok {
			return fmt.Errorf("jurisdiction note %s missing", id)
		}
	}
	return nil
}

// dayKey turns the calendar day of t (in t's own location, as law.Meta.InForce
// reads it) into an integer that orders like the date, without allocating.
func dayKey(t time.Time) int {
	y, m, d := t.Date()
	return y*10000 + int(m)*100 + d
}

// endOfDay returns 24:00 Europe/Berlin of the calendar day of t, the instant
// package clock uses for the end of a day period.
func endOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, law.Berlin)
}

// Rules returns every entry of the scope data for review (`pflicht law`):
// Kind "scope" for the entry into force of BSIG 2025 (law.BSIG2025, listed
// here and nowhere else), the classification, carve-outs, jurisdiction and
// the Anlagen, "obligation" for the duties and the §30(2) measures.
func Rules() []law.Rule {
	rules := []law.Rule{{Meta: data.entry.Meta, Kind: "scope"}}
	add := func(kind string, m law.Meta) { rules = append(rules, law.Rule{Meta: m, Kind: kind}) }
	for _, r := range data.classRules {
		add("scope", r.Meta)
	}
	for _, x := range data.exclusions {
		add("scope", x.Meta)
	}
	for _, c := range data.carveOuts {
		add("scope", c.Meta)
	}
	for _, n := range data.noteOrder {
		add("scope", n.Meta)
	}
	for _, n := range data.jurisOrder {
		add("scope", n.Meta)
	}
	for _, a := range data.activities {
		add("scope", a.Meta)
	}
	for _, o := range data.obligations {
		add("obligation", o.Meta)
	}
	for _, m := range data.measures {
		add("obligation", m.Meta)
	}
	return rules
}

// Measures returns the ten minimum measures of §30(2) Satz 2 BSIG, ids
// "30.2.1" to "30.2.10", in statutory order.
func Measures() []Measure { return slices.Clone(data.measures) }

// Activities returns the Anlage 1 and Anlage 2 catalogue in statutory order.
func Activities() []Activity { return slices.Clone(data.activities) }

// LookupActivity returns the Anlage entry with the given id ("A1-6.1.4").
func LookupActivity(id string) (Activity, bool) {
	i, ok := data.byID[id]
	if !ok {
		return Activity{}, false
	}
	return data.activities[i], true
}

// validNumber reports whether v is a finite, non-negative number.
func validNumber(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) && v >= 0 }
