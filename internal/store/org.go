package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/mail"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"time"
)

// Organisation is a tenant: an entity under BSIG or a manufacturer under
// the CRA.
type Organisation struct {
	ID             string     `json:"id"`
	Name           string     `json:"name"`
	CreatedAt      time.Time  `json:"created_at"`
	Class          string     `json:"class"` // from the scope engine: "besonders_wichtig", "wichtig" or ""
	ProfileVersion int        `json:"profile_version"`
	RegisteredAt   *time.Time `json:"registered_at,omitempty"` // last registration submitted, nil if none
	// RegisteredVersion is the profile version of the last registration, 0
	// if none; below ProfileVersion, the registration data changed since.
	RegisteredVersion int `json:"registered_version,omitempty"`
}

// Profile is the registration data of §33 and §34 BSIG and the size figures
// the scope engine classifies by.
type Profile struct {
	Name            string   `json:"name"`
	LegalForm       string   `json:"legal_form,omitempty"`      // Rechtsform
	RegisterNumber  string   `json:"register_number,omitempty"` // Handelsregisternummer
	Address         Address  `json:"address"`
	Emails          []string `json:"emails,omitempty"`
	Phones          []string `json:"phones,omitempty"`
	IPRanges        []string `json:"ip_ranges,omitempty"`     // public IP ranges, CIDR
	Sectors         []string `json:"sectors,omitempty"`       // sector ids of Anlage 1 and 2
	Activities      []string `json:"activities,omitempty"`    // activity (Einrichtungsart) ids of the Anlagen
	MemberStates    []string `json:"member_states,omitempty"` // ISO 3166 alpha-2, where services are provided
	Authorities     []string `json:"authorities,omitempty"`   // competent supervisory authorities
	Employees       int      `json:"employees"`
	TurnoverEUR     int64    `json:"turnover_eur"`
	BalanceSheetEUR int64    `json:"balance_sheet_eur"`

	// The facts beside size and activities that §28, §29 and §60 BSIG
	// classify by, named as in the JSON profile of `pflicht check`. nil is
	// "not stated": versions saved before these fields existed read as such,
	// and the scope engine reads it as "no".
	KRITISOperator                *bool `json:"kritis_operator,omitempty" doc:"operates a critical installation (§28(1) Nr. 1 BSIG); absent: not stated, read as no"`
	QualifiedTrustServiceProvider *bool `json:"qualified_trust_service_provider,omitempty" doc:"§28(1) Nr. 2 BSIG; absent: not stated, read as no"`
	DomainRegistrar               *bool `json:"domain_registrar,omitempty" doc:"Domain-Name-Registry-Dienstleister (§33(1), §34(1) BSIG); absent: not stated, read as no"`
	FederalAdministration         *bool `json:"federal_administration,omitempty" doc:"federal administration entity (§29(1) BSIG); absent: not stated, read as no"`
	FederalSecurityAuthority      *bool `json:"federal_security_authority,omitempty" doc:"Auswärtiges Amt, BMVg, BND or BfV (§29(3) BSIG); needs federal_administration"`
	DORAFinancialEntity           *bool `json:"dora_financial_entity,omitempty" doc:"§28(6) Nr. 1 BSIG; absent: not stated, read as no"`
	TelematikInfrastruktur        *bool `json:"telematik_infrastruktur,omitempty" doc:"§28(6) Nr. 2 BSIG; absent: not stated, read as no"`
	KRITISForDORA                 *bool `json:"kritis_for_dora,omitempty" doc:"§28(7) BSIG; needs kritis_operator"`
	EnergyEnWG5c                  *bool `json:"energy_enwg_5c,omitempty" doc:"§28(5) Nr. 2 BSIG; absent: not stated, read as no"`
	LandLaw28Abs8                 *bool `json:"land_law_28_8,omitempty" doc:"§28(8) BSIG; absent: not stated, read as no"`
	// MainEstablishment in the EU (§60(2)): "DE", "EU-other", "non-EU"; ""
	// not stated.
	MainEstablishment string `json:"main_establishment,omitempty" enum:"DE,EU-other,non-EU" doc:"main establishment in the EU (§60(2) BSIG); absent: not stated"`
	// Representative of a non-EU entity (§60(3)): "DE", "EU-other", "none";
	// "" not stated.
	Representative string `json:"representative,omitempty" enum:"DE,EU-other,none" doc:"representative of an entity established outside the EU (§60(3) BSIG); absent: not stated"`
	// QualifiedSince is the day (YYYY-MM-DD) the entity first or again met
	// the requirements, or started as a registrar; the registration periods
	// of §33(1) and §34(1) run from it. "" not stated.
	QualifiedSince string `json:"qualified_since,omitempty" format:"date" doc:"the day the organisation first or again met the requirements; the registration periods (§33(1), §34(1) BSIG) run from it"`

	// §34(1) Nr. 3, 4: the address of the main establishment in the EU and
	// of the other establishments there, or the representative's.
	MainEstablishmentAddress *Address  `json:"main_establishment_address,omitempty" doc:"§34(1) Nr. 3 BSIG"`
	EUEstablishments         []Address `json:"eu_establishments,omitempty" doc:"the other establishments in the EU, §34(1) Nr. 3 BSIG"`
	RepresentativeContact    *Contact  `json:"representative_contact,omitempty" doc:"the §60(3) representative with its contact data, §34(1) Nr. 3, 4 BSIG"`
	// ContactPoint is the Kontaktstelle of a KRITIS operator, reachable at
	// any time (§33(2) BSIG in the wording kept by §66).
	ContactPoint *Contact `json:"contact_point,omitempty" doc:"the KRITIS operator's contact point, reachable at any time (§33(2) BSIG as kept by §66)"`
}

// Where the main establishment (§60(2)) or the representative (§60(3)) is;
// the values of scope.Profile.
const (
	InGermany    = "DE"
	InOtherEU    = "EU-other"
	OutsideEU    = "non-EU" // main establishment only
	NoneDesigned = "none"   // representative only
)

// Contact is a person or office with its address and contact data.
type Contact struct {
	Name    string   `json:"name"`
	Address Address  `json:"address,omitzero"`
	Emails  []string `json:"emails,omitempty"`
	Phones  []string `json:"phones,omitempty"`
}

// Address is a postal address.
type Address struct {
	Street     string `json:"street,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	City       string `json:"city,omitempty"`
	Country    string `json:"country,omitempty"` // ISO 3166 alpha-2
}

// Validate reports the first field of p that cannot be right.
func (p Profile) Validate() error {
	bad := func(field, msg string) error { return fmt.Errorf("store: profile: %s: %s: %w", field, msg, ErrInvalid) }
	if strings.TrimSpace(p.Name) == "" {
		return bad("name", "must not be empty")
	}
	for i, e := range p.Emails {
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
			return bad(fmt.Sprintf("emails[%d]", i), fmt.Sprintf("%q is not a plain e-mail address", e))
		}
	}
	for i, r := range p.IPRanges {
		if _, err := netip.ParsePrefix(r); err != nil {
			return bad(fmt.Sprintf("ip_ranges[%d]", i), fmt.Sprintf("%q is not a CIDR range", r))
		}
	}
	for i, c := range p.MemberStates {
		if !isCountryCode(c) {
			return bad(fmt.Sprintf("member_states[%d]", i), fmt.Sprintf("%q is not an ISO 3166 alpha-2 code", c))
		}
	}
	if p.Address.Country != "" && !isCountryCode(p.Address.Country) {
		return bad("address.country", fmt.Sprintf("%q is not an ISO 3166 alpha-2 code", p.Address.Country))
	}
	for i, s := range p.Sectors {
		if strings.TrimSpace(s) == "" {
			return bad(fmt.Sprintf("sectors[%d]", i), "must not be empty")
		}
	}
	switch {
	case p.Employees < 0:
		return bad("employees", "must not be negative")
	case p.TurnoverEUR < 0:
		return bad("turnover_eur", "must not be negative")
	case p.BalanceSheetEUR < 0:
		return bad("balance_sheet_eur", "must not be negative")
	}
	return p.validateFacts(bad)
}

// validateFacts checks the scope facts and the §33(2), §34(1) data: values
// the engine knows, and combinations that contradict themselves.
func (p Profile) validateFacts(bad func(field, msg string) error) error {
	switch p.MainEstablishment {
	case "", InGermany, InOtherEU, OutsideEU:
	default:
		return bad("main_establishment", fmt.Sprintf("%q is not one of DE, EU-other, non-EU", p.MainEstablishment))
	}
	switch p.Representative {
	case "":
	case InGermany, InOtherEU, NoneDesigned:
		// §60(3): only an entity without an establishment in the EU
		// designates a representative.
		if p.MainEstablishment != OutsideEU {
			return bad("representative", "only an entity whose main establishment is outside the EU (main_establishment non-EU) designates a representative")
		}
	default:
		return bad("representative", fmt.Sprintf("%q is not one of DE, EU-other, none", p.Representative))
	}
	if p.QualifiedSince != "" {
		if _, err := time.Parse(time.DateOnly, p.QualifiedSince); err != nil {
			return bad("qualified_since", fmt.Sprintf("%q is not a date YYYY-MM-DD", p.QualifiedSince))
		}
	}
	// §28(7) limits a KRITIS operator's duties, §29(3) names federal
	// administration entities: either fact without the other is a slip.
	if isTrue(p.KRITISForDORA) && !isTrue(p.KRITISOperator) {
		return bad("kritis_for_dora", "applies only to an operator of critical installations (kritis_operator)")
	}
	if isTrue(p.FederalSecurityAuthority) && !isTrue(p.FederalAdministration) {
		return bad("federal_security_authority", "applies only to a federal administration entity (federal_administration)")
	}
	if a := p.MainEstablishmentAddress; a != nil {
		if err := a.validate("main_establishment_address", bad); err != nil {
			return err
		}
		// §34(1) Nr. 3 asks for the main establishment in the EU; where it
		// is, main_establishment says.
		switch {
		case p.MainEstablishment == OutsideEU:
			return bad("main_establishment_address", "the main establishment is outside the EU (main_establishment non-EU); give the representative's address (representative_contact)")
		case p.MainEstablishment == InGermany && a.Country != "DE":
			return bad("main_establishment_address.country", fmt.Sprintf("%q, but main_establishment is DE", a.Country))
		case p.MainEstablishment == InOtherEU && (a.Country == "DE" || !EUMemberState(a.Country)):
			return bad("main_establishment_address.country", fmt.Sprintf("%q is not another EU member state, as main_establishment EU-other says", a.Country))
		}
	}
	for i, a := range p.EUEstablishments {
		field := fmt.Sprintf("eu_establishments[%d]", i)
		if err := a.validate(field, bad); err != nil {
			return err
		}
		if !EUMemberState(a.Country) {
			return bad(field+".country", fmt.Sprintf("%q is not an EU member state", a.Country))
		}
	}
	if c := p.RepresentativeContact; c != nil {
		if err := c.validate("representative_contact", bad); err != nil {
			return err
		}
	}
	if c := p.ContactPoint; c != nil {
		if err := c.validate("contact_point", bad); err != nil {
			return err
		}
	}
	return nil
}

func isTrue(b *bool) bool { return b != nil && *b }

// validate checks an address that must say where it is: city and country.
func (a Address) validate(field string, bad func(field, msg string) error) error {
	switch {
	case strings.TrimSpace(a.City) == "":
		return bad(field+".city", "must not be empty")
	case !isCountryCode(a.Country):
		return bad(field+".country", fmt.Sprintf("%q is not an ISO 3166 alpha-2 code", a.Country))
	}
	return nil
}

// validate checks a contact: a name and at least one way to reach it.
func (c Contact) validate(field string, bad func(field, msg string) error) error {
	if strings.TrimSpace(c.Name) == "" {
		return bad(field+".name", "must not be empty")
	}
	if c.Address != (Address{}) {
		if err := c.Address.validate(field+".address", bad); err != nil {
			return err
		}
	}
	if len(c.Emails) == 0 && len(c.Phones) == 0 {
		return bad(field+".emails", "give an e-mail address or a telephone number")
	}
	for i, e := range c.Emails {
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
			return bad(fmt.Sprintf("%s.emails[%d]", field, i), fmt.Sprintf("%q is not a plain e-mail address", e))
		}
	}
	for i, ph := range c.Phones {
		if strings.TrimSpace(ph) == "" {
			return bad(fmt.Sprintf("%s.phones[%d]", field, i), "must not be empty")
		}
	}
	return nil
}

// Changed names the JSON fields of p whose values differ in q, in the
// order of the struct; an empty and an absent list are the same. The
// portal's version history and the API's changed_fields both show it.
func (p Profile) Changed(q Profile) []string {
	out := []string{}
	vp, vq := reflect.ValueOf(p), reflect.ValueOf(q)
	for i := range vp.NumField() {
		x, y := vp.Field(i), vq.Field(i)
		if x.Kind() == reflect.Slice && x.Len() == 0 && y.Len() == 0 {
			continue
		}
		if !reflect.DeepEqual(x.Interface(), y.Interface()) {
			name, _, _ := strings.Cut(vp.Type().Field(i).Tag.Get("json"), ",")
			out = append(out, name)
		}
	}
	return out
}

// euMemberStates are the EU member states by the codes the EU itself uses
// (EL for Greece).
var euMemberStates = map[string]bool{
	"AT": true, "BE": true, "BG": true, "CY": true, "CZ": true, "DE": true, "DK": true, "EE": true, "EL": true,
	"ES": true, "FI": true, "FR": true, "HR": true, "HU": true, "IE": true, "IT": true, "LT": true, "LU": true,
	"LV": true, "MT": true, "NL": true, "PL": true, "PT": true, "RO": true, "SE": true, "SI": true, "SK": true,
}

// EUMemberState reports whether c is the code of an EU member state (EL,
// not GR, for Greece).
func EUMemberState(c string) bool { return euMemberStates[c] }

// EUMemberStates lists the member states' codes in order.
func EUMemberStates() []string { return slices.Sorted(maps.Keys(euMemberStates)) }

func isCountryCode(c string) bool {
	return len(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z'
}

// ProfileVersion is one kept version of a profile.
type ProfileVersion struct {
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	Class     string    `json:"class"` // as the scope engine classified this version
	Profile   Profile   `json:"profile"`
}

const orgColumns = "o.id, o.name, o.created_at, o.class, o.profile_version, o.registered_at, o.registered_version"

func scanOrg(sc interface{ Scan(...any) error }) (Organisation, error) {
	var o Organisation
	var reg sql.NullTime
	err := sc.Scan(&o.ID, &o.Name, &o.CreatedAt, &o.Class, &o.ProfileVersion, &reg, &o.RegisteredVersion)
	if reg.Valid {
		o.RegisteredAt = &reg.Time
	}
	return o, err
}

// CreateOrganisation creates an organisation with its first profile version
// and class (from the scope engine). A user creating it becomes its
// org_admin.
func (s *Store) CreateOrganisation(ctx context.Context, a Actor, p Profile, class string) (Organisation, error) {
	if err := p.Validate(); err != nil {
		return Organisation{}, err
	}
	if a.ReadOnly || a.Role == RoleSupervisor {
		return Organisation{}, fmt.Errorf("store: create organisation: %s may not: %w", a, ErrNotFound)
	}
	var o Organisation
	err := s.Tx(ctx, func(tx *Tx) error {
		o = Organisation{ID: newID(), Name: p.Name, CreatedAt: dbTime(tx.Now()), Class: class}
		if _, err := tx.Exec(ctx, "INSERT INTO organisations (id, name, created_at, class, search_name) VALUES (?, ?, ?, ?, ?)",
			o.ID, o.Name, o.CreatedAt, o.Class, SearchName(o.Name)); err != nil {
			return fmt.Errorf("store: create organisation: %w", err)
		}
		if a.UserID != "" {
			if _, err := tx.Exec(ctx, "INSERT INTO memberships (user_id, org_id, role) VALUES (?, ?, ?)", a.UserID, o.ID, RoleOrgAdmin); err != nil {
				return fmt.Errorf("store: create organisation: membership: %w", err)
			}
		}
		tx.Audit(AuditEntry{Actor: a.String(), OrgID: o.ID, Action: "create", Entity: "organisation", EntityID: o.ID, After: o})
		v, err := tx.saveProfile(ctx, a, o.ID, nil, p, class)
		o.ProfileVersion = v.Version
		return err
	})
	return o, err
}

// saveProfile writes p as the next profile version of orgID, after prev (nil
// for the first), and keeps the organisation's registry columns in step.
func (tx *Tx) saveProfile(ctx context.Context, a Actor, orgID string, prev *ProfileVersion, p Profile, class string) (ProfileVersion, error) {
	data, err := json.Marshal(p)
	if err != nil {
		return ProfileVersion{}, fmt.Errorf("store: profile: %w", err)
	}
	v := ProfileVersion{Version: 1, CreatedAt: dbTime(tx.Now()), CreatedBy: a.String(), Class: class, Profile: p}
	if prev != nil {
		v.Version = prev.Version + 1
	}
	if _, err := tx.Exec(ctx, "INSERT INTO organisation_profiles (org_id, version, created_at, created_by, class, data) VALUES (?, ?, ?, ?, ?, ?)",
		orgID, v.Version, v.CreatedAt, v.CreatedBy, class, string(data)); err != nil {
		return ProfileVersion{}, fmt.Errorf("store: profile: %w", err)
	}
	if _, err := tx.Exec(ctx, "UPDATE organisations SET name = ?, search_name = ?, class = ?, profile_version = ? WHERE id = ?",
		p.Name, SearchName(p.Name), class, v.Version, orgID); err != nil {
		return ProfileVersion{}, fmt.Errorf("store: profile: %w", err)
	}
	if _, err := tx.Exec(ctx, "DELETE FROM organisation_sectors WHERE org_id = ?", orgID); err != nil {
		return ProfileVersion{}, fmt.Errorf("store: profile: %w", err)
	}
	seen := map[string]bool{}
	for _, sec := range p.Sectors {
		if seen[sec] {
			continue
		}
		seen[sec] = true
		if _, err := tx.Exec(ctx, "INSERT INTO organisation_sectors (org_id, sector, name) VALUES (?, ?, ?)", orgID, sec, p.Name); err != nil {
			return ProfileVersion{}, fmt.Errorf("store: profile: %w", err)
		}
	}
	var before any
	if prev != nil {
		before = prev
	}
	tx.Audit(AuditEntry{Actor: a.String(), OrgID: orgID, Action: "update", Entity: "profile", EntityID: orgID, Before: before, After: v})
	return v, nil
}

// UpdateProfile keeps p as the organisation's new profile version and sets
// its class; the previous versions stay. It needs org_admin.
func (s *Store) UpdateProfile(ctx context.Context, a Actor, orgID string, p Profile, class string) (ProfileVersion, error) {
	if err := p.Validate(); err != nil {
		return ProfileVersion{}, err
	}
	var v ProfileVersion
	err := s.Tx(ctx, func(tx *Tx) error {
		if err := tx.checkOrg(ctx, a, orgID, administer); err != nil {
			return err
		}
		prev, err := tx.currentProfile(ctx, orgID)
		if err != nil {
			return err
		}
		v, err = tx.saveProfile(ctx, a, orgID, &prev, p, class)
		return err
	})
	return v, err
}

func (tx *Tx) currentProfile(ctx context.Context, orgID string) (ProfileVersion, error) {
	row := tx.QueryRow(ctx, `SELECT p.version, p.created_at, p.created_by, p.class, p.data FROM organisation_profiles p
		JOIN organisations o ON o.id = p.org_id AND o.profile_version = p.version WHERE o.id = ?`, orgID)
	return scanProfile(row)
}

func scanProfile(sc interface{ Scan(...any) error }) (ProfileVersion, error) {
	var v ProfileVersion
	var data string
	if err := sc.Scan(&v.Version, &v.CreatedAt, &v.CreatedBy, &v.Class, &data); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			err = ErrNotFound
		}
		return v, fmt.Errorf("store: profile: %w", err)
	}
	if err := json.Unmarshal([]byte(data), &v.Profile); err != nil {
		return v, fmt.Errorf("store: profile %d: %w", v.Version, err)
	}
	return v, nil
}

// Organisation returns one organisation.
func (s *Store) Organisation(ctx context.Context, a Actor, id string) (Organisation, error) {
	o, err := scanOrg(s.queryRow(ctx, "SELECT "+orgColumns+" FROM organisations o WHERE o.id = ? AND "+orgFilter("o.id", read),
		append([]any{id}, a.args(read)...)...))
	if err != nil {
		return o, fmt.Errorf("store: organisation %q: %w", id, notFound(err))
	}
	return o, nil
}

// Organisations lists the organisations a reaches, by name; for users that
// is their memberships (supervisors use Registry).
func (s *Store) Organisations(ctx context.Context, a Actor) ([]Organisation, error) {
	rows, err := s.query(ctx, "SELECT "+orgColumns+" FROM organisations o WHERE "+orgFilter("o.id", read)+" ORDER BY o.name, o.id", a.args(read)...)
	if err != nil {
		return nil, fmt.Errorf("store: organisations: %w", err)
	}
	return collect(rows, scanOrg, "organisations")
}

// CurrentProfile returns an organisation's current profile version in one
// query.
func (s *Store) CurrentProfile(ctx context.Context, a Actor, orgID string) (ProfileVersion, error) {
	v, err := scanProfile(s.queryRow(ctx, `SELECT p.version, p.created_at, p.created_by, p.class, p.data FROM organisation_profiles p
		JOIN organisations o ON o.id = p.org_id AND o.profile_version = p.version WHERE o.id = ? AND `+orgFilter("o.id", read),
		append([]any{orgID}, a.args(read)...)...))
	if errors.Is(err, ErrNotFound) {
		return v, fmt.Errorf("store: organisation %q: %w", orgID, ErrNotFound)
	}
	return v, err
}

// Profiles returns every version of an organisation's profile, newest first.
func (s *Store) Profiles(ctx context.Context, a Actor, orgID string) ([]ProfileVersion, error) {
	rows, err := s.query(ctx, `SELECT version, created_at, created_by, class, data FROM organisation_profiles
		WHERE org_id = ? AND `+orgFilter("org_id", read)+` ORDER BY version DESC`, append([]any{orgID}, a.args(read)...)...)
	if err != nil {
		return nil, fmt.Errorf("store: profiles: %w", err)
	}
	vs, err := collect(rows, scanProfile, "profiles")
	if err == nil && len(vs) == 0 {
		return nil, fmt.Errorf("store: organisation %q: %w", orgID, ErrNotFound)
	}
	return vs, err
}

// CurrentProfiles returns the current profile version of every
// organisation a reaches (as Organisations does), by organisation id, in
// one query: the overview needs all of them at once.
func (s *Store) CurrentProfiles(ctx context.Context, a Actor) (map[string]ProfileVersion, error) {
	rows, err := s.query(ctx, `SELECT o.id, p.version, p.created_at, p.created_by, p.class, p.data FROM organisations o
		JOIN organisation_profiles p ON p.org_id = o.id AND p.version = o.profile_version WHERE `+orgFilter("o.id", read), a.args(read)...)
	if err != nil {
		return nil, fmt.Errorf("store: current profiles: %w", err)
	}
	defer rows.Close()
	out := map[string]ProfileVersion{}
	for rows.Next() {
		var id string
		v, err := scanProfile(scanPrefix{rows, &id})
		if err != nil {
			return nil, err
		}
		out[id] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: current profiles: %w", err)
	}
	return out, nil
}

// scanPrefix scans a leading column into dst and the rest with the
// scanner it wraps, so scanProfile reads rows that start with an id.
type scanPrefix struct {
	sc  interface{ Scan(...any) error }
	dst any
}

func (p scanPrefix) Scan(dest ...any) error { return p.sc.Scan(append([]any{p.dst}, dest...)...) }

// Registration is a submitted registration (§33 BSIG) of one profile version.
type Registration struct {
	ID             string    `json:"id"`
	OrgID          string    `json:"org_id"`
	ProfileVersion int       `json:"profile_version"`
	SubmittedAt    time.Time `json:"submitted_at"`
	SubmittedBy    string    `json:"submitted_by"`
}

// SubmitRegistration submits the organisation's current profile version as
// its registration, stamped with the commit time. It needs org_admin.
func (s *Store) SubmitRegistration(ctx context.Context, a Actor, orgID string) (Registration, error) {
	var r Registration
	err := s.Tx(ctx, func(tx *Tx) error {
		if err := tx.checkOrg(ctx, a, orgID, administer); err != nil {
			return err
		}
		r = Registration{ID: newID(), OrgID: orgID, SubmittedAt: dbTime(tx.Now()), SubmittedBy: a.String()}
		if err := tx.QueryRow(ctx, "UPDATE organisations SET registered_at = ?, registered_version = profile_version WHERE id = ? RETURNING profile_version",
			r.SubmittedAt, orgID).Scan(&r.ProfileVersion); err != nil {
			return fmt.Errorf("store: submit registration: %w", err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO registrations (id, org_id, profile_version, submitted_at, submitted_by) VALUES (?, ?, ?, ?, ?)",
			r.ID, r.OrgID, r.ProfileVersion, r.SubmittedAt, r.SubmittedBy); err != nil {
			return fmt.Errorf("store: submit registration: %w", err)
		}
		tx.Audit(AuditEntry{Actor: a.String(), OrgID: orgID, Action: "submit", Entity: "registration", EntityID: r.ID, After: r})
		return nil
	})
	return r, err
}

// Registrations returns the organisation's submitted registrations, newest
// first (none is an empty list; a foreign organisation is ErrNotFound).
func (s *Store) Registrations(ctx context.Context, a Actor, orgID string) ([]Registration, error) {
	if err := s.checkOrg(ctx, a, orgID); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT id, org_id, profile_version, submitted_at, submitted_by FROM registrations
		WHERE org_id = ? ORDER BY submitted_at DESC, profile_version DESC`, orgID)
	if err != nil {
		return nil, fmt.Errorf("store: registrations: %w", err)
	}
	return collect(rows, func(sc interface{ Scan(...any) error }) (Registration, error) {
		var r Registration
		err := sc.Scan(&r.ID, &r.OrgID, &r.ProfileVersion, &r.SubmittedAt, &r.SubmittedBy)
		return r, err
	}, "registrations")
}

// RegistryFilter selects and pages the supervisor's registry.
type RegistryFilter struct {
	// Query matches organisations whose name contains it, ignoring case
	// (SearchName on both sides); "" for any. A substring, not a prefix:
	// supervisors search for "Stadtwerke" in "Die Stadtwerke Musterstadt",
	// and no index serves that on both dialects. The (name, id,
	// search_name) index of 0003 makes it a scan of that index in page
	// order, without table reads for names that do not match;
	// BenchmarkRegistryPage measures it at 30,000.
	Query      string
	Class      string // "" for any; "none" for organisations without a class
	Sector     string // "" for any
	Registered *bool  // nil for any
	// Changed keeps only organisations whose profile changed after their
	// last registration (a change still to be reported, §33(5), §34(2)).
	Changed bool
	After   string // the Next of the previous page, "" for the first
	Limit   int    // page size, 1..500; 0 means 50
}

// maxQuery bounds RegistryFilter.Query; no organisation name is longer.
const maxQuery = 300

// SearchName is the form of a name the registry search compares: lower
// case by Unicode rules, so "ÄRZTE" finds "Ärztekammer" on both databases
// (SQLite's lower() and LIKE fold ASCII only).
func SearchName(name string) string { return strings.ToLower(name) }

// likeEscaper escapes LIKE's wildcards; the statement names '!' as escape.
var likeEscaper = strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")

// RegistryPage is one page of the registry, ordered by name.
type RegistryPage struct {
	Organisations []Organisation `json:"organisations"`
	Total         int            `json:"total"` // matching organisations over all pages
	Next          string         `json:"next,omitempty"`
}

// Registry pages through the organisations a reaches (for supervisors: all)
// that match f. Paging is by key, so every page costs the same.
func (s *Store) Registry(ctx context.Context, a Actor, f RegistryFilter) (RegistryPage, error) {
	limit := f.Limit
	switch {
	case limit == 0:
		limit = 50
	case limit < 1 || limit > 500:
		return RegistryPage{}, fmt.Errorf("store: registry: limit %d not in 1..500: %w", limit, ErrInvalid)
	}
	// Paging walks an index in (name, id) order: the organisations', or
	// with a sector filter that of the sector table, which repeats the name.
	from, key := "organisations o", "o.name, o.id"
	where := []string{orgFilter("o.id", read)}
	args := a.args(read)
	if f.Sector != "" {
		from, key = "organisation_sectors s JOIN organisations o ON o.id = s.org_id", "s.name, s.org_id"
		where = append(where, "s.sector = ?")
		args = append(args, f.Sector)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		if len(q) > maxQuery {
			return RegistryPage{}, fmt.Errorf("store: registry: query: longer than %d bytes: %w", maxQuery, ErrInvalid)
		}
		where = append(where, "o.search_name LIKE ? ESCAPE '!'")
		args = append(args, "%"+likeEscaper.Replace(SearchName(q))+"%")
	}
	switch f.Class {
	case "":
	case "none": // stored as the empty string
		where = append(where, "o.class = ''")
	default:
		where = append(where, "o.class = ?")
		args = append(args, f.Class)
	}
	if f.Changed {
		where = append(where, "o.registered_version > 0 AND o.registered_version < o.profile_version")
	}
	if f.Registered != nil {
		if *f.Registered {
			where = append(where, "o.registered_at IS NOT NULL")
		} else {
			where = append(where, "o.registered_at IS NULL")
		}
	}
	cond := strings.Join(where, " AND ")
	var page RegistryPage
	if err := s.queryRow(ctx, "SELECT count(*) FROM "+from+" WHERE "+cond, args...).Scan(&page.Total); err != nil {
		return page, fmt.Errorf("store: registry: %w", err)
	}
	if f.After != "" {
		name, id, err := decodeCursor(f.After)
		if err != nil {
			return page, err
		}
		cond += " AND (" + key + ") > (?, ?)"
		args = append(args, name, id)
	}
	rows, err := s.query(ctx, "SELECT "+orgColumns+" FROM "+from+" WHERE "+cond+" ORDER BY "+key+" LIMIT ?", append(args, limit+1)...)
	if err != nil {
		return page, fmt.Errorf("store: registry: %w", err)
	}
	page.Organisations, err = collect(rows, scanOrg, "registry")
	if err != nil {
		return page, err
	}
	if len(page.Organisations) > limit {
		page.Organisations = page.Organisations[:limit]
		last := page.Organisations[limit-1]
		page.Next = base64.RawURLEncoding.EncodeToString([]byte(last.Name + "\x00" + last.ID))
	}
	return page, nil
}

func decodeCursor(c string) (name, id string, err error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		var ok bool
		if name, id, ok = strings.Cut(string(b), "\x00"); ok {
			return name, id, nil
		}
	}
	return "", "", fmt.Errorf("store: registry: after: not a page cursor: %w", ErrInvalid)
}

// collect scans every row with scan.
func collect[T any](rows *sql.Rows, scan func(interface{ Scan(...any) error }) (T, error), what string) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}
