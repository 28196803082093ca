-- New records reach the full-text indexes once per transaction instead of once per record.
--
-- FTS5 (SQLite 3.40) writes its pending terms out as a new index segment at every savepoint
-- that follows a change to the index, and merges the segments again later. The writer gives
-- each write of a group commit its own savepoint, so with the insert triggers writing to the
-- index directly every created record became a segment of its own: about half the cost of
-- creating an incident.
--
-- The insert triggers now only note the new row in `fts_pending`. Before every commit the
-- store runs `DELETE FROM fts_pending`, and the trigger below indexes each noted row as it
-- stands at that moment: one statement, one segment for the whole transaction. It is the same
-- transaction, so a committed record is always searchable and a rolled-back one never indexed.
-- The update and delete triggers of 0002 stay: for a row still pending they find nothing in
-- the index and change nothing, and the row is indexed with its text as of the commit.
-- The indexed text is the same as 0002's (a protected source's name is still never indexed).

CREATE TABLE fts_pending (
    tbl TEXT NOT NULL,
    pk INTEGER NOT NULL,
    PRIMARY KEY (tbl, pk)
) WITHOUT ROWID;

DROP TRIGGER incidents_fts_insert;
CREATE TRIGGER incidents_fts_insert AFTER INSERT ON incidents
BEGIN
    INSERT OR IGNORE INTO fts_pending (tbl, pk) VALUES ('incidents', NEW.rowid);
END;

DROP TRIGGER sites_fts_insert;
CREATE TRIGGER sites_fts_insert AFTER INSERT ON sites
BEGIN
    INSERT OR IGNORE INTO fts_pending (tbl, pk) VALUES ('sites', NEW.rowid);
END;

DROP TRIGGER sources_fts_insert;
CREATE TRIGGER sources_fts_insert AFTER INSERT ON sources
BEGIN
    INSERT OR IGNORE INTO fts_pending (tbl, pk) VALUES ('sources', NEW.rowid);
END;

DROP TRIGGER actors_fts_insert;
CREATE TRIGGER actors_fts_insert AFTER INSERT ON actors
BEGIN
    INSERT OR IGNORE INTO fts_pending (tbl, pk) VALUES ('actors', NEW.rowid);
END;

DROP TRIGGER allegations_fts_insert;
CREATE TRIGGER allegations_fts_insert AFTER INSERT ON allegations
BEGIN
    INSERT OR IGNORE INTO fts_pending (tbl, pk) VALUES ('allegations', NEW.rowid);
END;

DROP TRIGGER denials_fts_insert;
CREATE TRIGGER denials_fts_insert AFTER INSERT ON denials
BEGIN
    INSERT OR IGNORE INTO fts_pending (tbl, pk) VALUES ('denials', NEW.rowid);
END;

-- A noted row that is gone by the commit (inserted and purged in one transaction) finds no
-- row here and indexes nothing.
CREATE TRIGGER fts_pending_index AFTER DELETE ON fts_pending
BEGIN
    INSERT INTO incidents_fts (rowid, title, summary)
        SELECT rowid, title, summary FROM incidents WHERE OLD.tbl = 'incidents' AND rowid = OLD.pk;
    INSERT INTO sites_fts (rowid, name, aliases, description)
        SELECT rowid, name, aliases, description FROM sites WHERE OLD.tbl = 'sites' AND rowid = OLD.pk;
    INSERT INTO sources_fts (rowid, name)
        SELECT rowid, CASE WHEN protected_identity = 1 THEN NULL ELSE name END
        FROM sources WHERE OLD.tbl = 'sources' AND rowid = OLD.pk;
    INSERT INTO actors_fts (rowid, name, position)
        SELECT rowid, name, position FROM actors WHERE OLD.tbl = 'actors' AND rowid = OLD.pk;
    INSERT INTO allegations_fts (rowid, claim)
        SELECT rowid, claim FROM allegations WHERE OLD.tbl = 'allegations' AND rowid = OLD.pk;
    INSERT INTO denials_fts (rowid, statement, speaker)
        SELECT rowid, statement, speaker FROM denials WHERE OLD.tbl = 'denials' AND rowid = OLD.pk;
END;
