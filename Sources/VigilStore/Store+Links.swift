import VigilJSON
import VigilSQLite

/// Incident–site links: a link has a role, an optional period and note, and an id of its own so
/// the audit log can name it. A caller sees a link only when it may see both ends.
extension Store {
    /// Links an incident to one or more sites (`value` is a link object or an array of them),
    /// in one transaction. Linking the same site in the same role twice is a conflict.
    public func link(incidentID: String, _ value: JSONValue, as context: AccessContext) throws(StoreError)
        -> [JSONObject]
    {
        try context.require(.editor, to: "linking records")
        let links: [LinkInput]
        switch LinkInput.parseList(value, field: "", clearance: context.clearance) {
        case .success(let parsed): links = parsed
        case .failure(let failure): throw Store.linkErrors(failure.errors, array: value.isJSONArray)
        }
        if links.isEmpty { throw .validation([FieldError("sites", "give at least one link")]) }
        return try write { db in
            _ = try Store.visibleLiveRecord(.incidents, id: incidentID, in: db, context: context)
            var errors: [FieldError] = []
            for (index, link) in links.enumerated() {
                errors += try link.referenceErrors(
                    in: db, clearance: context.clearance, field: value.isJSONArray ? "[\(index)]" : "")
            }
            if !errors.isEmpty { throw Store.linkErrors(errors, array: value.isJSONArray) }
            let now = Timestamp.now()
            var created: [JSONObject] = []
            for link in links {
                created.append(
                    try Store.insertLink(link, incidentID: incidentID, in: db, actor: context.actor, at: now))
            }
            return created
        }
    }

    /// Errors of a link body: for an array, by item index as a batch's are (`[2].role` becomes
    /// item 2's `role`); for one object, by field.
    static func linkErrors(_ errors: [FieldError], array: Bool) -> StoreError {
        func unprefixed(_ field: Substring) -> String { String(field.drop(while: { $0 == "." })) }
        let byField = StoreError.validation(errors.map { FieldError(unprefixed(Substring($0.field)), $0.message) })
        guard array else { return byField }
        var byIndex: [Int: [FieldError]] = [:]
        for error in errors {
            let field = Substring(error.field)
            guard field.hasPrefix("["), let close = field.firstIndex(of: "]"),
                let index = Int(field[field.index(after: field.startIndex)..<close])
            else { return byField }
            byIndex[index, default: []].append(
                FieldError(unprefixed(field[field.index(after: close)...]), error.message))
        }
        return .batchValidation(byIndex)
    }

    /// Removes one link (by its id), recording it in the audit log.
    public func unlink(incidentID: String, linkID: String, as context: AccessContext) throws(StoreError) {
        try context.require(.editor, to: "unlinking records")
        try write { db in
            _ = try Store.visibleLiveRecord(.incidents, id: incidentID, in: db, context: context)
            guard let link = try Store.loadLink(linkID, in: db), link["incident_id"] == .string(incidentID),
                case .string(let siteID)? = link["site_id"],
                try Store.referenceProblem(.sites, id: siteID, in: db, clearance: context.clearance) == nil
            else { throw StoreError.notFound(kind: "links", id: linkID) }
            try db.run("DELETE FROM incident_sites WHERE id = ?", [.text(linkID)])
            try AuditLog.append(
                to: db, actor: context.actor, action: .unlink, kind: "links", recordID: linkID,
                before: link, after: nil, at: Timestamp.now())
        }
    }

    /// The sites linked to an incident that the caller may see, ordered by period (undated first,
    /// as in embedded lists and every ascending sort) then id.
    public func links(ofIncident incidentID: String, as context: AccessContext) throws(StoreError) -> [JSONObject] {
        try read { db in
            _ = try Store.visibleLiveRecord(.incidents, id: incidentID, in: db, context: context)
            let statement = try db.cachedStatement(
                """
                SELECT \(Store.linkColumns.map { "l." + $0 }.joined(separator: ", ")) FROM incident_sites l
                JOIN sites s ON s.id = l.site_id
                WHERE l.incident_id = ? AND s.deleted_at IS NULL AND s.confidentiality <= ?
                ORDER BY l.period_earliest, l.id
                """)
            var result: [JSONObject] = []
            try statement.forEachRow([.text(incidentID), .integer(Int64(context.clearance.rawValue))]) { row in
                result.append(Store.decodeLink(row))
            }
            return result
        }
    }

    static let linkColumns = [
        "id", "incident_id", "site_id", "role", "period", "period_earliest", "period_latest", "note", "version",
        "created_at", "updated_at",
    ]

    static func decodeLink(_ row: Statement) -> JSONObject {
        var object = JSONObject()
        for (index, name) in linkColumns.enumerated() {
            let column = Int32(index)
            if name == "version" {
                object[name] = .int(row.int64(column))
            } else {
                object[name] = row.text(column).map(JSONValue.string) ?? .null
            }
        }
        return object
    }

    static func loadLink(_ id: String, in db: Database) throws -> JSONObject? {
        let statement = try db.cachedStatement(
            "SELECT \(linkColumns.joined(separator: ", ")) FROM incident_sites WHERE id = ?")
        var result: JSONObject?
        try statement.forEachRow([.text(id)]) { row in result = decodeLink(row) }
        return result
    }

    /// Inserts one link and its audit entry; returns the stored link.
    static func insertLink(_ link: LinkInput, incidentID: String, in db: Database, actor: String, at now: String) throws
        -> JSONObject
    {
        let exists = try db.scalar(
            "SELECT id FROM incident_sites WHERE incident_id = ? AND site_id = ? AND role = ?",
            [.text(incidentID), .text(link.siteID), .text(link.role)])
        if exists != nil {
            throw StoreError.conflict("incident \(incidentID) is already linked to \(link.siteID) as \(link.role)")
        }
        let id = RecordIDGenerator.shared.next(prefix: "lnk_")
        let bounds = link.period.flatMap { try? UncertainDate(parsing: $0) }
        try db.run(
            """
            INSERT INTO incident_sites (id, incident_id, site_id, role, period, period_earliest, period_latest, note,
                version, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
            """,
            [
                .text(id), .text(incidentID), .text(link.siteID), .text(link.role), .text(link.period),
                .text(bounds?.earliest), .text(bounds?.latest), .text(link.note), .text(now), .text(now),
            ])
        guard let stored = try loadLink(id, in: db) else { throw StoreError.notFound(kind: "links", id: id) }
        try AuditLog.append(
            to: db, actor: actor, action: .link, kind: "links", recordID: id, before: nil, after: stored, at: now)
        return stored
    }
}

extension JSONValue {
    var isJSONArray: Bool {
        if case .array = self { return true }
        return false
    }
}
