/// The request line and header fields of a request, validated, before any of its body is read.
///
/// Handlers see it through ``HTTPHandler/bodyLimit(for:)`` so that the body limit of a route is
/// known before the body is read, and a too-large declared body is answered with 413 unread.
public struct HTTPRequestHead: Sendable, Equatable {
    /// The fields, in one box shared by copies and copied only when a copy is changed: a head is
    /// handed from the parser to the connection, the request and the handler, and copying eleven
    /// fields (seven of them reference counted) at each step was 5% of a by-id request.
    private struct Fields: Equatable {
        var method: String
        var target: String
        var rawPath: String
        var path: String
        var rawQuery: String?
        var queryItems: [HTTPQueryItem]
        var version: HTTPVersion
        var headers: HTTPHeaders
        var keepAlive: Bool
        var expectsContinue: Bool
        var bodyFraming: HTTPBodyFraming
    }

    private final class Box: @unchecked Sendable {  // never changed once shared (see `fields`)
        var fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var box: Box

    /// The fields to change, in a box of this copy's own (reads go to `box` directly).
    private var fields: Fields {
        get { box.fields }
        _modify {
            if !isKnownUniquelyReferenced(&box) { box = Box(box.fields) }
            yield &box.fields
        }
    }

    /// The method token, case-sensitive as received (`GET`, `POST`, ...).
    public var method: String {
        get { box.fields.method }
        set { fields.method = newValue }
    }
    /// The request-target exactly as received.
    public var target: String {
        get { box.fields.target }
        set { fields.target = newValue }
    }
    /// The path part of the target, still percent-encoded.
    public var rawPath: String {
        get { box.fields.rawPath }
        set { fields.rawPath = newValue }
    }
    /// The path, percent-decoded (`+` stays `+`).
    public var path: String {
        get { box.fields.path }
        set { fields.path = newValue }
    }
    /// The query part of the target without `?`, still percent-encoded; nil when there is no `?`.
    public var rawQuery: String? {
        get { box.fields.rawQuery }
        set { fields.rawQuery = newValue }
    }
    /// Query items in order, duplicates kept, decoded with `+` as space.
    public var queryItems: [HTTPQueryItem] {
        get { box.fields.queryItems }
        set { fields.queryItems = newValue }
    }
    public var version: HTTPVersion {
        get { box.fields.version }
        set { fields.version = newValue }
    }
    public var headers: HTTPHeaders {
        get { box.fields.headers }
        set { fields.headers = newValue }
    }
    /// Whether the client allows the connection to stay open after this exchange.
    public var keepAlive: Bool {
        get { box.fields.keepAlive }
        set { fields.keepAlive = newValue }
    }
    /// Whether the client waits for `100 Continue` before sending the body.
    public var expectsContinue: Bool {
        get { box.fields.expectsContinue }
        set { fields.expectsContinue = newValue }
    }
    public var bodyFraming: HTTPBodyFraming {
        get { box.fields.bodyFraming }
        set { fields.bodyFraming = newValue }
    }

    public init(
        method: String, target: String, rawPath: String, path: String, rawQuery: String?,
        queryItems: [HTTPQueryItem], version: HTTPVersion, headers: HTTPHeaders,
        keepAlive: Bool, expectsContinue: Bool, bodyFraming: HTTPBodyFraming
    ) {
        box = Box(
            Fields(
                method: method, target: target, rawPath: rawPath, path: path, rawQuery: rawQuery,
                queryItems: queryItems, version: version, headers: headers, keepAlive: keepAlive,
                expectsContinue: expectsContinue, bodyFraming: bodyFraming))
    }

    public static func == (lhs: HTTPRequestHead, rhs: HTTPRequestHead) -> Bool {
        lhs.box === rhs.box || lhs.box.fields == rhs.box.fields
    }
}
