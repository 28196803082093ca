import VigilJSON
import VigilSQLite

/// `vigil verify`: recompute the audit chain and check that the data matches it, so an edit made
/// behind Vigil's back (with the sqlite3 shell, say) is detected and named.
extension Store {
    /// Checks the chain entry by entry, then every live row against its last audited state.
    public func verify() throws(StoreError) -> VerificationReport {
        try read(timeLimit: .seconds(86_400)) { db in
            var problems: [String] = []
            // 1. The chain: each entry's prev_hash is its predecessor's hash, and its own hash
            //    matches its content.
            var expectedPrevious = AuditLog.genesis
            var expectedSeq: Int64 = 1
            var entries = 0
            var lastState: [String: (seq: Int64, action: String, after: String?)] = [:]
            // Snapshot texts may be erased only by a purge, whose own entry follows: entries
            // with an erased text are judged once every purge has been seen.
            var erased: [(seq: Int64, recordID: String)] = []
            var purged = Set<String>()
            try db.makeStatement(
                """
                SELECT seq, at, actor, action, kind, record_id, confidentiality, before, after, prev_hash, hash,
                    before_sha256, after_sha256
                FROM audit_log ORDER BY seq
                """
            ).forEachRow { row in
                entries += 1
                let seq = row.int64(0)
                let recordID = row.text(5) ?? ""
                let after = row.text(8)
                let prev = row.text(9) ?? ""
                let hash = row.text(10) ?? ""
                if seq != expectedSeq {
                    problems.append(
                        "audit entry \(seq) (record \(recordID)): expected entry \(expectedSeq) here; entries were removed or renumbered"
                    )
                }
                if prev != expectedPrevious {
                    problems.append("audit entry \(seq) (record \(recordID)): does not chain to the entry before it")
                }
                let beforeDigest = row.text(11)
                let afterDigest = row.text(12)
                let recomputed = AuditLog.entryHash(
                    previous: prev, seq: seq, at: row.text(1) ?? "", actor: row.text(2) ?? "",
                    action: row.text(3) ?? "", kind: row.text(4) ?? "", recordID: recordID,
                    confidentiality: Int(row.int64(6)), beforeDigest: beforeDigest, afterDigest: afterDigest)
                // A snapshot's text may be erased by a purge, but when present it must match its digest.
                let before = row.text(7)
                let snapshotsMatch =
                    (before == nil || before.map(Hex.sha256) == beforeDigest)
                    && (after == nil || after.map(Hex.sha256) == afterDigest)
                if recomputed != hash || !snapshotsMatch {
                    problems.append(
                        "audit entry \(seq) (record \(recordID)): content does not match its hash; the entry was edited"
                    )
                }
                if (before == nil && beforeDigest != nil) || (after == nil && afterDigest != nil) {
                    erased.append((seq, recordID))
                }
                if row.text(3) == AuditLog.Action.purge.rawValue { purged.insert(recordID) }
                expectedPrevious = hash
                expectedSeq = seq + 1
                lastState[recordID] = (seq, row.text(3) ?? "", afterDigest)
            }
            for entry in erased where !purged.contains(entry.recordID) {
                problems.append(
                    "audit entry \(entry.seq) (record \(entry.recordID)): its before/after text was erased, but the record was never purged; the entry was edited"
                )
            }

            // 2. The data: every live row equals the state its last entry recorded.
            var records = 0
            var seen = Set<String>()
            for kind in ResourceKind.allCases {
                let codec = RecordCodec(kind: kind)
                try db.makeStatement("SELECT \(codec.selectList) FROM \(kind.table) r ORDER BY r.id").forEachRow {
                    row in
                    records += 1
                    let stored = codec.decode(row)
                    seen.insert(stored.id)
                    problems += Store.compare(
                        id: stored.id, state: Hex.sha256(stored.canonicalState), with: lastState[stored.id])
                    problems += Store.boundsProblems(stored)
                }
                // Bounds left on a row whose date is empty (the decoder does not read them).
                let dates = kind.fields.filter { if case .date = $0.type { true } else { false } }.map(\.name)
                if !dates.isEmpty {
                    let stray = dates.map {
                        "(\($0) IS NULL AND (\($0)_earliest IS NOT NULL OR \($0)_latest IS NOT NULL))"
                    }
                    try db.makeStatement(
                        "SELECT id FROM \(kind.table) WHERE \(stray.joined(separator: " OR ")) ORDER BY id"
                    )
                    .forEachRow { row in
                        problems.append(
                            "record \(row.text(0) ?? ""): has date bounds without a date; it was edited behind Vigil's back"
                        )
                    }
                }
            }
            try db.makeStatement("SELECT \(Store.linkColumns.joined(separator: ", ")) FROM incident_sites ORDER BY id")
                .forEachRow { row in
                    records += 1
                    let link = Store.decodeLink(row)
                    let id = link["id"]?.stringValue ?? ""
                    seen.insert(id)
                    problems += Store.compare(
                        id: id, state: Hex.sha256(JSONValue.object(link).canonicalText), with: lastState[id])
                }
            // Tokens too: a role raised, a revocation undone or a token inserted with the sqlite3
            // shell would hand out access. Their last use is noted without an entry, so the
            // comparison is on the audited snapshot, which leaves it out.
            try db.makeStatement(
                """
                SELECT id, name, role, clearance, created_at, expires_at, last_used_at, revoked_at, secret_hash
                FROM tokens ORDER BY id
                """
            ).forEachRow { row in
                let token = Store.decodeToken(row)
                let secretHash = row.text(8) ?? ""
                seen.insert(token.id)
                let state = Hex.sha256(
                    JSONValue.object(Store.auditSnapshot(token, secretHash: secretHash)).canonicalText)
                problems += Store.compare(id: token.id, state: state, with: lastState[token.id])
                    .map { $0.replacingPrefix("record ", with: "token ") }
            }
            // 3. Records the log says exist but the tables lack: removed behind Vigil's back.
            for (id, last) in lastState.sorted(by: { $0.value.seq < $1.value.seq })
            where !seen.contains(id) && last.after != nil {
                problems.append("record \(id): in the audit log (entry \(last.seq)) but missing from the database")
            }
            return VerificationReport(entries: entries, records: records, problems: problems)
        }
    }

    /// The stored `F_earliest` / `F_latest` of each date field must be the bounds of `F`: they
    /// are not in the audited state, but filters, sorts and timelines use them.
    static func boundsProblems(_ stored: StoredRecord) -> [String] {
        var problems: [String] = []
        for spec in stored.kind.fields {
            guard case .date = spec.type, case .string(let text)? = stored.state[spec.name] else { continue }
            let expected = try? UncertainDate(parsing: text)
            let earliest = stored.bounds[spec.name + "_earliest"]?.stringValue
            let latest = stored.bounds[spec.name + "_latest"]?.stringValue
            if expected == nil || expected?.earliest != earliest || expected?.latest != latest {
                problems.append(
                    "record \(stored.id): \(spec.name)_earliest/\(spec.name)_latest do not match \(spec.name) \"\(text)\"; they were edited behind Vigil's back"
                )
            }
        }
        return problems
    }

    /// Compares a live row's state digest with the `after` digest of its last audit entry.
    static func compare(id: String, state: String, with last: (seq: Int64, action: String, after: String?)?) -> [String]
    {
        guard let last else { return ["record \(id): has no audit entry; it was inserted behind Vigil's back"] }
        guard let after = last.after else {
            return ["record \(id): the audit log says it was removed (entry \(last.seq)) but it is in the database"]
        }
        return after == state
            ? []
            : [
                "record \(id): differs from its last audited state (entry \(last.seq)); it was edited behind Vigil's back"
            ]
    }
}

extension String {
    fileprivate func replacingPrefix(_ prefix: String, with replacement: String) -> String {
        hasPrefix(prefix) ? replacement + dropFirst(prefix.count) : self
    }
}
