package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Notification is a message to an organisation: a deadline coming due, a
// new vulnerability in one of its products, a note from the authority.
type Notification struct {
	ID    int64  `json:"id"`
	OrgID string `json:"org_id"`
	Kind  string `json:"kind"`
	Title string `json:"title"`
	Body  string `json:"body"`
	// Link is the portal page the notification is about, as a local path
	// ("/orgs/ID/incidents/ID"); "" for none. Notify rejects anything else,
	// so a link can never lead off the portal.
	Link      string     `json:"link,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at,omitempty"`
	// Deliveries are the channels an attempt was made on (read only; the
	// delivery loop fills them).
	Deliveries []DeliveryState `json:"deliveries,omitempty"`
}

// Delivery channels. Notify queues every notification on each; only the
// channels the operator configures are ever worked (see internal/notify).
const (
	ChannelWebhook = "webhook"
	ChannelEmail   = "email"
)

// Channels are the delivery channels, in the order pages show them.
var Channels = []string{ChannelEmail, ChannelWebhook}

// DeliveryState is how far a notification got on one channel.
type DeliveryState struct {
	Channel     string     `json:"channel"`
	Attempts    int        `json:"attempts"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
	FailedAt    *time.Time `json:"failed_at,omitempty"` // given up
	NextAttempt time.Time  `json:"next_attempt_at"`     // while neither is set
	LastError   string     `json:"last_error,omitempty"`
}

// Limits of a notification's text; Notify rejects longer ones.
const (
	MaxNotificationTitle = 200
	MaxNotificationBody  = 10_000
	maxNotificationLink  = 2_000
	maxDeliveryError     = 500
)

// validate reports the first field of n that cannot be stored.
func (n Notification) validate() error {
	bad := func(field, msg string) error {
		return fmt.Errorf("store: notification: %s: %s: %w", field, msg, ErrInvalid)
	}
	switch {
	case strings.TrimSpace(n.Kind) == "":
		return bad("kind", "must not be empty")
	case strings.TrimSpace(n.Title) == "":
		return bad("title", "must not be empty")
	case utf8.RuneCountInString(n.Title) > MaxNotificationTitle:
		return bad("title", fmt.Sprintf("longer than %d characters", MaxNotificationTitle))
	case utf8.RuneCountInString(n.Body) > MaxNotificationBody:
		return bad("body", fmt.Sprintf("longer than %d characters", MaxNotificationBody))
	case !utf8.ValidString(n.Kind + n.Title + n.Body + n.Link):
		return bad("title", "not valid UTF-8")
	}
	if err := checkLocalLink(n.Link); err != nil {
		return bad("link", err.Error())
	}
	return nil
}

// checkLocalLink accepts "" and absolute paths of this site: no scheme, no
// host, no protocol-relative "//" or "/\" (which browsers read as a host),
// no control characters.
func checkLocalLink(link string) error {
	if link == "" {
		return nil
	}
	if len(link) > maxNotificationLink {
		return fmt.Errorf("longer than %d characters", maxNotificationLink)
	}
	if !strings.HasPrefix(link, "/") || strings.HasPrefix(link, "//") || strings.HasPrefix(link, "/\\") {
		return fmt.Errorf("%q is not a local path starting with a single /", link)
	}
	for _, r := range link {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return fmt.Errorf("%q contains a control character or backslash", link)
		}
	}
	u, err := url.Parse(link)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return fmt.Errorf("%q is not a local path", link)
	}
	return nil
}

// Notify adds a notification for an organisation and queues it on every
// delivery channel. Supervisors may notify any organisation, members their
// own.
func (s *Store) Notify(ctx context.Context, a Actor, n Notification) (Notification, error) {
	err := s.Tx(ctx, func(tx *Tx) error {
		var err error
		n, err = tx.notify(ctx, a, n)
		return err
	})
	return n, err
}

// notify is Notify inside tx.
func (tx *Tx) notify(ctx context.Context, a Actor, n Notification) (Notification, error) {
	if err := n.validate(); err != nil {
		return n, err
	}
	acc := write
	if a.Role == RoleSupervisor && !a.ReadOnly {
		acc = read
	}
	if err := tx.checkOrg(ctx, a, n.OrgID, acc); err != nil {
		return n, err
	}
	n.CreatedAt, n.ReadAt, n.Deliveries = dbTime(tx.Now()), nil, nil
	if err := tx.QueryRow(ctx, "INSERT INTO notifications (org_id, kind, title, body, link, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
		n.OrgID, n.Kind, n.Title, n.Body, n.Link, n.CreatedAt).Scan(&n.ID); err != nil {
		return n, fmt.Errorf("store: notification: %w", err)
	}
	for _, c := range Channels {
		if _, err := tx.Exec(ctx, "INSERT INTO notification_deliveries (notification_id, channel, next_attempt_at) VALUES (?, ?, ?)",
			n.ID, c, n.CreatedAt); err != nil {
			return n, fmt.Errorf("store: notification %d: queue %s: %w", n.ID, c, err)
		}
	}
	tx.Audit(AuditEntry{Actor: a.String(), OrgID: n.OrgID, Action: "create", Entity: "notification", EntityID: fmt.Sprint(n.ID), After: n})
	return n, nil
}

// notificationQuery selects notifications with their state on each channel.
var notificationQuery = func() string {
	cols := "n.id, n.org_id, n.kind, n.title, n.body, n.link, n.created_at, n.read_at"
	joins := ""
	for i, c := range Channels {
		d := fmt.Sprintf("d%d", i)
		cols += fmt.Sprintf(", %[1]s.attempts, %[1]s.delivered_at, %[1]s.failed_at, %[1]s.next_attempt_at, %[1]s.last_error", d)
		joins += fmt.Sprintf(" LEFT JOIN notification_deliveries %s ON %[1]s.notification_id = n.id AND %[1]s.channel = '%s'", d, c)
	}
	return "SELECT " + cols + " FROM notifications n" + joins
}()

func scanNotification(sc interface{ Scan(...any) error }) (Notification, error) {
	var n Notification
	var read sql.NullTime
	dst := []any{&n.ID, &n.OrgID, &n.Kind, &n.Title, &n.Body, &n.Link, &n.CreatedAt, &read}
	type dcols struct {
		attempts                sql.NullInt64
		delivered, failed, next sql.NullTime
		lastErr                 sql.NullString
	}
	ds := make([]dcols, len(Channels))
	for i := range ds {
		dst = append(dst, &ds[i].attempts, &ds[i].delivered, &ds[i].failed, &ds[i].next, &ds[i].lastErr)
	}
	if err := sc.Scan(dst...); err != nil {
		return n, err
	}
	n.ReadAt = nullTime(read)
	for i, d := range ds {
		// Only what was tried is shown: a channel the operator has not
		// configured keeps its queued row untouched.
		if d.attempts.Int64 == 0 && !d.delivered.Valid {
			continue
		}
		n.Deliveries = append(n.Deliveries, DeliveryState{Channel: Channels[i], Attempts: int(d.attempts.Int64),
			DeliveredAt: nullTime(d.delivered), FailedAt: nullTime(d.failed), NextAttempt: d.next.Time, LastError: d.lastErr.String})
	}
	return n, nil
}

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	return &t.Time
}

// Notifications lists all of an organisation's notifications, newest first.
func (s *Store) Notifications(ctx context.Context, a Actor, orgID string) ([]Notification, error) {
	ns, _, err := s.NotificationPage(ctx, a, orgID, 0, math.MaxInt32)
	return ns, err
}

// NotificationPage lists up to limit of an organisation's notifications,
// newest first, starting below id before (0: from the newest); more says
// whether older ones follow.
func (s *Store) NotificationPage(ctx context.Context, a Actor, orgID string, before int64, limit int) (ns []Notification, more bool, err error) {
	if limit <= 0 || before < 0 {
		return nil, false, fmt.Errorf("store: notifications: limit %d, before %d: %w", limit, before, ErrInvalid)
	}
	if err := s.checkOrg(ctx, a, orgID); err != nil {
		return nil, false, err
	}
	if limit < math.MaxInt32 {
		limit++ // one more tells whether there are more
	}
	rows, err := s.query(ctx, notificationQuery+" WHERE n.org_id = ? AND (? OR n.id < ?) ORDER BY n.id DESC LIMIT ?",
		orgID, before == 0, before, limit)
	if err != nil {
		return nil, false, fmt.Errorf("store: notifications: %w", err)
	}
	ns, err = collect(rows, scanNotification, "notifications")
	if err != nil {
		return nil, false, err
	}
	if limit < math.MaxInt32 && len(ns) == limit {
		ns, more = ns[:limit-1], true
	}
	return ns, more, nil
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

// MarkAllNotificationsRead marks every unread notification of an
// organisation as read and returns how many there were.
func (s *Store) MarkAllNotificationsRead(ctx context.Context, a Actor, orgID string) (int, error) {
	var n int64
	err := s.Tx(ctx, func(tx *Tx) error {
		if err := tx.checkOrg(ctx, a, orgID, write); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, "UPDATE notifications SET read_at = ? WHERE org_id = ? AND read_at IS NULL", tx.Now(), orgID)
		if err != nil {
			return fmt.Errorf("store: notifications of %q: %w", orgID, err)
		}
		if n, err = res.RowsAffected(); err != nil {
			return fmt.Errorf("store: notifications of %q: %w", orgID, err)
		}
		if n > 0 {
			tx.Audit(AuditEntry{Actor: a.String(), OrgID: orgID, Action: "read_all", Entity: "notification", EntityID: orgID,
				After: map[string]int64{"marked": n}})
		}
		return nil
	})
	return int(n), err
}

// Unread is the number of unread notifications of one organisation.
type Unread struct {
	OrgID  string
	Count  int
	Newest int64 // id of the newest unread notification
}

// UnreadNotifications counts the unread notifications of the organisations
// the actor is a member of, newest first, in one query (the navigation asks
// on every page). Supervisors and admins reach every organisation but are
// told only of those they are members of: the notifications are addressed
// to the organisations, not to the authority.
func (s *Store) UnreadNotifications(ctx context.Context, a Actor) ([]Unread, error) {
	if a.UserID == "" {
		return nil, nil
	}
	rows, err := s.query(ctx, `SELECT org_id, count(*), max(id) FROM notifications
		WHERE read_at IS NULL AND org_id IN (SELECT org_id FROM memberships WHERE user_id = ?)
		GROUP BY org_id ORDER BY max(id) DESC`, a.UserID)
	if err != nil {
		return nil, fmt.Errorf("store: unread notifications: %w", err)
	}
	return collect(rows, func(sc interface{ Scan(...any) error }) (Unread, error) {
		var u Unread
		return u, sc.Scan(&u.OrgID, &u.Count, &u.Newest)
	}, "unread notifications")
}

// Delivery is a notification claimed for sending on one channel.
type Delivery struct {
	ID      int64
	Channel string
	// Attempt numbers this claim: 1 for the first. It fences the outcome:
	// once the lease has passed and another server has claimed the row,
	// an outcome for an older attempt is not recorded.
	Attempt      int
	LeaseUntil   time.Time
	Notification Notification
	// Recipients are the contact e-mails of the organisation's current
	// profile (§33 BSIG), for the e-mail channel.
	Recipients []string
}

// Claim says which deliveries ClaimDeliveries takes.
type Claim struct {
	Channel string
	Now     time.Time
	// Lease is how long the claim holds; it must exceed one attempt (the
	// sender's timeout), or a slow attempt may be repeated elsewhere.
	Lease time.Duration
	Limit int
	// MaxAge, if positive, gives up rows never attempted whose notification
	// is older (a channel configured late does not send an old backlog).
	MaxAge time.Duration
}

// ClaimDeliveries leases up to c.Limit pending deliveries of c.Channel that
// are due, oldest due first. Of several app servers claiming at the same
// time, each row goes to one: on SQLite writes are serialised; on
// PostgreSQL the candidate rows are locked with FOR UPDATE SKIP LOCKED, so
// a concurrent claimer takes other rows instead of waiting, and the lease
// condition is checked again on the locked row. Only system actors with
// the admin role (the delivery loop) may claim. The lease itself is not
// audited; the outcome is (DeliverySent, DeliveryFailed).
func (s *Store) ClaimDeliveries(ctx context.Context, a Actor, c Claim) ([]Delivery, error) {
	if err := a.requireAdmin("claim deliveries"); err != nil {
		return nil, err
	}
	if !validChannel(c.Channel) || c.Limit <= 0 || c.Lease <= 0 || c.Now.IsZero() {
		return nil, fmt.Errorf("store: claim deliveries: channel %q, limit %d, lease %s: %w", c.Channel, c.Limit, c.Lease, ErrInvalid)
	}
	lock := ""
	if s.d == postgresDialect {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var out []Delivery
	err := s.Tx(ctx, func(tx *Tx) error {
		out = nil
		if c.MaxAge > 0 {
			if err := tx.expireDeliveries(ctx, a, c); err != nil {
				return err
			}
		}
		until := dbTime(c.Now.Add(c.Lease))
		pending := "delivered_at IS NULL AND failed_at IS NULL AND (lease_until IS NULL OR lease_until <= ?)"
		rows, err := tx.Query(ctx, `UPDATE notification_deliveries SET lease_until = ?, attempts = attempts + 1
			WHERE id IN (SELECT id FROM notification_deliveries WHERE channel = ? AND next_attempt_at <= ? AND `+pending+`
				ORDER BY next_attempt_at, id LIMIT ?`+lock+`)
			AND `+pending+`
			RETURNING id, notification_id, attempts`,
			until, c.Channel, c.Now, c.Now, c.Limit, c.Now)
		if err != nil {
			return fmt.Errorf("store: claim deliveries: %w", err)
		}
		byNote := map[int64]int{}
		for rows.Next() {
			d := Delivery{Channel: c.Channel, LeaseUntil: until}
			if err := rows.Scan(&d.ID, &d.Notification.ID, &d.Attempt); err != nil {
				rows.Close()
				return fmt.Errorf("store: claim deliveries: %w", err)
			}
			byNote[d.Notification.ID] = len(out)
			out = append(out, d)
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("store: claim deliveries: %w", err)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: claim deliveries: %w", err)
		}
		return tx.fillDeliveries(ctx, out, byNote)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// expireDeliveries gives up the rows of c.Channel never attempted whose
// notification is older than c.MaxAge.
func (tx *Tx) expireDeliveries(ctx context.Context, a Actor, c Claim) error {
	msg := fmt.Sprintf("not sent: older than %s when delivery on this channel began", c.MaxAge)
	res, err := tx.Exec(ctx, `UPDATE notification_deliveries SET failed_at = ?, last_error = ?
		WHERE channel = ? AND attempts = 0 AND delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at < ?`,
		c.Now, msg, c.Channel, c.Now.Add(-c.MaxAge))
	if err != nil {
		return fmt.Errorf("store: expire deliveries: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil && n > 0 {
		tx.Audit(AuditEntry{Actor: a.String(), Action: "expire", Entity: "notification_delivery", EntityID: c.Channel,
			After: map[string]any{"expired": n, "max_age": c.MaxAge.String()}})
	}
	return nil
}

// fillDeliveries reads the notifications of the claimed rows and, for
// e-mail, the recipients from each organisation's current profile.
func (tx *Tx) fillDeliveries(ctx context.Context, ds []Delivery, byNote map[int64]int) error {
	if len(ds) == 0 {
		return nil
	}
	ids := make([]any, 0, len(ds))
	for _, d := range ds {
		ids = append(ids, d.Notification.ID)
	}
	rows, err := tx.Query(ctx, `SELECT n.id, n.org_id, n.kind, n.title, n.body, n.link, n.created_at, n.read_at, p.data
		FROM notifications n JOIN organisations o ON o.id = n.org_id
		LEFT JOIN organisation_profiles p ON p.org_id = o.id AND p.version = o.profile_version
		WHERE n.id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, ids...)
	if err != nil {
		return fmt.Errorf("store: claim deliveries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n Notification
		var read sql.NullTime
		var data sql.NullString
		if err := rows.Scan(&n.ID, &n.OrgID, &n.Kind, &n.Title, &n.Body, &n.Link, &n.CreatedAt, &read, &data); err != nil {
			return fmt.Errorf("store: claim deliveries: %w", err)
		}
		n.ReadAt = nullTime(read)
		d := &ds[byNote[n.ID]]
		d.Notification = n
		if d.Channel == ChannelEmail && data.Valid {
			var p Profile
			if err := json.Unmarshal([]byte(data.String), &p); err != nil {
				return fmt.Errorf("store: claim deliveries: profile of %q: %w", n.OrgID, err)
			}
			d.Recipients = p.Emails
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: claim deliveries: %w", err)
	}
	return nil
}

func validChannel(c string) bool { return c == ChannelWebhook || c == ChannelEmail }

// DeliverySent records that d was delivered at at. A delivery that was
// sent is recorded even if its lease has passed meanwhile: it did happen.
func (s *Store) DeliverySent(ctx context.Context, a Actor, d Delivery, at time.Time) error {
	if err := a.requireAdmin("record delivery"); err != nil {
		return err
	}
	return s.Tx(ctx, func(tx *Tx) error {
		var orgID string
		err := tx.QueryRow(ctx, `UPDATE notification_deliveries SET delivered_at = ?, failed_at = NULL, lease_until = NULL, last_error = ''
			WHERE id = ? AND delivered_at IS NULL
			RETURNING (SELECT org_id FROM notifications WHERE notifications.id = notification_deliveries.notification_id)`, at, d.ID).Scan(&orgID)
		if err != nil {
			return fmt.Errorf("store: delivery %d: %w", d.ID, notFound(err))
		}
		tx.Audit(AuditEntry{Actor: a.String(), OrgID: orgID, Action: "deliver", Entity: "notification", EntityID: fmt.Sprint(d.Notification.ID),
			After: map[string]any{"channel": d.Channel, "attempt": d.Attempt}})
		return nil
	})
}

// DeliveryFailed records that attempt d failed with msg (kept, shortened,
// for the portal: it must name no secret). With retryAt nil the delivery is
// given up; otherwise it is due again at *retryAt. It returns ErrConflict
// if the attempt is no longer the current one (its lease passed and the
// row was claimed again, or it was delivered meanwhile).
func (s *Store) DeliveryFailed(ctx context.Context, a Actor, d Delivery, at time.Time, msg string, retryAt *time.Time) error {
	if err := a.requireAdmin("record delivery"); err != nil {
		return err
	}
	msg = strings.ToValidUTF8(msg, "?")
	if utf8.RuneCountInString(msg) > maxDeliveryError {
		msg = string([]rune(msg)[:maxDeliveryError-1]) + "…"
	}
	action, failedAt, next := "delivery_failed", &at, at
	if retryAt != nil {
		action, failedAt, next = "delivery_retry", nil, *retryAt
	}
	return s.Tx(ctx, func(tx *Tx) error {
		var orgID string
		err := tx.QueryRow(ctx, `UPDATE notification_deliveries SET failed_at = ?, next_attempt_at = ?, lease_until = NULL, last_error = ?
			WHERE id = ? AND attempts = ? AND delivered_at IS NULL AND failed_at IS NULL
			RETURNING (SELECT org_id FROM notifications WHERE notifications.id = notification_deliveries.notification_id)`, failedAt, next, msg, d.ID, d.Attempt).Scan(&orgID)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: delivery %d attempt %d: superseded: %w", d.ID, d.Attempt, ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("store: delivery %d: %w", d.ID, err)
		}
		after := map[string]any{"channel": d.Channel, "attempt": d.Attempt, "error": msg}
		if retryAt != nil {
			after["next_attempt_at"] = dbTime(*retryAt)
		}
		tx.Audit(AuditEntry{Actor: a.String(), OrgID: orgID, Action: action, Entity: "notification", EntityID: fmt.Sprint(d.Notification.ID), After: after})
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
