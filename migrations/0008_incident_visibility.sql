-- Who may see each incident, in a table small enough to stay in memory: a search ranks every
-- match and must drop the ones the caller may not see before the limit. Read from the incidents
-- table, each check was a lookup in a large table whose pages rarely stay cached; here it is
-- one in a few hundred pages. Kept by triggers in the writer's transaction.
CREATE TABLE incident_visibility (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    deleted INTEGER NOT NULL,
    level INTEGER NOT NULL
);
INSERT INTO incident_visibility (pk, id, deleted, level)
    SELECT pk, id, deleted_at IS NOT NULL, confidentiality FROM incidents;

CREATE TRIGGER incident_visibility_insert AFTER INSERT ON incidents
BEGIN
    INSERT OR REPLACE INTO incident_visibility (pk, id, deleted, level)
        VALUES (NEW.pk, NEW.id, NEW.deleted_at IS NOT NULL, NEW.confidentiality);
END;

CREATE TRIGGER incident_visibility_update AFTER UPDATE ON incidents
WHEN OLD.deleted_at IS NOT NEW.deleted_at OR OLD.confidentiality IS NOT NEW.confidentiality OR OLD.id IS NOT NEW.id
    OR OLD.pk IS NOT NEW.pk
BEGIN
    DELETE FROM incident_visibility WHERE pk = OLD.pk;
    INSERT OR REPLACE INTO incident_visibility (pk, id, deleted, level)
        VALUES (NEW.pk, NEW.id, NEW.deleted_at IS NOT NULL, NEW.confidentiality);
END;

CREATE TRIGGER incident_visibility_delete AFTER DELETE ON incidents
BEGIN
    DELETE FROM incident_visibility WHERE pk = OLD.pk;
END;
