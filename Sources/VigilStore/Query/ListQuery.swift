/// What a list request asks for, in the store's terms. The API fills it from query parameters;
/// the store checks every name and value against the kind's whitelists.
public struct ListQuery: Sendable {
    /// `field=value` and `field.op=value` conditions, all of which must hold.
    public var filters: [Filter] = []
    /// Sort keys, most significant first; `id` is always the final tie-breaker.
    public var sort: [SortKey] = []
    /// Page size, 1…1000.
    public var limit: Int = 50
    /// The opaque cursor from a previous page's `nextCursor`.
    public var cursor: String?
    /// True to count every match (`count=true`).
    public var includeTotal: Bool = false
    /// Only records updated at or after this RFC 3339 time.
    public var updatedSince: String?
    /// Full-text search (`q=`): words that must all appear; ranked by bm25 unless `sort` is
    /// given, and each record gets a `snippet`. Always treated as text, never as FTS syntax.
    public var search: String?

    public init() {}

    /// The largest page a client may ask for.
    public static let maximumLimit = 1000
}

/// One filter condition from the query string.
public struct Filter: Sendable, Hashable {
    /// The field name (`country`, `occurred`, …).
    public let field: String
    /// The comparison.
    public let op: FilterOperator
    /// The raw value as the client sent it.
    public let value: String

    public init(field: String, op: FilterOperator, value: String) {
        self.field = field
        self.op = op
        self.value = value
    }

    /// Reads a query parameter `field` or `field.op` with its value; nil when `op` is not an
    /// operator. The field name is checked later, against the kind's catalog.
    public init?(parameter name: String, value: String) {
        guard let dot = name.lastIndex(of: ".") else {
            self.init(field: name, op: .eq, value: value)
            return
        }
        guard let op = FilterOperator(rawValue: String(name[name.index(after: dot)...])) else { return nil }
        self.init(field: String(name[..<dot]), op: op, value: value)
    }

    /// The query parameter name the client used, for error messages.
    public var parameter: String { op == .eq ? field : "\(field).\(op.rawValue)" }
}

/// The comparisons of the brief: `field.op=value`.
public enum FilterOperator: String, Sendable, CaseIterable {
    case eq, ne, gt, gte, lt, lte
    case `in`, nin, contains, null
}

/// One sort key: a field and a direction (`-occurred` is descending).
public struct SortKey: Sendable, Hashable {
    public let field: String
    public let descending: Bool

    public init(field: String, descending: Bool) {
        self.field = field
        self.descending = descending
    }

    /// Parses `-occurred,country` into keys; nil for an empty item.
    public static func parseList(_ text: String) -> [SortKey]? {
        var keys: [SortKey] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            var name = Substring(part)
            var descending = false
            if name.hasPrefix("-") {
                descending = true
                name = name.dropFirst()
            } else if name.hasPrefix("+") {
                name = name.dropFirst()
            }
            guard !name.isEmpty else { return nil }
            keys.append(SortKey(field: String(name), descending: descending))
        }
        return keys
    }

    var text: String { (descending ? "-" : "") + field }
}

/// One page of a list.
public struct Page: Sendable {
    /// The records, as the caller may see them.
    public let records: [Record]
    /// The cursor for the next page; nil on the last page.
    public let nextCursor: String?
    /// Every match, when asked for.
    public let total: Int?
}
