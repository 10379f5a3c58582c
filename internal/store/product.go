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
// CRA) and its category ids (Annex III/IV, from the cra engine).
type ProductVersion struct {
	ID           string    `json:"id"`
	ProductID    string    `json:"product_id"`
	Version      string    `json:"version"`
	SupportStart string    `json:"support_start"` // YYYY-MM-DD, "" if not yet set
	SupportEnd   string    `json:"support_end"`
	Categories   []string  `json:"categories"`
	CreatedAt    time.Time `json:"created_at"`
}

// CreateProduct adds a product to an organisation.
func (s *Store) CreateProduct(ctx context.Context, a Actor, orgID, name string) (Product, error) {
	if strings.TrimSpace(name) == "" {
		return Product{}, fmt.Errorf("store: product: name must not be empty: %w", ErrInvalid)
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
	if strings.TrimSpace(v.Version) == "" {
		return v, fmt.Errorf("store: product version: version must not be empty: %w", ErrInvalid)
	}
	for field, d := range map[string]string{"support_start": v.SupportStart, "support_end": v.SupportEnd} {
		if _, err := time.Parse(time.DateOnly, d); d != "" && err != nil {
			return v, fmt.Errorf("store: product version: %s %q is not a date YYYY-MM-DD: %w", field, d, ErrInvalid)
		}
	}
	if v.SupportStart != "" && v.SupportEnd != "" && v.SupportEnd < v.SupportStart {
		return v, fmt.Errorf("store: product version: support_end is before support_start: %w", ErrInvalid)
	}
	if v.Categories == nil {
		v.Categories = []string{}
	}
	cats, err := json.Marshal(v.Categories)
	if err != nil {
		return v, fmt.Errorf("store: product version: %w", err)
	}
	err = s.Tx(ctx, func(tx *Tx) error {
		var orgID string
		var n int
		if err := tx.QueryRow(ctx, "SELECT org_id, (SELECT count(*) FROM product_versions WHERE product_id = p.id AND version = ?) FROM products p WHERE id = ? AND "+orgFilter("org_id", write),
			append([]any{v.Version, v.ProductID}, a.args(write)...)...).Scan(&orgID, &n); err != nil {
			return fmt.Errorf("store: product %q: %w", v.ProductID, notFound(err))
		}
		if n > 0 {
			return fmt.Errorf("store: product %q: version %s exists: %w", v.ProductID, v.Version, ErrConflict)
		}
		v.ID, v.CreatedAt = newID(), dbTime(tx.Now())
		if _, err := tx.Exec(ctx, `INSERT INTO product_versions (id, product_id, org_id, version, support_start, support_end, categories, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, v.ID, v.ProductID, orgID, v.Version, v.SupportStart, v.SupportEnd, string(cats), v.CreatedAt); err != nil {
			return fmt.Errorf("store: product version: %w", err)
		}
		tx.Audit(AuditEntry{Actor: a.String(), OrgID: orgID, Action: "create", Entity: "product_version", EntityID: v.ID, After: v})
		return nil
	})
	return v, err
}

// Products lists an organisation's products by name, each with its versions.
func (s *Store) Products(ctx context.Context, a Actor, orgID string) ([]Product, error) {
	if err := s.checkOrg(ctx, a, orgID); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, "SELECT id, org_id, name, created_at FROM products WHERE org_id = ? ORDER BY name, id", orgID)
	if err != nil {
		return nil, fmt.Errorf("store: products: %w", err)
	}
	ps, err := collect(rows, func(sc interface{ Scan(...any) error }) (Product, error) {
		p := Product{Versions: []ProductVersion{}}
		return p, sc.Scan(&p.ID, &p.OrgID, &p.Name, &p.CreatedAt)
	}, "products")
	if err != nil {
		return nil, err
	}
	rows, err = s.query(ctx, `SELECT id, product_id, version, support_start, support_end, categories, created_at
		FROM product_versions WHERE org_id = ? ORDER BY created_at, id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("store: product versions: %w", err)
	}
	vs, err := collect(rows, func(sc interface{ Scan(...any) error }) (ProductVersion, error) {
		var v ProductVersion
		var cats string
		if err := sc.Scan(&v.ID, &v.ProductID, &v.Version, &v.SupportStart, &v.SupportEnd, &cats, &v.CreatedAt); err != nil {
			return v, err
		}
		return v, json.Unmarshal([]byte(cats), &v.Categories)
	}, "product versions")
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
