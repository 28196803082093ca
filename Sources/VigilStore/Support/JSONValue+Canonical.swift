import VigilJSON

extension JSONValue {
    /// The value serialized with object keys sorted: one byte sequence per value, which is what
    /// the audit chain hashes and `verify` compares.
    var canonicalText: String { String(decoding: serialized(sortedKeys: true), as: UTF8.self) }
}
