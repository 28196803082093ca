/// A JSON object: key/value pairs with unique keys, kept in insertion order.
///
/// Order is kept so that records come back with their fields in the order Vigil wrote them,
/// which makes responses readable and diffs stable. Equality and hashing ignore order, as RFC 8259
/// objects are unordered: `{"a":1,"b":2}` equals `{"b":2,"a":1}`. For a canonical byte form (for
/// hashing), serialize with `sortedKeys: true`.
///
/// Keys compare as Swift strings (Unicode canonical equivalence), so two keys that differ only in
/// normalization are the same key.
public struct JSONObject: Sendable, Hashable, Sequence {
    /// One key/value pair as yielded by iteration.
    public typealias Element = (key: String, value: JSONValue)

    /// One stored pair: read in place by encoders that walk an object's entries in order.
    public struct Entry: Sendable {
        public internal(set) var key: String
        public internal(set) var value: JSONValue

        @usableFromInline init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// Objects with more entries than this get a dictionary index; smaller ones are scanned,
    /// which is faster than hashing for the typical record of a few dozen fields.
    static let indexThreshold = 32

    /// The pairs in insertion order.
    public internal(set) var entries: [Entry]
    var index: [String: Int]?

    /// Creates an empty object.
    public init() {
        entries = []
        index = nil
    }

    /// Creates an object from pairs in order. If a key occurs more than once, the later value
    /// replaces the earlier one, which keeps its original position; this initializer never traps.
    /// (The parser, by contrast, refuses duplicate keys.)
    public init(_ pairs: [(String, JSONValue)]) {
        self.init()
        entries.reserveCapacity(pairs.count)
        for (key, value) in pairs {
            self[key] = value
        }
    }

    /// The number of keys.
    public var count: Int { entries.count }

    /// Whether the object has no keys.
    public var isEmpty: Bool { entries.isEmpty }

    /// The keys in insertion order.
    public var keys: [String] { entries.map(\.key) }

    /// Reads, replaces or removes (by assigning `nil`) the value for `key`. Replacing keeps the
    /// key's position; a new key goes at the end.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let position = position(of: key) else { return nil }
            return entries[position].value
        }
        set {
            if let position = position(of: key) {
                if let newValue {
                    entries[position].value = newValue
                } else {
                    entries.remove(at: position)
                    rebuildIndex()
                }
            } else if let newValue {
                entries.append(Entry(key: key, value: newValue))
                if index != nil {
                    index?[key] = entries.count - 1
                } else if entries.count > Self.indexThreshold {
                    rebuildIndex()
                }
            }
        }
    }

    /// Whether `key` is present (even with a `null` value).
    public func contains(key: String) -> Bool {
        position(of: key) != nil
    }

    /// Appends a pair whose key the caller has just checked is absent (the parser does so to
    /// report duplicates with their offset), skipping a second search.
    public mutating func appendUnchecked(_ key: String, _ value: JSONValue) {
        entries.append(Entry(key: key, value: value))
        if index != nil {
            index?[key] = entries.count - 1
        } else if entries.count > Self.indexThreshold {
            rebuildIndex()
        }
    }

    func position(of key: String) -> Int? {
        if let index { return index[key] }
        for position in entries.indices where entries[position].key == key {
            return position
        }
        return nil
    }

    private mutating func rebuildIndex() {
        guard entries.count > Self.indexThreshold else {
            index = nil
            return
        }
        var newIndex = [String: Int](minimumCapacity: entries.count)
        for (position, entry) in entries.enumerated() {
            newIndex[entry.key] = position
        }
        index = newIndex
    }

    /// Iterates the pairs in insertion order.
    public struct Iterator: IteratorProtocol {
        @usableFromInline var base: IndexingIterator<[Entry]>

        /// Returns the next pair, or `nil` at the end.
        @inlinable
        public mutating func next() -> Element? {
            guard let entry = base.next() else { return nil }
            return (key: entry.key, value: entry.value)
        }
    }

    /// Returns an iterator over the pairs in insertion order.
    public func makeIterator() -> Iterator {
        Iterator(base: entries.makeIterator())
    }

    /// Order-insensitive equality: same keys, each with an equal value.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.entries.count == rhs.entries.count else { return false }
        for entry in lhs.entries {
            guard let other = rhs[entry.key], other == entry.value else { return false }
        }
        return true
    }

    /// Order-insensitive hashing, consistent with `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(entries.count)
        var combined = 0
        for entry in entries {
            var pairHasher = Hasher()
            pairHasher.combine(entry.key)
            pairHasher.combine(entry.value)
            combined ^= pairHasher.finalize()
        }
        hasher.combine(combined)
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// Builds an object from a literal, mainly for tests and fixed response bodies. Later
    /// duplicates replace earlier values, as with `init(_:)`.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }
}
