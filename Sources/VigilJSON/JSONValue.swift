/// A JSON document held in memory.
///
/// Vigil reads request bodies, import rows and stored record snapshots as `JSONValue`, so every
/// layer agrees on one representation. Numbers keep their kind: an integer that fits in `Int64`
/// stays exact (`.int`), anything else becomes a finite `.double`. There is no case for NaN or
/// infinity, because JSON cannot express them.
public enum JSONValue: Sendable, Hashable {
    /// JSON `null`.
    case null
    /// JSON `true` or `false`.
    case bool(Bool)
    /// A number written without fraction or exponent that fits in `Int64`.
    case int(Int64)
    /// Any other number; always finite when produced by the parser.
    case double(Double)
    /// A string, already unescaped.
    case string(String)
    /// An ordered list of values.
    case array([JSONValue])
    /// An object whose keys are unique and keep their insertion order.
    case object(JSONObject)
}

extension JSONValue {
    /// The string, if this is a `.string`; lets validators read fields without a `switch`.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The integer, if this is an `.int`. A double is never converted, even when integral, so a
    /// client sending `1.0` for an integer field gets a validation error rather than a guess.
    public var intValue: Int64? {
        if case .int(let value) = self { return value }
        return nil
    }

    /// The number as a `Double`, from either an `.int` or a `.double` (for coordinates and the like).
    public var doubleValue: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }

    /// The Boolean, if this is a `.bool`.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements, if this is an `.array`.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The object, if this is an `.object`.
    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// Whether this is JSON `null`; distinguishes an explicit `null` (e.g. a merge-patch removal)
    /// from an absent key.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}
