-- Supply chain of a manufacturer's products: uploaded SBOMs, the components
-- they list, the vulnerabilities found in them and the VEX decisions taken.

-- Every SBOM uploaded for a product version; the content is in blobs. The
-- newest upload of a version is its current SBOM; older ones stay for the
-- record. unscanned is JSON: the components that could not be checked, or not
-- against every advisory naming them, with the reason, as of the upload.
CREATE TABLE sbom_files (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES organisations (id),
	version_id TEXT NOT NULL REFERENCES product_versions (id),
	name TEXT NOT NULL,
	format TEXT NOT NULL,
	sha256 TEXT NOT NULL REFERENCES blobs (sha256),
	size {{bigint}} NOT NULL,
	components INTEGER NOT NULL,
	unscanned TEXT NOT NULL,
	uploaded_at {{time}} NOT NULL,
	uploaded_by TEXT NOT NULL,
	current {{bool}} NOT NULL
);
CREATE INDEX sbom_files_by_version ON sbom_files (version_id, uploaded_at);
-- At most one current SBOM per version, also with several app servers.
CREATE UNIQUE INDEX sbom_files_current ON sbom_files (version_id) WHERE current;

-- The checkable components of the current SBOMs, one row per package (a
-- package listed twice in one SBOM is one row), by the matcher's key (base
-- ecosystem and normalised name, vuln.KeyOf): after an import, re-matching
-- loads only the rows of the keys whose advisories changed.
CREATE TABLE sbom_components (
	sbom_id TEXT NOT NULL REFERENCES sbom_files (id),
	org_id TEXT NOT NULL REFERENCES organisations (id),
	version_id TEXT NOT NULL REFERENCES product_versions (id),
	key_ecosystem TEXT NOT NULL,
	key_name TEXT NOT NULL,
	ecosystem TEXT NOT NULL,
	name TEXT NOT NULL,
	version TEXT NOT NULL,
	purl TEXT NOT NULL,
	label TEXT NOT NULL,
	PRIMARY KEY (sbom_id, purl, ecosystem, name, version)
);
CREATE INDEX sbom_components_by_key ON sbom_components (key_ecosystem, key_name);
CREATE INDEX sbom_components_by_version ON sbom_components (version_id);

-- One vulnerability in one component of one product version: a new upload
-- or a re-match updates the row (and its VEX decision stays); a finding no
-- longer matched is gone, not deleted. aliases and fixed are JSON arrays.
CREATE TABLE findings (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES organisations (id),
	version_id TEXT NOT NULL REFERENCES product_versions (id),
	sbom_id TEXT NOT NULL REFERENCES sbom_files (id),
	key_ecosystem TEXT NOT NULL,
	key_name TEXT NOT NULL,
	purl TEXT NOT NULL,
	component TEXT NOT NULL,
	component_version TEXT NOT NULL,
	vuln_id TEXT NOT NULL,
	aliases TEXT NOT NULL,
	severity TEXT NOT NULL,
	summary TEXT NOT NULL,
	fixed TEXT NOT NULL,
	known_exploited {{bool}} NOT NULL,
	kev_cve TEXT NOT NULL,
	first_seen {{time}} NOT NULL,
	last_seen {{time}} NOT NULL,
	gone {{bool}} NOT NULL,
	status TEXT NOT NULL,
	justification TEXT NOT NULL,
	note TEXT NOT NULL,
	decided_by TEXT NOT NULL,
	decided_at {{time}},
	incident_id TEXT REFERENCES incidents (id),
	ecosystem TEXT NOT NULL,
	package TEXT NOT NULL,
	UNIQUE (version_id, purl, vuln_id)
);
CREATE INDEX findings_by_org ON findings (org_id, version_id);
CREATE INDEX findings_by_key ON findings (key_ecosystem, key_name);
CREATE INDEX findings_by_incident ON findings (incident_id);

-- Every VEX decision taken on a finding, oldest first; the finding carries
-- the latest.
CREATE TABLE finding_decisions (
	id {{id}},
	finding_id TEXT NOT NULL REFERENCES findings (id),
	org_id TEXT NOT NULL REFERENCES organisations (id),
	status TEXT NOT NULL,
	justification TEXT NOT NULL,
	note TEXT NOT NULL,
	decided_by TEXT NOT NULL,
	decided_at {{time}} NOT NULL
);
CREATE INDEX finding_decisions_by_finding ON finding_decisions (finding_id, id);

-- The CRA Art. 14 tracks pflicht opened for known-exploited findings: one
-- open incident per product and exploited CVE, whatever the number of
-- versions and components it is found in.
CREATE TABLE kev_tracks (
	incident_id TEXT PRIMARY KEY REFERENCES incidents (id),
	org_id TEXT NOT NULL REFERENCES organisations (id),
	product_id TEXT NOT NULL REFERENCES products (id),
	cve TEXT NOT NULL,
	opened_at {{time}} NOT NULL
);
CREATE INDEX kev_tracks_by_product ON kev_tracks (product_id, cve);
