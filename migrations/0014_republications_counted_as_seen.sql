-- independent_source_count as each reader sees it: a republication whose original the reader
-- cannot see is shown with repeats_id null, so it counts as independent for that reader (before,
-- a public reprint of a confidential report counted for nothing at the public level, and so
-- told the public that a secret report existed). Writes now keep every republication at or
-- above the level of what it repeats (Validation/Republication.swift), so this only matters for
-- data written before that rule; the counts must be true to what each reader sees either way.
DROP VIEW incident_counts;

-- c1 allegation_count, c2 independent_source_count, c3 denial_count, c4 undenied_allegations
CREATE VIEW incident_counts AS
SELECT r.id AS record_id, lv.level AS level,
    (SELECT count(*) FROM allegations a WHERE a.incident_id = r.id
        AND a.deleted_at IS NULL AND a.confidentiality <= lv.level) AS c1,
    (SELECT count(DISTINCT a.source_id) FROM allegations a JOIN sources s ON s.id = a.source_id
        WHERE a.incident_id = r.id AND a.deleted_at IS NULL AND a.confidentiality <= lv.level
        AND (a.repeats_id IS NULL OR NOT EXISTS (SELECT 1 FROM allegations o
            WHERE o.id = a.repeats_id AND o.confidentiality <= lv.level))
        AND s.deleted_at IS NULL AND s.confidentiality <= lv.level) AS c2,
    ((SELECT count(*) FROM denials d WHERE d.incident_id = r.id
        AND d.deleted_at IS NULL AND d.confidentiality <= lv.level)
     + (SELECT count(*) FROM denials d JOIN allegations a ON a.id = d.allegation_id
        WHERE a.incident_id = r.id AND a.deleted_at IS NULL AND a.confidentiality <= lv.level
        AND d.deleted_at IS NULL AND d.confidentiality <= lv.level AND d.incident_id IS NOT r.id)) AS c3,
    (SELECT count(*) FROM allegations a WHERE a.incident_id = r.id
        AND a.deleted_at IS NULL AND a.confidentiality <= lv.level
        AND NOT EXISTS (SELECT 1 FROM denials d WHERE d.allegation_id = a.id
            AND d.deleted_at IS NULL AND d.confidentiality <= lv.level)) AS c4
FROM incidents r, count_levels lv;

-- An original's level decides, per reader, whether its republications count as independent.
CREATE TRIGGER record_counts_repeated_allegation_update AFTER UPDATE ON allegations
WHEN OLD.confidentiality IS NOT NEW.confidentiality
BEGIN
    INSERT OR REPLACE INTO record_counts SELECT * FROM incident_counts
        WHERE record_id IN (SELECT incident_id FROM allegations WHERE repeats_id = NEW.id);
END;

-- The incidents whose counts the new rule changes: those with a republication more public than
-- its original.
INSERT OR REPLACE INTO record_counts SELECT * FROM incident_counts
    WHERE record_id IN (SELECT a.incident_id FROM allegations a JOIN allegations o ON o.id = a.repeats_id
        WHERE o.confidentiality > a.confidentiality);
