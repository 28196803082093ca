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
