-- A page of incidents filtered by a code (and usually a country), newest first, is the most
-- common dashboard list. With each code row carrying its incident's country, date, tombstone and
-- level, one index walk yields the page in order, reading only the rows it returns: the same
-- shape as a composite (country, violation_type, occurred) index on a one-code-per-row table.
ALTER TABLE incident_codes ADD COLUMN country TEXT;
ALTER TABLE incident_codes ADD COLUMN occurred_earliest TEXT;
ALTER TABLE incident_codes ADD COLUMN deleted_at TEXT;
ALTER TABLE incident_codes ADD COLUMN confidentiality INTEGER;

UPDATE incident_codes SET (country, occurred_earliest, deleted_at, confidentiality) = (
    SELECT r.country, r.occurred_earliest, r.deleted_at, r.confidentiality FROM incidents r WHERE r.pk = incident_codes.incident_pk);

DROP INDEX incident_codes_code;
CREATE INDEX incident_codes_ordered ON incident_codes (field, code, country, occurred_earliest, deleted_at, confidentiality);

DROP TRIGGER incident_codes_insert;
DROP TRIGGER incident_codes_update;

CREATE TRIGGER incident_codes_insert AFTER INSERT ON incidents
BEGIN
    INSERT OR IGNORE INTO incident_codes (incident_pk, field, code, country, occurred_earliest, deleted_at, confidentiality)
    SELECT NEW.pk, 'violation_types', value, NEW.country, NEW.occurred_earliest, NEW.deleted_at, NEW.confidentiality
    FROM json_each(NEW.violation_types);
    INSERT OR IGNORE INTO incident_codes (incident_pk, field, code, country, occurred_earliest, deleted_at, confidentiality)
    SELECT NEW.pk, 'targeted_groups', value, NEW.country, NEW.occurred_earliest, NEW.deleted_at, NEW.confidentiality
    FROM json_each(NEW.targeted_groups);
END;

CREATE TRIGGER incident_codes_update AFTER UPDATE ON incidents
WHEN OLD.violation_types IS NOT NEW.violation_types OR OLD.targeted_groups IS NOT NEW.targeted_groups
    OR OLD.country IS NOT NEW.country OR OLD.occurred_earliest IS NOT NEW.occurred_earliest
    OR OLD.deleted_at IS NOT NEW.deleted_at OR OLD.confidentiality IS NOT NEW.confidentiality
BEGIN
    DELETE FROM incident_codes WHERE incident_pk = OLD.pk;
    INSERT OR IGNORE INTO incident_codes (incident_pk, field, code, country, occurred_earliest, deleted_at, confidentiality)
    SELECT NEW.pk, 'violation_types', value, NEW.country, NEW.occurred_earliest, NEW.deleted_at, NEW.confidentiality
    FROM json_each(NEW.violation_types);
    INSERT OR IGNORE INTO incident_codes (incident_pk, field, code, country, occurred_earliest, deleted_at, confidentiality)
    SELECT NEW.pk, 'targeted_groups', value, NEW.country, NEW.occurred_earliest, NEW.deleted_at, NEW.confidentiality
    FROM json_each(NEW.targeted_groups);
END;

