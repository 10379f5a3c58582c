package fines

import (
	"embed"
	"fmt"
	"math"

	"github.com/pflicht/pflicht/internal/law"
)

//go:embed data/*.yaml
var dataFS embed.FS

// Provision is a rule that a derivation step cites: its text is what the step says.
type Provision struct {
	law.Meta `yaml:",inline"`
	Text     law.Text `yaml:"text" json:"text"`
}

// Limitation is the limitation period for prosecution of the offences.
type Limitation struct {
	Provision `yaml:",inline"`
	// OverEUR: the period applies to offences whose maximum exceeds this amount.
	OverEUR float64 `yaml:"over_eur" json:"over_eur"`
	Years   int     `yaml:"years" json:"years"`
}

// Cap modes.
const (
	// CapAbove: above OverEUR of turnover the maximum is RateBP of turnover (§65(6),(7) BSIG).
	CapAbove = "above"
	// CapHigher: the maximum is the higher of the fixed amount and RateBP of turnover (Art. 64 CRA).
	CapHigher = "higher"
)

// Cap is a turnover-based maximum.
type Cap struct {
	Provision `yaml:",inline"`
	Mode      string  `yaml:"mode" json:"mode"`
	OverEUR   float64 `yaml:"over_eur,omitempty" json:"over_eur,omitempty"`
	// RateBP is the rate in basis points of turnover (200 = 2 %): integers keep
	// 1,4 % exact where a float 0.014 would not be.
	RateBP int `yaml:"rate_bp" json:"rate_bp"`
}

// of returns RateBP of turnover t, rounded down to whole cents so that the
// result never exceeds the statutory percentage.
func (c *Cap) of(t float64) float64 {
	return math.Floor(t*float64(c.RateBP)/100) / 100
}

// Tier is a statutory maximum (a number of §65(5) S.1 BSIG, a paragraph of Art. 64 CRA).
type Tier struct {
	law.Meta `yaml:",inline"`
	Tier     string `yaml:"tier" json:"tier"`
	// EntityClass is set for §65(5) S.1 Nr. 1, whose letter follows the class.
	EntityClass string  `yaml:"entity_class,omitempty" json:"entity_class,omitempty"`
	MaxEUR      float64 `yaml:"max_eur" json:"max_eur"`
	// Tenfold: §65(5) S.2 BSIG refers to §30(2) S.3 OWiG.
	Tenfold bool `yaml:"tenfold,omitempty" json:"tenfold,omitempty"`
	// NoHalving: §65(9) BSIG excludes §17(2) OWiG.
	NoHalving bool `yaml:"no_halving,omitempty" json:"no_halving,omitempty"`
	Cap       *Cap `yaml:"turnover_cap,omitempty" json:"turnover_cap,omitempty"`
}

// Wording is the sanctioned norm of an offence in one wording of the law.
type Wording struct {
	law.Meta    `yaml:",inline"`
	SettledFrom string `yaml:"settled_from,omitempty" json:"settled_from,omitempty"`
	Sanctions   string `yaml:"sanctions" json:"sanctions"`
}

// MensRea is the fault an offence requires.
type MensRea string

// Forms of fault.
const (
	Intent             MensRea = "intent"
	Negligence         MensRea = "negligence"
	IntentOrNegligence MensRea = "intent_or_negligence"
	// Unspecified: Art. 64 CRA leaves fault to national law.
	Unspecified MensRea = "unspecified"
)

// Offence is one entry of the fine catalogue.
type Offence struct {
	law.Meta  `yaml:",inline"`
	Conduct   law.Text `yaml:"conduct" json:"conduct"`
	MensRea   MensRea  `yaml:"mens_rea" json:"mens_rea"`
	Addressee law.Text `yaml:"addressee" json:"addressee"`
	// Sanctions is the norm whose breach the offence sanctions.
	Sanctions string `yaml:"sanctions" json:"sanctions"`
	// Tier names the maximum; "1" is §65(5) S.1 Nr. 1 (letter by entity class).
	Tier string `yaml:"tier" json:"tier"`
	// Authority is the fining authority; empty where it is not known.
	Authority     string `yaml:"authority,omitempty" json:"authority,omitempty"`
	AuthorityRule string `yaml:"authority_rule" json:"authority_rule"`
	// Wordings, where the sanctioned norm differs between wordings of the law.
	Wordings []Wording `yaml:"wordings,omitempty" json:"wordings,omitempty"`
	// EarlyFrom (CRA): first day on which a duty the offence sanctions
	// applies, before Art. 64 itself applies (ValidFrom).
	EarlyFrom        string `yaml:"early_from,omitempty" json:"early_from,omitempty"`
	MicroSmallExempt bool   `yaml:"micro_small_exempt,omitempty" json:"micro_small_exempt,omitempty"`
	// Cites are provisions shown beside the derivation that change no
	// maximum (§63 BSIG: Zwangsgeld is no fine).
	Cites []string `yaml:"cites,omitempty" json:"cites,omitempty"`
	// Tiers are the maxima the offence can carry, resolved when loading.
	Tiers []Tier `yaml:"-" json:"tiers"`

	cat *catalogue
}

// catalogue is one data file.
type catalogue struct {
	name string
	// Statute is the applicability of the whole law: in cra64.yaml itself;
	// for BSIG the shared entry law.BSIG2025, which bsig65.yaml must not repeat.
	Statute    *law.Statute `yaml:"statute"`
	Provisions []Provision  `yaml:"provisions"`
	Limitation *Limitation  `yaml:"limitation,omitempty"`
	Tiers      []Tier       `yaml:"tiers"`
	Offences   []Offence    `yaml:"offences"`
}

// registry is the loaded, cross-checked law data.
type registry struct {
	bsig, cra  *catalogue
	offences   map[string]*Offence
	order      []*Offence
	provisions map[string]Provision
	tiers      map[string]Tier
	rules      []law.Rule
}

// Provisions the engine cites by id; load fails if one is missing.
const (
	ruleFederalAdmin  = "bsig.29.2"
	ruleGDPR          = "bsig.65.11"
	ruleTurnover      = "bsig.65.8"
	ruleNoHalving     = "bsig.65.9"
	ruleOwnNegligence = "bsig.65.3.own"
	rule17Wichtig     = "bsig.65.2.17.wichtig"
	ruleCapNatural    = "bsig.65.6-7.natural"
	ruleCapEntity     = "bsig.65.6-7.entity"
	ruleCapAgent      = "bsig.65.6-7.agent"
	ruleIntentOnly    = "owig.10"
	ruleHalving       = "owig.17.2"
	ruleBenefit       = "owig.17.4"
	ruleCorporate     = "owig.30.2.2"
	ruleTenfold       = "owig.30.2.3"
	ruleTenfoldOrder  = "owig.30.2.3.order"
	ruleCRADates      = "cra.71.2.art64"
	ruleCRAEarly      = "cra.71.2.early"
	ruleCRAMicro      = "cra.64.10.a"
	ruleCRAMicroScope = "cra.64.10.a.scope"
	ruleCRASteward    = "cra.64.10.b"
)

var citedRules = []string{
	ruleFederalAdmin, ruleGDPR, ruleTurnover, ruleNoHalving, ruleOwnNegligence, rule17Wichtig,
	ruleCapNatural, ruleCapEntity, ruleCapAgent,
	ruleIntentOnly, ruleHalving, ruleBenefit, ruleCorporate, ruleTenfold, ruleTenfoldOrder,
	ruleCRADates, ruleCRAEarly, ruleCRAMicro, ruleCRAMicroScope, ruleCRASteward,
}

// reg is the embedded law data; a broken data file is a build defect that
// every test of this package reports.
var reg = mustLoad()

func mustLoad() *registry {
	r, err := load(dataFS)
	if err != nil {
		panic(err)
	}
	return r
}

func load(fsys embed.FS) (*registry, error) {
	r := &registry{offences: map[string]*Offence{}, provisions: map[string]Provision{}, tiers: map[string]Tier{}}
	var err error
	if r.bsig, err = readCatalogue(fsys, "bsig65.yaml"); err != nil {
		return nil, err
	}
	if r.cra, err = readCatalogue(fsys, "cra64.yaml"); err != nil {
		return nil, err
	}
	if r.bsig.Limitation == nil {
		return nil, fmt.Errorf("fines: bsig65.yaml: no limitation")
	}
	if r.bsig.Statute != nil {
		return nil, fmt.Errorf("fines: bsig65.yaml: statute %s: the entry into force is law.BSIG2025, not repeated here", r.bsig.Statute.ID)
	}
	if r.cra.Statute == nil {
		return nil, fmt.Errorf("fines: cra64.yaml: no statute")
	}
	if err := r.cra.Statute.Validate(); err != nil {
		return nil, fmt.Errorf("fines: cra64.yaml: %w", err)
	}
	bsig := law.BSIG2025()
	r.bsig.Statute = &bsig
	seen := map[string]bool{}
	addRule := func(file string, m law.Meta) error {
		if err := m.Validate(); err != nil {
			return fmt.Errorf("fines: %s: %w", file, err)
		}
		if seen[m.ID] {
			return fmt.Errorf("fines: %s: duplicate rule id %s", file, m.ID)
		}
		seen[m.ID] = true
		r.rules = append(r.rules, law.Rule{Meta: m, Kind: "fine"})
		return nil
	}
	// The BSIG statute entry is listed by package scope; only the CRA one is ours.
	if err := addRule(r.cra.name, r.cra.Statute.Meta); err != nil {
		return nil, err
	}
	for _, c := range []*catalogue{r.bsig, r.cra} {
		for _, p := range c.Provisions {
			if err := addRule(c.name, p.Meta); err != nil {
				return nil, err
			}
			r.provisions[p.ID] = p
		}
		if l := c.Limitation; l != nil {
			if err := addRule(c.name, l.Meta); err != nil {
				return nil, err
			}
		}
		for _, t := range c.Tiers {
			if err := addRule(c.name, t.Meta); err != nil {
				return nil, err
			}
			if t.Cap != nil {
				if err := addRule(c.name, t.Cap.Meta); err != nil {
					return nil, err
				}
				if t.Cap.Mode != CapAbove && t.Cap.Mode != CapHigher {
					return nil, fmt.Errorf("fines: %s: cap %s: mode %q", c.name, t.Cap.ID, t.Cap.Mode)
				}
			}
			r.tiers[t.Tier] = t
		}
		for i := range c.Offences {
			o := &c.Offences[i]
			o.cat = c
			if err := addRule(c.name, o.Meta); err != nil {
				return nil, err
			}
			for _, w := range o.Wordings {
				if err := addRule(c.name, w.Meta); err != nil {
					return nil, err
				}
			}
			if err := r.resolve(o); err != nil {
				return nil, fmt.Errorf("fines: %s: offence %s: %w", c.name, o.ID, err)
			}
			r.offences[o.ID] = o
			r.order = append(r.order, o)
		}
	}
	for _, id := range citedRules {
		if _, ok := r.provisions[id]; !ok {
			return nil, fmt.Errorf("fines: provision %s cited by the engine is missing from the data", id)
		}
	}
	for _, o := range r.order {
		for _, id := range o.Cites {
			if _, ok := r.provisions[id]; !ok {
				return nil, fmt.Errorf("fines: offence %s: cites %q, which is not a provision", o.ID, id)
			}
		}
	}
	return r, nil
}

func readCatalogue(fsys embed.FS, name string) (*catalogue, error) {
	data, err := fsys.ReadFile("data/" + name)
	if err != nil {
		return nil, fmt.Errorf("fines: %w", err)
	}
	c := &catalogue{name: name}
	if err := law.DecodeYAML(name, data, c); err != nil {
		return nil, fmt.Errorf("fines: %w", err)
	}
	return c, nil
}

// resolve links an offence to its tiers and authority rule and checks what
// the engine relies on.
func (r *registry) resolve(o *Offence) error {
	switch o.MensRea {
	case Intent, Negligence, IntentOrNegligence, Unspecified:
	default:
		return fmt.Errorf("mens_rea %q", o.MensRea)
	}
	if _, ok := r.provisions[o.AuthorityRule]; !ok {
		return fmt.Errorf("authority_rule %q is not a provision", o.AuthorityRule)
	}
	names := []string{o.Tier}
	if o.Tier == "1" {
		names = []string{"1a", "1b"} // §65(5) S.1 Nr. 1: the letter follows the entity class
	}
	for _, n := range names {
		t, ok := r.tiers[n]
		if !ok {
			return fmt.Errorf("tier %q is not defined", n)
		}
		o.Tiers = append(o.Tiers, t)
	}
	if l := o.cat.Limitation; l != nil {
		// The engine applies the limitation period to every offence of the
		// catalogue: check here that the smallest maximum (halved for
		// negligence) still exceeds its threshold.
		for _, t := range o.Tiers {
			if t.MaxEUR/2 <= l.OverEUR {
				return fmt.Errorf("maximum %v of tier %s does not exceed %v of %s", t.MaxEUR, t.Tier, l.OverEUR, l.ID)
			}
		}
	}
	return nil
}
