-- Less work for each created incident, the write every POST /v1/incidents waits for.
--
-- 1. An incident's code rows (`incident_codes`, one per violation type and targeted group:
--    facets and code filters read them) are written by the store when it creates the incident
--    (`Store.insertIncidentCodes`, called by `Store.insert`, the one path that creates incidents:
--    the API, imports and the demo dataset all go through it) instead of by a trigger. The
--    trigger read both arrays back with `json_each`, and its two virtual-table scans and
--    trigger frames cost about half of the trigger work of an insert; the store knows the codes
--    already. Updates, tombstones and restores still go through `incident_codes_update`, which
--    is unchanged, and the rows are the same as the trigger's (same columns, taken from the
--    inserted row itself).
-- 2. A new incident no longer gets three all-zero `record_counts` rows (one per level). Every
--    read joins them with LEFT JOIN and `coalesce(…, 0)` (ComputedFields), and every trigger
--    that changes a count writes the whole row with INSERT OR REPLACE from the `*_counts`
--    views, so a missing row reads as zeros and is made by the first change that counts.
-- 3. The incidents' full-text index merges its segments in groups of 8 instead of 4. Each
--    group commit writes one small segment, and every merge rewrites the terms it merges, once
--    per level of merging; eight at a time makes fewer levels (log 8 instead of log 4 of the
--    segment count: a third fewer rewrites). In SQL alone it saved about a fifth of the
--    full-text work of an insert. A search reads up to twice as many small segments: measured
--    within the noise after 25,000-32,000 writes at each setting (docs/performance.md).

DROP TRIGGER incident_codes_insert;
DROP TRIGGER record_counts_incident_insert;
INSERT INTO incidents_fts (incidents_fts, rank) VALUES ('automerge', 8);
