package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Product is a product with digital elements a manufacturer places on the
// market (CRA).
type Product struct {
	ID        string           `json:"id"`
	OrgID     string           `json:"org_id"`
	Name      string           `json:"name"`
	CreatedAt time.Time        `json:"created_at"`
	Versions  []ProductVersion `json:"versions"`
}

// ProductVersion is one released version with its support period (Art. 13(8)
// CRA), its category ids (Annex III/IV, from the cra engine) and the facts
// that decide between the Art. 32 conformity-assessment routes. The store
// keeps what the manufacturer states; the cra engine reads it.
type ProductVersion struct {
	ID        string `json:"id"`
	ProductID string `json:"product_id"`
	OrgID     string `json:"org_id"`
	Version   string `json:"version"`
	// SupportStart is the day of placing on the market, where the support
	// period begins; SupportEnd its last day. YYYY-MM-DD, "" if not yet set.
	SupportStart string   `json:"support_start"`
	SupportEnd   string   `json:"support_end"`
	Categories   []string `json:"categories"`
	// HarmonisedStandards: harmonised standards, common specifications or an
	// EU scheme (≥ "substantial") applied in full (Art. 32(2)).
	HarmonisedStandards bool `json:"harmonised_standards"`
	// FOSSPublicDocs: free and open-source software whose technical
	// documentation is public at placing on the market (Art. 32(5)).
	FOSSPublicDocs bool `json:"foss_public_docs"`
	// EUScheme: a European cybersecurity certification scheme is available
	// for the product (for Annex IV: one under Art. 8(1)).
	EUScheme  bool      `json:"eu_scheme"`
	CreatedAt time.Time `json:"created_at"`
}

// Bounds of the stored text, so a form or API call cannot fill the database.
const (
	MaxProductName   = 200 // bytes of a product's name
	MaxVersionString = 100 // bytes of a version string
	maxCategories    = 64
)

func validProductName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return fmt.Errorf("store: product: name must not be empty: %w", ErrInvalid)
	case len(name) > MaxProductName:
		return fmt.Errorf("store: product: name is longer than %d bytes: %w", MaxProductName, ErrInvalid)
	}
	return nil
}

// validate checks the fields a caller sets; it does not judge the law (the
// cra engine does), only the form: dates, their order, sizes.
func (v *ProductVersion) validate() error {
	bad := func(field, msg string, args ...any) error {
		return fmt.Errorf("store: product version: %s: %s: %w", field, fmt.Sprintf(msg, args...), ErrInvalid)
	}
	switch {
	case strings.TrimSpace(v.Version) == "":
		return bad("version", "must not be empty")
	case len(v.Version) > MaxVersionString:
		return bad("version", "longer than %d bytes", MaxVersionString)
	case len(v.Categories) > maxCategories:
		return bad("categories", "more than %d", maxCategories)
	}
	for _, f := range []struct{ name, day string }{{"support_start", v.SupportStart}, {"support_end", v.SupportEnd}} {
		if _, err := time.Parse(time.DateOnly, f.day); f.day != "" && err != nil {
			return bad(f.name, "%q is not a date YYYY-MM-DD", f.day)
		}
	}
	if v.SupportStart != "" && v.SupportEnd != "" && v.SupportEnd < v.SupportStart {
		return bad("support_end", "%s is before support_start %s", v.SupportEnd, v.SupportStart)
	}
	if v.Categories == nil {
		v.Categories = []string{}
	}
	return nil
}

// CreateProduct adds a product to an organisation.
func (s *Store) CreateProduct(ctx context.Context, a Actor, orgID, name string) (Product, error) {
	if err := validProductName(name); err != nil {
		return Product{}, err
	}
	p := Product{OrgID: orgID, Name: name, Versions: []ProductVersion{}}
	err := s.Tx(ctx, func(tx *Tx) error {
		if err := tx.checkOrg(ctx, a, orgID, write); err != nil {
			return err
		}
		p.ID, p.CreatedAt = newID(), dbTime(tx.Now())
		if _, err := tx.Exec(ctx, "INSERT INTO products (id, org_id, name, created_at) VALUES (?, ?, ?, ?)", p.ID, p.OrgID, p.Name, p.CreatedAt); err != nil {
			return fmt.Errorf("store: product: %w", err)
		}
		tx.Audit(AuditEntry{Actor: a.String(), OrgID: orgID, Action: "create", Entity: "product", EntityID: p.ID, After: p})
		return nil
	})
	return p, err
}

// AddProductVersion adds a version to a product; a version string may occur
// once per product (ErrConflict).
func (s *Store) AddProductVersion(ctx context.Context, a Actor, v ProductVersion) (ProductVersion, error) {
	if err := v.validate(); err != nil {
		return v, err
	}
	cats, err := json.Marshal(v.Categories)
	if err != nil {
		return v, fmt.Errorf("store: product version: %w", err)
	}
	err = s.Tx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow(ctx, "SELECT org_id, (SELECT count(*) FROM product_versions WHERE product_id = p.id AND version = ?) FROM products p WHERE id = ? AND "+orgFilter("org_id", write),
			append([]any{v.Version, v.ProductID}, a.args(write)...)...).Scan(&v.OrgID, &n); err != nil {
			return fmt.Errorf("store: product %q: %w", v.ProductID, notFound(err))
		}
		if n > 0 {
			return fmt.Errorf("store: product %q: version %s exists: %w", v.ProductID, v.Version, ErrConflict)
		}
		v.ID, v.CreatedAt = newID(), dbTime(tx.Now())
		if _, err := tx.Exec(ctx, `INSERT INTO product_versions (id, product_id, org_id, version, support_start, support_end, categories,
				harmonised_standards, foss_public_docs, eu_scheme, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, v.ID, v.ProductID, v.OrgID, v.Version, v.SupportStart, v.SupportEnd, string(cats),
			v.HarmonisedStandards, v.FOSSPublicDocs, v.EUScheme, v.CreatedAt); err != nil {
			return fmt.Errorf("store: product version: %w", err)
		}
		tx.Audit(AuditEntry{Actor: a.String(), OrgID: v.OrgID, Action: "create", Entity: "product_version", EntityID: v.ID, After: v})
		return nil
	})
	return v, err
}

// UpdateProductVersion records a version's support period, categories and
// Art. 32 facts as given in v (v.ID names the version; its product and
// version string stay).
func (s *Store) UpdateProductVersion(ctx context.Context, a Actor, v ProductVersion) (ProductVersion, error) {
	if err := v.validate(); err != nil {
		return v, err
	}
	cats, err := json.Marshal(v.Categories)
	if err != nil {
		return v, fmt.Errorf("store: product version: %w", err)
	}
	var after ProductVersion
	err = s.Tx(ctx, func(tx *Tx) error {
		before, err := scanVersion(tx.QueryRow(ctx, "SELECT "+versionColumns+" FROM product_versions WHERE id = ? AND "+orgFilter("org_id", write),
			append([]any{v.ID}, a.args(write)...)...))
		if err != nil {
			return fmt.Errorf("store: product version %q: %w", v.ID, notFound(err))
		}
		after = before
		after.SupportStart, after.SupportEnd, after.Categories = v.SupportStart, v.SupportEnd, v.Categories
		after.HarmonisedStandards, after.FOSSPublicDocs, after.EUScheme = v.HarmonisedStandards, v.FOSSPublicDocs, v.EUScheme
		if _, err := tx.Exec(ctx, `UPDATE product_versions SET support_start = ?, support_end = ?, categories = ?,
				harmonised_standards = ?, foss_public_docs = ?, eu_scheme = ? WHERE id = ?`,
			after.SupportStart, after.SupportEnd, string(cats), after.HarmonisedStandards, after.FOSSPublicDocs, after.EUScheme, v.ID); err != nil {
			return fmt.Errorf("store: product version %q: %w", v.ID, err)
		}
		tx.Audit(AuditEntry{Actor: a.String(), OrgID: after.OrgID, Action: "update", Entity: "product_version", EntityID: v.ID, Before: before, After: after})
		return nil
	})
	return after, err
}

const versionColumns = `id, product_id, org_id, version, support_start, support_end, categories,
	harmonised_standards, foss_public_docs, eu_scheme, created_at`

func scanVersion(sc interface{ Scan(...any) error }) (ProductVersion, error) {
	var v ProductVersion
	var cats string
	if err := sc.Scan(&v.ID, &v.ProductID, &v.OrgID, &v.Version, &v.SupportStart, &v.SupportEnd, &cats,
		&v.HarmonisedStandards, &v.FOSSPublicDocs, &v.EUScheme, &v.CreatedAt); err != nil {
		return v, err
	}
	if err := json.Unmarshal([]byte(cats), &v.Categories); err != nil {
		return v, fmt.Errorf("categories: %w", err)
	}
	return v, nil
}

func scanProduct(sc interface{ Scan(...any) error }) (Product, error) {
	p := Product{Versions: []ProductVersion{}}
	return p, sc.Scan(&p.ID, &p.OrgID, &p.Name, &p.CreatedAt)
}

// Products lists an organisation's products by name, each with its versions
// in the order they were added.
func (s *Store) Products(ctx context.Context, a Actor, orgID string) ([]Product, error) {
	if err := s.checkOrg(ctx, a, orgID); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, "SELECT id, org_id, name, created_at FROM products WHERE org_id = ? ORDER BY name, id", orgID)
	if err != nil {
		return nil, fmt.Errorf("store: products: %w", err)
	}
	ps, err := collect(rows, scanProduct, "products")
	if err != nil {
		return nil, err
	}
	rows, err = s.query(ctx, "SELECT "+versionColumns+" FROM product_versions WHERE org_id = ? ORDER BY created_at, id", orgID)
	if err != nil {
		return nil, fmt.Errorf("store: product versions: %w", err)
	}
	vs, err := collect(rows, scanVersion, "product versions")
	if err != nil {
		return nil, err
	}
	index := map[string]int{}
	for i, p := range ps {
		index[p.ID] = i
	}
	for _, v := range vs {
		p := &ps[index[v.ProductID]]
		p.Versions = append(p.Versions, v)
	}
	return ps, nil
}

// Product returns one product with its versions in the order they were added.
func (s *Store) Product(ctx context.Context, a Actor, id string) (Product, error) {
	p, err := scanProduct(s.queryRow(ctx, "SELECT id, org_id, name, created_at FROM products WHERE id = ? AND "+orgFilter("org_id", read),
		append([]any{id}, a.args(read)...)...))
	if err != nil {
		return Product{}, fmt.Errorf("store: product %q: %w", id, notFound(err))
	}
	rows, err := s.query(ctx, "SELECT "+versionColumns+" FROM product_versions WHERE product_id = ? ORDER BY created_at, id", id)
	if err != nil {
		return Product{}, fmt.Errorf("store: product %q: versions: %w", id, err)
	}
	vs, err := collect(rows, scanVersion, "product versions")
	if err != nil {
		return Product{}, err
	}
	p.Versions = append(p.Versions, vs...)
	return p, nil
}

// ProductVersion returns one version.
func (s *Store) ProductVersion(ctx context.Context, a Actor, id string) (ProductVersion, error) {
	v, err := scanVersion(s.queryRow(ctx, "SELECT "+versionColumns+" FROM product_versions WHERE id = ? AND "+orgFilter("org_id", read),
		append([]any{id}, a.args(read)...)...))
	if err != nil {
		return ProductVersion{}, fmt.Errorf("store: product version %q: %w", id, notFound(err))
	}
	return v, nil
}
