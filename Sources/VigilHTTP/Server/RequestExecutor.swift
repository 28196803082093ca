import VigilThreads

/// Writes a handler's response on the thread that owns the connection.
///
/// A whole in-memory response is sent with one nonblocking `sendmsg` (head and body in one
/// buffer, or side by side when the body is large); what the socket does not take is returned,
/// to be written when epoll reports the socket writable, so a slow reader does not hold the
/// thread. A streamed body is produced here, blocking
/// (with the write timeout) while the client's socket buffer is full: the event loop sends those
/// from its blocking pool.
enum RequestExecutor {
    enum Outcome {
        /// The response is written; keep the connection if `keepAlive`.
        case done(keepAlive: Bool)
        /// These bytes are still to be written.
        case pending([UInt8], keepAlive: Bool)
        /// The client is gone or the stream failed: close.
        case failed
    }

    /// Bodies at least this large are sent beside their head rather than copied behind it.
    static let separateBodyBytes = 8192

    static func send(
        _ response: HTTPResponse, for request: HTTPRequest, connection: HTTPConnection, context: ServerContext,
        receivedAt: UInt64
    ) -> Outcome {
        let isHead = request.method == "HEAD"
        let responseWantsClose =
            response.headers.contains("connection")
            && response.headers.values(for: "connection")
                .flatMap(HTTPSyntax.listElements).map(HTTPSyntax.lowercased).contains("close")
        var keepAlive = request.head.keepAlive && !responseWantsClose && !context.isStopping
        let hasBody = ResponseEncoder.bodyAllowed(status: response.status) && !isHead
        let fd = connection.fd

        switch response.body {
        case .bytes(let body):
            // A large body goes out beside its head (one sendmsg) instead of being copied behind
            // it: a page of 50 records is about 52 KB.
            let separate = hasBody && body.count >= Self.separateBodyBytes
            var out = ResponseEncoder.head(
                status: response.status, headers: response.headers, framing: .length(body.count),
                keepAlive: keepAlive, reserving: hasBody && !separate ? body.count : 0
            )
            if hasBody && !separate { out.append(contentsOf: body) }
            log(request, status: response.status, bytes: hasBody ? body.count : 0, since: receivedAt, context: context)
            let beside = separate ? body : []
            switch Socket.sendNonBlocking(fd, head: out, body: beside) {
            case .complete: return .done(keepAlive: keepAlive)
            case .wouldBlock(let sentUpTo):
                let unsent =
                    sentUpTo >= out.count
                    ? Array(beside[(sentUpTo - out.count)...]) : Array(out[sentUpTo...]) + beside
                return .pending(unsent, keepAlive: keepAlive)
            case .failed: return .failed
            }
        case .stream(let producer):
            let chunked = request.version.minor >= 1
            if !chunked { keepAlive = false }
            let framing: ResponseEncoder.Framing = chunked ? .chunked : .untilClose
            let head = ResponseEncoder.head(
                status: response.status, headers: response.headers, framing: framing, keepAlive: keepAlive)
            let writer = ChunkedBodyWriter(
                fd: fd, timeout: context.configuration.timeouts.write.nanoseconds, chunked: chunked)
            var completed = false
            do {
                try writer.sendHead(head)
                if hasBody {
                    try producer(writer)
                    try writer.finish()
                }
                completed = true
            } catch {
                completed = false
            }
            log(request, status: response.status, bytes: writer.bodyBytes, since: receivedAt, context: context)
            return completed ? .done(keepAlive: keepAlive) : .failed
        }
    }

    static func log(_ request: HTTPRequest, status: Int, bytes: Int, since start: UInt64, context: ServerContext) {
        guard context.accessLog.isEnabled else { return }
        context.accessLog.record(
            method: request.method, rawPath: request.rawPath, rawQuery: request.head.rawQuery,
            status: status, bytes: bytes, durationNanos: MonotonicClock.elapsed(from: start, to: MonotonicClock.now())
        )
    }
}
