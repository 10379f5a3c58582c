-- Incident events the reporting clocks run from besides awareness and the
-- reports themselves (internal/clock Input): a corrective or mitigating
-- measure available (Art. 14(2)(c) CRA), the authority's request for an
-- interim report with the date it set (§32(1) Nr. 3 BSIG, Art. 14(6) CRA),
-- the incident still ongoing when the final report falls due and its final
-- handling (§32(2) BSIG). *_by is the actor who recorded the event.
ALTER TABLE incidents ADD COLUMN fix_available_at {{time}};
ALTER TABLE incidents ADD COLUMN fix_available_by TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN interim_requested_at {{time}};
ALTER TABLE incidents ADD COLUMN interim_due_at {{time}};
ALTER TABLE incidents ADD COLUMN interim_requested_by TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN ongoing {{bool}} NOT NULL DEFAULT FALSE;
ALTER TABLE incidents ADD COLUMN handling_completed_at {{time}};
ALTER TABLE incidents ADD COLUMN handling_completed_by TEXT NOT NULL DEFAULT '';

-- next_due_at is the earliest due instant of a stage not yet reported, as
-- the clock engine computed it at the incident's last write (NULL: none
-- due). Due instants depend only on stored events, never on the passing of
-- time, so "overdue" is next_due_at < now: one index range for the
-- supervisor's feed, however many incidents there are.
ALTER TABLE incidents ADD COLUMN next_due_at {{time}};
CREATE INDEX incidents_by_next_due ON incidents (next_due_at, id);

-- The supervisor's feed: every organisation's incidents, newest first,
-- optionally of one regime.
CREATE INDEX incidents_by_created ON incidents (created_at, id);
CREATE INDEX incidents_by_regime ON incidents (regime, created_at, id);

-- A stage is reported once (the clock knows one submission per stage). The
-- API and the portal refused a second report of a stage before this
-- migration; only two submissions racing each other could have stored one,
-- and on such a database this migration fails naming the index.
CREATE UNIQUE INDEX incident_reports_one_per_stage ON incident_reports (incident_id, stage);
