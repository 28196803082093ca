import VigilJSON
import VigilSQLite

/// Maps a kind's fields to its table's columns and back: the only place that knows how a
/// field is laid out in SQL.
struct RecordCodec: Sendable {
    let kind: ResourceKind
    /// Columns read for a record, in order: id, every field column, then the system columns.
    let columns: [String]
    /// `r.id, r.title, …` for a SELECT over the table aliased `r`.
    let selectList: String
    /// `INSERT INTO kind (…) VALUES (?, …)`.
    let insertSQL: String
    /// `UPDATE kind SET … WHERE id = ?`: every field column, version and updated_at.
    let updateSQL: String
    /// By clearance level: the counts computed on read differ per level.
    private let computedSelectLists: [String]
    /// By clearance level: one record by id with its computed counts.
    private let selectByIDs: [String]
    /// By clearance level: see ``outputJoins(for:)``.
    private let outputJoins: [String]

    /// The codec of `kind`, built once: its SQL text is the key of cached statements, so building
    /// it on every request would cost string work and hashing for nothing.
    init(kind: ResourceKind) {
        self = Self.codecs[kind]
    }

    private static let codecs = PerKind(RecordCodec.init(building:))

    /// ``selectByID(withComputedFor:)`` of `kind` without copying its codec, for the by-id read
    /// that every GET of a record makes.
    static func selectByID(_ kind: ResourceKind, withComputedFor clearance: Confidentiality) -> String {
        codecs[kind].selectByIDs[clearance.rawValue]
    }

    private init(building kind: ResourceKind) {
        self.kind = kind
        columns = ["id"] + kind.fields.flatMap(\.columns) + ["version", "created_at", "updated_at", "deleted_at"]
        selectList = columns.map { "r." + $0 }.joined(separator: ", ")
        let names = columns.filter { $0 != "deleted_at" }
        let marks = Array(repeating: "?", count: names.count).joined(separator: ", ")
        insertSQL = "INSERT INTO \(kind.table) (\(names.joined(separator: ", "))) VALUES (\(marks))"
        let updated = kind.fields.flatMap(\.columns) + ["version", "updated_at", "deleted_at"]
        updateSQL = "UPDATE \(kind.table) SET " + updated.map { "\($0) = ?" }.joined(separator: ", ") + " WHERE id = ?"
        let lists = Confidentiality.allCases.map { clearance in
            Self.visibleSelectList(kind, clearance: clearance)
                + ComputedFields.selectList(for: kind, clearance: clearance)
        }
        computedSelectLists = lists
        let joins = Confidentiality.allCases.map { clearance in
            ComputedFields.join(for: kind, clearance: clearance)
                + Self.visibleReferenceJoins(kind, clearance: clearance)
        }
        outputJoins = joins
        selectByIDs = Confidentiality.allCases.map { clearance in
            "SELECT \(lists[clearance.rawValue]) FROM \(kind.table) r\(joins[clearance.rawValue]) "
                + "WHERE r.id = ? AND \(AccessPolicy.recordVisible("r", clearance: clearance))"
        }
    }

    /// The alias of the visible record a reference field names (see ``visibleReferenceJoins``).
    private static func referenceAlias(_ field: String) -> String { "v_" + field }

    /// One `LEFT JOIN` per single reference of `kind`, bringing in the record it names only when
    /// `clearance` may see it: the select list reads the id from there. A join seeks each
    /// referenced row once per statement with cursors opened once, where a correlated subquery
    /// re-ran per row (a page of 50 allegations: 288 against 336 µs in SQL alone, 74 without).
    private static func visibleReferenceJoins(_ kind: ResourceKind, clearance: Confidentiality) -> String {
        guard clearance < .confidential else { return "" }
        var joins = ""
        for spec in kind.fields {
            guard case .reference(let target) = spec.type else { continue }
            let alias = referenceAlias(spec.name)
            joins +=
                " LEFT JOIN \(target.table) \(alias) ON \(alias).id = r.\(spec.name)"
                + " AND " + AccessPolicy.recordVisible(alias, clearance: clearance)
        }
        return joins
    }

    /// ``selectList`` as `clearance` may read it (see ``AccessPolicy/visibleReferences(_:to:clearance:)``): single references
    /// from the joins of ``visibleReferenceJoins(_:clearance:)``, lists filtered.
    ///
    /// Only for what is shown: the stored references themselves are read with ``selectList``.
    private static func visibleSelectList(_ kind: ResourceKind, clearance: Confidentiality) -> String {
        var items = ["r.id"]
        for spec in kind.fields {
            let column = "r." + spec.name
            switch spec.type {
            case .reference where clearance < .confidential:
                items.append(referenceAlias(spec.name) + ".id")
            case .references(let target) where clearance < .confidential:
                items.append(AccessPolicy.visibleReferences(column, to: target, clearance: clearance))
            default:
                items += spec.columns.map { "r." + $0 }
            }
        }
        items += ["r.version", "r.created_at", "r.updated_at", "r.deleted_at"]
        return items.joined(separator: ", ")
    }

    /// The SELECT list of a record as `clearance` is shown it (references it may not see read as
    /// NULL, see ``visibleSelectList(_:clearance:)``) plus the computed counts; the FROM clause
    /// must add ``outputJoins(for:)``. Never for a state that is written back or audited.
    func selectList(withComputedFor clearance: Confidentiality) -> String { computedSelectLists[clearance.rawValue] }

    /// One record by id with its computed counts for `clearance`: no row when the record is
    /// above it (the policy's visibility is in the SQL, not checked after the read).
    func selectByID(withComputedFor clearance: Confidentiality) -> String { selectByIDs[clearance.rawValue] }

    /// The joins ``selectList(withComputedFor:)`` reads from: the kept counts row and the visible
    /// records named by references.
    func outputJoins(for clearance: Confidentiality) -> String { outputJoins[clearance.rawValue] }

    /// The values for the field columns, in column order.
    func fieldValues(_ fields: JSONObject) -> [SQLValue] {
        var values: [SQLValue] = []
        for spec in kind.fields {
            let value = fields[spec.name]
            switch spec.type {
            case .date:
                if case .string(let text)? = value, let date = try? UncertainDate(parsing: text) {
                    values += [.text(text), .text(date.earliest), .text(date.latest)]
                } else {
                    values += [.null, .null, .null]
                }
            case .level:
                if case .string(let name)? = value, let level = Confidentiality(name: name) {
                    values.append(.integer(Int64(level.rawValue)))
                } else {
                    values.append(.null)
                }
            case .bool:
                if case .bool(let flag)? = value { values.append(.bool(flag)) } else { values.append(.null) }
            case .codes, .strings, .references:
                values.append(.text((value ?? .array([])).serializedString))
            case .count:
                if case .int(let number)? = value { values.append(.integer(number)) } else { values.append(.null) }
            case .coordinate:
                if let number = value?.doubleValue { values.append(.real(number)) } else { values.append(.null) }
            case .text, .url, .code, .country, .reference:
                if case .string(let text)? = value { values.append(.text(text)) } else { values.append(.null) }
            }
        }
        return values
    }

    /// Reads the row `statement` is on (columns as in ``columns``, then computed counts).
    func decode(_ row: some RecordRow) -> StoredRecord {
        // Every name below is written once (the catalog's names are distinct from the bookkeeping
        // ones): appended without searching the keys before it.
        var state = JSONObject()
        var bounds = JSONObject()
        var column: Int32 = 0
        state.appendUnchecked("id", .string(row.text(column) ?? ""))
        column += 1
        for spec in kind.fields {
            defer { column += 1 }
            if row.isNull(column) {
                if case .date = spec.type { column += 2 }
                continue
            }
            switch spec.type {
            case .date:
                state.appendUnchecked(spec.name, .string(row.text(column) ?? ""))
                guard let names = spec.boundNames else {
                    preconditionFailure("date field \(spec.name) without bound names")
                }
                bounds.appendUnchecked(names.earliest, row.text(column + 1).map(JSONValue.string) ?? .null)
                bounds.appendUnchecked(names.latest, row.text(column + 2).map(JSONValue.string) ?? .null)
                column += 2
            case .level:
                let level = Confidentiality(rawValue: Int(row.int64(column))) ?? .confidential
                state.appendUnchecked(spec.name, .string(level.name))
            case .bool:
                state.appendUnchecked(spec.name, .bool(row.int64(column) != 0))
            case .count:
                state.appendUnchecked(spec.name, .int(row.int64(column)))
            case .coordinate:
                state.appendUnchecked(spec.name, .double(row.double(column)))
            case .codes, .strings, .references:
                let parsed = row.bytes(column).flatMap { try? JSONValue.parse($0) } ?? .array([])
                state.appendUnchecked(spec.name, parsed)
            case .text, .url, .code, .country, .reference:
                state.appendUnchecked(spec.name, .string(row.text(column) ?? ""))
            }
        }
        state.appendUnchecked("version", .int(row.int64(column)))
        state.appendUnchecked("created_at", .string(row.text(column + 1) ?? ""))
        state.appendUnchecked("updated_at", .string(row.text(column + 2) ?? ""))
        if let deleted = row.text(column + 3) { state.appendUnchecked("deleted_at", .string(deleted)) }
        column += 4
        var computed = JSONObject()
        for name in kind.computedFields where column < row.columnCount {
            computed.appendUnchecked(name, .int(row.int64(column)))
            column += 1
        }
        return StoredRecord(kind: kind, state: state, bounds: bounds, computed: computed)
    }
}

/// A record as read from its table: the stored state (what the audit log records), the date
/// bounds derived from it, and the counts computed for the reader.
struct StoredRecord {
    let kind: ResourceKind
    /// Every stored field plus id, version, timestamps and `deleted_at` when tombstoned.
    var state: JSONObject
    /// `F_earliest` / `F_latest` for each date field that is set.
    var bounds: JSONObject
    /// The computed counts, already limited to what the reader may see.
    var computed: JSONObject

    var id: String { state["id"]?.stringValue ?? "" }
    var version: Int64 { state["version"]?.intValue ?? 0 }
    var isDeleted: Bool { state["deleted_at"] != nil }
    var confidentiality: Confidentiality {
        state["confidentiality"]?.stringValue.flatMap(Confidentiality.init(name:)) ?? .confidential
    }

    /// The user-settable fields alone: the base a merge patch applies to.
    var fields: JSONObject {
        var fields = JSONObject()
        for spec in kind.fields {
            if let value = state[spec.name] { fields[spec.name] = value }
        }
        return fields
    }

    /// The canonical bytes of the stored state: what the audit log records and `verify` compares.
    var canonicalState: String { JSONValue.object(state).canonicalText }
}

/// The columns ``RecordCodec/decode(_:)`` reads: a statement's current row, or the values just
/// bound to a record's INSERT (``BoundRow``).
protocol RecordRow {
    var columnCount: Int32 { get }
    func isNull(_ index: Int32) -> Bool
    func text(_ index: Int32) -> String?
    func int64(_ index: Int32) -> Int64
    func double(_ index: Int32) -> Double
    func bytes(_ index: Int32) -> [UInt8]?
}

extension Statement: RecordRow {}

/// A row made of the values bound to an INSERT, read as SQLite reads the stored row back: what
/// the store just wrote, without a SELECT on the writer thread (every write waits for it). The
/// columns are ``RecordCodec/columns``: the insert's values, then `deleted_at` (NULL). It holds
/// only for tables whose triggers never change the row they fire for, as Vigil's do; `verify`
/// compares every record with its last audit entry, which is built from this row.
struct BoundRow: RecordRow {
    let values: [SQLValue]

    var columnCount: Int32 { Int32(values.count) }

    func isNull(_ index: Int32) -> Bool {
        if case .null = values[Int(index)] { return true }
        return false
    }

    func text(_ index: Int32) -> String? {
        switch values[Int(index)] {
        case .null: nil
        case .text(let text): text
        case .integer(let number): String(number)
        case .real(let number): "\(number)"
        case .blob(let bytes): String(decoding: bytes, as: UTF8.self)
        }
    }

    func int64(_ index: Int32) -> Int64 {
        switch values[Int(index)] {
        case .integer(let number): number
        case .real(let number): number.isNaN ? 0 : Int64(max(-9.0e18, min(9.0e18, number)))  // never traps
        case .text(let text): Int64(text) ?? 0
        case .null, .blob: 0
        }
    }

    func double(_ index: Int32) -> Double {
        switch values[Int(index)] {
        case .real(let number): number
        case .integer(let number): Double(number)
        case .text(let text): Double(text) ?? 0
        case .null, .blob: 0
        }
    }

    func bytes(_ index: Int32) -> [UInt8]? {
        switch values[Int(index)] {
        case .null: nil
        case .text(let text): Array(text.utf8)
        case .blob(let bytes): bytes
        case .integer, .real: text(index).map { Array($0.utf8) }
        }
    }
}
