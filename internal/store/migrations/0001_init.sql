-- pflicht's schema. Macros in {{ }} are expanded per database (dialect.go).
-- Instants are {{time}}; JSON is TEXT on both databases, so what is hashed
-- into the audit chain is read back byte for byte.

-- Organisations (tenants). The columns beside name are kept in step with the
-- current profile version so the supervisor's registry can filter by index.
CREATE TABLE organisations (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	created_at {{time}} NOT NULL,
	class TEXT NOT NULL DEFAULT '',
	profile_version INTEGER NOT NULL DEFAULT 0,
	registered_at {{time}}
);
CREATE INDEX organisations_by_name ON organisations (name, id);
CREATE INDEX organisations_by_class ON organisations (class, name, id);
CREATE INDEX organisations_by_registration ON organisations (registered_at);

-- Every change of the §33/§34 registration data is a new version.
CREATE TABLE organisation_profiles (
	org_id TEXT NOT NULL REFERENCES organisations (id),
	version INTEGER NOT NULL,
	created_at {{time}} NOT NULL,
	created_by TEXT NOT NULL,
	class TEXT NOT NULL,
	data TEXT NOT NULL,
	PRIMARY KEY (org_id, version)
);

-- The sectors of the current profile, for the registry filter. name is
-- the organisation's, so a page of one sector is one index range in name
-- order.
CREATE TABLE organisation_sectors (
	org_id TEXT NOT NULL REFERENCES organisations (id),
	sector TEXT NOT NULL,
	name TEXT NOT NULL,
	PRIMARY KEY (org_id, sector)
);
CREATE INDEX organisation_sectors_by_sector ON organisation_sectors (sector, name, org_id);

CREATE TABLE registrations (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES organisations (id),
	profile_version INTEGER NOT NULL,
	submitted_at {{time}} NOT NULL,
	submitted_by TEXT NOT NULL
);
CREATE INDEX registrations_by_org ON registrations (org_id, submitted_at);

CREATE TABLE users (
	id TEXT PRIMARY KEY,
	email TEXT NOT NULL UNIQUE,
	password_hash TEXT NOT NULL,
	totp_secret TEXT NOT NULL DEFAULT '',
	role TEXT NOT NULL DEFAULT '',
	disabled {{bool}} NOT NULL DEFAULT FALSE,
	created_at {{time}} NOT NULL
);

CREATE TABLE memberships (
	user_id TEXT NOT NULL REFERENCES users (id),
	org_id TEXT NOT NULL REFERENCES organisations (id),
	role TEXT NOT NULL,
	PRIMARY KEY (user_id, org_id)
);
CREATE INDEX memberships_by_org ON memberships (org_id);

CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users (id),
	created_at {{time}} NOT NULL,
	expires_at {{time}} NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE api_tokens (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users (id),
	prefix TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	scope TEXT NOT NULL,
	created_at {{time}} NOT NULL,
	expires_at {{time}},
	last_used_at {{time}}
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

CREATE TABLE incidents (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES organisations (id),
	regime TEXT NOT NULL,
	title TEXT NOT NULL,
	aware_at {{time}} NOT NULL,
	created_at {{time}} NOT NULL,
	status TEXT NOT NULL
);
CREATE INDEX incidents_by_org ON incidents (org_id, created_at);

CREATE TABLE incident_reports (
	id TEXT PRIMARY KEY,
	incident_id TEXT NOT NULL REFERENCES incidents (id),
	org_id TEXT NOT NULL REFERENCES organisations (id),
	stage TEXT NOT NULL,
	content TEXT NOT NULL,
	submitted_at {{time}} NOT NULL,
	submitted_by TEXT NOT NULL
);
CREATE INDEX incident_reports_by_incident ON incident_reports (incident_id, submitted_at);

-- The ten measures of §30(2) BSIG, one row per organisation and measure.
CREATE TABLE measures (
	org_id TEXT NOT NULL REFERENCES organisations (id),
	measure_id TEXT NOT NULL,
	status TEXT NOT NULL,
	owner TEXT NOT NULL DEFAULT '',
	review_date TEXT NOT NULL DEFAULT '',
	notes TEXT NOT NULL DEFAULT '',
	updated_at {{time}} NOT NULL,
	updated_by TEXT NOT NULL,
	PRIMARY KEY (org_id, measure_id)
);

-- Evidence content, addressed by its SHA-256; rows in evidence refer to it.
CREATE TABLE blobs (
	sha256 TEXT PRIMARY KEY,
	size {{bigint}} NOT NULL,
	data {{blob}} NOT NULL
);

CREATE TABLE evidence (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES organisations (id),
	measure_id TEXT NOT NULL DEFAULT '',
	name TEXT NOT NULL,
	content_type TEXT NOT NULL,
	sha256 TEXT NOT NULL REFERENCES blobs (sha256),
	size {{bigint}} NOT NULL,
	created_at {{time}} NOT NULL,
	created_by TEXT NOT NULL
);
CREATE INDEX evidence_by_org ON evidence (org_id, measure_id);

-- §38 BSIG: training and supervision by the management body.
CREATE TABLE management_records (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES organisations (id),
	kind TEXT NOT NULL,
	held_on TEXT NOT NULL,
	title TEXT NOT NULL,
	notes TEXT NOT NULL DEFAULT '',
	created_at {{time}} NOT NULL,
	created_by TEXT NOT NULL
);
CREATE INDEX management_records_by_org ON management_records (org_id, held_on);

CREATE TABLE products (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES organisations (id),
	name TEXT NOT NULL,
	created_at {{time}} NOT NULL
);
CREATE INDEX products_by_org ON products (org_id, name);

CREATE TABLE product_versions (
	id TEXT PRIMARY KEY,
	product_id TEXT NOT NULL REFERENCES products (id),
	org_id TEXT NOT NULL REFERENCES organisations (id),
	version TEXT NOT NULL,
	support_start TEXT NOT NULL DEFAULT '',
	support_end TEXT NOT NULL DEFAULT '',
	categories TEXT NOT NULL DEFAULT '[]',
	created_at {{time}} NOT NULL,
	UNIQUE (product_id, version)
);

CREATE TABLE notifications (
	id {{id}},
	org_id TEXT NOT NULL REFERENCES organisations (id),
	kind TEXT NOT NULL,
	title TEXT NOT NULL,
	body TEXT NOT NULL DEFAULT '',
	created_at {{time}} NOT NULL,
	read_at {{time}}
);
CREATE INDEX notifications_by_org ON notifications (org_id, id);

-- The audit trail. seq is gapless; the hash covers the record and prev_hash.
CREATE TABLE audit_log (
	seq {{bigint}} PRIMARY KEY,
	at {{time}} NOT NULL,
	actor TEXT NOT NULL,
	org_id TEXT NOT NULL,
	action TEXT NOT NULL,
	entity TEXT NOT NULL,
	entity_id TEXT NOT NULL,
	before_json TEXT NOT NULL,
	after_json TEXT NOT NULL,
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL
);
CREATE INDEX audit_log_by_org ON audit_log (org_id, seq);

-- The chain head: the one row every append locks and moves.
CREATE TABLE audit_head (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	seq {{bigint}} NOT NULL,
	hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');
