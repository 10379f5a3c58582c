package clock

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/pflicht/pflicht/internal/law"
)

//go:embed data/*.yaml
var dataFS embed.FS

// Condition says when a content field is required.
type Condition string

// Conditions used in the data files; no condition means always required.
const (
	WhereApplicable  Condition = "where_applicable"
	WhereAvailable   Condition = "where_available"
	WhereNecessary   Condition = "where_necessary"
	WhereAppropriate Condition = "where_appropriate"
	// KRITISOperator fields are required only from operators of critical installations (§32(3) BSIG).
	KRITISOperator Condition = "kritis_operator"
)

// Field is one content requirement of a report, so submissions can be checked.
type Field struct {
	ID        string    `yaml:"id" json:"id"`
	DE        string    `yaml:"de" json:"de"`
	EN        string    `yaml:"en" json:"en"`
	Condition Condition `yaml:"condition,omitempty" json:"condition,omitempty"`
}

// Counting is how a period is counted.
type Counting string

const (
	// CountElapsed: BSIG hour periods as exact elapsed time (method elapsed.hours).
	CountElapsed Counting = "elapsed"
	// CountBGB: BSIG day, week and month periods per §§187, 188 BGB
	// (method bgb.187_188).
	CountBGB Counting = "bgb"
	// CountEU: due is the exact offset from the event; the end under
	// Regulation 1182/71 is given beside it as a reading (method eu.1182_71.art3).
	CountEU Counting = "eu"
)

// methodOf names the counting-method rule behind each counting.
var methodOf = map[Counting]string{CountElapsed: methodElapsed, CountBGB: methodBGB, CountEU: methodEU}

// Method returns the counting-method rule behind c: a due instant counted
// that way is only as sure as this rule (its Status).
func Method(c Counting) law.Meta { return cat.method[methodOf[c]].Meta }

// Length is a statutory period: N units counted as Counting says.
type Length struct {
	N        int      `yaml:"n"`
	Unit     Unit     `yaml:"unit"`
	Counting Counting `yaml:"counting"`
}

// UnmarshalYAML reads a unit name ("hours", "days", "weeks", "months").
func (u *Unit) UnmarshalYAML(unmarshal func(any) error) error {
	var s string
	if err := unmarshal(&s); err != nil {
		return err
	}
	for c := Hours; c <= Months; c++ {
		if c.String() == s {
			*u = c
			return nil
		}
	}
	return fmt.Errorf("unknown unit %q", s)
}

// Period is one reporting or registration stage from the data files.
type Period struct {
	law.Meta `yaml:",inline"`
	Regime   Regime `yaml:"regime"`
	Stage    string `yaml:"stage"`
	Trigger  Event  `yaml:"trigger"`
	// When limits a BSIG stage to incidents that are ("ongoing") or are not
	// ("not_ongoing") still ongoing at the §32(1) Nr. 4 point in time.
	When string `yaml:"when,omitempty"`
	// Length is nil when the law sets no fixed period (on request, annually,
	// "in a timely manner", after final handling).
	Length  *Length  `yaml:"period,omitempty"`
	Timing  law.Text `yaml:"timing"`
	Content []Field  `yaml:"content,omitempty"`
}

// End returns the instant at which the period started by event expires (for
// CountEU: the exact offset), and false if the law sets no fixed period.
func (p Period) End(event time.Time) (time.Time, bool) {
	if p.Length == nil {
		return time.Time{}, false
	}
	if p.Length.Counting == CountEU {
		return exactOffset(event, *p.Length), true
	}
	return PeriodEnd(event, p.Length.N, p.Length.Unit).UTC(), true
}

// Roles of the Art. 14 CRA reporting entries.
const (
	roleRecipient = "recipient"
	roleMain      = "main_establishment"
	roleNoEU      = "no_eu"
	roleScope     = "scope"
)

// route is an Art. 14 CRA rule on to whom or by whom reports go.
type route struct {
	law.Meta `yaml:",inline"`
	Role     string   `yaml:"role"`
	Regimes  []Regime `yaml:"regimes,omitempty"`
	Text     law.Text `yaml:"text"`
	// Given is the text with the input's member state for {ms} (role main_establishment).
	Given law.Text `yaml:"given,omitempty"`
}

func (r route) note(t law.Text) Note { return Note{Citation: r.Citation, Status: r.Status, Text: t} }

// catalogue is everything the data files hold, loaded once.
type catalogue struct {
	periods  []Period // in file order
	byRegime map[Regime][]Period
	methods  []method
	byID     map[string]Period
	method   map[string]method
	routes   []route
}

// method is a counting rule; Explain is what users are shown.
type method struct {
	law.Meta `yaml:",inline"`
	Explain  law.Text `yaml:"explain"`
}

var cat = mustLoad(dataFS)

func mustLoad(fsys fs.FS) *catalogue {
	c, err := load(fsys)
	if err != nil {
		// The data is embedded and tested; this only fails on a broken build.
		panic(err)
	}
	return c
}

func load(fsys fs.FS) (*catalogue, error) {
	c := &catalogue{byID: map[string]Period{}, byRegime: map[Regime][]Period{}, method: map[string]method{}}
	for _, name := range []string{"bsig32.yaml", "cra14.yaml", "registration.yaml", "methods.yaml"} {
		data, err := fs.ReadFile(fsys, "data/"+name)
		if err != nil {
			return nil, fmt.Errorf("clock: %w", err)
		}
		var f struct {
			Stages    []Period `yaml:"stages"`
			Periods   []Period `yaml:"periods"`
			Methods   []method `yaml:"methods"`
			Reporting []route  `yaml:"reporting"`
		}
		if err := law.DecodeYAML(name, data, &f); err != nil {
			return nil, fmt.Errorf("clock: %w", err)
		}
		for _, p := range append(f.Stages, f.Periods...) {
			if err := p.validate(); err != nil {
				return nil, fmt.Errorf("clock: %s: %w", name, err)
			}
			if _, dup := c.byID[p.ID]; dup {
				return nil, fmt.Errorf("clock: %s: duplicate rule id %s", name, p.ID)
			}
			c.byID[p.ID] = p
			c.periods = append(c.periods, p)
			c.byRegime[p.Regime] = append(c.byRegime[p.Regime], p)
		}
		for _, m := range f.Methods {
			if err := m.Validate(); err != nil {
				return nil, fmt.Errorf("clock: %s: %w", name, err)
			}
			if m.Explain.DE == "" || m.Explain.EN == "" {
				return nil, fmt.Errorf("clock: %s: rule %s: explain needs de and en", name, m.ID)
			}
			c.methods = append(c.methods, m)
			c.method[m.ID] = m
		}
		for _, r := range f.Reporting {
			if err := r.validate(); err != nil {
				return nil, fmt.Errorf("clock: %s: %w", name, err)
			}
			c.routes = append(c.routes, r)
		}
	}
	// The engine cites these by id.
	for _, id := range []string{methodElapsed, methodBGB, methodBGB193, methodEU} {
		if _, ok := c.method[id]; !ok {
			return nil, fmt.Errorf("clock: methods.yaml: rule %s missing", id)
		}
	}
	roles := map[string]bool{}
	for _, r := range c.routes {
		roles[r.Role] = true
	}
	for _, role := range []string{roleRecipient, roleMain, roleNoEU} {
		if !roles[role] {
			return nil, fmt.Errorf("clock: cra14.yaml: no reporting entry with role %s", role)
		}
	}
	return c, nil
}

func (r route) validate() error {
	if err := r.Meta.Validate(); err != nil {
		return err
	}
	switch {
	case r.Role != roleRecipient && r.Role != roleMain && r.Role != roleNoEU && r.Role != roleScope:
		return fmt.Errorf("rule %s: unknown role %q", r.ID, r.Role)
	case r.Text.DE == "" || r.Text.EN == "":
		return fmt.Errorf("rule %s: text needs de and en", r.ID)
	case r.Role == roleMain && (!strings.Contains(r.Given.DE, "{ms}") || !strings.Contains(r.Given.EN, "{ms}")):
		return fmt.Errorf("rule %s: given needs de and en with {ms}", r.ID)
	}
	for _, g := range r.Regimes {
		if g != CRAVulnerability && g != CRAIncident {
			return fmt.Errorf("rule %s: regime %q is not a CRA regime", r.ID, g)
		}
	}
	return nil
}

func (p Period) validate() error {
	if err := p.Meta.Validate(); err != nil {
		return err
	}
	switch {
	case p.Regime == "" || p.Stage == "":
		return fmt.Errorf("rule %s: regime and stage are required", p.ID)
	case !p.Trigger.known():
		return fmt.Errorf("rule %s: unknown trigger %q", p.ID, p.Trigger)
	case p.When != "" && p.When != "ongoing" && p.When != "not_ongoing":
		return fmt.Errorf("rule %s: when %q is neither ongoing nor not_ongoing", p.ID, p.When)
	case p.Timing.DE == "" || p.Timing.EN == "":
		return fmt.Errorf("rule %s: timing needs de and en", p.ID)
	}
	if l := p.Length; l != nil {
		if l.N <= 0 {
			return fmt.Errorf("rule %s: period length %d is not positive", p.ID, l.N)
		}
		// Each counting names what it does: BGB counts days, weeks and
		// months; hours are elapsed time, not a BGB period.
		switch {
		case l.Counting == CountElapsed && l.Unit != Hours:
			return fmt.Errorf("rule %s: counting elapsed is for hours, not %s", p.ID, l.Unit)
		case l.Counting == CountBGB && l.Unit == Hours:
			return fmt.Errorf("rule %s: counting bgb is for days, weeks and months; hours are counting elapsed", p.ID)
		case l.Counting != CountElapsed && l.Counting != CountBGB && l.Counting != CountEU:
			return fmt.Errorf("rule %s: counting %q is not elapsed, bgb or eu", p.ID, l.Counting)
		}
	}
	for i, f := range p.Content {
		if f.ID == "" || f.DE == "" || f.EN == "" {
			return fmt.Errorf("rule %s: content %d needs id, de and en", p.ID, i+1)
		}
	}
	return nil
}

// Lookup returns the period with the given rule id (e.g. "bsig.33.1").
func Lookup(id string) (Period, error) {
	p, ok := cat.byID[id]
	if !ok {
		return Period{}, fmt.Errorf("clock: no period with id %q", id)
	}
	return p, nil
}

// Periods returns all periods of a regime ("bsig", "bsig-registration",
// "cra-vulnerability", "cra-incident") in data-file order.
func Periods(r Regime) []Period {
	return slices.Clone(cat.byRegime[r])
}

// Rules lists every period and counting method (kind "period") and the
// Art. 14 CRA reporting route (kind "cra") for review (`pflicht law`).
func Rules() []law.Rule {
	out := make([]law.Rule, 0, len(cat.periods)+len(cat.methods)+len(cat.routes))
	for _, p := range cat.periods {
		out = append(out, law.Rule{Meta: p.Meta, Kind: "period"})
	}
	for _, m := range cat.methods {
		out = append(out, law.Rule{Meta: m.Meta, Kind: "period"})
	}
	for _, r := range cat.routes {
		out = append(out, law.Rule{Meta: r.Meta, Kind: "cra"})
	}
	return out
}

// Ids of the counting-method rules in methods.yaml.
const (
	methodElapsed = "elapsed.hours"
	methodBGB     = "bgb.187_188"
	methodBGB193  = "bgb.193"
	methodEU      = "eu.1182_71.art3"
)
