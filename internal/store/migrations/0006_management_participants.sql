-- §38 BSIG records name who took part: the members of the management body
-- trained (§38(3)) or supervising the measures (§38(1)).
ALTER TABLE management_records ADD COLUMN participants TEXT NOT NULL DEFAULT '';
-- The user who uploaded evidence or entered a record, so pages name a person
-- (created_by keeps the actor as the audit trail writes it); '' for the
-- system and for rows from before this migration.
ALTER TABLE evidence ADD COLUMN created_by_user TEXT NOT NULL DEFAULT '';
ALTER TABLE management_records ADD COLUMN created_by_user TEXT NOT NULL DEFAULT '';
