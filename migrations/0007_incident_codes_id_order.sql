-- Lists by code and country, newest first, break date ties by id: with the id in the code row
-- and in the index right after the date, the index gives the whole order, so SQLite streams the
-- page and stops at the limit instead of sorting each run of equal dates.
ALTER TABLE incident_codes ADD COLUMN id TEXT;
UPDATE incident_codes SET id = (SELECT r.id FROM incidents r WHERE r.pk = incident_codes.incident_pk);

DROP INDEX incident_codes_ordered;
CREATE INDEX incident_codes_ordered ON incident_codes (field, code, country, occurred_earliest, id, deleted_at, confidentiality);

DROP TRIGGER incident_codes_insert;
DROP TRIGGER incident_codes_update;

CREATE TRIGGER incident_codes_insert AFTER INSERT ON incidents
BEGIN
    INSERT OR IGNORE INTO incident_codes (incident_pk, field, code, country, occurred_earliest, deleted_at, confidentiality, id)
    SELECT NEW.pk, 'violation_types', value, NEW.country, NEW.occurred_earliest, NEW.deleted_at, NEW.confidentiality, NEW.id
    FROM json_each(NEW.violation_types);
    INSERT OR IGNORE INTO incident_codes (incident_pk, field, code, country, occurred_earliest, deleted_at, confidentiality, id)
    SELECT NEW.pk, 'targeted_groups', value, NEW.country, NEW.occurred_earliest, NEW.deleted_at, NEW.confidentiality, NEW.id
    FROM json_each(NEW.targeted_groups);
END;

CREATE TRIGGER incident_codes_update AFTER UPDATE ON incidents
WHEN OLD.violation_types IS NOT NEW.violation_types OR OLD.targeted_groups IS NOT NEW.targeted_groups
    OR OLD.country IS NOT NEW.country OR OLD.occurred_earliest IS NOT NEW.occurred_earliest
    OR OLD.deleted_at IS NOT NEW.deleted_at OR OLD.confidentiality IS NOT NEW.confidentiality
BEGIN
    DELETE FROM incident_codes WHERE incident_pk = OLD.pk;
    INSERT OR IGNORE INTO incident_codes (incident_pk, field, code, country, occurred_earliest, deleted_at, confidentiality, id)
    SELECT NEW.pk, 'violation_types', value, NEW.country, NEW.occurred_earliest, NEW.deleted_at, NEW.confidentiality, NEW.id
    FROM json_each(NEW.violation_types);
    INSERT OR IGNORE INTO incident_codes (incident_pk, field, code, country, occurred_earliest, deleted_at, confidentiality, id)
    SELECT NEW.pk, 'targeted_groups', value, NEW.country, NEW.occurred_earliest, NEW.deleted_at, NEW.confidentiality, NEW.id
    FROM json_each(NEW.targeted_groups);
END;
