/// A complete request as handlers see it: head, body read in full (within the route's limit),
/// trailers, the path parameters the router matched, and who sent it.
public struct HTTPRequest: Sendable {
    /// The validated request line and header fields.
    public var head: HTTPRequestHead
    public var body: [UInt8]
    /// Trailer fields of a chunked body (empty otherwise).
    public var trailers: HTTPHeaders
    /// Values captured from `{name}` segments of the matched route pattern, percent-decoded.
    public var pathParameters: [String: String]
    /// The peer as `address:port` (`[v6]:port` for IPv6).
    public var peerAddress: String
    /// Whether the handler runs on an event thread, which serves other connections too (false on
    /// the blocking pool). A handler that finds it will be slow there answers
    /// ``HTTPResponse/runOnBlockingPool`` and is called again on the pool.
    public var onEventThread = true

    public init(
        head: HTTPRequestHead, body: [UInt8] = [], trailers: HTTPHeaders = HTTPHeaders(),
        pathParameters: [String: String] = [:], peerAddress: String = ""
    ) {
        self.head = head
        self.body = body
        self.trailers = trailers
        self.pathParameters = pathParameters
        self.peerAddress = peerAddress
    }

    public var method: String { head.method }
    /// The percent-decoded path.
    public var path: String { head.path }
    /// The path as received, still percent-encoded.
    public var rawPath: String { head.rawPath }
    public var queryItems: [HTTPQueryItem] { head.queryItems }
    public var headers: HTTPHeaders { head.headers }
    public var version: HTTPVersion { head.version }

    /// The first query value named `name`, if any.
    public func queryValue(_ name: String) -> String? {
        head.queryItems.first { $0.name == name }?.value
    }
}
