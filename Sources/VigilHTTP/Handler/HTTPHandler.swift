/// Turns requests into responses. Runs on a worker thread; it may block (a SQLite read, a
/// streamed export) without holding up other connections.
public protocol HTTPHandler: Sendable {
    /// Produces the response for a complete request.
    func handle(_ request: HTTPRequest) -> HTTPResponse

    /// The largest body accepted for this request, decided from the head alone so that a
    /// declared `Content-Length` over it is answered with 413 before the body is read.
    func bodyLimit(for head: HTTPRequestHead) -> Int
}

extension HTTPHandler {
    /// 1 MiB, the limit for JSON bodies.
    public func bodyLimit(for head: HTTPRequestHead) -> Int { HTTPLimits.defaultBodyLimit }
}
