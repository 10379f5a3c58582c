-- At most one open CRA Art. 14 track per product and exploited CVE, also
-- with several processes opening tracks at once: the database refuses the
-- second, and its opener links its findings to the first (store.OpenKEVTrack).
-- is_open follows the status of the track's incident (SetIncidentStatus).
-- 0007 has only the plain index kev_tracks_by_product.
ALTER TABLE kev_tracks ADD COLUMN is_open {{bool}} NOT NULL DEFAULT FALSE;
-- Two processes racing under the code before this migration could both
-- have linked an open track; the first opened (as KEVTrack chose it) stays
-- the track, the other incident stays open as it is but takes no more
-- findings.
UPDATE kev_tracks SET is_open = TRUE
WHERE incident_id IN (SELECT id FROM incidents WHERE status = 'open')
AND NOT EXISTS (SELECT 1 FROM kev_tracks e JOIN incidents i ON i.id = e.incident_id
	WHERE i.status = 'open' AND e.org_id = kev_tracks.org_id AND e.product_id = kev_tracks.product_id AND e.cve = kev_tracks.cve
	AND (e.opened_at < kev_tracks.opened_at OR e.opened_at = kev_tracks.opened_at AND e.incident_id < kev_tracks.incident_id));
CREATE UNIQUE INDEX kev_tracks_open ON kev_tracks (org_id, product_id, cve) WHERE is_open;

-- next_due_at NULL is both "nothing due" and "never computed";
-- next_due_computed tells them apart, so BackfillNextDue reads only the
-- incidents never computed. A value stored so far was computed.
ALTER TABLE incidents ADD COLUMN next_due_computed {{bool}} NOT NULL DEFAULT FALSE;
UPDATE incidents SET next_due_computed = TRUE WHERE next_due_at IS NOT NULL;
CREATE INDEX incidents_next_due_uncomputed ON incidents (id) WHERE NOT next_due_computed;
