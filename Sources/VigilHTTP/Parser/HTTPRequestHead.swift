/// The request line and header fields of a request, validated, before any of its body is read.
///
/// Handlers see it through ``HTTPHandler/bodyLimit(for:)`` so that the body limit of a route is
/// known before the body is read, and a too-large declared body is answered with 413 unread.
public struct HTTPRequestHead: Sendable, Equatable {
    /// The method token, case-sensitive as received (`GET`, `POST`, ...).
    public var method: String
    /// The request-target exactly as received.
    public var target: String
    /// The path part of the target, still percent-encoded.
    public var rawPath: String
    /// The path, percent-decoded (`+` stays `+`).
    public var path: String
    /// The query part of the target without `?`, still percent-encoded; nil when there is no `?`.
    public var rawQuery: String?
    /// Query items in order, duplicates kept, decoded with `+` as space.
    public var queryItems: [HTTPQueryItem]
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    /// Whether the client allows the connection to stay open after this exchange.
    public var keepAlive: Bool
    /// Whether the client waits for `100 Continue` before sending the body.
    public var expectsContinue: Bool
    public var bodyFraming: HTTPBodyFraming

    public init(
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
}
