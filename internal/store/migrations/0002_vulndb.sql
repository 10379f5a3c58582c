-- The vulnerability database: OSV advisories and known-exploited catalogues,
-- imported from local files (pflicht vulndb import) and read by scans.

-- One row per advisory id. A withdrawn advisory keeps its row (so importing
-- it again is "unchanged") but has no package or alias rows, so no scan
-- loads it. data is the record as compact JSON: what matching and findings
-- use, without details and references.
CREATE TABLE vuln_records (
	id TEXT PRIMARY KEY,
	modified {{time}} NOT NULL,
	withdrawn {{time}},
	source TEXT NOT NULL,
	data {{blob}} NOT NULL
);
CREATE INDEX vuln_records_by_source ON vuln_records (source);

-- The packages an advisory names, by the matcher's key: base ecosystem and
-- normalised name (vuln.KeyOf). A scan loads only the rows of its keys.
CREATE TABLE vuln_packages (
	ecosystem TEXT NOT NULL,
	name TEXT NOT NULL,
	record_id TEXT NOT NULL REFERENCES vuln_records (id) ON DELETE CASCADE,
	PRIMARY KEY (ecosystem, name, record_id)
);
CREATE INDEX vuln_packages_by_record ON vuln_packages (record_id);

-- Every id an advisory stands for: its own and its aliases. Advisories that
-- share an id are one vulnerability, so a scan follows these rows to load the
-- whole alias group (and with it every CVE a catalogue may list).
CREATE TABLE vuln_aliases (
	alias TEXT NOT NULL,
	record_id TEXT NOT NULL REFERENCES vuln_records (id) ON DELETE CASCADE,
	PRIMARY KEY (alias, record_id)
);
CREATE INDEX vuln_aliases_by_record ON vuln_aliases (record_id);

-- The upstream vulnerabilities (typically CVEs) a distribution's advisory
-- derives from: not aliases, but a catalogue listing one marks the advisory.
CREATE TABLE vuln_upstream (
	upstream TEXT NOT NULL,
	record_id TEXT NOT NULL REFERENCES vuln_records (id) ON DELETE CASCADE,
	PRIMARY KEY (upstream, record_id)
);
CREATE INDEX vuln_upstream_by_record ON vuln_upstream (record_id);

-- Known-exploited catalogues (CISA KEV, EU KEV); an import replaces the
-- catalogue's entries as a whole.
CREATE TABLE kev_catalogs (
	catalog TEXT PRIMARY KEY,
	version TEXT NOT NULL,
	released {{time}},
	source TEXT NOT NULL,
	imported_at {{time}} NOT NULL
);

CREATE TABLE kev_entries (
	catalog TEXT NOT NULL REFERENCES kev_catalogs (catalog) ON DELETE CASCADE,
	cve TEXT NOT NULL,
	vendor_project TEXT NOT NULL,
	product TEXT NOT NULL,
	name TEXT NOT NULL,
	date_added TEXT NOT NULL,
	due_date TEXT NOT NULL,
	ransomware_use TEXT NOT NULL,
	PRIMARY KEY (catalog, cve)
);

-- One row per imported path.
CREATE TABLE vuln_imports (
	id {{id}},
	source TEXT NOT NULL,
	started_at {{time}} NOT NULL,
	finished_at {{time}} NOT NULL,
	new_records INTEGER NOT NULL,
	updated INTEGER NOT NULL,
	unchanged INTEGER NOT NULL,
	withdrawn INTEGER NOT NULL,
	failed INTEGER NOT NULL,
	kev_catalog TEXT NOT NULL,
	kev_version TEXT NOT NULL,
	kev_entries INTEGER NOT NULL
);
