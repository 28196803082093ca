-- The records each stored idempotent answer created, as a JSON array of their ids in the order
-- they were created (`Store+Idempotency.swift`).
--
-- The store kept the API's answer as opaque bytes, but had to parse them as JSON to learn which
-- records an answer created: a purge looked for the answers to erase that way, and a replay sent
-- the bytes as they were, a record raised above the caller's clearance since included. With the
-- ids in their own column a replay reads the records again as the caller may see them now, and
-- a purge finds the answers that created the record it erases, with no notion of HTTP bodies.
--
-- Existing rows are filled from their bodies, as the API wrote them: a single create's answer is
-- the record (its "id"), a batch's is {"data": [record, ...]}; an answer a purge erased (status 0)
-- holds only the purged id. A body that is none of these (no API answer is) gets no ids.
ALTER TABLE idempotency_keys ADD COLUMN created_ids TEXT NOT NULL DEFAULT '[]';

UPDATE idempotency_keys SET created_ids = CASE
    WHEN status = 0 THEN json_array(CAST(body AS TEXT))
    WHEN NOT json_valid(CAST(body AS TEXT)) THEN '[]'
    WHEN json_type(CAST(body AS TEXT), '$.data') = 'array' THEN (
        SELECT json_group_array(json_extract(item.value, '$.id'))
        FROM json_each(CAST(body AS TEXT), '$.data') AS item
        WHERE item.type = 'object' AND json_type(item.value, '$.id') = 'text'
    )
    WHEN json_type(CAST(body AS TEXT), '$.id') = 'text' THEN json_array(json_extract(CAST(body AS TEXT), '$.id'))
    ELSE '[]'
END;
