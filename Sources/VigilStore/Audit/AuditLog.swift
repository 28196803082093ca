import VigilJSON
import VigilSQLite

/// Appends entries to the audit log, inside the caller's write transaction.
///
/// Each entry's hash is SHA-256 over the previous entry's hash and the entry's own fields,
/// each length-prefixed so that no two different entries can hash the same input. Editing,
/// removing or reordering any entry breaks every hash after it.
enum AuditLog {
    /// The `prev_hash` of the first entry.
    static let genesis = String(repeating: "0", count: 64)

    /// The actions an entry can record.
    enum Action: String {
        case create, update, delete, restore, link, unlink, purge
        case tokenCreate = "token_create"
        case tokenRevoke = "token_revoke"
    }

    /// Appends one entry and returns its sequence number.
    @discardableResult
    static func append(
        to db: Database, actor: String, action: Action, kind: String, recordID: String,
        before: JSONObject?, after: JSONObject?, at time: String
    ) throws -> Int64 {
        let levels = [before, after].compactMap { $0 }.map { level(of: $0) }
        // Each snapshot serialized once: its bytes are hashed, and stored as text.
        return try append(
            to: db, actor: actor, action: action, kind: kind, recordID: recordID,
            before: before.map { JSONValue.object($0).serialized(sortedKeys: true) },
            after: after.map { JSONValue.object($0).serialized(sortedKeys: true) },
            confidentiality: levels.min() ?? .confidential, at: time)
    }

    /// Appends one entry whose snapshots are already in their canonical bytes (a created
    /// record's, from its ``SnapshotTemplate``); `confidentiality` is the lower of their levels.
    /// `afterDigest`, when given, is the SHA-256 of `afterBytes` in hex, computed beforehand.
    @discardableResult
    static func append(
        to db: Database, actor: String, action: Action, kind: String, recordID: String,
        before beforeBytes: [UInt8]?, after afterBytes: [UInt8]?, afterDigest: String? = nil,
        confidentiality: Confidentiality, at time: String
    ) throws -> Int64 {
        let last = try db.cachedStatement("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        var previousSeq: Int64 = 0
        var previousHash = genesis
        try last.forEachRow { row in
            previousSeq = row.int64(0)
            previousHash = row.text(1) ?? genesis
        }
        let seq = previousSeq + 1
        let beforeText = beforeBytes.map { String(decoding: $0, as: UTF8.self) }
        let afterText = afterBytes.map { String(decoding: $0, as: UTF8.self) }
        let beforeDigest = beforeBytes.map(Hex.sha256)
        let afterDigest = afterBytes.map { afterDigest ?? Hex.sha256($0) }
        let hash = entryHash(
            previous: previousHash, seq: seq, at: time, actor: actor, action: action.rawValue, kind: kind,
            recordID: recordID, confidentiality: confidentiality.rawValue, beforeDigest: beforeDigest,
            afterDigest: afterDigest)
        try db.run(
            """
            INSERT INTO audit_log (seq, at, actor, action, kind, record_id, confidentiality, before, after,
                before_sha256, after_sha256, prev_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .integer(seq), .text(time), .text(actor), .text(action.rawValue), .text(kind), .text(recordID),
                .integer(Int64(confidentiality.rawValue)), .text(beforeText), .text(afterText), .text(beforeDigest),
                .text(afterDigest), .text(previousHash), .text(hash),
            ])
        return seq
    }

    /// The hash of one entry, as stored and as `verify` recomputes it. It covers the snapshots'
    /// digests, so erasing a snapshot's text (purge) leaves the chain intact.
    static func entryHash(
        previous: String, seq: Int64, at: String, actor: String, action: String, kind: String, recordID: String,
        confidentiality: Int, beforeDigest: String?, afterDigest: String?
    ) -> String {
        var input: [UInt8] = []
        input.reserveCapacity(320)
        func add(_ text: String?) {
            guard let text else {
                input.append(contentsOf: "-;".utf8)  // absent, distinct from an empty string ("0:;")
                return
            }
            input.append(contentsOf: String(text.utf8.count).utf8)
            input.append(UInt8(ascii: ":"))
            input.append(contentsOf: text.utf8)
            input.append(UInt8(ascii: ";"))
        }
        add(previous)
        add(String(seq))
        add(at)
        add(actor)
        add(action)
        add(kind)
        add(recordID)
        add(String(confidentiality))
        add(beforeDigest)
        add(afterDigest)
        return Hex.sha256(input)
    }

    /// The confidentiality of a snapshot (tokens and links are treated as confidential unless
    /// they say otherwise).
    static func level(of snapshot: JSONObject) -> Confidentiality {
        snapshot["confidentiality"]?.stringValue.flatMap(Confidentiality.init(name:)) ?? .confidential
    }
}
