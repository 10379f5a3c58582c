-- The ecosystems each advisory names, as OSV writes them, with the release
-- ("Debian:12", "Alpine:v3.18", "Ubuntu:22.04:LTS"; "Go" where there is
-- none). vuln_packages keys by base ecosystem only, so it cannot tell a
-- Debian:13 package that no advisory names (clean) from one of a release
-- without any advisory (not checked). A scan reads the distinct names.
CREATE TABLE vuln_ecosystems (
	ecosystem TEXT NOT NULL,
	record_id TEXT NOT NULL REFERENCES vuln_records (id) ON DELETE CASCADE,
	PRIMARY KEY (ecosystem, record_id)
);
CREATE INDEX vuln_ecosystems_by_record ON vuln_ecosystems (record_id);

-- Records imported before this migration have no vuln_ecosystems rows yet.
-- Their names are in vuln_records.data (JSON), which SQL cannot read the
-- same way on SQLite and PostgreSQL: they are listed here, and the store
-- derives their rows from the data in the first import or scan after this
-- migration (derivePending).
CREATE TABLE vuln_ecosystems_pending (
	record_id TEXT PRIMARY KEY REFERENCES vuln_records (id) ON DELETE CASCADE
);
INSERT INTO vuln_ecosystems_pending (record_id) SELECT id FROM vuln_records WHERE withdrawn IS NULL;

-- The problems the parser found in an SBOM it could read only in part
-- (findings.Upload): a JSON array of {"where", "reason"}, shown with
-- the SBOM.
ALTER TABLE sbom_files ADD COLUMN problems TEXT NOT NULL DEFAULT '[]';
