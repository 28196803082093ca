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
    /// The key was used before for the same request: the first answer.
    case replayed(StoredAnswer)
}

extension Store {
    /// The stored answer for `key`, if any; `conflict` when the key was used for another request.
    public func storedAnswer(for key: IdempotencyKey) throws(StoreError) -> StoredAnswer? {
        try read { db in try Store.lookup(key, in: db) }
    }

    /// Creates records like ``createMany(_:_:as:)`` and stores the answer `render` makes of them
    /// under `key`, in one transaction. A key already used for the same request returns its
    /// stored answer and creates nothing.
    public func createMany(
        _ kind: ResourceKind, _ inputs: [JSONObject], as context: AccessContext, idempotency key: IdempotencyKey,
        render: @escaping ([Record]) -> StoredAnswer
    ) throws(StoreError) -> IdempotentOutcome {
        if let stored = try storedAnswer(for: key) { return .replayed(stored) }
        var replayed: StoredAnswer?
        var created: StoredAnswer?
        _ = try createMany(kind, inputs, as: context, skipIf: { db in
            replayed = try Store.lookup(key, in: db)
            return replayed != nil
        }, beforeCommit: { db, records in
            let answer = render(records)
            let headers = JSONObject(answer.headers.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })
            try db.run(
                """
                INSERT INTO idempotency_keys (token_id, key, request_hash, status, headers, body, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                [.text(key.tokenID), .text(key.key), .text(key.requestHash), .integer(Int64(answer.status)),
                 .text(JSONValue.object(headers).serializedString), .blob(answer.body), .text(Timestamp.now())])
            created = answer
        })
        if let replayed { return .replayed(replayed) }
        guard let created else { throw StoreError.conflict("the create produced no answer") }
        return .created(created)
    }

    static func lookup(_ key: IdempotencyKey, in db: Database) throws -> StoredAnswer? {
        let statement = try db.cachedStatement(
            "SELECT request_hash, status, headers, body FROM idempotency_keys WHERE token_id = ? AND key = ?")
        var found: (String, StoredAnswer)?
        try statement.forEachRow([.text(key.tokenID), .text(key.key)]) { row in
            var headers: [String: String] = [:]
            if let bytes = row.bytes(2), case .object(let object)? = try? JSONValue.parse(bytes) {
                for (name, value) in object { headers[name] = value.stringValue }
            }
            found = (row.text(0) ?? "", StoredAnswer(status: Int(row.int64(1)), headers: headers, body: row.bytes(3) ?? []))
        }
        guard let (hash, answer) = found else { return nil }
        guard hash == key.requestHash else {
            throw StoreError.idempotencyMismatch
        }
        if answer.status == purgedStatus {
            throw StoreError.answerPurged(id: String(decoding: answer.body, as: UTF8.self))
        }
        return answer
    }

    /// The status that marks a stored answer erased by a purge (no HTTP answer has it); the body
    /// then holds only the purged record's id.
    static let purgedStatus = 0

    /// Erases every stored answer that reports `id` as a record it created (a single create's
    /// answer is the record, a batch's `{"data": [...]}` lists them): it held the record's fields
    /// as created, names included. The key stays used, so a retry gets 410 instead of creating
    /// the record again. Returns how many answers were erased.
    static func erasePurgedAnswers(reporting id: String, in db: Database) throws -> Int {
        var erased: [(tokenID: String, key: String)] = []
        // The id's bytes first (a plain scan; purges are rare), then the JSON says whether the
        // answer created the record or only mentions it (a reference keeps its answer).
        try db.cachedStatement("SELECT token_id, key, body FROM idempotency_keys WHERE instr(body, ?) > 0")
            .forEachRow([.blob(Array(id.utf8))]) { row in
                guard let body = row.bytes(2), let answer = try? JSONValue.parse(body) else { return }
                let records: [JSONValue]
                if case .array(let data)? = answer.objectValue?["data"] {
                    records = data
                } else {
                    records = [answer]
                }
                if records.contains(where: { $0.objectValue?["id"]?.stringValue == id }) {
                    erased.append((row.text(0) ?? "", row.text(1) ?? ""))
                }
            }
        for (tokenID, key) in erased {
            try db.run(
                "UPDATE idempotency_keys SET status = ?, headers = '{}', body = ? WHERE token_id = ? AND key = ?",
                [.integer(Int64(purgedStatus)), .blob(Array(id.utf8)), .text(tokenID), .text(key)])
        }
        return erased.count
    }
}
