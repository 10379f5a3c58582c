package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"net/netip"
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
	return nil
}

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

const orgColumns = "o.id, o.name, o.created_at, o.class, o.profile_version, o.registered_at"

func scanOrg(sc interface{ Scan(...any) error }) (Organisation, error) {
	var o Organisation
	var reg sql.NullTime
	err := sc.Scan(&o.ID, &o.Name, &o.CreatedAt, &o.Class, &o.ProfileVersion, &reg)
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
		if _, err := tx.Exec(ctx, "INSERT INTO organisations (id, name, created_at, class) VALUES (?, ?, ?, ?)",
			o.ID, o.Name, o.CreatedAt, o.Class); err != nil {
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
	if _, err := tx.Exec(ctx, "UPDATE organisations SET name = ?, class = ?, profile_version = ? WHERE id = ?", p.Name, class, v.Version, orgID); err != nil {
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
	if errors.Is(err, sql.ErrNoRows) {
		return o, fmt.Errorf("store: organisation %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return o, fmt.Errorf("store: organisation %q: %w", id, err)
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
		if err := tx.QueryRow(ctx, "UPDATE organisations SET registered_at = ? WHERE id = ? RETURNING profile_version",
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

// RegistryFilter selects and pages the supervisor's registry.
type RegistryFilter struct {
	Class      string // "" for any
	Sector     string // "" for any
	Registered *bool  // nil for any
	After      string // the Next of the previous page, "" for the first
	Limit      int    // page size, 1..500; 0 means 50
}

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
	if f.Class != "" {
		where = append(where, "o.class = ?")
		args = append(args, f.Class)
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
