-- Full-text search (FTS5) over the text a reader searches by: incident titles and summaries,
-- site names, aliases and descriptions, source and actor names, allegation claims, denial
-- statements. One index per resource, kept in step by triggers in the same transaction as each
-- change; rowid = the record's rowid, so a search joins its table to apply clearance and
-- tombstones there. Exact-place fields (locality, admin2, coordinates) are not indexed, so a
-- caller cannot find a record by a place it may not see; a protected source's name is not
-- indexed either. The indexes keep their own copy of the text (not external content), so what
-- a snippet can show is exactly what was indexed.

CREATE VIRTUAL TABLE incidents_fts USING fts5(title, summary, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO incidents_fts (rowid, title, summary) SELECT rowid, title, summary FROM incidents;
CREATE TRIGGER incidents_fts_insert AFTER INSERT ON incidents
BEGIN
    INSERT INTO incidents_fts (rowid, title, summary) VALUES (NEW.rowid, NEW.title, NEW.summary);
END;
CREATE TRIGGER incidents_fts_update AFTER UPDATE OF title, summary ON incidents
BEGIN
    UPDATE incidents_fts SET title = NEW.title, summary = NEW.summary WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER incidents_fts_delete AFTER DELETE ON incidents
BEGIN
    DELETE FROM incidents_fts WHERE rowid = OLD.rowid;
END;

CREATE VIRTUAL TABLE sites_fts USING fts5(name, aliases, description, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO sites_fts (rowid, name, aliases, description) SELECT rowid, name, aliases, description FROM sites;
CREATE TRIGGER sites_fts_insert AFTER INSERT ON sites
BEGIN
    INSERT INTO sites_fts (rowid, name, aliases, description) VALUES (NEW.rowid, NEW.name, NEW.aliases, NEW.description);
END;
CREATE TRIGGER sites_fts_update AFTER UPDATE OF name, aliases, description ON sites
BEGIN
    UPDATE sites_fts SET name = NEW.name, aliases = NEW.aliases, description = NEW.description WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER sites_fts_delete AFTER DELETE ON sites
BEGIN
    DELETE FROM sites_fts WHERE rowid = OLD.rowid;
END;

CREATE VIRTUAL TABLE sources_fts USING fts5(name, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO sources_fts (rowid, name) SELECT rowid, CASE WHEN protected_identity = 1 THEN NULL ELSE name END FROM sources;
CREATE TRIGGER sources_fts_insert AFTER INSERT ON sources
BEGIN
    INSERT INTO sources_fts (rowid, name) VALUES (NEW.rowid, CASE WHEN NEW.protected_identity = 1 THEN NULL ELSE NEW.name END);
END;
CREATE TRIGGER sources_fts_update AFTER UPDATE OF name, protected_identity ON sources
BEGIN
    UPDATE sources_fts SET name = CASE WHEN NEW.protected_identity = 1 THEN NULL ELSE NEW.name END WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER sources_fts_delete AFTER DELETE ON sources
BEGIN
    DELETE FROM sources_fts WHERE rowid = OLD.rowid;
END;

CREATE VIRTUAL TABLE actors_fts USING fts5(name, position, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO actors_fts (rowid, name, position) SELECT rowid, name, position FROM actors;
CREATE TRIGGER actors_fts_insert AFTER INSERT ON actors
BEGIN
    INSERT INTO actors_fts (rowid, name, position) VALUES (NEW.rowid, NEW.name, NEW.position);
END;
CREATE TRIGGER actors_fts_update AFTER UPDATE OF name, position ON actors
BEGIN
    UPDATE actors_fts SET name = NEW.name, position = NEW.position WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER actors_fts_delete AFTER DELETE ON actors
BEGIN
    DELETE FROM actors_fts WHERE rowid = OLD.rowid;
END;

CREATE VIRTUAL TABLE allegations_fts USING fts5(claim, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO allegations_fts (rowid, claim) SELECT rowid, claim FROM allegations;
CREATE TRIGGER allegations_fts_insert AFTER INSERT ON allegations
BEGIN
    INSERT INTO allegations_fts (rowid, claim) VALUES (NEW.rowid, NEW.claim);
END;
CREATE TRIGGER allegations_fts_update AFTER UPDATE OF claim ON allegations
BEGIN
    UPDATE allegations_fts SET claim = NEW.claim WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER allegations_fts_delete AFTER DELETE ON allegations
BEGIN
    DELETE FROM allegations_fts WHERE rowid = OLD.rowid;
END;

CREATE VIRTUAL TABLE denials_fts USING fts5(statement, speaker, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO denials_fts (rowid, statement, speaker) SELECT rowid, statement, speaker FROM denials;
CREATE TRIGGER denials_fts_insert AFTER INSERT ON denials
BEGIN
    INSERT INTO denials_fts (rowid, statement, speaker) VALUES (NEW.rowid, NEW.statement, NEW.speaker);
END;
CREATE TRIGGER denials_fts_update AFTER UPDATE OF statement, speaker ON denials
BEGIN
    UPDATE denials_fts SET statement = NEW.statement, speaker = NEW.speaker WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER denials_fts_delete AFTER DELETE ON denials
BEGIN
    DELETE FROM denials_fts WHERE rowid = OLD.rowid;
END;
