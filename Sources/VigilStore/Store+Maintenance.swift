import VigilJSON
import VigilSQLite

/// Operations for the machine's owner: erase a record for good, copy the database.
extension Store {
    /// Removes a record (or a link) for good, when erasing it is the safety measure.
    ///
    /// The row is deleted with `secure_delete` on, and so are its links. The text of its audit
    /// snapshots is erased, and so is that of every link that ever joined it, removed ones
    /// included (a link's snapshots hold both its ends and its note): their digests stay, so the
    /// chain still verifies. So are the stored idempotency answers that created it. Then one
    /// `purge` entry per link and a hash-only one for the record are appended: the changes feed
    /// shows those and none of the erased entries (``PurgeEntry`` says to whom). Then its kind's
    /// full-text indexes, one per level, are each rewritten into one segment (FTS5 deletes by
    /// adding a marker, and the words of a deleted document stay in older segments until they
    /// are merged: about a second per 100,000 incidents per index, with writes waiting), and the
    /// WAL is checkpointed and truncated so no copy of the old pages is left in it. A record other records still point to is refused:
    /// purge or edit those first. Admins only.
    ///
    /// The ids themselves stay in the chain's entries (each entry's hash covers its record's id),
    /// but the erased entries are shown to no reader: of the record and its links, the feed keeps
    /// only the purge entries. (Another record's past snapshots may still hold the id, from when
    /// it referred to the record; a purge is refused only while a record still does.)
    ///
    /// The WAL can only be truncated when no other connection is reading (the checkpoint waits
    /// up to the busy timeout); ``PurgeReport/walCleared`` says whether it was.
    @discardableResult
    public func purge(id: String, as context: AccessContext) throws(StoreError) -> PurgeReport {
        try context.require(.admin, to: "purging records")
        let (answersErased, linksErased) = try write { db -> (Int, Int) in
            let kind = ResourceKind(id: id)
            let state: JSONObject
            let level: Confidentiality
            // Every link that ever joined the record, with the level its purge entry gets.
            var links: [(id: String, level: Confidentiality)] = []
            if let kind {
                guard let stored = try Store.load(kind, id: id, in: db, clearance: .confidential, computed: false)
                else {
                    throw StoreError.notFound(kind: kind.rawValue, id: id)
                }
                state = stored.state
                level = stored.confidentiality
                let referrers = try Store.referrers(of: kind, id: id, in: db)
                if !referrers.isEmpty {
                    throw StoreError.conflict(
                        "\(id) is still referenced by \(referrers.prefix(5).joined(separator: ", "))"
                            + (referrers.count > 5 ? " and \(referrers.count - 5) more" : "")
                            + "; purge or edit those first")
                }
                if kind == .incidents || kind == .sites {
                    links = try Store.linksEverJoining(kind, id: id, in: db)
                    let column = kind == .incidents ? "incident_id" : "site_id"
                    try db.run("DELETE FROM incident_sites WHERE \(column) = ?", [.text(id)])
                }
                try db.run("DELETE FROM \(kind.table) WHERE id = ?", [.text(id)])
            } else if id.hasPrefix("lnk_"), let link = try Store.loadLink(id, in: db) {
                state = link
                level = try Store.linkLevel(
                    incidentID: link["incident_id"]?.stringValue, siteID: link["site_id"]?.stringValue, in: db)
                try db.run("DELETE FROM incident_sites WHERE id = ?", [.text(id)])
            } else {
                throw StoreError.notFound(kind: "records", id: id)
            }
            let now = Timestamp.now()
            for erased in [id] + links.map(\.id) {
                try db.run("UPDATE audit_log SET before = NULL, after = NULL WHERE record_id = ?", [.text(erased)])
            }
            for link in links {
                try AuditLog.append(
                    to: db, actor: context.actor, action: .purge, kind: "links", recordID: link.id,
                    before: PurgeEntry.snapshot(level: link.level, digest: nil), after: nil, at: now)
            }
            let digest = Hex.sha256(JSONValue.object(state).canonicalText)
            try AuditLog.append(
                to: db, actor: context.actor, action: .purge, kind: kind?.rawValue ?? "links", recordID: id,
                before: PurgeEntry.snapshot(level: level, digest: digest), after: nil, at: now)
            let erased = try Store.erasePurgedAnswers(reporting: id, in: db)
            if let kind {
                for fts in SearchIndex.tables(for: kind) {
                    try db.run("INSERT INTO \(fts) (\(fts)) VALUES ('optimize')")
                }
            }
            return (erased, links.count)
        }
        do {
            // busy, frames in the WAL, frames checkpointed: busy is 1 when readers kept it from
            // finishing, and then the WAL was not truncated.
            let busy = try writer.withConnection { db -> Bool in
                var busy = true
                try db.makeStatement("PRAGMA wal_checkpoint(TRUNCATE)").forEachRow { row in busy = row.int64(0) != 0 }
                return busy
            }
            return PurgeReport(answersErased: answersErased, linksErased: linksErased, walCleared: !busy)
        } catch {
            throw StoreError.wrap(error)
        }
    }

    /// What a purge did beyond deleting the record.
    public struct PurgeReport: Sendable, Equatable {
        /// Stored idempotency answers erased because they held the record.
        public let answersErased: Int
        /// Links that had joined the record (current or removed before) whose history was erased
        /// with it.
        public let linksErased: Int
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
                    sql =
                        "SELECT id FROM \(kind.table) WHERE EXISTS (SELECT 1 FROM json_each(\(spec.name)) WHERE value = ?) LIMIT 20"
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

    /// Every link that ever joined the incident or site `id`, those removed before included, in
    /// the order they were first made, each with the level of its purge entry. Removed links are
    /// found by their audit snapshots, which hold both ends: a plain scan of the log's link
    /// entries (the id's bytes first, then the JSON), as purges are rare. Called before the
    /// record is deleted, so its own end still counts (``linkLevel(incidentID:siteID:in:)``).
    static func linksEverJoining(
        _ kind: ResourceKind, id: String, in db: Database
    ) throws -> [(id: String, level: Confidentiality)] {
        let (end, otherEnd) = kind == .incidents ? ("incident_id", "site_id") : ("site_id", "incident_id")
        var otherEnds: [(link: String, other: String?)] = []
        var seen = Set<String>()
        func add(_ link: String, other: String?) {
            if seen.insert(link).inserted { otherEnds.append((link, other)) }
        }
        try db.cachedStatement(
            """
            SELECT record_id, after, before FROM audit_log
            WHERE kind = 'links' AND (instr(after, ?) > 0 OR instr(before, ?) > 0) ORDER BY seq
            """
        ).forEachRow([.text(id), .text(id)]) { row in
            for snapshot in [row.bytes(1), row.bytes(2)] {
                guard let snapshot, case .object(let link)? = try? JSONValue.parse(snapshot),
                    link[end]?.stringValue == id, let linkID = row.text(0)
                else { continue }
                add(linkID, other: link[otherEnd]?.stringValue)
                break
            }
        }
        // The current ones too, should a link have no entry (inserted behind Vigil's back).
        try db.cachedStatement("SELECT id, \(otherEnd) FROM incident_sites WHERE \(end) = ? ORDER BY id")
            .forEachRow([.text(id)]) { row in
                if let linkID = row.text(0) { add(linkID, other: row.text(1)) }
            }
        return try otherEnds.map { link in
            let (incident, site) = kind == .incidents ? (id, link.other) : (link.other, id)
            return (link.link, try Store.linkLevel(incidentID: incident, siteID: site, in: db))
        }
    }

    /// A link's level: the higher of its two ends' (a reader sees a link when it sees both), or
    /// confidential when an end is missing.
    static func linkLevel(incidentID: String?, siteID: String?, in db: Database) throws -> Confidentiality {
        guard let incident = try incidentID.flatMap({ try Store.storedLevel(.incidents, id: $0, in: db) }),
            let site = try siteID.flatMap({ try Store.storedLevel(.sites, id: $0, in: db) })
        else { return .confidential }
        return max(incident, site)
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
