-- Vigil schema, version 1: the six resources, incident-site links, tokens, idempotency keys and
-- the audit log. Confidentiality levels are stored as integers (0 public, 1 restricted,
-- 2 confidential) so that "at or below the caller's clearance" is one comparison.
-- Uncertain dates F are stored as given plus their bounds F_earliest / F_latest (YYYY-MM-DD;
-- NULL for an open side). Lists are JSON arrays of strings. Each resource table has an explicit
-- INTEGER PRIMARY KEY (`pk`) so that rowids never change (VACUUM renumbers implicit ones), which
-- the full-text indexes rely on; clients only ever see `id`.

CREATE TABLE actors (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    actor_type TEXT,
    position TEXT,
    country TEXT,
    confidentiality INTEGER NOT NULL CHECK (confidentiality BETWEEN 0 AND 2),
    tags TEXT NOT NULL DEFAULT '[]',
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX actors_updated ON actors (updated_at);

CREATE TABLE sources (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    source_type TEXT,
    url TEXT,
    country TEXT,
    language TEXT,
    reliability TEXT,
    protected_identity INTEGER NOT NULL DEFAULT 0,
    contact TEXT,
    confidentiality INTEGER NOT NULL CHECK (confidentiality BETWEEN 0 AND 2),
    tags TEXT NOT NULL DEFAULT '[]',
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX sources_updated ON sources (updated_at);

CREATE TABLE incidents (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    summary TEXT,
    occurred TEXT,
    occurred_earliest TEXT,
    occurred_latest TEXT,
    country TEXT,
    admin1 TEXT,
    admin2 TEXT,
    locality TEXT,
    lat REAL,
    lon REAL,
    geo_precision TEXT,
    location_confidentiality INTEGER CHECK (location_confidentiality BETWEEN 0 AND 2),
    violation_types TEXT NOT NULL DEFAULT '[]',
    targeted_groups TEXT NOT NULL DEFAULT '[]',
    victims_min INTEGER,
    victims_max INTEGER,
    deaths_min INTEGER,
    deaths_max INTEGER,
    perpetrator_ids TEXT NOT NULL DEFAULT '[]',
    verification TEXT,
    confidentiality INTEGER NOT NULL CHECK (confidentiality BETWEEN 0 AND 2),
    tags TEXT NOT NULL DEFAULT '[]',
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX incidents_country_occurred ON incidents (country, occurred_earliest);
CREATE INDEX incidents_occurred ON incidents (occurred_earliest);
CREATE INDEX incidents_updated ON incidents (updated_at);

CREATE TABLE sites (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    aliases TEXT NOT NULL DEFAULT '[]',
    site_type TEXT,
    operator_id TEXT REFERENCES actors (id),
    operator TEXT,
    country TEXT,
    admin1 TEXT,
    admin2 TEXT,
    locality TEXT,
    lat REAL,
    lon REAL,
    geo_precision TEXT,
    location_confidentiality INTEGER CHECK (location_confidentiality BETWEEN 0 AND 2),
    evidence TEXT,
    status TEXT,
    first_reported TEXT,
    first_reported_earliest TEXT,
    first_reported_latest TEXT,
    last_reported TEXT,
    last_reported_earliest TEXT,
    last_reported_latest TEXT,
    capacity_min INTEGER,
    capacity_max INTEGER,
    description TEXT,
    confidentiality INTEGER NOT NULL CHECK (confidentiality BETWEEN 0 AND 2),
    tags TEXT NOT NULL DEFAULT '[]',
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX sites_country ON sites (country);
CREATE INDEX sites_updated ON sites (updated_at);

CREATE TABLE allegations (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    source_id TEXT NOT NULL REFERENCES sources (id),
    incident_id TEXT REFERENCES incidents (id),
    site_id TEXT REFERENCES sites (id),
    claim TEXT NOT NULL,
    alleged_on TEXT,
    alleged_on_earliest TEXT,
    alleged_on_latest TEXT,
    url TEXT,
    violation_types TEXT NOT NULL DEFAULT '[]',
    repeats_id TEXT REFERENCES allegations (id),
    assessment TEXT,
    confidentiality INTEGER NOT NULL CHECK (confidentiality BETWEEN 0 AND 2),
    tags TEXT NOT NULL DEFAULT '[]',
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX allegations_incident ON allegations (incident_id, alleged_on_earliest);
CREATE INDEX allegations_site ON allegations (site_id, alleged_on_earliest);
CREATE INDEX allegations_source ON allegations (source_id);
CREATE INDEX allegations_repeats ON allegations (repeats_id);
CREATE INDEX allegations_updated ON allegations (updated_at);

CREATE TABLE denials (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    statement TEXT NOT NULL,
    stance TEXT,
    allegation_id TEXT REFERENCES allegations (id),
    incident_id TEXT REFERENCES incidents (id),
    site_id TEXT REFERENCES sites (id),
    actor_id TEXT REFERENCES actors (id),
    speaker TEXT,
    speaker_position TEXT,
    stated_on TEXT,
    stated_on_earliest TEXT,
    stated_on_latest TEXT,
    venue TEXT,
    source_id TEXT REFERENCES sources (id),
    url TEXT,
    confidentiality INTEGER NOT NULL CHECK (confidentiality BETWEEN 0 AND 2),
    tags TEXT NOT NULL DEFAULT '[]',
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX denials_allegation ON denials (allegation_id, stated_on_earliest);
CREATE INDEX denials_incident ON denials (incident_id, stated_on_earliest);
CREATE INDEX denials_site ON denials (site_id, stated_on_earliest);
CREATE INDEX denials_actor ON denials (actor_id);
CREATE INDEX denials_updated ON denials (updated_at);

-- Incident <-> site links with their attributes. A link is visible to a caller who can see
-- both ends; it has an id of its own so the audit log can name it.
CREATE TABLE incident_sites (
    id TEXT PRIMARY KEY NOT NULL,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    site_id TEXT NOT NULL REFERENCES sites (id),
    role TEXT NOT NULL,
    period TEXT,
    period_earliest TEXT,
    period_latest TEXT,
    note TEXT,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (incident_id, site_id, role)
);
CREATE INDEX incident_sites_site ON incident_sites (site_id);

-- Bearer tokens: only the SHA-256 of the secret is kept.
CREATE TABLE tokens (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('reader', 'editor', 'admin')),
    clearance INTEGER NOT NULL CHECK (clearance BETWEEN 0 AND 2),
    created_at TEXT NOT NULL,
    expires_at TEXT,
    last_used_at TEXT,
    revoked_at TEXT
);

-- Stored answers to POSTs carrying an Idempotency-Key, per token.
CREATE TABLE idempotency_keys (
    token_id TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (token_id, key)
) WITHOUT ROWID;

-- The append-only audit log. Each entry's hash covers its metadata, the SHA-256 of its before
-- and after snapshots, and the previous entry's hash, so an edit anywhere breaks the chain from
-- that point on. Hashing the snapshots' digests rather than their text lets `vigil purge` erase a
-- record's content from the log (setting before/after to NULL) while the chain still verifies.
-- `confidentiality` is the lower of the record's levels before and after, to filter the changes
-- feed in SQL.
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    confidentiality INTEGER NOT NULL,
    before TEXT,
    after TEXT,
    before_sha256 TEXT,
    after_sha256 TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_record ON audit_log (record_id, seq);

-- Entries are never changed, except that a purge may erase a snapshot's text (never its digest).
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT (
    NEW.seq IS OLD.seq AND NEW.at IS OLD.at AND NEW.actor IS OLD.actor AND NEW.action IS OLD.action
    AND NEW.kind IS OLD.kind AND NEW.record_id IS OLD.record_id AND NEW.confidentiality IS OLD.confidentiality
    AND NEW.before_sha256 IS OLD.before_sha256 AND NEW.after_sha256 IS OLD.after_sha256
    AND NEW.prev_hash IS OLD.prev_hash AND NEW.hash IS OLD.hash
    AND (NEW.before IS NULL OR NEW.before IS OLD.before) AND (NEW.after IS NULL OR NEW.after IS OLD.after)
)
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
