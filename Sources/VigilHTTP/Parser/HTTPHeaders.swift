/// Header fields in the order they arrived, with case-insensitive lookup.
///
/// Order and duplicates are kept because some fields (`Set-Cookie`, repeated list fields) carry
/// meaning in their multiplicity; lookups ignore ASCII case because field names are
/// case-insensitive (RFC 9110 §5.1).
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// One name/value pair as received or as it will be sent.
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// All fields, in order.
    public private(set) var fields: [Field]

    public init() { fields = [] }

    public init(_ pairs: [(String, String)]) {
        fields = pairs.map { Field(name: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// The first value for `name`, compared without regard to ASCII case.
    public subscript(name: String) -> String? {
        for field in fields where asciiCaseInsensitiveEquals(field.name, name) {
            return field.value
        }
        return nil
    }

    /// Every value for `name`, in the order received.
    public func values(for name: String) -> [String] {
        fields.filter { asciiCaseInsensitiveEquals($0.name, name) }.map(\.value)
    }

    /// Whether a field named `name` is present.
    public func contains(_ name: String) -> Bool {
        fields.contains { asciiCaseInsensitiveEquals($0.name, name) }
    }

    public var count: Int { fields.count }
    public var isEmpty: Bool { fields.isEmpty }

    /// Appends a field, keeping any existing ones with the same name.
    public mutating func add(name: String, value: String) {
        // Responses carry a handful of fields: one allocation instead of growing 1, 2, 4.
        if fields.capacity == 0 { fields.reserveCapacity(6) }
        fields.append(Field(name: name, value: value))
    }

    /// Removes every field named `name`, then appends one with `value`.
    public mutating func replaceOrAdd(name: String, value: String) {
        remove(name: name)
        add(name: name, value: value)
    }

    /// Removes every field named `name`.
    public mutating func remove(name: String) {
        // Looked for first: removing from storage shared with another copy copies it, even
        // when nothing matches.
        guard contains(name) else { return }
        fields.removeAll { asciiCaseInsensitiveEquals($0.name, name) }
    }

    public func makeIterator() -> IndexingIterator<[Field]> {
        fields.makeIterator()
    }
}

/// Compares two strings byte-wise, folding ASCII letters only (field names are ASCII tokens).
@inlinable
public func asciiCaseInsensitiveEquals(_ lhs: String, _ rhs: String) -> Bool {
    // Most comparisons are between different names: their lengths (stored) differ.
    guard lhs.utf8.count == rhs.utf8.count else { return false }
    // Read in place when both are stored contiguously (native strings always are): copying them
    // into `var`s for `withUTF8` retained and released both, twice per comparison.
    if let equal = lhs.utf8.withContiguousStorageIfAvailable({ left in
        rhs.utf8.withContiguousStorageIfAvailable { right in asciiCaseInsensitiveEquals(left, right) }
    }), let equal {
        return equal
    }
    var lhs = lhs
    var rhs = rhs
    return lhs.withUTF8 { left in rhs.withUTF8 { right in asciiCaseInsensitiveEquals(left, right) } }
}

@inlinable
func asciiCaseInsensitiveEquals(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Bool {
    guard left.count == right.count else { return false }
    for index in 0..<left.count where asciiLower(left[index]) != asciiLower(right[index]) {
        return false
    }
    return true
}

@inlinable
public func asciiLower(_ byte: UInt8) -> UInt8 {
    (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
}
