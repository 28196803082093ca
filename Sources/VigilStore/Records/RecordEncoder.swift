import CSQLite
import VigilJSON
import VigilSQLite

/// Encodes a record row straight into JSON text for a caller, executing the access policy's
/// decisions on the way: the read path of every list, get and export.
///
/// It gives byte for byte what decoding the row (``RecordCodec/decode(_:)``), redacting it
/// (``AccessPolicy/redact(_:for:floor:)``) and serializing would give (a test compares the two over every kind and
/// clearance), without building a `JSONObject`, a `String` per column or a dictionary: strings
/// are escaped from SQLite's own buffer into the output. That tree-building was most of the
/// time of a 50-record page.
struct RecordEncoder: @unchecked Sendable {  // its tables are written once, in init, then only read
    let kind: ResourceKind

    /// How a column is written. Slots hold only plain values (no strings, no arrays), so the
    /// loop over them copies nothing that is reference counted.
    private enum Value: UInt8, Sendable {
        case date, level, bool, count, coordinate, json, text
    }

    private struct Slot: Sendable {
        let column: Int32
        let value: Value
        /// `"name":` (and for dates the two bound keys) as ranges of ``keyBytes``.
        let key: Range<Int>
        let earliestKey: Range<Int>
        let latestKey: Range<Int>
    }

    // The tables below live as long as the process (one set per kind, built once) and are held
    // by unsafe pointers: every thread encoding records reads them, and reference-counted
    // arrays shared by two cores made each retain and release bounce a cache line between them
    // (4% of a 50-record page in the profile).
    private let slots: UnsafeBufferPointer<Slot>
    /// The policy's decision for each slot, one run of `slots.count` per clearance, hidden place
    /// or not and protected identity or not (see ``decisionRun``): the row picks its run.
    private let decisions: UnsafeBufferPointer<AccessPolicy.Decision>
    private let keyBytes: UnsafeBufferPointer<UInt8>
    private let confidentialityColumn: Int32?
    private let locationLevelColumn: Int32?
    private let protectedColumn: Int32?
    private let systemColumn: Int32
    /// `"name":` of each computed count, then of id, version, created_at, updated_at, deleted_at.
    private let computedKeys: UnsafeBufferPointer<Range<Int>>
    private let idKey: Range<Int>
    private let versionKey: Range<Int>
    private let createdKey: Range<Int>
    private let updatedKey: Range<Int>
    private let deletedKey: Range<Int>

    private static let encoders = PerKind(RecordEncoder.init(building:))

    init(kind: ResourceKind) {
        self = Self.encoders[kind]
    }

    private static func key(_ name: String) -> [UInt8] {
        var bytes: [UInt8] = []
        JSONWriter.writeKey(name, into: &bytes)
        return bytes
    }

    /// A copy of `elements` that is never freed (see the stored properties).
    private static func immortal<Element>(_ elements: [Element]) -> UnsafeBufferPointer<Element> {
        let buffer = UnsafeMutableBufferPointer<Element>.allocate(capacity: max(1, elements.count))
        _ = buffer.initialize(from: elements)
        return UnsafeBufferPointer(rebasing: buffer[0..<elements.count])
    }

    private init(building kind: ResourceKind) {
        self.kind = kind
        var slots: [Slot] = []
        var keyBytes: [UInt8] = []
        func addKey(_ name: String) -> Range<Int> {
            let start = keyBytes.count
            keyBytes += Self.key(name)
            return start..<keyBytes.count
        }
        var column: Int32 = 1
        var columns: [String: Int32] = [:]
        for spec in kind.fields {
            columns[spec.name] = column
            let value: Value =
                switch spec.type {
                case .date: .date
                case .level: .level
                case .bool: .bool
                case .count: .count
                case .coordinate: .coordinate
                case .codes, .strings, .references: .json
                case .text, .url, .code, .country, .reference: .text
                }
            slots.append(
                Slot(
                    column: column, value: value, key: addKey(spec.name), earliestKey: addKey(spec.name + "_earliest"),
                    latestKey: addKey(spec.name + "_latest")))
            column += Int32(spec.columns.count)
        }
        let computed = kind.computedFields.map(addKey)
        idKey = addKey("id")
        versionKey = addKey("version")
        createdKey = addKey("created_at")
        updatedKey = addKey("updated_at")
        deletedKey = addKey("deleted_at")
        self.slots = Self.immortal(slots)
        let policy = AccessPolicy(kind)
        var decisions: [AccessPolicy.Decision] = []
        for clearance in Confidentiality.allCases {
            for placeHidden in [false, true] {
                for identityProtected in [false, true] {
                    decisions += policy.decisions(
                        clearance: clearance, placeHidden: placeHidden, identityProtected: identityProtected)
                }
            }
        }
        self.decisions = Self.immortal(decisions)
        self.keyBytes = Self.immortal(keyBytes)
        self.computedKeys = Self.immortal(computed)
        confidentialityColumn = policy.recordLevelField.flatMap { columns[$0] }
        locationLevelColumn = policy.placeLevelField.flatMap { columns[$0] }
        protectedColumn = policy.identityGuardField.flatMap { columns[$0] }
        systemColumn = column
    }

    /// The record on `row` (columns as in ``RecordCodec/columns`` then the computed counts) as
    /// `clearance` may see it.
    func encode(_ row: Statement, for clearance: Confidentiality) -> Record {
        var scratch = ByteWriter(capacity: 2048)
        return encode(row, for: clearance, using: &scratch)
    }

    /// The same, written in `scratch` first (emptied here): a page reuses one writer for all its
    /// rows, so each record is one allocation.
    func encode(_ row: Statement, for clearance: Confidentiality, using out: inout ByteWriter) -> Record {
        let own = confidentialityColumn.map { level(row, $0) ?? .confidential } ?? .confidential
        let placeLevel = AccessPolicy.placeLevel(own: own, declared: locationLevelColumn.flatMap { level(row, $0) })
        let isProtected = protectedColumn.map { !row.isNull($0) && row.int64($0) != 0 } ?? false
        let run = decisionRun(
            clearance: clearance, placeHidden: locationLevelColumn != nil && clearance < placeLevel,
            identityProtected: isProtected)

        let keys = keyBytes
        out.removeAll()
        out.append(UInt8(ascii: "{"))
        out.append(bytes: UnsafeBufferPointer(rebasing: keys[idKey]))
        writeText(row, 0, into: &out)
        for index in 0..<slots.count {
            let decision = decisions[run + index]
            if decision == .omitted { continue }
            let slot = slots[index]
            out.append(UInt8(ascii: ","))
            out.append(bytes: UnsafeBufferPointer(rebasing: keys[slot.key]))
            writeValue(row, slot, decision, keys: keys, placeLevel: placeLevel, into: &out)
        }
        var column = systemColumn
        for key in computedKeys {
            out.append(UInt8(ascii: ","))
            out.append(bytes: UnsafeBufferPointer(rebasing: keys[key]))
            JSONWriter.writeInt(row.int64(column + 4), into: &out)
            column += 1
        }
        column = systemColumn
        out.append(UInt8(ascii: ","))
        out.append(bytes: UnsafeBufferPointer(rebasing: keys[versionKey]))
        let version = row.int64(column)
        JSONWriter.writeInt(version, into: &out)
        out.append(UInt8(ascii: ","))
        out.append(bytes: UnsafeBufferPointer(rebasing: keys[createdKey]))
        writeText(row, column + 1, into: &out)
        out.append(UInt8(ascii: ","))
        out.append(bytes: UnsafeBufferPointer(rebasing: keys[updatedKey]))
        writeText(row, column + 2, into: &out)
        let isDeleted = !row.isNull(column + 3)
        if isDeleted {
            out.append(UInt8(ascii: ","))
            out.append(bytes: UnsafeBufferPointer(rebasing: keys[deletedKey]))
            writeText(row, column + 3, into: &out)
        }
        out.append(UInt8(ascii: "}"))
        return Record(kind: kind, id: row.text(0) ?? "", version: version, isDeleted: isDeleted, encoded: out.bytes())
    }

    /// Where the decisions for a row start in ``decisions`` (the order its init fills them in).
    private func decisionRun(clearance: Confidentiality, placeHidden: Bool, identityProtected: Bool) -> Int {
        ((clearance.rawValue * 2 + (placeHidden ? 1 : 0)) * 2 + (identityProtected ? 1 : 0)) * slots.count
    }

    private func writeValue(
        _ row: Statement, _ slot: Slot, _ decision: AccessPolicy.Decision, keys: UnsafeBufferPointer<UInt8>,
        placeLevel: Confidentiality, into out: inout ByteWriter
    ) {
        let column = slot.column
        switch decision {
        case .placeLevel:
            writeLevel(placeLevel, into: &out)
            return
        case .coarsened:
            JSONWriter.writeString(AccessPolicy.coarsened(row.text(column)), into: &out)
            return
        case .label:
            JSONWriter.writeString(AccessPolicy.protectedNameLabel, into: &out)
            return
        case .shown, .omitted:
            break
        }
        switch slot.value {
        case .text:
            writeTextOrNull(row, column, into: &out)
            return
        case .json:
            // Stored as the compact JSON text this module wrote; sent as it is.
            row.withTextOrNil(column) { bytes in
                guard let bytes else { return JSONWriter.writeNull(into: &out) }
                if bytes.isEmpty {
                    out.append(UInt8(ascii: "["))
                    out.append(UInt8(ascii: "]"))
                } else {
                    out.append(bytes: bytes)
                }
            }
            return
        default:
            break
        }
        if row.isNull(column) {
            JSONWriter.writeNull(into: &out)
            if slot.value == .date {
                out.append(UInt8(ascii: ","))
                out.append(bytes: UnsafeBufferPointer(rebasing: keys[slot.earliestKey]))
                JSONWriter.writeNull(into: &out)
                out.append(UInt8(ascii: ","))
                out.append(bytes: UnsafeBufferPointer(rebasing: keys[slot.latestKey]))
                JSONWriter.writeNull(into: &out)
            }
            return
        }
        switch slot.value {
        case .date:
            writeText(row, column, into: &out)
            out.append(UInt8(ascii: ","))
            out.append(bytes: UnsafeBufferPointer(rebasing: keys[slot.earliestKey]))
            writeTextOrNull(row, column + 1, into: &out)
            out.append(UInt8(ascii: ","))
            out.append(bytes: UnsafeBufferPointer(rebasing: keys[slot.latestKey]))
            writeTextOrNull(row, column + 2, into: &out)
        case .level:
            writeLevel(level(row, column) ?? .confidential, into: &out)
        case .bool:
            JSONWriter.writeBool(row.int64(column) != 0, into: &out)
        case .count:
            JSONWriter.writeInt(row.int64(column), into: &out)
        case .coordinate:
            JSONWriter.writeDouble(row.double(column), into: &out)
        case .json, .text:
            break  // written above
        }
    }

    private func level(_ row: Statement, _ column: Int32) -> Confidentiality? {
        row.isNull(column) ? nil : (Confidentiality(rawValue: Int(row.int64(column))) ?? .confidential)
    }

    /// `"public"`, `"restricted"` or `"confidential"`: a few per record, written from constants.
    private func writeLevel(_ level: Confidentiality, into out: inout ByteWriter) {
        let quoted: StaticString =
            switch level {
            case .public: "\"public\""
            case .restricted: "\"restricted\""
            case .confidential: "\"confidential\""
            }
        out.append(bytes: UnsafeBufferPointer(start: quoted.utf8Start, count: quoted.utf8CodeUnitCount))
    }

    /// A text column as a JSON string (NULL as the empty string, as decoding does).
    private func writeText(_ row: Statement, _ column: Int32, into out: inout ByteWriter) {
        row.withBytes(column) { JSONWriter.writeString(utf8: $0, into: &out) }
    }

    private func writeTextOrNull(_ row: Statement, _ column: Int32, into out: inout ByteWriter) {
        row.withTextOrNil(column) { bytes in
            if let bytes { JSONWriter.writeString(utf8: bytes, into: &out) } else { JSONWriter.writeNull(into: &out) }
        }
    }
}
