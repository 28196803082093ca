import VigilJSON
import VigilSQLite

/// The audit log as readers see it: a record's history, and the changes feed.
extension Store {
    static let feedKinds = ResourceKind.allCases.map(\.rawValue) + ["links"]

    /// A record's audit entries, oldest first. A record above the caller's clearance is
    /// `notFound`; snapshots from times when it was above are left out. Each entry carries a
    /// sealed feed position, not its seq, whose gaps would count every write in between.
    public func history(_ kind: ResourceKind, id: String, as context: AccessContext) throws(StoreError) -> [AuditEntry]
    {
        try read { db in
            guard let current = try Store.load(kind, id: id, in: db, clearance: context.clearance, computed: false),
                current.confidentiality <= context.clearance
            else { throw StoreError.notFound(kind: kind.rawValue, id: id) }
            let statement = try db.cachedStatement(
                """
                SELECT seq, at, actor, action, kind, record_id, before, after FROM audit_log
                WHERE record_id = ? AND confidentiality <= ? ORDER BY seq
                """)
            let reader = SnapshotReader(db: db, context: context, positions: positions(for: context))
            reader.know(current)
            var rows: [AuditRow] = []
            try statement.forEachRow([.text(id), .integer(Int64(context.clearance.rawValue))]) { row in
                rows.append(AuditRow(row))
            }
            return try rows.map(reader.entry)
        }
    }

    /// Every change after `since`, in order, that the caller may see (tombstones included).
    ///
    /// `since` is a sealed position this feed issued at the caller's clearance (a page's
    /// `nextSince` or an entry's `position`; nil: from the beginning); anything else is a
    /// `badQuery` naming `since`. See ``FeedPosition`` for why positions are sealed.
    public func changes(since: String? = nil, limit: Int = 100, as context: AccessContext) throws(StoreError)
        -> ChangesPage
    {
        guard (1...ListQuery.maximumLimit).contains(limit) else {
            throw .badQuery(parameter: "limit", message: "must be between 1 and \(ListQuery.maximumLimit)")
        }
        let positions = positions(for: context)
        var start: Int64 = 0
        if let since { start = try positions.open(since) }
        return try read { db in
            let marks = Store.feedKinds.map { _ in "?" }.joined(separator: ", ")
            // A link entry has no level of its own (it is stored as confidential): it is shown
            // when both its ends are visible now, which `SnapshotReader.isVisibleNow` decides.
            let statement = try db.cachedStatement(
                """
                SELECT seq, at, actor, action, kind, record_id, before, after FROM audit_log
                WHERE seq > ? AND (confidentiality <= ? OR kind = 'links') AND kind IN (\(marks)) ORDER BY seq LIMIT ?
                """)
            let reader = SnapshotReader(db: db, context: context, positions: positions)
            var entries: [AuditEntry] = []
            var scanned = start
            var exhausted = false
            while entries.count <= limit, !exhausted {
                let batch = limit + 1
                var rows: [AuditRow] = []
                let arguments: [SQLValue] =
                    [.integer(scanned), .integer(Int64(context.clearance.rawValue))]
                    + Store.feedKinds.map { .text($0) } + [.integer(Int64(batch))]
                try statement.forEachRow(arguments) { (row: Statement) throws(SQLiteError) in rows.append(AuditRow(row))
                }
                exhausted = rows.count < batch
                for row in rows {
                    guard entries.count <= limit else { break }
                    scanned = row.seq
                    if try reader.isVisibleNow(row) { entries.append(try reader.entry(row)) }
                }
            }
            let hasMore = entries.count > limit
            if hasMore { entries.removeLast() }
            // With more to come, resume after the last entry given; otherwise after everything
            // scanned, so that the hidden entries at the end are not scanned again next time.
            // Either way only the seal leaves this function.
            let next = hasMore ? (entries.last?.seq ?? start) : scanned
            return ChangesPage(entries: entries, nextSince: positions.seal(next), hasMore: hasMore)
        }
    }

    /// The sealer for positions given to, and taken from, a caller of this clearance.
    func positions(for context: AccessContext) -> FeedPosition.Sealer {
        FeedPosition.Sealer(key: feedKey, clearance: context.clearance)
    }
}

/// One audit log row as read, before the caller's rules are applied.
struct AuditRow {
    let seq: Int64
    let at: String
    let actor: String?
    let action: String
    let kind: String
    let recordID: String
    let before: [UInt8]?
    let after: [UInt8]?

    init(_ row: Statement) {
        seq = row.int64(0)
        at = row.text(1) ?? ""
        actor = row.text(2)
        action = row.text(3) ?? ""
        kind = row.text(4) ?? ""
        recordID = row.text(5) ?? ""
        before = row.bytes(6)
        after = row.bytes(7)
    }
}

/// Turns audit rows into entries as one caller may see them, judged by the records as they are
/// now as well as by the snapshots: an entry of a record now hidden from the caller is left out;
/// a snapshot is redacted with the stricter of its own protection and its record's current one
/// (a source protected later must not show its name in earlier entries); references to records
/// the caller cannot see are taken out, as in every other output. Lookups are remembered for
/// one answer.
final class SnapshotReader {
    private let db: Database
    private let context: AccessContext
    /// Seals each entry's `position`.
    private let positions: FeedPosition.Sealer
    /// By record id: its current level and protection; nil when it is not in the database.
    private var current: [String: (level: Confidentiality, protection: AccessPolicy.Protection)?] = [:]
    /// By referenced id: whether the caller may see it.
    private var referenceVisible: [String: Bool] = [:]

    init(db: Database, context: AccessContext, positions: FeedPosition.Sealer) {
        self.db = db
        self.context = context
        self.positions = positions
    }

    /// Records `record`'s current state, already loaded by the caller.
    func know(_ record: StoredRecord) {
        current[record.id] = (record.confidentiality, AccessPolicy(record.kind).protection(of: record.state))
    }

    private func currentState(_ kind: ResourceKind, id: String) throws -> (
        level: Confidentiality, protection: AccessPolicy.Protection
    )? {
        if let known = current[id] { return known }
        let loaded = try Store.load(kind, id: id, in: db, clearance: context.clearance, computed: false)
            .map { ($0.confidentiality, AccessPolicy(kind).protection(of: $0.state)) }
        current[id] = loaded
        return loaded
    }

    /// Whether a record of `kind` with this id exists and is at or below the caller's clearance.
    private func isVisible(_ kind: ResourceKind, id: String) throws -> Bool {
        if context.clearance == .confidential { return true }
        if let known = referenceVisible[id] { return known }
        let visible = try Store.storedLevel(kind, id: id, in: db).map { $0 <= context.clearance } ?? false
        referenceVisible[id] = visible
        return visible
    }

    /// Whether the entry's record (for a link, both its ends) is visible to the caller now: a
    /// record made more secret later must not keep showing its earlier states to those it is now
    /// hidden from.
    func isVisibleNow(_ row: AuditRow) throws -> Bool {
        // Purge entries, and the entries a purge erased, have their own rules.
        if let shown = PurgeEntry.feedVisibility(of: row, clearance: context.clearance) { return shown }
        if context.clearance == .confidential { return true }
        if row.kind == "links" {
            guard let link = Self.object(row.after ?? row.before),
                case .string(let incident)? = link["incident_id"], case .string(let site)? = link["site_id"]
            else { return false }
            return try isVisible(.incidents, id: incident) && isVisible(.sites, id: site)
        }
        guard let kind = ResourceKind(rawValue: row.kind) else { return false }
        // The record's current state is needed for its snapshots anyway (`entry`): one read.
        return try currentState(kind, id: row.recordID).map { $0.level <= context.clearance } ?? false
    }

    func entry(_ row: AuditRow) throws -> AuditEntry {
        let kind = ResourceKind(rawValue: row.kind)
        // At full clearance nothing is hidden, whatever the protection: no current state to read.
        let floor =
            context.clearance == .confidential
            ? nil : try kind.flatMap { try currentState($0, id: row.recordID)?.protection }
        func snapshot(_ bytes: [UInt8]?) throws -> JSONObject? {
            if row.action == AuditLog.Action.purge.rawValue {
                return PurgeEntry.shown(bytes, clearance: context.clearance)
            }
            guard let object = Self.object(bytes) else { return nil }
            guard let kind else {
                // A link: shown when both ends are visible (checked by the feed; a record's history
                // holds no link entries).
                return try isVisibleNow(row) ? object : nil
            }
            guard var state = AccessPolicy.snapshot(object, kind: kind, clearance: context.clearance, floor: floor)
            else { return nil }
            try hideReferences(in: &state, kind: kind)
            return state
        }
        return AuditEntry(
            seq: row.seq, position: positions.seal(row.seq), at: row.at,
            actor: context.role == .admin ? row.actor : nil,
            action: row.action, kind: row.kind, recordID: row.recordID, before: try snapshot(row.before),
            after: try snapshot(row.after))
    }

    /// Removes a reference to a record the caller cannot see, as if it were unset (a snapshot
    /// holds only the fields that are set, so a key left as null would single it out), and drops
    /// such ids from lists of references, as ``AccessPolicy`` does for records read from
    /// their tables.
    private func hideReferences(in state: inout JSONObject, kind: ResourceKind) throws {
        guard context.clearance < .confidential else { return }
        for spec in kind.fields {
            switch spec.type {
            case .reference(let target):
                if case .string(let id)? = state[spec.name], try !isVisible(target, id: id) { state[spec.name] = nil }
            case .references(let target):
                guard case .array(let items)? = state[spec.name] else { continue }
                var kept: [JSONValue] = []
                for item in items {
                    if case .string(let id) = item, try !isVisible(target, id: id) { continue }
                    kept.append(item)
                }
                state[spec.name] = .array(kept)
            default:
                continue
            }
        }
    }

    private static func object(_ bytes: [UInt8]?) -> JSONObject? {
        guard let bytes, case .object(let object)? = try? JSONValue.parse(bytes) else { return nil }
        return object
    }
}
