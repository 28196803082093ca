import VigilJSON
import VigilSQLite

/// Stored answers for POSTs that carry an `Idempotency-Key`, so a client retrying after a lost
/// response gets the first answer instead of creating a duplicate.
///
/// The answer is saved in the same transaction as the records it reports, so after a crash
/// either both exist or neither does.
public struct IdempotencyKey: Sendable, Hashable {
    /// The token that sent the request: keys are per token.
    public let tokenID: String
    /// The client's key.
    public let key: String
    /// SHA-256 of what was asked (method, path, body): the same key with another request is refused.
    public let requestHash: String

    public init(tokenID: String, key: String, requestHash: String) {
        self.tokenID = tokenID
        self.key = key
        self.requestHash = requestHash
    }
}

/// An answer as the API sent it: status, header fields and body, opaque to the store.
public struct StoredAnswer: Sendable, Hashable {
    public let status: Int
    public let headers: [String: String]
    public let body: [UInt8]

    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// What a create with an idempotency key did.
public enum IdempotentOutcome: Sendable {
    /// The records were created now; this is the answer that was stored.
    case created(StoredAnswer)
    /// The key was used before for the same request. `first` is the answer stored then (for its
    /// status and header fields); `current` is what reading the records it created gives the
    /// caller now. A replay answers with `current`, never with the first answer's bytes alone:
    /// a record raised above the caller's clearance since, or a source protected since, must not
    /// show in a replay any more than in a read.
    case replayed(first: StoredAnswer, current: ReplayedRecords)
}

/// The records an idempotent request created, read again as the caller may see them now.
public enum ReplayedRecords: Sendable {
    /// Every one of them, as it is now (fields, version, computed counts, redaction), in the
    /// order they were created.
    case readable([Record])
    /// At least one is above the caller's clearance now (a read of it is a 404): the replay
    /// shows none of them and names none.
    case notFound
    /// None is hidden, but at least one was deleted since (a read of it is a 410).
    case gone
}

extension Store {
    /// The stored answer for `key`, if any; `conflict` when the key was used for another request.
    public func storedAnswer(for key: IdempotencyKey) throws(StoreError) -> StoredAnswer? {
        try read { db in try Store.lookup(key, in: db)?.answer }
    }

    /// Creates records like ``createMany(_:_:as:)`` and stores the answer `render` makes of them
    /// under `key`, in one transaction, with the ids of the records created. A key already used
    /// for the same request creates nothing: it returns the stored answer and the records it
    /// created, read again as `context` may see them now.
    public func createMany(
        _ kind: ResourceKind, _ inputs: [JSONObject], as context: AccessContext, idempotency key: IdempotencyKey,
        render: @escaping ([Record]) -> StoredAnswer
    ) throws(StoreError) -> IdempotentOutcome {
        if let stored = try read({ db in try Store.lookup(key, in: db) }) {
            return .replayed(first: stored.answer, current: try readAgain(stored.createdIDs, as: context))
        }
        var replayed: StoredEntry?
        var created: StoredAnswer?
        _ = try createMany(
            kind, inputs, as: context,
            skipIf: { db in
                // Another request with this key may have committed since the read above.
                replayed = try Store.lookup(key, in: db)
                return replayed != nil
            },
            beforeCommit: { db, records in
                let answer = render(records)
                let headers = JSONObject(
                    answer.headers.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })
                let ids = JSONValue.array(records.map { .string($0.id) })
                try db.run(
                    """
                    INSERT INTO idempotency_keys (token_id, key, request_hash, status, headers, body, created_ids, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(key.tokenID), .text(key.key), .text(key.requestHash), .integer(Int64(answer.status)),
                        .text(JSONValue.object(headers).serializedString), .blob(answer.body),
                        .text(ids.serializedString),
                        .text(Timestamp.now()),
                    ])
                created = answer
            })
        if let replayed {
            return .replayed(first: replayed.answer, current: try readAgain(replayed.createdIDs, as: context))
        }
        guard let created else { throw StoreError.conflict("the create produced no answer") }
        return .created(created)
    }

    /// The records a stored answer created, read in one session as `context` reads them now:
    /// hidden beats deleted, as in a read (a record above the caller's clearance is not found,
    /// deleted or not).
    private func readAgain(_ ids: [String], as context: AccessContext) throws(StoreError) -> ReplayedRecords {
        do {
            return try readSession { () throws(StoreError) -> ReplayedRecords in
                var records: [Record] = []
                var deleted = false
                for id in ids {
                    guard let kind = ResourceKind(id: id) else { return .notFound }
                    do throws(StoreError) {
                        records.append(try record(kind, id: id, as: context))
                    } catch .notFound {
                        return .notFound
                    } catch .gone {
                        deleted = true
                    }
                }
                return deleted ? .gone : .readable(records)
            }
        } catch {
            throw StoreError.wrap(error)
        }
    }

    /// One row of `idempotency_keys`: the answer as stored, and the ids of what it created.
    struct StoredEntry {
        let answer: StoredAnswer
        let createdIDs: [String]
    }

    static func lookup(_ key: IdempotencyKey, in db: Database) throws -> StoredEntry? {
        let statement = try db.cachedStatement(
            "SELECT request_hash, status, headers, body, created_ids FROM idempotency_keys WHERE token_id = ? AND key = ?"
        )
        var found: (String, StoredEntry)?
        try statement.forEachRow([.text(key.tokenID), .text(key.key)]) { row in
            var headers: [String: String] = [:]
            if let bytes = row.bytes(2), case .object(let object)? = try? JSONValue.parse(bytes) {
                for (name, value) in object { headers[name] = value.stringValue }
            }
            var ids: [String] = []
            if let bytes = row.bytes(4), case .array(let items)? = try? JSONValue.parse(bytes) {
                ids = items.compactMap(\.stringValue)
            }
            let answer = StoredAnswer(status: Int(row.int64(1)), headers: headers, body: row.bytes(3) ?? [])
            found = (row.text(0) ?? "", StoredEntry(answer: answer, createdIDs: ids))
        }
        guard let (hash, entry) = found else { return nil }
        guard hash == key.requestHash else {
            throw StoreError.idempotencyMismatch
        }
        if entry.answer.status == purgedStatus {
            throw StoreError.answerPurged(id: String(decoding: entry.answer.body, as: UTF8.self))
        }
        return entry
    }

    /// The status that marks a stored answer erased by a purge (no HTTP answer has it); the body
    /// then holds only the purged record's id.
    static let purgedStatus = 0

    /// Erases every stored answer whose request created `id` (found by `created_ids`, not by
    /// reading the answer): it held the record's fields as created, names included. The key
    /// stays used, so a retry gets 410 instead of creating the record again; the answer of a
    /// batch goes whole, as it held every record of it. Returns how many answers were erased
    /// (one already erased by an earlier purge is not counted again).
    ///
    /// A plain scan of the table (the ids' bytes first, then the array's items): purges are rare.
    static func erasePurgedAnswers(reporting id: String, in db: Database) throws -> Int {
        try db.run(
            """
            UPDATE idempotency_keys SET status = ?, headers = '{}', body = ?
            WHERE status != ? AND instr(created_ids, ?) > 0
                AND EXISTS (SELECT 1 FROM json_each(created_ids) WHERE value = ?)
            """,
            [.integer(Int64(purgedStatus)), .blob(Array(id.utf8)), .integer(Int64(purgedStatus)), .text(id), .text(id)])
        return db.changes
    }
}
