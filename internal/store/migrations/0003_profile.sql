-- The registry's search and its "changed since registration" filter.
--
-- search_name is the organisation's name as SearchName (store/org.go)
-- folds it, so the search ignores case the same way on both databases.
-- Rows written before this migration get SQL's lower(), which on SQLite
-- folds ASCII only; their next profile version writes the Go form.
ALTER TABLE organisations ADD COLUMN search_name TEXT NOT NULL DEFAULT '';
UPDATE organisations SET search_name = lower(name);

-- registered_version is the profile version the last registration
-- submitted (0: none), so a profile changed since then is one comparison.
ALTER TABLE organisations ADD COLUMN registered_version INTEGER NOT NULL DEFAULT 0;
UPDATE organisations SET registered_version = COALESCE(
	(SELECT max(r.profile_version) FROM registrations r WHERE r.org_id = organisations.id), 0);

-- The search is a substring match, which no B-tree index can seek. The
-- registry's (name, id) index gains search_name, so a search walks names
-- in registry order and tests search_name without reading the table rows
-- that do not match; it replaces the index of 0001, which it covers.
CREATE INDEX organisations_by_name_search ON organisations (name, id, search_name);
DROP INDEX organisations_by_name;
