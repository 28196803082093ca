/// A response: status, header fields and body. `Content-Length` or `Transfer-Encoding`, `Date`
/// and `Connection` are added by the server; a handler does not set them.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: HTTPResponseBody

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: HTTPResponseBody = .empty) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Not an answer: what a handler on an event thread returns when the request turned out to
    /// be costly (a query past a few milliseconds), so that it does not hold the thread's other
    /// connections. The server calls the handler again with the same request on its blocking
    /// pool (``HTTPRequest/onEventThread`` false there); the handler must not have changed
    /// anything the first time. Never sent: status 0 is no HTTP status.
    public static let runOnBlockingPool = HTTPResponse(status: 0)

    /// Whether this is ``runOnBlockingPool``.
    public var isRunOnBlockingPool: Bool { status == 0 }
}
