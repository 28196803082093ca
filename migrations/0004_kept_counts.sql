-- Counts kept up to date in the writer's transaction instead of computed on every read.
--
-- 1. record_counts: each record's computed counts (allegation_count, denial_count, ...) for each
--    clearance level, so a read joins one row instead of running four or five correlated
--    subqueries per record. The *_counts views below are the one definition of every count;
--    triggers recompute the rows of exactly the records a change can affect, through them.
-- 2. facet_counts: visible incidents per (coded field, code, country, level), plus the visible
--    incidents per (country, level) under field '*' and code '*', so facet counts over a country
--    (or over everything) read a few dozen rows instead of every incident of the country.
--
-- Both tables are derived: verify does not audit them, and `vigil migrate` rebuilds nothing by
-- hand; the statements at the end of this file fill them once from the existing records.

CREATE TABLE count_levels (level INTEGER PRIMARY KEY);
INSERT INTO count_levels (level) VALUES (0), (1), (2);

CREATE TABLE record_counts (
    record_id TEXT NOT NULL,
    level INTEGER NOT NULL,
    c1 INTEGER NOT NULL DEFAULT 0,
    c2 INTEGER NOT NULL DEFAULT 0,
    c3 INTEGER NOT NULL DEFAULT 0,
    c4 INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (record_id, level)
) WITHOUT ROWID;

-- c1 allegation_count, c2 independent_source_count, c3 denial_count, c4 undenied_allegations
CREATE VIEW incident_counts AS
SELECT r.id AS record_id, lv.level AS level,
    (SELECT count(*) FROM allegations a WHERE a.incident_id = r.id
        AND a.deleted_at IS NULL AND a.confidentiality <= lv.level) AS c1,
    (SELECT count(DISTINCT a.source_id) FROM allegations a JOIN sources s ON s.id = a.source_id
        WHERE a.incident_id = r.id AND a.deleted_at IS NULL AND a.confidentiality <= lv.level
        AND a.repeats_id IS NULL AND s.deleted_at IS NULL AND s.confidentiality <= lv.level) AS c2,
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

-- c1 incident_count, c2 allegation_count
CREATE VIEW site_counts AS
SELECT r.id AS record_id, lv.level AS level,
    (SELECT count(DISTINCT l.incident_id) FROM incident_sites l JOIN incidents i ON i.id = l.incident_id
        WHERE l.site_id = r.id AND i.deleted_at IS NULL AND i.confidentiality <= lv.level) AS c1,
    (SELECT count(*) FROM allegations a WHERE a.site_id = r.id
        AND a.deleted_at IS NULL AND a.confidentiality <= lv.level) AS c2,
    0 AS c3, 0 AS c4
FROM sites r, count_levels lv;

-- c1 allegation_count, c2 incident_count
CREATE VIEW source_counts AS
SELECT r.id AS record_id, lv.level AS level,
    (SELECT count(*) FROM allegations a WHERE a.source_id = r.id
        AND a.deleted_at IS NULL AND a.confidentiality <= lv.level) AS c1,
    (SELECT count(DISTINCT a.incident_id) FROM allegations a JOIN incidents i ON i.id = a.incident_id
        WHERE a.source_id = r.id AND a.deleted_at IS NULL AND a.confidentiality <= lv.level
        AND i.deleted_at IS NULL AND i.confidentiality <= lv.level) AS c2,
    0 AS c3, 0 AS c4
FROM sources r, count_levels lv;

-- c1 incident_count (incidents naming the actor as a perpetrator), c2 denial_count
CREATE VIEW actor_counts AS
SELECT r.id AS record_id, lv.level AS level,
    (SELECT count(*) FROM incidents i WHERE i.deleted_at IS NULL AND i.confidentiality <= lv.level
        AND EXISTS (SELECT 1 FROM json_each(i.perpetrator_ids) p WHERE p.value = r.id)) AS c1,
    (SELECT count(*) FROM denials d WHERE d.actor_id = r.id
        AND d.deleted_at IS NULL AND d.confidentiality <= lv.level) AS c2,
    0 AS c3, 0 AS c4
FROM actors r, count_levels lv;

-- c1 denial_count
CREATE VIEW allegation_counts AS
SELECT r.id AS record_id, lv.level AS level,
    (SELECT count(*) FROM denials d WHERE d.allegation_id = r.id
        AND d.deleted_at IS NULL AND d.confidentiality <= lv.level) AS c1,
    0 AS c2, 0 AS c3, 0 AS c4
FROM allegations r, count_levels lv;

-- A new record has nothing pointing at it yet: its counts start at zero.
CREATE TRIGGER record_counts_incident_insert AFTER INSERT ON incidents
BEGIN
    INSERT OR REPLACE INTO record_counts (record_id, level) SELECT NEW.id, level FROM count_levels;
    INSERT OR REPLACE INTO record_counts SELECT * FROM actor_counts
        WHERE record_id IN (SELECT value FROM json_each(NEW.perpetrator_ids));
END;
CREATE TRIGGER record_counts_site_insert AFTER INSERT ON sites
BEGIN
    INSERT OR REPLACE INTO record_counts (record_id, level) SELECT NEW.id, level FROM count_levels;
END;
CREATE TRIGGER record_counts_source_insert AFTER INSERT ON sources
BEGIN
    INSERT OR REPLACE INTO record_counts (record_id, level) SELECT NEW.id, level FROM count_levels;
END;
CREATE TRIGGER record_counts_actor_insert AFTER INSERT ON actors
BEGIN
    INSERT OR REPLACE INTO record_counts (record_id, level) SELECT NEW.id, level FROM count_levels;
END;

-- An incident's level or tombstone changes what its sites, sources and perpetrators count.
CREATE TRIGGER record_counts_incident_update AFTER UPDATE ON incidents
WHEN OLD.deleted_at IS NOT NEW.deleted_at OR OLD.confidentiality IS NOT NEW.confidentiality
    OR OLD.perpetrator_ids IS NOT NEW.perpetrator_ids
BEGIN
    INSERT OR REPLACE INTO record_counts SELECT * FROM site_counts
        WHERE record_id IN (SELECT site_id FROM incident_sites WHERE incident_id = NEW.id);
    INSERT OR REPLACE INTO record_counts SELECT * FROM source_counts
        WHERE record_id IN (SELECT source_id FROM allegations WHERE incident_id = NEW.id);
    INSERT OR REPLACE INTO record_counts SELECT * FROM actor_counts
        WHERE record_id IN (SELECT value FROM json_each(OLD.perpetrator_ids)
                            UNION SELECT value FROM json_each(NEW.perpetrator_ids));
END;

-- A source's level or tombstone changes the independent-source count of its incidents.
CREATE TRIGGER record_counts_source_update AFTER UPDATE ON sources
WHEN OLD.deleted_at IS NOT NEW.deleted_at OR OLD.confidentiality IS NOT NEW.confidentiality
BEGIN
    INSERT OR REPLACE INTO record_counts SELECT * FROM incident_counts
        WHERE record_id IN (SELECT incident_id FROM allegations WHERE source_id = NEW.id);
END;

CREATE TRIGGER record_counts_allegation_insert AFTER INSERT ON allegations
BEGIN
    INSERT OR REPLACE INTO record_counts (record_id, level) SELECT NEW.id, level FROM count_levels;
    INSERT OR REPLACE INTO record_counts SELECT * FROM incident_counts WHERE record_id = NEW.incident_id;
    INSERT OR REPLACE INTO record_counts SELECT * FROM site_counts WHERE record_id = NEW.site_id;
    INSERT OR REPLACE INTO record_counts SELECT * FROM source_counts WHERE record_id = NEW.source_id;
END;
CREATE TRIGGER record_counts_allegation_update AFTER UPDATE ON allegations
WHEN OLD.deleted_at IS NOT NEW.deleted_at OR OLD.confidentiality IS NOT NEW.confidentiality
    OR OLD.incident_id IS NOT NEW.incident_id OR OLD.site_id IS NOT NEW.site_id
    OR OLD.source_id IS NOT NEW.source_id OR OLD.repeats_id IS NOT NEW.repeats_id
BEGIN
    INSERT OR REPLACE INTO record_counts SELECT * FROM incident_counts
        WHERE record_id IN (OLD.incident_id, NEW.incident_id);
    INSERT OR REPLACE INTO record_counts SELECT * FROM site_counts WHERE record_id IN (OLD.site_id, NEW.site_id);
    INSERT OR REPLACE INTO record_counts SELECT * FROM source_counts WHERE record_id IN (OLD.source_id, NEW.source_id);
END;

CREATE TRIGGER record_counts_denial_insert AFTER INSERT ON denials
BEGIN
    INSERT OR REPLACE INTO record_counts SELECT * FROM incident_counts
        WHERE record_id IN (NEW.incident_id, (SELECT incident_id FROM allegations WHERE id = NEW.allegation_id));
    INSERT OR REPLACE INTO record_counts SELECT * FROM allegation_counts WHERE record_id = NEW.allegation_id;
    INSERT OR REPLACE INTO record_counts SELECT * FROM actor_counts WHERE record_id = NEW.actor_id;
END;
CREATE TRIGGER record_counts_denial_update AFTER UPDATE ON denials
WHEN OLD.deleted_at IS NOT NEW.deleted_at OR OLD.confidentiality IS NOT NEW.confidentiality
    OR OLD.incident_id IS NOT NEW.incident_id OR OLD.allegation_id IS NOT NEW.allegation_id
    OR OLD.actor_id IS NOT NEW.actor_id
BEGIN
    INSERT OR REPLACE INTO record_counts SELECT * FROM incident_counts
        WHERE record_id IN (OLD.incident_id, NEW.incident_id,
            (SELECT incident_id FROM allegations WHERE id = OLD.allegation_id),
            (SELECT incident_id FROM allegations WHERE id = NEW.allegation_id));
    INSERT OR REPLACE INTO record_counts SELECT * FROM allegation_counts
        WHERE record_id IN (OLD.allegation_id, NEW.allegation_id);
    INSERT OR REPLACE INTO record_counts SELECT * FROM actor_counts WHERE record_id IN (OLD.actor_id, NEW.actor_id);
END;

CREATE TRIGGER record_counts_site_link AFTER INSERT ON incident_sites
BEGIN
    INSERT OR REPLACE INTO record_counts SELECT * FROM site_counts WHERE record_id = NEW.site_id;
END;
CREATE TRIGGER record_counts_site_unlink AFTER DELETE ON incident_sites
BEGIN
    INSERT OR REPLACE INTO record_counts SELECT * FROM site_counts WHERE record_id = OLD.site_id;
END;

-- Records are tombstoned, not deleted; a row removed anyway (by hand) takes its counts along
-- and leaves the others right.
CREATE TRIGGER record_counts_incident_delete AFTER DELETE ON incidents
BEGIN
    DELETE FROM record_counts WHERE record_id = OLD.id;
END;
CREATE TRIGGER record_counts_site_delete AFTER DELETE ON sites
BEGIN
    DELETE FROM record_counts WHERE record_id = OLD.id;
END;
CREATE TRIGGER record_counts_source_delete AFTER DELETE ON sources
BEGIN
    DELETE FROM record_counts WHERE record_id = OLD.id;
END;
CREATE TRIGGER record_counts_actor_delete AFTER DELETE ON actors
BEGIN
    DELETE FROM record_counts WHERE record_id = OLD.id;
END;
CREATE TRIGGER record_counts_allegation_delete AFTER DELETE ON allegations
BEGIN
    DELETE FROM record_counts WHERE record_id = OLD.id;
    INSERT OR REPLACE INTO record_counts SELECT * FROM incident_counts WHERE record_id = OLD.incident_id;
    INSERT OR REPLACE INTO record_counts SELECT * FROM site_counts WHERE record_id = OLD.site_id;
    INSERT OR REPLACE INTO record_counts SELECT * FROM source_counts WHERE record_id = OLD.source_id;
END;
CREATE TRIGGER record_counts_denial_delete AFTER DELETE ON denials
BEGIN
    INSERT OR REPLACE INTO record_counts SELECT * FROM incident_counts
        WHERE record_id IN (OLD.incident_id, (SELECT incident_id FROM allegations WHERE id = OLD.allegation_id));
    INSERT OR REPLACE INTO record_counts SELECT * FROM allegation_counts WHERE record_id = OLD.allegation_id;
    INSERT OR REPLACE INTO record_counts SELECT * FROM actor_counts WHERE record_id = OLD.actor_id;
END;

INSERT INTO record_counts SELECT * FROM incident_counts;
INSERT INTO record_counts SELECT * FROM site_counts;
INSERT INTO record_counts SELECT * FROM source_counts;
INSERT INTO record_counts SELECT * FROM actor_counts;
INSERT INTO record_counts SELECT * FROM allegation_counts;

-- Facet counts: one row per (field, code, country, level) with the number of live incidents.
-- A country-less incident counts under country ''. Field '*', code '*' counts the incidents.
CREATE TABLE facet_counts (
    field TEXT NOT NULL,
    code TEXT NOT NULL,
    country TEXT NOT NULL,
    level INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (field, country, level, code)
) WITHOUT ROWID;

CREATE TRIGGER facet_counts_insert AFTER INSERT ON incidents WHEN NEW.deleted_at IS NULL
BEGIN
    INSERT INTO facet_counts (field, code, country, level, n)
        SELECT DISTINCT 'violation_types', value, coalesce(NEW.country, ''), NEW.confidentiality, 1
        FROM json_each(NEW.violation_types) WHERE true
        ON CONFLICT (field, country, level, code) DO UPDATE SET n = n + 1;
    INSERT INTO facet_counts (field, code, country, level, n)
        SELECT DISTINCT 'targeted_groups', value, coalesce(NEW.country, ''), NEW.confidentiality, 1
        FROM json_each(NEW.targeted_groups) WHERE true
        ON CONFLICT (field, country, level, code) DO UPDATE SET n = n + 1;
    INSERT INTO facet_counts (field, code, country, level, n)
        VALUES ('*', '*', coalesce(NEW.country, ''), NEW.confidentiality, 1)
        ON CONFLICT (field, country, level, code) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER facet_counts_update AFTER UPDATE ON incidents
WHEN OLD.deleted_at IS NOT NEW.deleted_at OR OLD.confidentiality IS NOT NEW.confidentiality
    OR OLD.country IS NOT NEW.country OR OLD.violation_types IS NOT NEW.violation_types
    OR OLD.targeted_groups IS NOT NEW.targeted_groups
BEGIN
    UPDATE facet_counts SET n = n - 1
        WHERE OLD.deleted_at IS NULL AND country = coalesce(OLD.country, '') AND level = OLD.confidentiality
        AND ((field = 'violation_types' AND code IN (SELECT value FROM json_each(OLD.violation_types)))
          OR (field = 'targeted_groups' AND code IN (SELECT value FROM json_each(OLD.targeted_groups)))
          OR (field = '*' AND code = '*'));
    INSERT INTO facet_counts (field, code, country, level, n)
        SELECT DISTINCT 'violation_types', value, coalesce(NEW.country, ''), NEW.confidentiality, 1
        FROM json_each(NEW.violation_types) WHERE NEW.deleted_at IS NULL
        ON CONFLICT (field, country, level, code) DO UPDATE SET n = n + 1;
    INSERT INTO facet_counts (field, code, country, level, n)
        SELECT DISTINCT 'targeted_groups', value, coalesce(NEW.country, ''), NEW.confidentiality, 1
        FROM json_each(NEW.targeted_groups) WHERE NEW.deleted_at IS NULL
        ON CONFLICT (field, country, level, code) DO UPDATE SET n = n + 1;
    INSERT INTO facet_counts (field, code, country, level, n)
        SELECT '*', '*', coalesce(NEW.country, ''), NEW.confidentiality, 1 WHERE NEW.deleted_at IS NULL
        ON CONFLICT (field, country, level, code) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER facet_counts_delete AFTER DELETE ON incidents WHEN OLD.deleted_at IS NULL
BEGIN
    UPDATE facet_counts SET n = n - 1
        WHERE country = coalesce(OLD.country, '') AND level = OLD.confidentiality
        AND ((field = 'violation_types' AND code IN (SELECT value FROM json_each(OLD.violation_types)))
          OR (field = 'targeted_groups' AND code IN (SELECT value FROM json_each(OLD.targeted_groups)))
          OR (field = '*' AND code = '*'));
END;

INSERT INTO facet_counts (field, code, country, level, n)
    SELECT c.field, c.code, coalesce(r.country, ''), r.confidentiality, count(*)
    FROM incidents r JOIN incident_codes c ON c.incident_pk = r.pk
    WHERE r.deleted_at IS NULL GROUP BY 1, 2, 3, 4;
INSERT INTO facet_counts (field, code, country, level, n)
    SELECT '*', '*', coalesce(r.country, ''), r.confidentiality, count(*)
    FROM incidents r WHERE r.deleted_at IS NULL GROUP BY 3, 4;
