/// The audit log as readers see it: a record's history, and the changes feed.
extension Store {
    static let feedKinds = ResourceKind.allCases.map(\.rawValue) + ["links"]

    /// A record's audit entries, oldest first. A record above the caller's clearance is
    /// `notFound`; snapshots from times when it was above are left out.
    public func history(_ kind: ResourceKind, id: String, as context: AccessContext) throws(StoreError) -> [AuditEntry] {
        try read { db in
            guard let current = try Store.load(kind, id: id, in: db, clearance: context.clearance, computed: false),
                  current.confidentiality <= context.clearance
            else { throw StoreError.notFound(kind: kind.rawValue, id: id) }
            let statement = try db.cachedStatement("""
                SELECT seq, at, actor, action, kind, record_id, before, after FROM audit_log
                WHERE record_id = ? AND confidentiality <= ? ORDER BY seq
                """)
            var entries: [AuditEntry] = []
            try statement.forEachRow([.text(id), .integer(Int64(context.clearance.rawValue))]) { row in
                entries.append(Store.decodeEntry(row, context: context))
            }
            return entries
        }
    }

    /// Every change after `since`, in order, that the caller may see (tombstones included).
    public func changes(since: Int64, limit: Int = 100, as context: AccessContext) throws(StoreError) -> ChangesPage {
        guard (1...ListQuery.maximumLimit).contains(limit) else {
            throw .badQuery(parameter: "limit", message: "must be between 1 and \(ListQuery.maximumLimit)")
        }
        guard since >= 0 else { throw .badQuery(parameter: "since", message: "must be a non-negative integer") }
        return try read { db in
            let marks = Store.feedKinds.map { _ in "?" }.joined(separator: ", ")
            let statement = try db.cachedStatement("""
                SELECT seq, at, actor, action, kind, record_id, before, after FROM audit_log
                WHERE seq > ? AND confidentiality <= ? AND kind IN (\(marks)) ORDER BY seq LIMIT ?
                """)
            // An entry is shown only while its record is visible now, too: a record made more
            // secret later must not keep showing its earlier states to those it is now hidden from.
            var visibleNow: [String: Bool] = [:]
            func isVisibleNow(kind: String, id: String) throws(SQLiteError) -> Bool {
                if context.clearance == .confidential { return true }
                guard let resource = ResourceKind(rawValue: kind) else { return false }
                if let known = visibleNow[id] { return known }
                let level = try db.scalar("SELECT confidentiality FROM \(resource.table) WHERE id = ?", [.text(id)])
                var visible = false
                if case .integer(let rank)? = level { visible = rank <= Int64(context.clearance.rawValue) }
                visibleNow[id] = visible
                return visible
            }
            var entries: [AuditEntry] = []
            var scanned = since
            var exhausted = false
            while entries.count <= limit, !exhausted {
                let batch = limit + 1
                var rows = 0
                let arguments: [SQLValue] = [.integer(scanned), .integer(Int64(context.clearance.rawValue))]
                    + Store.feedKinds.map { .text($0) } + [.integer(Int64(batch))]
                try statement.forEachRow(arguments) { (row: Statement) throws(SQLiteError) in
                    rows += 1
                    guard entries.count <= limit else { return }
                    scanned = row.int64(0)
                    if try isVisibleNow(kind: row.text(4) ?? "", id: row.text(5) ?? "") {
                        entries.append(Store.decodeEntry(row, context: context))
                    }
                }
                exhausted = rows < batch
            }
            let hasMore = entries.count > limit
            if hasMore { entries.removeLast() }
            let next = hasMore ? (entries.last?.seq ?? since) : scanned
            return ChangesPage(entries: entries, nextSince: next, hasMore: hasMore)
        }
    }

    static func decodeEntry(_ row: Statement, context: AccessContext) -> AuditEntry {
        let kindName = row.text(4) ?? ""
        let kind = ResourceKind(rawValue: kindName)
        func snapshot(_ column: Int32) -> JSONObject? {
            guard let bytes = row.bytes(column), case .object(let object)? = try? JSONValue.parse(bytes) else {
                return nil
            }
            if kindName == "links" { return context.clearance == .confidential ? object : nil }
            return Redaction.snapshot(object, kind: kind, clearance: context.clearance)
        }
        return AuditEntry(
            seq: row.int64(0), at: row.text(1) ?? "", actor: context.role == .admin ? row.text(2) : nil,
            action: row.text(3) ?? "", kind: kindName, recordID: row.text(5) ?? "", before: snapshot(6),
            after: snapshot(7))
    }
}
