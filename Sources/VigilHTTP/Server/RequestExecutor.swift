import Synchronization

/// Runs a handler on a worker thread and writes its response.
///
/// A whole in-memory response is sent with one nonblocking `send` (head and body in one buffer);
/// whatever the socket does not take is handed back to the event loop, so a slow reader never
/// holds a worker. A streamed body is produced on the worker, blocking while the socket is full.
enum RequestExecutor {
    static func execute(request: HTTPRequest, connection: HTTPConnection, loop: EventLoop, context: ServerContext, receivedAt: UInt64) {
        let response = context.handler.handle(request)
        let isHead = request.method == "HEAD"
        let responseWantsClose = response.headers.values(for: "connection")
            .flatMap(HTTPSyntax.listElements).map(HTTPSyntax.lowercased).contains("close")
        var keepAlive = request.head.keepAlive && !responseWantsClose && !context.isStopping
        let hasBody = ResponseEncoder.bodyAllowed(status: response.status) && !isHead
        let fd = connection.fd

        switch response.body {
        case .bytes(let body):
            var out = ResponseEncoder.head(status: response.status, headers: response.headers, framing: .length(body.count), keepAlive: keepAlive)
            if hasBody { out.append(contentsOf: body) }
            let sentBody = hasBody ? body.count : 0
            log(request, status: response.status, bytes: sentBody, since: receivedAt, context: context, peer: connection.peer)
            switch Socket.sendNonBlocking(fd, out, from: 0) {
            case .complete:
                if keepAlive {
                    returnIdle(connection, loop: loop)
                } else {
                    loop.post(.responseDone(connection, keepAlive: false))
                }
            case .wouldBlock(let sentUpTo):
                loop.post(.writeRemaining(connection, Array(out[sentUpTo...]), keepAlive: keepAlive))
            case .failed:
                loop.post(.responseDone(connection, keepAlive: false))
            }
        case .stream(let producer):
            let chunked = request.version.minor >= 1
            if !chunked { keepAlive = false }
            let framing: ResponseEncoder.Framing = chunked ? .chunked : .untilClose
            let head = ResponseEncoder.head(status: response.status, headers: response.headers, framing: framing, keepAlive: keepAlive)
            let writer = ChunkedBodyWriter(fd: fd, timeout: context.configuration.timeouts.write.nanoseconds, chunked: chunked)
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
            log(request, status: response.status, bytes: writer.bodyBytes, since: receivedAt, context: context, peer: connection.peer)
            loop.post(.responseDone(connection, keepAlive: completed && keepAlive))
        }
    }

    /// Hands a keep-alive connection back to its loop. When nothing is buffered and no input arrived
    /// meanwhile, flipping the ownership flag is all it takes: the next request's epoll event goes
    /// to the loop as usual, and no wake-up is needed.
    static func returnIdle(_ connection: HTTPConnection, loop: EventLoop) {
        let now = MonotonicClock.now()
        connection.phase = .idle
        connection.phaseStart = now
        connection.requestStart = now
        connection.currentHead = nil
        let buffered = connection.readIndex < connection.buffer.count
        if !buffered && connection.ownership.compareExchange(
            expected: HTTPConnection.workerOwned, desired: HTTPConnection.loopOwned, ordering: .sequentiallyConsistent
        ).exchanged {
            return
        }
        connection.ownership.store(HTTPConnection.loopOwned, ordering: .sequentiallyConsistent)
        loop.post(.resume(connection))
    }

    static func log(_ request: HTTPRequest, status: Int, bytes: Int, since start: UInt64, context: ServerContext, peer: String) {
        context.accessLog.record(
            method: request.method, rawPath: request.rawPath, rawQuery: request.head.rawQuery,
            status: status, bytes: bytes, durationNanos: MonotonicClock.elapsed(from: start, to: MonotonicClock.now()), peer: peer
        )
    }
}
