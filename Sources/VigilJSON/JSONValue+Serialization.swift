import Glibc

extension JSONValue {
    /// The compact JSON text of this value as UTF-8 bytes.
    ///
    /// With `sortedKeys`, object keys are ordered by their UTF-8 bytes at every level, giving one
    /// canonical byte form per value; the audit chain hashes that form, so it must never change.
    public func serialized(sortedKeys: Bool = false) -> [UInt8] {
        var buffer: [UInt8] = []
        write(into: &buffer, sortedKeys: sortedKeys)
        return buffer
    }

    /// Appends the compact JSON text of this value to `buffer`, so a response can be built in
    /// one allocation.
    public func write(into buffer: inout [UInt8], sortedKeys: Bool = false) {
        switch self {
        case .null:
            JSONWriter.writeNull(into: &buffer)
        case .bool(let value):
            JSONWriter.writeBool(value, into: &buffer)
        case .int(let value):
            JSONWriter.writeInt(value, into: &buffer)
        case .double(let value):
            JSONWriter.writeDouble(value, into: &buffer)
        case .string(let value):
            JSONWriter.writeString(value, into: &buffer)
        case .array(let elements):
            buffer.append(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { buffer.append(UInt8(ascii: ",")) }
                first = false
                element.write(into: &buffer, sortedKeys: sortedKeys)
            }
            buffer.append(UInt8(ascii: "]"))
        case .object(let object):
            buffer.append(UInt8(ascii: "{"))
            var first = true
            if sortedKeys {
                // Positions are sorted rather than entries: moving an entry copies its value
                // (retain and release), moving an Int does not.
                let entries = object.entries
                let order = entries.indices.sorted { JSONValue.utf8Precedes(entries[$0].key, entries[$1].key) }
                for position in order {
                    let entry = entries[position]
                    if !first { buffer.append(UInt8(ascii: ",")) }
                    first = false
                    JSONWriter.writeKey(entry.key, into: &buffer)
                    entry.value.write(into: &buffer, sortedKeys: true)
                }
            } else {
                for entry in object.entries {
                    if !first { buffer.append(UInt8(ascii: ",")) }
                    first = false
                    JSONWriter.writeKey(entry.key, into: &buffer)
                    entry.value.write(into: &buffer, sortedKeys: false)
                }
            }
            buffer.append(UInt8(ascii: "}"))
        }
    }

    /// Whether `left`'s UTF-8 bytes order before `right`'s (unsigned bytes, a prefix first): the
    /// canonical key order. The same order as `left.utf8.lexicographicallyPrecedes(right.utf8)`,
    /// compared with one `memcmp` instead of two iterators (sorting an audited record's keys
    /// was a tenth of its audit entry).
    public static func utf8Precedes(_ left: String, _ right: String) -> Bool {
        var left = left
        var right = right
        return left.withUTF8 { a in
            right.withUTF8 { b in
                let common = min(a.count, b.count)
                if common > 0 {
                    let order = memcmp(a.baseAddress!, b.baseAddress!, common)
                    if order != 0 { return order < 0 }
                }
                return a.count < b.count
            }
        }
    }

    /// The compact JSON text as a `String`, for logs, tests and text columns.
    public var serializedString: String {
        String(decoding: serialized(), as: UTF8.self)
    }
}
