package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Notification is a message to an organisation: a deadline coming due, a
// new vulnerability in one of its products, a note from the authority.
type Notification struct {
	ID        int64      `json:"id"`
	OrgID     string     `json:"org_id"`
	Kind      string     `json:"kind"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at,omitempty"`
}

// Notify adds a notification for an organisation. Supervisors may notify
// any organisation, members their own.
func (s *Store) Notify(ctx context.Context, a Actor, n Notification) (Notification, error) {
	if n.Kind == "" || n.Title == "" {
		return n, fmt.Errorf("store: notification: kind and title must not be empty: %w", ErrInvalid)
	}
	acc := write
	if a.Role == RoleSupervisor && !a.ReadOnly {
		acc = read
	}
	err := s.Tx(ctx, func(tx *Tx) error {
		if err := tx.checkOrg(ctx, a, n.OrgID, acc); err != nil {
			return err
		}
		n.CreatedAt, n.ReadAt = dbTime(tx.Now()), nil
		if err := tx.QueryRow(ctx, "INSERT INTO notifications (org_id, kind, title, body, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
			n.OrgID, n.Kind, n.Title, n.Body, n.CreatedAt).Scan(&n.ID); err != nil {
			return fmt.Errorf("store: notification: %w", err)
		}
		tx.Audit(AuditEntry{Actor: a.String(), OrgID: n.OrgID, Action: "create", Entity: "notification", EntityID: fmt.Sprint(n.ID), After: n})
		return nil
	})
	return n, err
}

// Notifications lists an organisation's notifications, newest first.
func (s *Store) Notifications(ctx context.Context, a Actor, orgID string) ([]Notification, error) {
	if err := s.checkOrg(ctx, a, orgID); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, "SELECT id, org_id, kind, title, body, created_at, read_at FROM notifications WHERE org_id = ? ORDER BY id DESC", orgID)
	if err != nil {
		return nil, fmt.Errorf("store: notifications: %w", err)
	}
	return collect(rows, func(sc interface{ Scan(...any) error }) (Notification, error) {
		var n Notification
		var read sql.NullTime
		err := sc.Scan(&n.ID, &n.OrgID, &n.Kind, &n.Title, &n.Body, &n.CreatedAt, &read)
		if read.Valid {
			n.ReadAt = &read.Time
		}
		return n, err
	}, "notifications")
}

// MarkNotificationRead marks a notification as read; marking it again
// keeps the first time.
func (s *Store) MarkNotificationRead(ctx context.Context, a Actor, id int64) error {
	return s.Tx(ctx, func(tx *Tx) error {
		var orgID string
		err := tx.QueryRow(ctx, "UPDATE notifications SET read_at = COALESCE(read_at, ?) WHERE id = ? AND "+orgFilter("org_id", write)+" RETURNING org_id",
			append([]any{tx.Now(), id}, a.args(write)...)...).Scan(&orgID)
		if err != nil {
			return fmt.Errorf("store: notification %d: %w", id, notFound(err))
		}
		tx.Audit(AuditEntry{Actor: a.String(), OrgID: orgID, Action: "read", Entity: "notification", EntityID: fmt.Sprint(id)})
		return nil
	})
}

// notFound maps sql.ErrNoRows to ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}
