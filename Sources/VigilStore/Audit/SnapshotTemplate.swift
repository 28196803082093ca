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

    static let timestampLength = 24
    private static let timestampPlaceholder = String(repeating: "0", count: timestampLength)

    /// `values`: the record's field values as bound to its INSERT (``RecordCodec/fieldValues(_:)``).
    init(kind: ResourceKind, values: [SQLValue]) {
        let idPlaceholder = kind.idPrefix + String(repeating: "0", count: RecordIDGenerator.digits)
        let time = SQLValue.text(Self.timestampPlaceholder)
        let state = RecordCodec(kind: kind)
            .decode(BoundRow(values: [.text(idPlaceholder)] + values + [.integer(1), time, time, .null])).state
        var buffer: [UInt8] = []
        buffer.reserveCapacity(2048)
        var offsets: (id: Int, created: Int, updated: Int) = (-1, -1, -1)
        // The top level of JSONValue.write(into:sortedKeys: true), noting where three values start.
        buffer.append(UInt8(ascii: "{"))
        let entries = state.entries
        let order = entries.indices.sorted { JSONValue.utf8Precedes(entries[$0].key, entries[$1].key) }
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
                    UnsafeMutableRawPointer(out.baseAddress! + offset).copyMemory(from: source.baseAddress!, byteCount: source.count)
                }
            }
            put(id, at: idOffset)
            put(time, at: createdOffset)
            put(time, at: updatedOffset)
        }
        return result
    }
}
