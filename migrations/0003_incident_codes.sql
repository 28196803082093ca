-- The codes of an incident's list fields that lists filter on and facets count
-- (violation_types, targeted_groups), one row each, kept in step by triggers in the writer's
-- transaction: a filter or a count then reads an index instead of parsing every incident's JSON
-- array. The JSON columns stay the record's stored form; this table is derived from them.
CREATE TABLE incident_codes (
    incident_pk INTEGER NOT NULL,
    field TEXT NOT NULL,
    code TEXT NOT NULL,
    PRIMARY KEY (incident_pk, field, code)
) WITHOUT ROWID;
CREATE INDEX incident_codes_code ON incident_codes (field, code, incident_pk);

INSERT OR IGNORE INTO incident_codes (incident_pk, field, code)
SELECT r.pk, 'violation_types', j.value FROM incidents r, json_each(r.violation_types) j;
INSERT OR IGNORE INTO incident_codes (incident_pk, field, code)
SELECT r.pk, 'targeted_groups', j.value FROM incidents r, json_each(r.targeted_groups) j;

CREATE TRIGGER incident_codes_insert AFTER INSERT ON incidents
BEGIN
    INSERT OR IGNORE INTO incident_codes (incident_pk, field, code)
    SELECT NEW.pk, 'violation_types', value FROM json_each(NEW.violation_types);
    INSERT OR IGNORE INTO incident_codes (incident_pk, field, code)
    SELECT NEW.pk, 'targeted_groups', value FROM json_each(NEW.targeted_groups);
END;

CREATE TRIGGER incident_codes_update AFTER UPDATE OF violation_types, targeted_groups ON incidents
BEGIN
    DELETE FROM incident_codes WHERE incident_pk = OLD.pk;
    INSERT OR IGNORE INTO incident_codes (incident_pk, field, code)
    SELECT NEW.pk, 'violation_types', value FROM json_each(NEW.violation_types);
    INSERT OR IGNORE INTO incident_codes (incident_pk, field, code)
    SELECT NEW.pk, 'targeted_groups', value FROM json_each(NEW.targeted_groups);
END;

CREATE TRIGGER incident_codes_delete AFTER DELETE ON incidents
BEGIN
    DELETE FROM incident_codes WHERE incident_pk = OLD.pk;
END;

-- Lists and counts by country check every candidate's tombstone and level: with both in the index
-- that check reads no table row (a count over a country is then an index-only walk).
DROP INDEX incidents_country_occurred;
CREATE INDEX incidents_country_visible ON incidents (country, occurred_earliest, deleted_at, confidentiality);
