import VigilHTTP
import VigilJSON
import VigilStore

/// Reads a request's query string against what the endpoint accepts: anything else is a 400
/// that names it, so a misspelt filter never silently returns everything.
struct QueryParameters {
    let items: [HTTPQueryItem]

    init(_ request: HTTPRequest) {
        items = request.queryItems
    }

    /// The single value of `name`; a repeated parameter is a 400.
    func single(_ name: String) throws -> String? {
        var found: String?
        for item in items where item.name == name {
            guard found == nil else { throw Problem.badRequest("Give \(name) once.") }
            found = item.value
        }
        return found
    }

    /// `true` / `false` (absent: `defaultValue`).
    func flag(_ name: String, default defaultValue: Bool = false) throws -> Bool {
        switch try single(name) {
        case nil: return defaultValue
        case "true"?, "1"?: return true
        case "false"?, "0"?: return false
        case let other?: throw Problem.badRequest("Query parameter \(name) must be true or false, not \"\(other)\".")
        }
    }

    /// A whole number in `range`.
    func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = try single(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw Problem.badRequest(
                "Query parameter \(name) must be a whole number from \(range.lowerBound) to \(range.upperBound).")
        }
        return value
    }

    /// Refuses every parameter not in `allowed` (a few names, given as an array: a `Set` literal
    /// was built on every request, most of which have no parameters at all).
    func refuseUnknown(allowed: [String]) throws {
        if items.isEmpty { return }
        let unknown = items.map(\.name).filter { !allowed.contains($0) }
        guard unknown.isEmpty else {
            let names = Array(Set(unknown)).sorted()
            throw Problem.badRequest(
                "Unknown query parameter(s): \(names.joined(separator: ", ")).",
                errors: names.map { Problem.fieldError($0, "is not a parameter of this endpoint") })
        }
    }

    /// The filters of a list, for endpoints that count rather than page (facets, timeline):
    /// paging parameters are refused.
    func filterQuery(for kind: ResourceKind, extra allowed: Set<String>, sortable: Bool = false) throws -> ListQuery {
        let refused: Set<String> = sortable ? ["limit", "cursor", "count"] : ["sort", "limit", "cursor", "count"]
        let paging = items.map(\.name).filter { refused.contains($0) }
        guard paging.isEmpty else {
            throw Problem.badRequest(
                "\(paging.joined(separator: ", ")) do(es) not apply here: every match is counted or exported.",
                errors: paging.map { Problem.fieldError($0, "is not a parameter of this endpoint") })
        }
        return try listQuery(for: kind, extra: allowed)
    }

    /// The parameters of a list: filters (`field=`, `field.op=`), `sort`, `limit`, `cursor`,
    /// `count`, `updated_since`. Field and value checks happen in the store.
    func listQuery(for kind: ResourceKind, extra allowed: Set<String> = []) throws -> ListQuery {
        var query = ListQuery()
        var unknown: [JSONObject] = []
        for item in items where !Self.reserved.contains(item.name) && !allowed.contains(item.name) {
            let name = item.name
            guard let filter = Filter(parameter: name, value: item.value) else {
                let opName = name[name.index(after: name.lastIndex(of: ".") ?? name.startIndex)...]
                unknown.append(
                    Problem.fieldError(
                        name,
                        "unknown operator \"\(opName)\"; use one of \(FilterOperator.allCases.map(\.rawValue).joined(separator: ", "))"
                    ))
                continue
            }
            let field = filter.field
            guard kind.field(named: field) != nil || ["id", "created_at", "updated_at"].contains(field) else {
                unknown.append(Problem.fieldError(name, "is not a parameter or a field of \(kind.rawValue)"))
                continue
            }
            query.filters.append(filter)
        }
        if !unknown.isEmpty {
            let names = unknown.compactMap { $0["field"]?.stringValue }
            throw Problem.badRequest(
                "Unknown query parameter(s) or operator(s): \(names.joined(separator: ", ")).", errors: unknown)
        }
        if let sort = try single("sort") {
            guard let keys = SortKey.parseList(sort) else {
                throw Problem.badRequest(
                    "sort must be a comma-separated list of fields, each optionally prefixed with -.")
            }
            query.sort = keys
        }
        query.limit = try integer("limit", in: 1...ListQuery.maximumLimit) ?? 50
        query.cursor = try single("cursor")
        query.includeTotal = try flag("count")
        query.updatedSince = try single("updated_since")
        query.search = try single("q")
        return query
    }

    /// The parameters of a list that are not filters.
    private static let reserved: Set<String> = ["sort", "limit", "cursor", "count", "updated_since", "q"]

    /// The query string with `cursor` replaced, for the `Link: rel="next"` header. Written into
    /// one buffer: a string per parameter, joined, was 2% of a 50-record page's instructions.
    func replacingCursor(with cursor: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(128 + cursor.utf8.count)
        for item in items where item.name != "cursor" {
            Self.appendEncoded(item.name, into: &out)
            out.append(UInt8(ascii: "="))
            Self.appendEncoded(item.value, into: &out)
            out.append(UInt8(ascii: "&"))
        }
        out.append(contentsOf: "cursor=".utf8)
        Self.appendEncoded(cursor, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters.
    static func encode(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 16)
        appendEncoded(text, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Byte by byte into one buffer: a page's `Link` header (a long cursor) goes through it on
    /// every request, and appending scalars to a `String` was 4% of a 50-record page's instructions.
    static func appendEncoded(_ text: String, into out: inout [UInt8]) {
        let hex: StaticString = "0123456789ABCDEF"
        var text = text
        text.withUTF8 { bytes in
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                    UInt8(ascii: "~"):
                    out.append(byte)
                default:
                    out.append(UInt8(ascii: "%"))
                    out.append(hex.utf8Start[Int(byte >> 4)])
                    out.append(hex.utf8Start[Int(byte & 15)])
                }
            }
        }
    }
}
