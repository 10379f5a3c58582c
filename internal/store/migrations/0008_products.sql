-- The facts that decide between the Art. 32 CRA conformity-assessment
-- routes besides the class, recorded per product version like its Annex
-- III/IV categories; support_start is the day of placing on the market.
ALTER TABLE product_versions ADD COLUMN harmonised_standards {{bool}} NOT NULL DEFAULT FALSE;
ALTER TABLE product_versions ADD COLUMN foss_public_docs {{bool}} NOT NULL DEFAULT FALSE;
ALTER TABLE product_versions ADD COLUMN eu_scheme {{bool}} NOT NULL DEFAULT FALSE;
CREATE INDEX product_versions_by_product ON product_versions (product_id, created_at);
