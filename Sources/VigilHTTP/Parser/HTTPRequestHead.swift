/// The request line and header fields of a request, validated, before any of its body is read.
///
/// Handlers see it through ``HTTPHandler/bodyLimit(for:)`` so that the body limit of a route is
/// known before the body is read, and a too-large declared body is answered with 413 unread.
public struct HTTPRequestHead: Sendable, Equatable {
    /// The fields live in one shared box, copied only when a copy is changed: a head is handed
    /// from the parser to the connection, the request and the handler, and copying eleven
    /// fields (seven of them reference counted) at each step was 5% of a by-id request.
    private final class Storage: @unchecked Sendable { // never changed once shared (copy on write below)
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

        init(
            method: String, target: String, rawPath: String, path: String, rawQuery: String?,
            queryItems: [HTTPQueryItem], version: HTTPVersion, headers: HTTPHeaders,
            keepAlive: Bool, expectsContinue: Bool, bodyFraming: HTTPBodyFraming
        ) {
            self.method = method
            self.target = target
            self.rawPath = rawPath
            self.path = path
            self.rawQuery = rawQuery
            self.queryItems = queryItems
            self.version = version
            self.headers = headers
            self.keepAlive = keepAlive
            self.expectsContinue = expectsContinue
            self.bodyFraming = bodyFraming
        }

        func copy() -> Storage {
            Storage(
                method: method, target: target, rawPath: rawPath, path: path, rawQuery: rawQuery,
                queryItems: queryItems, version: version, headers: headers, keepAlive: keepAlive,
                expectsContinue: expectsContinue, bodyFraming: bodyFraming)
        }
    }

    private var storage: Storage

    private var writable: Storage {
        mutating get {
            if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
            return storage
        }
    }

    /// The method token, case-sensitive as received (`GET`, `POST`, ...).
    public var method: String {
        get { storage.method }
        set { writable.method = newValue }
    }
    /// The request-target exactly as received.
    public var target: String {
        get { storage.target }
        set { writable.target = newValue }
    }
    /// The path part of the target, still percent-encoded.
    public var rawPath: String {
        get { storage.rawPath }
        set { writable.rawPath = newValue }
    }
    /// The path, percent-decoded (`+` stays `+`).
    public var path: String {
        get { storage.path }
        set { writable.path = newValue }
    }
    /// The query part of the target without `?`, still percent-encoded; nil when there is no `?`.
    public var rawQuery: String? {
        get { storage.rawQuery }
        set { writable.rawQuery = newValue }
    }
    /// Query items in order, duplicates kept, decoded with `+` as space.
    public var queryItems: [HTTPQueryItem] {
        get { storage.queryItems }
        set { writable.queryItems = newValue }
    }
    public var version: HTTPVersion {
        get { storage.version }
        set { writable.version = newValue }
    }
    public var headers: HTTPHeaders {
        get { storage.headers }
        set { writable.headers = newValue }
    }
    /// Whether the client allows the connection to stay open after this exchange.
    public var keepAlive: Bool {
        get { storage.keepAlive }
        set { writable.keepAlive = newValue }
    }
    /// Whether the client waits for `100 Continue` before sending the body.
    public var expectsContinue: Bool {
        get { storage.expectsContinue }
        set { writable.expectsContinue = newValue }
    }
    public var bodyFraming: HTTPBodyFraming {
        get { storage.bodyFraming }
        set { writable.bodyFraming = newValue }
    }

    public init(
        method: String, target: String, rawPath: String, path: String, rawQuery: String?,
        queryItems: [HTTPQueryItem], version: HTTPVersion, headers: HTTPHeaders,
        keepAlive: Bool, expectsContinue: Bool, bodyFraming: HTTPBodyFraming
    ) {
        storage = Storage(
            method: method, target: target, rawPath: rawPath, path: path, rawQuery: rawQuery,
            queryItems: queryItems, version: version, headers: headers, keepAlive: keepAlive,
            expectsContinue: expectsContinue, bodyFraming: bodyFraming)
    }

    public static func == (lhs: HTTPRequestHead, rhs: HTTPRequestHead) -> Bool {
        if lhs.storage === rhs.storage { return true }
        return lhs.method == rhs.method && lhs.target == rhs.target && lhs.rawPath == rhs.rawPath
            && lhs.path == rhs.path && lhs.rawQuery == rhs.rawQuery && lhs.queryItems == rhs.queryItems
            && lhs.version == rhs.version && lhs.headers == rhs.headers && lhs.keepAlive == rhs.keepAlive
            && lhs.expectsContinue == rhs.expectsContinue && lhs.bodyFraming == rhs.bodyFraming
    }
}
