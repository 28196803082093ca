/// The body of a response: bytes in memory, or a producer that streams it with chunked encoding
/// so that memory use does not grow with the size of the body.
public enum HTTPResponseBody: Sendable {
    case bytes([UInt8])
    /// Runs on a worker thread after the head has been sent; throwing ends the response
    /// by closing the connection (the client sees an incomplete chunked body, never a truncated success).
    case stream(@Sendable (any HTTPBodyWriter) throws -> Void)

    public static let empty = HTTPResponseBody.bytes([])
}
