/// Where a streamed response body goes. Each `write` may block while the client is slow to read
/// (up to the server's write timeout) and throws once the client has gone away, so a producer of a
/// large export stops instead of computing rows nobody will read.
public protocol HTTPBodyWriter {
    /// Sends `bytes` as part of the body (buffered into chunks of a few KiB).
    func write(_ bytes: [UInt8]) throws
}

extension HTTPBodyWriter {
    /// Sends the UTF-8 bytes of `string`.
    public func write(_ string: String) throws {
        try write(Array(string.utf8))
    }
}

/// The body of a response: bytes in memory, or a producer that streams it with chunked encoding
/// so that memory use does not grow with the size of the body.
public enum HTTPResponseBody: Sendable {
    case bytes([UInt8])
    /// Runs on a worker thread after the head has been sent; throwing ends the response
    /// by closing the connection (the client sees an incomplete chunked body, never a truncated success).
    case stream(@Sendable (any HTTPBodyWriter) throws -> Void)

    public static let empty = HTTPResponseBody.bytes([])
}

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
