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
}
