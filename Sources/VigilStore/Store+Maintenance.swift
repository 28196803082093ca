/// Operations for the machine's owner: erase a record for good, copy the database.
extension Store {
    /// Removes a record (or a link) for good, when erasing it is the safety measure.
    ///
    /// The row is deleted with `secure_delete` on, the text of its audit snapshots is erased
    /// (their digests stay, so the chain still verifies), so are the stored idempotency answers
    /// that created it, and a hash-only `purge` entry is appended. Then its kind's full-text
    /// index is rewritten into one segment (FTS5 deletes by adding a marker, and the words of a
    /// deleted document stay in older segments until they are merged: about a second per
    /// 100,000 incidents, with writes waiting), and the WAL is checkpointed and truncated so no
    /// copy of the old pages is left in it. A record other records still point to is refused:
    /// purge or edit those first. Admins only.
    ///
    /// The WAL can only be truncated when no other connection is reading (the checkpoint waits
    /// up to the busy timeout); ``PurgeReport/walCleared`` says whether it was.
    @discardableResult
    public func purge(id: String, as context: AccessContext) throws(StoreError) -> PurgeReport {
        try context.require(.admin, to: "purging records")
        let answersErased = try write { db -> Int in
            let kind = ResourceKind(id: id)
            let state: JSONObject
            var linkIDs: [String] = []
            if let kind {
                guard let stored = try Store.load(kind, id: id, in: db, clearance: .confidential, computed: false) else {
                    throw StoreError.notFound(kind: kind.rawValue, id: id)
                }
                state = stored.state
                let referrers = try Store.referrers(of: kind, id: id, in: db)
                if !referrers.isEmpty {
                    throw StoreError.conflict(
                        "\(id) is still referenced by \(referrers.prefix(5).joined(separator: ", "))"
                            + (referrers.count > 5 ? " and \(referrers.count - 5) more" : "") + "; purge or edit those first")
                }
                if kind == .incidents || kind == .sites {
                    let column = kind == .incidents ? "incident_id" : "site_id"
                    try db.cachedStatement("SELECT id FROM incident_sites WHERE \(column) = ?").forEachRow([.text(id)]) { row in
                        linkIDs.append(row.text(0) ?? "")
                    }
                    try db.run("DELETE FROM incident_sites WHERE \(column) = ?", [.text(id)])
                }
                try db.run("DELETE FROM \(kind.table) WHERE id = ?", [.text(id)])
            } else if id.hasPrefix("lnk_"), let link = try Store.loadLink(id, in: db) {
                state = link
                try db.run("DELETE FROM incident_sites WHERE id = ?", [.text(id)])
            } else {
                throw StoreError.notFound(kind: "records", id: id)
            }
            let now = Timestamp.now()
            for erased in [id] + linkIDs {
                try db.run("UPDATE audit_log SET before = NULL, after = NULL WHERE record_id = ?", [.text(erased)])
                if erased != id {
                    try AuditLog.append(
                        to: db, actor: context.actor, action: .purge, kind: "links", recordID: erased,
                        before: JSONObject([("purged", .bool(true))]), after: nil, at: now)
                }
            }
            let digest = Hex.sha256(JSONValue.object(state).canonicalText)
            try AuditLog.append(
                to: db, actor: context.actor, action: .purge, kind: kind?.rawValue ?? "links", recordID: id,
                before: JSONObject([("purged_sha256", .string(digest))]), after: nil, at: now)
            let erased = try Store.erasePurgedAnswers(reporting: id, in: db)
            if let kind {
                for fts in SearchIndex.tables(for: kind) { try db.run("INSERT INTO \(fts) (\(fts)) VALUES ('optimize')") }
            }
            return erased
        }
        do {
            // busy, frames in the WAL, frames checkpointed: busy is 1 when readers kept it from
            // finishing, and then the WAL was not truncated.
            let busy = try writer.withConnection { db -> Bool in
                var busy = true
                try db.makeStatement("PRAGMA wal_checkpoint(TRUNCATE)").forEachRow { row in busy = row.int64(0) != 0 }
                return busy
            }
            return PurgeReport(answersErased: answersErased, walCleared: !busy)
        } catch {
            throw StoreError.wrap(error)
        }
    }

    /// What a purge did beyond deleting the record.
    public struct PurgeReport: Sendable, Equatable {
        /// Stored idempotency answers erased because they held the record.
        public let answersErased: Int
        /// Whether the WAL was emptied. False when other connections were reading: the WAL then
        /// still holds copies of the pages as they were before the purge, until a later
        /// checkpoint overwrites them or every process using the database stops (a clean stop
        /// removes the WAL).
        public let walCleared: Bool
    }

    /// Ids of records whose reference fields point to `id`, deleted or not.
    static func referrers(of target: ResourceKind, id: String, in db: Database) throws -> [String] {
        var found: [String] = []
        for kind in ResourceKind.allCases {
            for spec in kind.fields {
                let sql: String
                switch spec.type {
                case .reference(let referenced) where referenced == target:
                    sql = "SELECT id FROM \(kind.table) WHERE \(spec.name) = ? LIMIT 20"
                case .references(let referenced) where referenced == target:
                    sql = "SELECT id FROM \(kind.table) WHERE EXISTS (SELECT 1 FROM json_each(\(spec.name)) WHERE value = ?) LIMIT 20"
                default:
                    continue
                }
                try db.cachedStatement(sql).forEachRow([.text(id)]) { row in
                    if let referrer = row.text(0), referrer != id { found.append(referrer) }
                }
            }
        }
        return found
    }

    /// Writes a consistent copy of the database to `destination` (which must not exist), with
    /// `VACUUM INTO`: a single file, no WAL, safe to take while the service runs.
    public func backup(to destination: String) throws(StoreError) {
        do {
            try writer.withConnection { db in try db.run("VACUUM INTO ?", [.text(destination)]) }
        } catch {
            throw StoreError.wrap(error)
        }
    }
}
