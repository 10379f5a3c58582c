-- Notifications point to what they are about: a local path of the portal,
-- or '' for none.
ALTER TABLE notifications ADD COLUMN link TEXT NOT NULL DEFAULT '';

-- The unread count in the navigation reads only unread rows.
CREATE INDEX notifications_unread ON notifications (org_id) WHERE read_at IS NULL;

-- The outbox: one row per notification and delivery channel ('webhook',
-- 'email'), written with the notification. The delivery loop of
-- `pflicht serve` claims pending rows with a lease (lease_until), so of
-- several app servers one sends; attempts counts the claims, so it also
-- fences a late outcome of a lease that has been taken over. A row is
-- pending while delivered_at and failed_at are NULL; failed_at set means
-- given up, with last_error saying why.
CREATE TABLE notification_deliveries (
	id {{id}},
	notification_id {{bigint}} NOT NULL REFERENCES notifications (id),
	channel TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at {{time}} NOT NULL,
	lease_until {{time}},
	delivered_at {{time}},
	failed_at {{time}},
	last_error TEXT NOT NULL DEFAULT '',
	UNIQUE (notification_id, channel)
);
CREATE INDEX notification_deliveries_pending ON notification_deliveries (channel, next_attempt_at)
	WHERE delivered_at IS NULL AND failed_at IS NULL;
