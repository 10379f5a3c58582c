package api

import (
	"time"

	"github.com/pflicht/pflicht/internal/clock"
	"github.com/pflicht/pflicht/internal/fines"
	"github.com/pflicht/pflicht/internal/law"
	"github.com/pflicht/pflicht/internal/scope"
)

// The stateless engine endpoints take and return the JSON of `pflicht check`,
// `pflicht fine` and `pflicht deadline --json`, so a file that works with
// the CLI works here.

// checkRequest is the input of POST /check, the JSON profile of `pflicht check`.
type checkRequest struct {
	Employees                     *float64 `json:"employees,omitempty" doc:"employees in annual work units (2003/361/EC); fractions allowed"`
	TurnoverEUR                   *float64 `json:"turnover_eur,omitempty" doc:"annual turnover in euros"`
	BalanceSheetEUR               *float64 `json:"balance_sheet_eur,omitempty" doc:"annual balance sheet total in euros"`
	Activities                    []string `json:"activities,omitempty" doc:"Anlage ids of the non-negligible activities, e.g. A1-6.1.4 (pflicht check --list-activities)"`
	KRITISOperator                bool     `json:"kritis_operator,omitempty" doc:"operates a critical installation"`
	QualifiedTrustServiceProvider bool     `json:"qualified_trust_service_provider,omitempty"`
	FederalAdministration         bool     `json:"federal_administration,omitempty" doc:"federal administration entity (§29 BSIG)"`
	FederalSecurityAuthority      bool     `json:"federal_security_authority,omitempty" doc:"Auswärtiges Amt, BMVg, BND or BfV (§29(3) BSIG)"`
	DomainRegistrar               bool     `json:"domain_registrar,omitempty"`
	DORAFinancialEntity           bool     `json:"dora_financial_entity,omitempty" doc:"§28(6) Nr. 1 BSIG"`
	TelematikInfrastruktur        bool     `json:"telematik_infrastruktur,omitempty" doc:"§28(6) Nr. 2 BSIG"`
	KRITISForDORA                 bool     `json:"kritis_for_dora,omitempty" doc:"§28(7) BSIG"`
	EnergyEnWG5c                  bool     `json:"energy_enwg_5c,omitempty" doc:"§28(5) Nr. 2 BSIG"`
	LandLaw28Abs8                 bool     `json:"land_law_28_8,omitempty" doc:"§28(8) BSIG"`
	MainEstablishment             string   `json:"main_establishment,omitempty" enum:"DE,EU-other,non-EU" doc:"main establishment in the EU (§60(2) BSIG)"`
	Representative                string   `json:"representative,omitempty" enum:"DE,EU-other,none" doc:"representative of a non-EU entity (§60(3) BSIG)"`
	QualifiedSince                string   `json:"qualified_since,omitempty" format:"date" doc:"the day the organisation first or again met the requirements; registration deadlines run from it"`
	AsOf                          string   `json:"as_of,omitempty" format:"date" doc:"the day to check on (default today in Europe/Berlin)"`
}

// scopeProfile is p in the engine's form.
func (p *checkRequest) scopeProfile() (scope.Profile, error) {
	sp := scope.Profile{
		Employees: p.Employees, TurnoverEUR: p.TurnoverEUR, BalanceSheetEUR: p.BalanceSheetEUR,
		Activities:                    p.Activities,
		KRITISOperator:                p.KRITISOperator,
		QualifiedTrustServiceProvider: p.QualifiedTrustServiceProvider,
		FederalAdministration:         p.FederalAdministration,
		FederalSecurityAuthority:      p.FederalSecurityAuthority,
		DomainRegistrar:               p.DomainRegistrar,
		DORAFinancialEntity:           p.DORAFinancialEntity,
		TelematikInfrastruktur:        p.TelematikInfrastruktur,
		KRITISForDORA:                 p.KRITISForDORA,
		EnergyEnWG5c:                  p.EnergyEnWG5c,
		LandLaw28Abs8:                 p.LandLaw28Abs8,
		MainEstablishment:             p.MainEstablishment,
		Representative:                p.Representative,
	}
	if p.QualifiedSince != "" {
		t, err := law.ParseDate(p.QualifiedSince)
		if err != nil {
			return sp, invalid("qualified_since", err.Error())
		}
		sp.QualifiedSince = t
	}
	return sp, nil
}

func (h *handler) check(c *call, req checkRequest) (scope.Result, error) {
	p, err := req.scopeProfile()
	if err != nil {
		return scope.Result{}, err
	}
	asOf, err := c.day("as_of", req.AsOf)
	if err != nil {
		return scope.Result{}, err
	}
	return scope.Check(p, asOf)
}

// day parses an optional YYYY-MM-DD field; empty means today.
func (c *call) day(field, s string) (time.Time, error) {
	if s == "" {
		return c.today(), nil
	}
	t, err := law.ParseDate(s)
	if err != nil {
		return t, invalid(field, err.Error())
	}
	return t, nil
}

// fineRequest is the input of POST /fine, the JSON of `pflicht fine`.
type fineRequest struct {
	Offence               string   `json:"offence" doc:"offence id, e.g. 65.2.2 or cra.64.3 (pflicht fine --list)"`
	EntityClass           string   `json:"entity_class,omitempty" enum:"besonders_wichtig,wichtig"`
	LegalPerson           bool     `json:"legal_person,omitempty" doc:"the fine is imposed on a legal person (§30 OWiG)"`
	Negligent             bool     `json:"negligent,omitempty"`
	TurnoverEUR           *float64 `json:"turnover_eur,omitempty" doc:"worldwide turnover of the undertaking in the preceding business year"`
	AsOf                  string   `json:"as_of,omitempty" format:"date" doc:"reference day (default today in Europe/Berlin)"`
	EconomicBenefitEUR    *float64 `json:"economic_benefit_eur,omitempty" doc:"§17(4) OWiG"`
	FederalAdministration bool     `json:"federal_administration,omitempty"`
	GDPRFinedSameConduct  bool     `json:"gdpr_fined_same_conduct,omitempty" doc:"§65(11) BSIG"`
	MicroOrSmall          bool     `json:"micro_or_small,omitempty" doc:"Art. 64(10)(a) CRA"`
	OpenSourceSteward     bool     `json:"open_source_steward,omitempty" doc:"Art. 64(10)(b) CRA"`
}

// fineResponse is the result of `pflicht fine --json`: authority and
// limitation are null where the law as found does not say.
type fineResponse struct {
	Offence         fineOffence    `json:"offence"`
	AsOf            string         `json:"as_of" format:"date"`
	Tier            string         `json:"tier,omitempty"`
	MaxEUR          *float64       `json:"max_eur"`
	NoFine          *law.Text      `json:"no_fine,omitempty"`
	Authority       *string        `json:"authority"`
	LimitationYears *int           `json:"limitation_years"`
	EconomicBenefit *fines.Benefit `json:"economic_benefit,omitempty"`
	Citations       []string       `json:"citations"`
	Steps           []fines.Step   `json:"steps"`
	Status          law.Status     `json:"status"`
}

type fineOffence struct {
	ID        string        `json:"id"`
	Citation  string        `json:"citation"`
	Title     law.Text      `json:"title"`
	Conduct   law.Text      `json:"conduct"`
	Addressee law.Text      `json:"addressee"`
	MensRea   fines.MensRea `json:"mens_rea"`
	Status    law.Status    `json:"status"`
	Note      string        `json:"note,omitempty"`
}

func (h *handler) fine(c *call, req fineRequest) (fineResponse, error) {
	asOf, err := c.day("as_of", req.AsOf)
	if err != nil {
		return fineResponse{}, err
	}
	r, err := fines.Compute(fines.Case{
		Offence: req.Offence, EntityClass: req.EntityClass, LegalPerson: req.LegalPerson,
		Negligent: req.Negligent, TurnoverEUR: req.TurnoverEUR, AsOf: asOf,
		EconomicBenefitEUR: req.EconomicBenefitEUR, FederalAdministration: req.FederalAdministration,
		GDPRFinedSameConduct: req.GDPRFinedSameConduct, MicroOrSmall: req.MicroOrSmall,
		OpenSourceSteward: req.OpenSourceSteward,
	})
	if err != nil {
		return fineResponse{}, err
	}
	o := r.Offence
	out := fineResponse{
		Offence: fineOffence{ID: o.ID, Citation: o.Citation, Title: o.Title, Conduct: o.Conduct,
			Addressee: o.Addressee, MensRea: o.MensRea, Status: o.Status, Note: o.Note},
		AsOf: r.AsOf, Tier: r.Tier, MaxEUR: r.MaxEUR, NoFine: r.NoFine, EconomicBenefit: r.Benefit,
		Citations: r.Citations, Steps: r.Steps, Status: r.Status,
	}
	if r.Authority != "" {
		out.Authority = &r.Authority
	}
	if r.LimitationYears != 0 {
		out.LimitationYears = &r.LimitationYears
	}
	return out, nil
}

// deadlineRequest is the input of POST /deadline, the JSON of `pflicht deadline`.
type deadlineRequest struct {
	Regime              string     `json:"regime" enum:"bsig,cra-vulnerability,cra-incident"`
	AwareAt             time.Time  `json:"aware_at" doc:"when the entity or manufacturer became aware"`
	NotifiedAt          *time.Time `json:"notified_at,omitempty" doc:"when the notification (72-hour stage) was submitted"`
	FixAvailableAt      *time.Time `json:"fix_available_at,omitempty" doc:"when a corrective or mitigating measure became available (cra-vulnerability)"`
	EarlyWarningAt      *time.Time `json:"early_warning_at,omitempty"`
	InterimRequestedAt  *time.Time `json:"interim_requested_at,omitempty"`
	InterimDueAt        *time.Time `json:"interim_due_at,omitempty" doc:"the deadline the authority set for the interim report"`
	InterimAt           *time.Time `json:"interim_at,omitempty"`
	ProgressAt          *time.Time `json:"progress_at,omitempty"`
	FinalAt             *time.Time `json:"final_at,omitempty"`
	UserInformedAt      *time.Time `json:"user_informed_at,omitempty"`
	HandlingCompletedAt *time.Time `json:"handling_completed_at,omitempty"`
	IncidentOngoing     bool       `json:"incident_ongoing,omitempty" doc:"the BSIG incident is still ongoing when the final report is due (§32(2))"`
	KRITISOperator      bool       `json:"kritis_operator,omitempty" doc:"adds the §32(3) BSIG content"`
	MainEstablishment   string     `json:"main_establishment,omitempty" doc:"member state (ISO 3166-1 alpha-2) of the manufacturer's main establishment in the Union; names the Art. 14(7) CRA end-point"`
	NoEUEstablishment   bool       `json:"no_eu_establishment,omitempty" doc:"the manufacturer has no establishment in the Union (Art. 14(7) CRA)"`
	Now                 *time.Time `json:"now,omitempty" doc:"compute as of this time (default: the server's clock)"`
}

func (h *handler) deadline(c *call, req deadlineRequest) (timeline, error) {
	in := clock.Input{
		Regime: clock.Regime(req.Regime), AwareAt: req.AwareAt, Now: c.now,
		NotifiedAt: req.NotifiedAt, FixAvailableAt: req.FixAvailableAt, EarlyWarningAt: req.EarlyWarningAt,
		InterimRequestedAt: req.InterimRequestedAt, InterimDueAt: req.InterimDueAt, InterimAt: req.InterimAt,
		ProgressAt: req.ProgressAt, FinalAt: req.FinalAt, UserInformedAt: req.UserInformedAt,
		HandlingCompletedAt: req.HandlingCompletedAt,
		IncidentOngoing:     req.IncidentOngoing, KRITISOperator: req.KRITISOperator,
		MainEstablishment: req.MainEstablishment, NoEUEstablishment: req.NoEUEstablishment,
	}
	if req.Regime == "" {
		return timeline{}, invalid("regime", "required: bsig, cra-vulnerability or cra-incident")
	}
	if req.AwareAt.IsZero() {
		return timeline{}, invalid("aware_at", "required: when the entity or manufacturer became aware (RFC 3339)")
	}
	if req.Now != nil {
		in.Now = *req.Now
	}
	r, err := clock.Compute(in)
	if err != nil {
		return timeline{}, err
	}
	return newTimeline(r, in.Now), nil
}

// timeline is a reporting clock as `pflicht deadline --json` prints it:
// times are RFC 3339 in Europe/Berlin.
type timeline struct {
	Regime     string      `json:"regime"`
	Now        string      `json:"now" format:"date-time"`
	Applicable bool        `json:"applicable" doc:"false when the rules were not in force on the awareness date; notes say why"`
	Stages     []stage     `json:"stages"`
	Recipient  []clockNote `json:"recipient,omitempty" doc:"to whom the reports go (CRA regimes, Art. 14(1), (3), (7))"`
	Notes      []clockNote `json:"notes"`
}

type stage struct {
	Stage      string        `json:"stage"`
	RuleID     string        `json:"rule_id"`
	Title      law.Text      `json:"title"`
	Due        string        `json:"due,omitempty" format:"date-time"`
	DueStatus  string        `json:"due_status,omitempty" enum:"VERIFIED,UNVERIFIED" doc:"how sure due is"`
	DayEnd     bool          `json:"due_is_end_of_day,omitempty"`
	LegalEnd   string        `json:"legal_end,omitempty" format:"date-time" doc:"end under Regulation 1182/71 (CRA), a reading"`
	Trigger    string        `json:"trigger"`
	TriggerAt  string        `json:"trigger_at,omitempty" format:"date-time"`
	Citation   string        `json:"citation"`
	RuleStatus string        `json:"rule_status" enum:"VERIFIED,UNVERIFIED"`
	Status     string        `json:"status" enum:"met,late,due,overdue,waiting,on_request"`
	Submitted  string        `json:"submitted_at,omitempty" format:"date-time"`
	Remaining  *int64        `json:"remaining_seconds,omitempty"`
	Timing     law.Text      `json:"timing"`
	Content    []clock.Field `json:"content" doc:"what the report must contain; fields with a condition are required only where it holds"`
	Note       string        `json:"note,omitempty"`
}

type clockNote struct {
	Citation string   `json:"citation"`
	Status   string   `json:"status" enum:"VERIFIED,UNVERIFIED"`
	Text     law.Text `json:"text"`
}

func berlin(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(law.Berlin).Format(time.RFC3339)
}

func newTimeline(r clock.Result, now time.Time) timeline {
	v := timeline{Regime: string(r.Regime), Now: berlin(&now), Applicable: r.Applicable, Stages: []stage{}, Notes: []clockNote{}}
	for _, s := range r.Stages {
		st := stage{
			Stage: s.Stage, RuleID: s.RuleID, Title: s.Title, Due: berlin(s.Due), DueStatus: string(s.DueStatus), DayEnd: s.DayEnd,
			LegalEnd: berlin(s.LegalEnd), Trigger: string(s.Trigger), TriggerAt: berlin(s.TriggerAt),
			Citation: s.Citation, RuleStatus: string(s.RuleStatus), Status: string(s.Status),
			Submitted: berlin(s.SubmittedAt), Timing: s.Timing, Content: s.Content, Note: s.Note,
		}
		if s.Remaining != nil {
			secs := int64(s.Remaining.Seconds())
			st.Remaining = &secs
		}
		if st.Content == nil {
			st.Content = []clock.Field{}
		}
		v.Stages = append(v.Stages, st)
	}
	for _, n := range r.Recipient {
		v.Recipient = append(v.Recipient, clockNote{Citation: n.Citation, Status: string(n.Status), Text: n.Text})
	}
	for _, n := range r.Notes {
		v.Notes = append(v.Notes, clockNote{Citation: n.Citation, Status: string(n.Status), Text: n.Text})
	}
	return v
}
