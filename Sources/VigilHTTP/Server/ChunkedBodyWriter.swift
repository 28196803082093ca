/// Writes a streamed body from a worker thread: buffers small writes into chunks of about 16 KiB,
/// frames them with the chunked coding (or raw for HTTP/1.0), and blocks while the client's socket
/// buffer is full, so memory stays constant whatever the size of the export.
final class ChunkedBodyWriter: HTTPBodyWriter {
    private let fd: Int32
    private let timeout: UInt64
    private let chunked: Bool
    private var buffer: [UInt8] = []
    private var failure: HTTPBodyWriterError?
    private(set) var bodyBytes = 0
    static let chunkSize = 16 * 1024

    init(fd: Int32, timeout: UInt64, chunked: Bool) {
        self.fd = fd
        self.timeout = timeout
        self.chunked = chunked
        buffer.reserveCapacity(Self.chunkSize + 32)
    }

    func write(_ bytes: [UInt8]) throws {
        if let failure { throw failure }
        buffer.append(contentsOf: bytes)
        bodyBytes += bytes.count
        if buffer.count >= Self.chunkSize { try flush() }
    }

    /// Sends the response head (and nothing else yet).
    func sendHead(_ head: [UInt8]) throws(HTTPBodyWriterError) {
        try send(head)
    }

    /// Sends what is buffered and the last chunk.
    func finish() throws(HTTPBodyWriterError) {
        try flush()
        if chunked { try send(Array("0\r\n\r\n".utf8)) }
    }

    private func flush() throws(HTTPBodyWriterError) {
        guard !buffer.isEmpty else { return }
        var frame: [UInt8] = []
        if chunked {
            frame.reserveCapacity(buffer.count + 16)
            frame.append(contentsOf: String(buffer.count, radix: 16).utf8)
            frame.append(contentsOf: "\r\n".utf8)
            frame.append(contentsOf: buffer)
            frame.append(contentsOf: "\r\n".utf8)
        } else {
            frame = buffer
        }
        buffer.removeAll(keepingCapacity: true)
        try send(frame)
    }

    private func send(_ bytes: [UInt8]) throws(HTTPBodyWriterError) {
        if let failure { throw failure }
        do {
            try Socket.sendBlocking(fd, bytes, timeout: timeout)
        } catch {
            failure = error
            throw error
        }
    }
}
