-- Kept counts only where keeping them is cheap: incidents, sites and allegations.
--
-- A source's counts span every allegation it made (tens of thousands for a newspaper), and an
-- actor's incident count spans every incident's perpetrator list; recomputing them on each
-- allegation or incident written made writes cost in proportion to the table (an import of
-- 100,000 allegations slowed to minutes). Sources and actors count when they are read again;
-- incidents, sites and allegations, read in lists and pages, keep theirs.
DROP TRIGGER record_counts_source_insert;
DROP TRIGGER record_counts_actor_insert;
DROP TRIGGER record_counts_source_delete;
DROP TRIGGER record_counts_actor_delete;
DROP TRIGGER record_counts_incident_insert;
DROP TRIGGER record_counts_incident_update;
DROP TRIGGER record_counts_allegation_insert;
DROP TRIGGER record_counts_allegation_update;
DROP TRIGGER record_counts_allegation_delete;
DROP TRIGGER record_counts_denial_insert;
DROP TRIGGER record_counts_denial_update;
DROP TRIGGER record_counts_denial_delete;
DELETE FROM record_counts WHERE record_id IN (SELECT id FROM sources UNION ALL SELECT id FROM actors);

CREATE TRIGGER record_counts_incident_insert AFTER INSERT ON incidents
BEGIN
    INSERT OR REPLACE INTO record_counts (record_id, level) SELECT NEW.id, level FROM count_levels;
END;

-- An incident's level or tombstone changes what its sites count.
CREATE TRIGGER record_counts_incident_update AFTER UPDATE ON incidents
WHEN OLD.deleted_at IS NOT NEW.deleted_at OR OLD.confidentiality IS NOT NEW.confidentiality
BEGIN
    INSERT OR REPLACE INTO record_counts SELECT * FROM site_counts
        WHERE record_id IN (SELECT site_id FROM incident_sites WHERE incident_id = NEW.id);
END;

CREATE TRIGGER record_counts_allegation_insert AFTER INSERT ON allegations
BEGIN
    INSERT OR REPLACE INTO record_counts (record_id, level) SELECT NEW.id, level FROM count_levels;
    INSERT OR REPLACE INTO record_counts SELECT * FROM incident_counts WHERE record_id = NEW.incident_id;
    INSERT OR REPLACE INTO record_counts SELECT * FROM site_counts WHERE record_id = NEW.site_id;
END;
CREATE TRIGGER record_counts_allegation_update AFTER UPDATE ON allegations
WHEN OLD.deleted_at IS NOT NEW.deleted_at OR OLD.confidentiality IS NOT NEW.confidentiality
    OR OLD.incident_id IS NOT NEW.incident_id OR OLD.site_id IS NOT NEW.site_id
    OR OLD.source_id IS NOT NEW.source_id OR OLD.repeats_id IS NOT NEW.repeats_id
BEGIN
    INSERT OR REPLACE INTO record_counts SELECT * FROM incident_counts
        WHERE record_id IN (OLD.incident_id, NEW.incident_id);
    INSERT OR REPLACE INTO record_counts SELECT * FROM site_counts WHERE record_id IN (OLD.site_id, NEW.site_id);
END;
CREATE TRIGGER record_counts_allegation_delete AFTER DELETE ON allegations
BEGIN
    DELETE FROM record_counts WHERE record_id = OLD.id;
    INSERT OR REPLACE INTO record_counts SELECT * FROM incident_counts WHERE record_id = OLD.incident_id;
    INSERT OR REPLACE INTO record_counts SELECT * FROM site_counts WHERE record_id = OLD.site_id;
END;

CREATE TRIGGER record_counts_denial_insert AFTER INSERT ON denials
BEGIN
    INSERT OR REPLACE INTO record_counts SELECT * FROM incident_counts
        WHERE record_id IN (NEW.incident_id, (SELECT incident_id FROM allegations WHERE id = NEW.allegation_id));
    INSERT OR REPLACE INTO record_counts SELECT * FROM allegation_counts WHERE record_id = NEW.allegation_id;
END;
CREATE TRIGGER record_counts_denial_update AFTER UPDATE ON denials
WHEN OLD.deleted_at IS NOT NEW.deleted_at OR OLD.confidentiality IS NOT NEW.confidentiality
    OR OLD.incident_id IS NOT NEW.incident_id OR OLD.allegation_id IS NOT NEW.allegation_id
BEGIN
    INSERT OR REPLACE INTO record_counts SELECT * FROM incident_counts
        WHERE record_id IN (OLD.incident_id, NEW.incident_id,
            (SELECT incident_id FROM allegations WHERE id = OLD.allegation_id),
            (SELECT incident_id FROM allegations WHERE id = NEW.allegation_id));
    INSERT OR REPLACE INTO record_counts SELECT * FROM allegation_counts
        WHERE record_id IN (OLD.allegation_id, NEW.allegation_id);
END;
CREATE TRIGGER record_counts_denial_delete AFTER DELETE ON denials
BEGIN
    INSERT OR REPLACE INTO record_counts SELECT * FROM incident_counts
        WHERE record_id IN (OLD.incident_id, (SELECT incident_id FROM allegations WHERE id = OLD.allegation_id));
    INSERT OR REPLACE INTO record_counts SELECT * FROM allegation_counts WHERE record_id = OLD.allegation_id;
END;
