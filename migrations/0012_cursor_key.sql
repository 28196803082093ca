-- A key that seals pagination cursors (`Cursor` in Store+List.swift).
--
-- A cursor holds the last row's sort values so that the next page starts after it (keyset
-- pagination). Readable, it told a client those values: for a search ranked by bm25 the score,
-- which FTS5 computes over every indexed row, records above the client's clearance included, so
-- a reader could estimate how many hidden records hold a word. Sealed (ChaCha20-Poly1305) with
-- this key, a cursor says nothing and cannot be forged; it stays valid across restarts and in a
-- backup, since the key lives in the database. Made once, here, from SQLite's randomness
-- (seeded by the operating system).
CREATE TABLE server_keys (
    name TEXT PRIMARY KEY,
    key BLOB NOT NULL CHECK (length(key) = 32)
) WITHOUT ROWID;
INSERT INTO server_keys (name, key) VALUES ('cursor', randomblob(32));
