-- One full-text index per clearance level per kind, so that ranking uses only the statistics
-- of rows the reader can see (issue 19, defect 2).
--
-- bm25 scores a hit with statistics of the whole index it searches: the number of rows, their
-- average length, and how many rows hold each word. With one index of every row (0002), secret
-- records changed those numbers, and the order of two public hits told a public reader whether
-- secret records use a word. Now `K_fts_public` holds the live public records of kind K,
-- `K_fts_restricted` the live public and restricted ones, `K_fts_confidential` every live one,
-- and a search reads the index of the caller's clearance (Query/SearchIndex.swift): FTS5's own
-- bm25, snippets and counts then see exactly the rows the caller may see. Tombstones are in
-- none of them (they are hidden from every search), so a deleted record's words stop counting.
-- The cost is in writes and space: a public record is indexed three times, a restricted one
-- (the default) twice, a confidential one once (docs/performance.md measures it).
--
-- The indexed text is 0002's: exact places are never indexed, and neither is a protected
-- source's name, in any index (not even the confidential one, as before).
--
-- New rows still reach the indexes at commit through `fts_pending` (0010), now into every level
-- they belong to (the `K_fts_index` triggers). A change to a record's indexed text, its level or
-- its tombstone removes it from all three indexes and notes it in `fts_pending` again, so the
-- commit puts it back, as it then stands, in exactly the levels it now belongs to: one rule
-- decides where a row goes. The WHEN clauses skip updates that change none of those (an update
-- writes every column). A purge (DELETE) removes the row from all three.
--
-- Rows noted in `fts_pending` when this runs (none, unless a tool skipped the commit step) are
-- covered by the copy below, so the note is dropped rather than indexed twice.

DROP TRIGGER fts_pending_index;
DELETE FROM fts_pending;

-- incidents: the old index and its triggers go; three indexes, filled from the table, and their triggers.
DROP TRIGGER incidents_fts_update;
DROP TRIGGER incidents_fts_delete;
DROP TABLE incidents_fts;
CREATE VIRTUAL TABLE incidents_fts_public USING fts5(title, summary, tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE incidents_fts_restricted USING fts5(title, summary, tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE incidents_fts_confidential USING fts5(title, summary, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO incidents_fts_public (rowid, title, summary)
    SELECT pk, title, summary FROM incidents WHERE deleted_at IS NULL AND confidentiality <= 0;
INSERT INTO incidents_fts_restricted (rowid, title, summary)
    SELECT pk, title, summary FROM incidents WHERE deleted_at IS NULL AND confidentiality <= 1;
INSERT INTO incidents_fts_confidential (rowid, title, summary)
    SELECT pk, title, summary FROM incidents WHERE deleted_at IS NULL;
CREATE TRIGGER incidents_fts_update AFTER UPDATE OF title, summary, confidentiality, deleted_at ON incidents
WHEN OLD.title IS NOT NEW.title OR OLD.summary IS NOT NEW.summary
    OR OLD.confidentiality IS NOT NEW.confidentiality OR (OLD.deleted_at IS NULL) IS NOT (NEW.deleted_at IS NULL)
BEGIN
    DELETE FROM incidents_fts_public WHERE rowid = OLD.pk;
    DELETE FROM incidents_fts_restricted WHERE rowid = OLD.pk;
    DELETE FROM incidents_fts_confidential WHERE rowid = OLD.pk;
    INSERT OR IGNORE INTO fts_pending (tbl, pk) VALUES ('incidents', NEW.pk);
END;
CREATE TRIGGER incidents_fts_delete AFTER DELETE ON incidents
BEGIN
    DELETE FROM incidents_fts_public WHERE rowid = OLD.pk;
    DELETE FROM incidents_fts_restricted WHERE rowid = OLD.pk;
    DELETE FROM incidents_fts_confidential WHERE rowid = OLD.pk;
END;
CREATE TRIGGER incidents_fts_index AFTER DELETE ON fts_pending WHEN OLD.tbl = 'incidents'
BEGIN
    INSERT INTO incidents_fts_public (rowid, title, summary)
        SELECT pk, title, summary FROM incidents WHERE pk = OLD.pk AND deleted_at IS NULL AND confidentiality <= 0;
    INSERT INTO incidents_fts_restricted (rowid, title, summary)
        SELECT pk, title, summary FROM incidents WHERE pk = OLD.pk AND deleted_at IS NULL AND confidentiality <= 1;
    INSERT INTO incidents_fts_confidential (rowid, title, summary)
        SELECT pk, title, summary FROM incidents WHERE pk = OLD.pk AND deleted_at IS NULL;
END;
-- Merged 8 segments at a time, as 0011 set for the single index.
INSERT INTO incidents_fts_public (incidents_fts_public, rank) VALUES ('automerge', 8);
INSERT INTO incidents_fts_restricted (incidents_fts_restricted, rank) VALUES ('automerge', 8);
INSERT INTO incidents_fts_confidential (incidents_fts_confidential, rank) VALUES ('automerge', 8);

-- sites
DROP TRIGGER sites_fts_update;
DROP TRIGGER sites_fts_delete;
DROP TABLE sites_fts;
CREATE VIRTUAL TABLE sites_fts_public USING fts5(name, aliases, description, tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE sites_fts_restricted USING fts5(name, aliases, description, tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE sites_fts_confidential USING fts5(name, aliases, description, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO sites_fts_public (rowid, name, aliases, description)
    SELECT pk, name, aliases, description FROM sites WHERE deleted_at IS NULL AND confidentiality <= 0;
INSERT INTO sites_fts_restricted (rowid, name, aliases, description)
    SELECT pk, name, aliases, description FROM sites WHERE deleted_at IS NULL AND confidentiality <= 1;
INSERT INTO sites_fts_confidential (rowid, name, aliases, description)
    SELECT pk, name, aliases, description FROM sites WHERE deleted_at IS NULL;
CREATE TRIGGER sites_fts_update AFTER UPDATE OF name, aliases, description, confidentiality, deleted_at ON sites
WHEN OLD.name IS NOT NEW.name OR OLD.aliases IS NOT NEW.aliases OR OLD.description IS NOT NEW.description
    OR OLD.confidentiality IS NOT NEW.confidentiality OR (OLD.deleted_at IS NULL) IS NOT (NEW.deleted_at IS NULL)
BEGIN
    DELETE FROM sites_fts_public WHERE rowid = OLD.pk;
    DELETE FROM sites_fts_restricted WHERE rowid = OLD.pk;
    DELETE FROM sites_fts_confidential WHERE rowid = OLD.pk;
    INSERT OR IGNORE INTO fts_pending (tbl, pk) VALUES ('sites', NEW.pk);
END;
CREATE TRIGGER sites_fts_delete AFTER DELETE ON sites
BEGIN
    DELETE FROM sites_fts_public WHERE rowid = OLD.pk;
    DELETE FROM sites_fts_restricted WHERE rowid = OLD.pk;
    DELETE FROM sites_fts_confidential WHERE rowid = OLD.pk;
END;
CREATE TRIGGER sites_fts_index AFTER DELETE ON fts_pending WHEN OLD.tbl = 'sites'
BEGIN
    INSERT INTO sites_fts_public (rowid, name, aliases, description)
        SELECT pk, name, aliases, description FROM sites WHERE pk = OLD.pk AND deleted_at IS NULL AND confidentiality <= 0;
    INSERT INTO sites_fts_restricted (rowid, name, aliases, description)
        SELECT pk, name, aliases, description FROM sites WHERE pk = OLD.pk AND deleted_at IS NULL AND confidentiality <= 1;
    INSERT INTO sites_fts_confidential (rowid, name, aliases, description)
        SELECT pk, name, aliases, description FROM sites WHERE pk = OLD.pk AND deleted_at IS NULL;
END;

-- sources
DROP TRIGGER sources_fts_update;
DROP TRIGGER sources_fts_delete;
DROP TABLE sources_fts;
CREATE VIRTUAL TABLE sources_fts_public USING fts5(name, tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE sources_fts_restricted USING fts5(name, tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE sources_fts_confidential USING fts5(name, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO sources_fts_public (rowid, name)
    SELECT pk, CASE WHEN protected_identity = 1 THEN NULL ELSE name END
    FROM sources WHERE deleted_at IS NULL AND confidentiality <= 0;
INSERT INTO sources_fts_restricted (rowid, name)
    SELECT pk, CASE WHEN protected_identity = 1 THEN NULL ELSE name END
    FROM sources WHERE deleted_at IS NULL AND confidentiality <= 1;
INSERT INTO sources_fts_confidential (rowid, name)
    SELECT pk, CASE WHEN protected_identity = 1 THEN NULL ELSE name END
    FROM sources WHERE deleted_at IS NULL;
CREATE TRIGGER sources_fts_update AFTER UPDATE OF name, protected_identity, confidentiality, deleted_at ON sources
WHEN OLD.name IS NOT NEW.name OR OLD.protected_identity IS NOT NEW.protected_identity
    OR OLD.confidentiality IS NOT NEW.confidentiality OR (OLD.deleted_at IS NULL) IS NOT (NEW.deleted_at IS NULL)
BEGIN
    DELETE FROM sources_fts_public WHERE rowid = OLD.pk;
    DELETE FROM sources_fts_restricted WHERE rowid = OLD.pk;
    DELETE FROM sources_fts_confidential WHERE rowid = OLD.pk;
    INSERT OR IGNORE INTO fts_pending (tbl, pk) VALUES ('sources', NEW.pk);
END;
CREATE TRIGGER sources_fts_delete AFTER DELETE ON sources
BEGIN
    DELETE FROM sources_fts_public WHERE rowid = OLD.pk;
    DELETE FROM sources_fts_restricted WHERE rowid = OLD.pk;
    DELETE FROM sources_fts_confidential WHERE rowid = OLD.pk;
END;
CREATE TRIGGER sources_fts_index AFTER DELETE ON fts_pending WHEN OLD.tbl = 'sources'
BEGIN
    INSERT INTO sources_fts_public (rowid, name)
        SELECT pk, CASE WHEN protected_identity = 1 THEN NULL ELSE name END
        FROM sources WHERE pk = OLD.pk AND deleted_at IS NULL AND confidentiality <= 0;
    INSERT INTO sources_fts_restricted (rowid, name)
        SELECT pk, CASE WHEN protected_identity = 1 THEN NULL ELSE name END
        FROM sources WHERE pk = OLD.pk AND deleted_at IS NULL AND confidentiality <= 1;
    INSERT INTO sources_fts_confidential (rowid, name)
        SELECT pk, CASE WHEN protected_identity = 1 THEN NULL ELSE name END
        FROM sources WHERE pk = OLD.pk AND deleted_at IS NULL;
END;

-- actors
DROP TRIGGER actors_fts_update;
DROP TRIGGER actors_fts_delete;
DROP TABLE actors_fts;
CREATE VIRTUAL TABLE actors_fts_public USING fts5(name, position, tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE actors_fts_restricted USING fts5(name, position, tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE actors_fts_confidential USING fts5(name, position, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO actors_fts_public (rowid, name, position)
    SELECT pk, name, position FROM actors WHERE deleted_at IS NULL AND confidentiality <= 0;
INSERT INTO actors_fts_restricted (rowid, name, position)
    SELECT pk, name, position FROM actors WHERE deleted_at IS NULL AND confidentiality <= 1;
INSERT INTO actors_fts_confidential (rowid, name, position)
    SELECT pk, name, position FROM actors WHERE deleted_at IS NULL;
CREATE TRIGGER actors_fts_update AFTER UPDATE OF name, position, confidentiality, deleted_at ON actors
WHEN OLD.name IS NOT NEW.name OR OLD.position IS NOT NEW.position
    OR OLD.confidentiality IS NOT NEW.confidentiality OR (OLD.deleted_at IS NULL) IS NOT (NEW.deleted_at IS NULL)
BEGIN
    DELETE FROM actors_fts_public WHERE rowid = OLD.pk;
    DELETE FROM actors_fts_restricted WHERE rowid = OLD.pk;
    DELETE FROM actors_fts_confidential WHERE rowid = OLD.pk;
    INSERT OR IGNORE INTO fts_pending (tbl, pk) VALUES ('actors', NEW.pk);
END;
CREATE TRIGGER actors_fts_delete AFTER DELETE ON actors
BEGIN
    DELETE FROM actors_fts_public WHERE rowid = OLD.pk;
    DELETE FROM actors_fts_restricted WHERE rowid = OLD.pk;
    DELETE FROM actors_fts_confidential WHERE rowid = OLD.pk;
END;
CREATE TRIGGER actors_fts_index AFTER DELETE ON fts_pending WHEN OLD.tbl = 'actors'
BEGIN
    INSERT INTO actors_fts_public (rowid, name, position)
        SELECT pk, name, position FROM actors WHERE pk = OLD.pk AND deleted_at IS NULL AND confidentiality <= 0;
    INSERT INTO actors_fts_restricted (rowid, name, position)
        SELECT pk, name, position FROM actors WHERE pk = OLD.pk AND deleted_at IS NULL AND confidentiality <= 1;
    INSERT INTO actors_fts_confidential (rowid, name, position)
        SELECT pk, name, position FROM actors WHERE pk = OLD.pk AND deleted_at IS NULL;
END;

-- allegations
DROP TRIGGER allegations_fts_update;
DROP TRIGGER allegations_fts_delete;
DROP TABLE allegations_fts;
CREATE VIRTUAL TABLE allegations_fts_public USING fts5(claim, tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE allegations_fts_restricted USING fts5(claim, tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE allegations_fts_confidential USING fts5(claim, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO allegations_fts_public (rowid, claim)
    SELECT pk, claim FROM allegations WHERE deleted_at IS NULL AND confidentiality <= 0;
INSERT INTO allegations_fts_restricted (rowid, claim)
    SELECT pk, claim FROM allegations WHERE deleted_at IS NULL AND confidentiality <= 1;
INSERT INTO allegations_fts_confidential (rowid, claim)
    SELECT pk, claim FROM allegations WHERE deleted_at IS NULL;
CREATE TRIGGER allegations_fts_update AFTER UPDATE OF claim, confidentiality, deleted_at ON allegations
WHEN OLD.claim IS NOT NEW.claim
    OR OLD.confidentiality IS NOT NEW.confidentiality OR (OLD.deleted_at IS NULL) IS NOT (NEW.deleted_at IS NULL)
BEGIN
    DELETE FROM allegations_fts_public WHERE rowid = OLD.pk;
    DELETE FROM allegations_fts_restricted WHERE rowid = OLD.pk;
    DELETE FROM allegations_fts_confidential WHERE rowid = OLD.pk;
    INSERT OR IGNORE INTO fts_pending (tbl, pk) VALUES ('allegations', NEW.pk);
END;
CREATE TRIGGER allegations_fts_delete AFTER DELETE ON allegations
BEGIN
    DELETE FROM allegations_fts_public WHERE rowid = OLD.pk;
    DELETE FROM allegations_fts_restricted WHERE rowid = OLD.pk;
    DELETE FROM allegations_fts_confidential WHERE rowid = OLD.pk;
END;
CREATE TRIGGER allegations_fts_index AFTER DELETE ON fts_pending WHEN OLD.tbl = 'allegations'
BEGIN
    INSERT INTO allegations_fts_public (rowid, claim)
        SELECT pk, claim FROM allegations WHERE pk = OLD.pk AND deleted_at IS NULL AND confidentiality <= 0;
    INSERT INTO allegations_fts_restricted (rowid, claim)
        SELECT pk, claim FROM allegations WHERE pk = OLD.pk AND deleted_at IS NULL AND confidentiality <= 1;
    INSERT INTO allegations_fts_confidential (rowid, claim)
        SELECT pk, claim FROM allegations WHERE pk = OLD.pk AND deleted_at IS NULL;
END;

-- denials
DROP TRIGGER denials_fts_update;
DROP TRIGGER denials_fts_delete;
DROP TABLE denials_fts;
CREATE VIRTUAL TABLE denials_fts_public USING fts5(statement, speaker, tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE denials_fts_restricted USING fts5(statement, speaker, tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE denials_fts_confidential USING fts5(statement, speaker, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO denials_fts_public (rowid, statement, speaker)
    SELECT pk, statement, speaker FROM denials WHERE deleted_at IS NULL AND confidentiality <= 0;
INSERT INTO denials_fts_restricted (rowid, statement, speaker)
    SELECT pk, statement, speaker FROM denials WHERE deleted_at IS NULL AND confidentiality <= 1;
INSERT INTO denials_fts_confidential (rowid, statement, speaker)
    SELECT pk, statement, speaker FROM denials WHERE deleted_at IS NULL;
CREATE TRIGGER denials_fts_update AFTER UPDATE OF statement, speaker, confidentiality, deleted_at ON denials
WHEN OLD.statement IS NOT NEW.statement OR OLD.speaker IS NOT NEW.speaker
    OR OLD.confidentiality IS NOT NEW.confidentiality OR (OLD.deleted_at IS NULL) IS NOT (NEW.deleted_at IS NULL)
BEGIN
    DELETE FROM denials_fts_public WHERE rowid = OLD.pk;
    DELETE FROM denials_fts_restricted WHERE rowid = OLD.pk;
    DELETE FROM denials_fts_confidential WHERE rowid = OLD.pk;
    INSERT OR IGNORE INTO fts_pending (tbl, pk) VALUES ('denials', NEW.pk);
END;
CREATE TRIGGER denials_fts_delete AFTER DELETE ON denials
BEGIN
    DELETE FROM denials_fts_public WHERE rowid = OLD.pk;
    DELETE FROM denials_fts_restricted WHERE rowid = OLD.pk;
    DELETE FROM denials_fts_confidential WHERE rowid = OLD.pk;
END;
CREATE TRIGGER denials_fts_index AFTER DELETE ON fts_pending WHEN OLD.tbl = 'denials'
BEGIN
    INSERT INTO denials_fts_public (rowid, statement, speaker)
        SELECT pk, statement, speaker FROM denials WHERE pk = OLD.pk AND deleted_at IS NULL AND confidentiality <= 0;
    INSERT INTO denials_fts_restricted (rowid, statement, speaker)
        SELECT pk, statement, speaker FROM denials WHERE pk = OLD.pk AND deleted_at IS NULL AND confidentiality <= 1;
    INSERT INTO denials_fts_confidential (rowid, statement, speaker)
        SELECT pk, statement, speaker FROM denials WHERE pk = OLD.pk AND deleted_at IS NULL;
END;
