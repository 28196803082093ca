import Synchronization
import VigilJSON
import VigilSQLite

/// A record's audit snapshot for its creation, serialized in its canonical form (sorted keys,
/// as ``JSONValue/serialized(sortedKeys:)``) before the write, with placeholders where the values
/// only the writer knows go: the id (assigned on the writer thread, so that ids follow commit
/// order) and the two timestamps. The writer thread, which every write waits for, then copies
/// those in instead of building and serializing the state (a sixth of its instructions per
/// created incident, docs/performance.md).
///
/// The placeholders have the exact length of the values (an id is its prefix and 26 digits, a
/// timestamp 24 characters) and, like them, need no escaping, so the filled bytes are the bytes
/// the state would serialize to; ``filled(id:at:)`` refuses anything else.
struct SnapshotTemplate {
    private let bytes: [UInt8]
    private let idOffset: Int
    private let createdOffset: Int
    private let updatedOffset: Int
    private let idLength: Int
    /// The snapshot's confidentiality, which the audit entry records.
    let level: Confidentiality
    /// The record as stored, decoded with the placeholders: ``stored(id:at:)`` gives the created
    /// record from it after the commit without decoding the row a second time.
    private let placeholderRecord: StoredRecord

    static let timestampLength = 24
    private static let timestampPlaceholder = String(repeating: "0", count: timestampLength)
    private static let idDigitsPlaceholder = String(repeating: "0", count: RecordIDGenerator.digits)

    /// The positions of a state's entries in sorted key order. A state holds the fields that are
    /// set, in catalog order, so creates that set the same fields (a client entering one kind of
    /// record, a benchmark) have the same keys: the order is sorted once per kind and reused while
    /// the keys match (sorting forty keys was a quarter of a template's instructions). Other keys
    /// are sorted afresh and remembered in their place.
    private static func sortedOrder(of entries: [JSONObject.Entry], kind: ResourceKind) -> [Int] {
        if let known = keyOrders.withLock({ $0[kind] }), known.keys.count == entries.count,
            zip(known.keys, entries).allSatisfy({ $0 == $1.key })
        {
            return known.order
        }
        let order = entries.indices.sorted { JSONValue.utf8Precedes(entries[$0].key, entries[$1].key) }
        keyOrders.withLock { $0[kind] = KeyOrder(keys: entries.map(\.key), order: order) }
        return order
    }

    private struct KeyOrder: Sendable {
        let keys: [String]
        let order: [Int]
    }

    private static let keyOrders = Mutex<[ResourceKind: KeyOrder]>([:])

    /// `values`: the record's field values as bound to its INSERT (``RecordCodec/fieldValues(_:)``).
    init(kind: ResourceKind, values: [SQLValue]) {
        let idPlaceholder = kind.idPrefix + Self.idDigitsPlaceholder
        let time = SQLValue.text(Self.timestampPlaceholder)
        let decoded = RecordCodec(kind: kind)
            .decode(BoundRow(values: [.text(idPlaceholder)] + values + [.integer(1), time, time, .null]))
        let state = decoded.state
        var buffer: [UInt8] = []
        buffer.reserveCapacity(2048)
        var offsets: (id: Int, created: Int, updated: Int) = (-1, -1, -1)
        // The top level of JSONValue.write(into:sortedKeys: true), noting where three values start.
        buffer.append(UInt8(ascii: "{"))
        let entries = state.entries
        let order = Self.sortedOrder(of: entries, kind: kind)
        for (rank, position) in order.enumerated() {
            let entry = entries[position]
            if rank > 0 { buffer.append(UInt8(ascii: ",")) }
            JSONWriter.writeKey(entry.key, into: &buffer)
            let start = buffer.count + 1  // after the opening quote of a string value
            switch entry.key {
            case "id": offsets.id = start
            case "created_at": offsets.created = start
            case "updated_at": offsets.updated = start
            default: break
            }
            entry.value.write(into: &buffer, sortedKeys: true)
        }
        buffer.append(UInt8(ascii: "}"))
        bytes = buffer
        (idOffset, createdOffset, updatedOffset) = offsets
        idLength = idPlaceholder.utf8.count
        level = AuditLog.level(of: state)
        placeholderRecord = decoded
    }

    /// The record as stored with `id` and creation time `time`: the decoded row of the template
    /// with the three values only the write made put in place (the same values ``filled(id:at:)``
    /// puts into the bytes; nothing else in a stored record depends on them).
    func stored(id: String, at time: String) -> StoredRecord {
        var record = placeholderRecord
        record.state["id"] = .string(id)
        record.state["created_at"] = .string(time)
        record.state["updated_at"] = .string(time)
        return record
    }

    /// The snapshot's canonical bytes with the record's id and creation time in place, or nil
    /// when either has a length other than its placeholder's (the caller then serializes the
    /// state itself).
    func filled(id: String, at time: String) -> [UInt8]? {
        guard idOffset >= 0, createdOffset >= 0, updatedOffset >= 0,
            id.utf8.count == idLength, time.utf8.count == Self.timestampLength
        else { return nil }
        var result = bytes
        result.withUnsafeMutableBufferPointer { out in
            func put(_ text: String, at offset: Int) {
                var text = text
                text.withUTF8 { source in
                    UnsafeMutableRawPointer(out.baseAddress! + offset).copyMemory(
                        from: source.baseAddress!, byteCount: source.count)
                }
            }
            put(id, at: idOffset)
            put(time, at: createdOffset)
            put(time, at: updatedOffset)
        }
        return result
    }
}
