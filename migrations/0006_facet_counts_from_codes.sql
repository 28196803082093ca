-- facet_counts, kept from incident_codes instead of from the incidents' JSON lists.
--
-- Since 0005 each code row carries its incident's country, tombstone and level, and the code
-- rows of an incident are rewritten whenever any of those change. So counting one up when a
-- live code row appears and down when it goes keeps the per-code counts right with one small
-- upsert per code, where 0004's triggers expanded and de-duplicated both JSON lists on every
-- incident write. The incidents' own rows ('*', '*') stay counted from incidents.
DROP TRIGGER facet_counts_insert;
DROP TRIGGER facet_counts_update;
DROP TRIGGER facet_counts_delete;

CREATE TRIGGER facet_counts_code_insert AFTER INSERT ON incident_codes WHEN NEW.deleted_at IS NULL
BEGIN
    INSERT INTO facet_counts (field, code, country, level, n)
        VALUES (NEW.field, NEW.code, coalesce(NEW.country, ''), NEW.confidentiality, 1)
        ON CONFLICT (field, country, level, code) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER facet_counts_code_delete AFTER DELETE ON incident_codes WHEN OLD.deleted_at IS NULL
BEGIN
    UPDATE facet_counts SET n = n - 1
        WHERE field = OLD.field AND country = coalesce(OLD.country, '') AND level = OLD.confidentiality
        AND code = OLD.code;
END;

CREATE TRIGGER facet_counts_insert AFTER INSERT ON incidents WHEN NEW.deleted_at IS NULL
BEGIN
    INSERT INTO facet_counts (field, code, country, level, n)
        VALUES ('*', '*', coalesce(NEW.country, ''), NEW.confidentiality, 1)
        ON CONFLICT (field, country, level, code) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER facet_counts_update AFTER UPDATE ON incidents
WHEN OLD.deleted_at IS NOT NEW.deleted_at OR OLD.confidentiality IS NOT NEW.confidentiality
    OR OLD.country IS NOT NEW.country
BEGIN
    UPDATE facet_counts SET n = n - 1
        WHERE OLD.deleted_at IS NULL AND field = '*' AND code = '*'
        AND country = coalesce(OLD.country, '') AND level = OLD.confidentiality;
    INSERT INTO facet_counts (field, code, country, level, n)
        SELECT '*', '*', coalesce(NEW.country, ''), NEW.confidentiality, 1 WHERE NEW.deleted_at IS NULL
        ON CONFLICT (field, country, level, code) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER facet_counts_delete AFTER DELETE ON incidents WHEN OLD.deleted_at IS NULL
BEGIN
    UPDATE facet_counts SET n = n - 1
        WHERE field = '*' AND code = '*' AND country = coalesce(OLD.country, '') AND level = OLD.confidentiality;
END;
