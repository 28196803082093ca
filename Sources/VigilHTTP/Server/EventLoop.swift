import CEpoll
import Glibc
import Synchronization

/// One epoll thread: accepts connections, reads and parses requests, enforces deadlines, writes
/// what workers could not send at once, and hands complete requests to the worker pool.
///
/// Sockets are nonblocking and edge-triggered, so thousands of idle or trickling connections cost
/// a little memory each and no thread. Deadlines are checked by a sweep every 100 ms.
final class EventLoop: @unchecked Sendable { // everything but `inbox` (a Mutex) is confined to the loop thread
    enum Message {
        case responseDone(HTTPConnection, keepAlive: Bool)
        case writeRemaining(HTTPConnection, [UInt8], keepAlive: Bool)
        /// A worker returned a keep-alive connection that has buffered or pending input.
        case resume(HTTPConnection)
        case shutdown
    }

    private static let listenTag: UInt64 = .max
    private static let wakeTag: UInt64 = .max - 1
    private static let readSize = 64 * 1024
    private static let sweepInterval: UInt64 = 100_000_000

    let context: ServerContext
    private let epollFD: Int32
    private let wakeFD: Int32
    private let listenFD: Int32
    private let inbox = Mutex<[Message]>([])
    private var connections: [Int32: HTTPConnection] = [:]
    private var accepting = true
    private var acceptPaused = false
    private var stopping = false
    private var graceDeadline: UInt64 = 0
    private var forced = false
    private var lastSweep: UInt64 = 0
    private let readBuffer: UnsafeMutableRawBufferPointer
    private var timeouts: HTTPTimeouts { context.configuration.timeouts }

    init(context: ServerContext, listenFD: Int32) throws(SocketError) {
        self.context = context
        self.listenFD = listenFD
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw .system(call: "epoll_create1", code: errno) }
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard wakeFD >= 0 else {
            Glibc.close(epollFD)
            throw .system(call: "eventfd", code: errno)
        }
        readBuffer = .allocate(byteCount: Self.readSize, alignment: 16)
        try register(wakeFD, events: EPOLLIN.rawValue, tag: Self.wakeTag)
        try register(listenFD, events: EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue, tag: Self.listenTag)
    }

    deinit {
        Glibc.close(epollFD)
        Glibc.close(wakeFD)
        readBuffer.deallocate()
    }

    private func register(_ fd: Int32, events: UInt32, tag: UInt64) throws(SocketError) {
        var event = epoll_event()
        event.events = events
        event.data.u64 = tag
        guard epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) == 0 else {
            throw .system(call: "epoll_ctl", code: errno)
        }
    }

    /// Queues a message for the loop thread and wakes it. Callable from any thread.
    func post(_ message: Message) {
        inbox.withLock { $0.append(message) }
        var one: UInt64 = 1
        _ = Glibc.write(wakeFD, &one, 8)
    }

    // MARK: - The loop

    func run() {
        let capacity = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        defer { events.deallocate() }
        while true {
            let timeout: Int32 = connections.isEmpty && !stopping ? 1000 : 100
            let count = epoll_wait(epollFD, events, Int32(capacity), timeout)
            if count < 0 && errno != EINTR { break }
            for index in 0..<max(0, Int(count)) {
                let event = events[index]
                switch event.data.u64 {
                case Self.listenTag:
                    acceptConnections()
                case Self.wakeTag:
                    drainInbox()
                default:
                    let fd = Int32(truncatingIfNeeded: event.data.u64)
                    if let connection = connections[fd] { handle(connection, events: event.events) }
                }
            }
            let now = MonotonicClock.now()
            if MonotonicClock.elapsed(from: lastSweep, to: now) >= Self.sweepInterval || stopping {
                lastSweep = now
                sweep(now: now)
            }
            if stopping && connections.isEmpty { break }
            if stopping && forced && now > graceDeadline + 1_000_000_000 { break }
        }
    }

    private func drainInbox() {
        var value: UInt64 = 0
        _ = Glibc.read(wakeFD, &value, 8)
        let messages = inbox.withLock { messages in
            let taken = messages
            messages.removeAll(keepingCapacity: true)
            return taken
        }
        for message in messages {
            switch message {
            case .responseDone(let connection, let keepAlive):
                connection.ownership.store(HTTPConnection.loopOwned, ordering: .sequentiallyConsistent)
                finishResponse(connection, keepAlive: keepAlive)
            case .resume(let connection):
                guard connection.ownership.load(ordering: .sequentiallyConsistent) == HTTPConnection.loopOwned,
                      connection.phase != .closed, connection.phase != .busy else { continue }
                if stopping && connection.phase == .idle && connection.readIndex == connection.buffer.count {
                    close(connection)
                    continue
                }
                connection.readPending = true
                process(connection)
                readAvailable(connection)
            case .writeRemaining(let connection, let bytes, let keepAlive):
                connection.ownership.store(HTTPConnection.loopOwned, ordering: .sequentiallyConsistent)
                connection.outbound = bytes
                connection.outboundOffset = 0
                connection.closeAfterFlush = !keepAlive
                connection.enter(.writing, at: MonotonicClock.now())
                flush(connection)
            case .shutdown:
                beginShutdown()
            }
        }
    }

    // MARK: - Accepting

    private func acceptConnections() {
        let limit = context.configuration.maxConnections
        while accepting {
            let fd = vigil_accept_nonblocking(listenFD)
            if fd < 0 {
                switch errno {
                case EINTR, ECONNABORTED: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM: pauseAccepting()
                default: break
                }
                return
            }
            let open = context.openConnections.wrappingAdd(1, ordering: .relaxed).newValue
            if open > limit {
                refuseOverCapacity(fd)
                continue
            }
            try? Socket.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
            var event = epoll_event()
            event.events = EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue
            event.data.u64 = UInt64(UInt32(bitPattern: fd))
            guard epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) == 0 else {
                Glibc.close(fd)
                context.openConnections.wrappingSubtract(1, ordering: .relaxed)
                continue
            }
            connections[fd] = HTTPConnection(fd: fd, peer: Socket.peerAddress(fd), limits: context.configuration.limits, now: MonotonicClock.now())
        }
    }

    /// Over the connection cap: a best-effort 503 and close, never a silent hang.
    private func refuseOverCapacity(_ fd: Int32) {
        let response = HTTPResponse.problem(status: 503, title: "Service Unavailable", detail: "Too many open connections.")
        if case .bytes(let body) = response.body {
            var out = ResponseEncoder.head(status: 503, headers: response.headers, framing: .length(body.count), keepAlive: false)
            out.append(contentsOf: body)
            _ = Socket.sendNonBlocking(fd, out, from: 0)
        }
        Glibc.close(fd)
        context.openConnections.wrappingSubtract(1, ordering: .relaxed)
    }

    /// Out of file descriptors: stop polling the listener until the next sweep instead of spinning.
    private func pauseAccepting() {
        guard !acceptPaused else { return }
        acceptPaused = true
        epoll_ctl(epollFD, EPOLL_CTL_DEL, listenFD, nil)
    }

    private func resumeAccepting() {
        guard acceptPaused, accepting else { return }
        acceptPaused = false
        try? register(listenFD, events: EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue, tag: Self.listenTag)
    }

    // MARK: - Reading

    private func handle(_ connection: HTTPConnection, events: UInt32) {
        if connection.ownership.load(ordering: .sequentiallyConsistent) != HTTPConnection.loopOwned {
            // A worker has it; remember that input arrived. If it was handed back meanwhile, read now.
            let marked = connection.ownership.compareExchange(
                expected: HTTPConnection.workerOwned, desired: HTTPConnection.workerOwnedReadPending,
                ordering: .sequentiallyConsistent
            ).exchanged
            if marked || connection.ownership.load(ordering: .sequentiallyConsistent) != HTTPConnection.loopOwned {
                return
            }
        }
        if events & EPOLLOUT.rawValue != 0 && connection.phase == .writing {
            flush(connection)
        }
        if events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 {
            connection.readPending = true
            readAvailable(connection)
        }
    }

    private func canRead(_ connection: HTTPConnection) -> Bool {
        switch connection.phase {
        case .idle, .head, .body, .lingering: true
        case .busy, .writing, .closed: false
        }
    }

    /// Reads until the socket is empty or the connection hands off to a worker.
    private func readAvailable(_ connection: HTTPConnection) {
        while connection.readPending && canRead(connection) {
            let count = Glibc.read(connection.fd, readBuffer.baseAddress, Self.readSize)
            if count > 0 {
                let now = MonotonicClock.now()
                connection.lastProgress = now
                if connection.phase == .lingering { continue }
                connection.buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: readBuffer[0..<count]))
                if connection.phase == .body { connection.bodyBytesRead += count }
                process(connection)
            } else if count == 0 {
                close(connection)
                return
            } else if errno == EINTR {
                continue
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                connection.readPending = false
            } else {
                close(connection)
                return
            }
        }
    }

    /// Parses as far as the buffered bytes allow, dispatching a complete request to a worker.
    private func process(_ connection: HTTPConnection) {
        while connection.phase == .idle || connection.phase == .head || connection.phase == .body {
            let now = MonotonicClock.now()
            let result: (consumed: Int, output: HTTPRequestParser.Output)
            do {
                result = try connection.buffer.withUnsafeBufferPointer { (all) throws(HTTPParseError) in
                    try connection.parser.parse(UnsafeBufferPointer(rebasing: all[connection.readIndex...]))
                }
            } catch {
                fail(connection, error)
                return
            }
            connection.readIndex += result.consumed
            switch result.output {
            case .needMoreData:
                if connection.parser.isIdle && connection.readIndex == connection.buffer.count {
                    if connection.phase != .idle { connection.enter(.idle, at: now) }
                } else if connection.parser.isReadingBody {
                    if connection.phase != .body { connection.enter(.body, at: now) }
                } else if connection.phase == .idle {
                    connection.requestStart = now
                    connection.enter(.head, at: now)
                }
                connection.compact()
                return
            case .head(let head):
                if connection.phase == .idle { connection.requestStart = now }
                connection.currentHead = head
                let limit = context.handler.bodyLimit(for: head)
                do {
                    try connection.parser.beginBody(limit: limit)
                } catch {
                    fail(connection, error)
                    return
                }
                connection.bodyBytesRead = connection.buffer.count - connection.readIndex
                connection.enter(.body, at: now)
                if head.expectsContinue && expectsBody(head) && connection.readIndex == connection.buffer.count {
                    let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
                    guard case .complete = Socket.sendNonBlocking(connection.fd, continueLine, from: 0) else {
                        close(connection)
                        return
                    }
                }
            case .request(let head, let body, let trailers):
                connection.compact()
                connection.currentHead = nil
                connection.enter(.busy, at: now)
                connection.ownership.store(HTTPConnection.workerOwned, ordering: .sequentiallyConsistent)
                let request = HTTPRequest(head: head, body: body, trailers: trailers, peerAddress: connection.peer)
                let receivedAt = connection.requestStart
                let context = context
                context.pool.submit { [self] in
                    RequestExecutor.execute(request: request, connection: connection, loop: self, context: context, receivedAt: receivedAt)
                }
                return
            }
        }
    }

    private func expectsBody(_ head: HTTPRequestHead) -> Bool {
        switch head.bodyFraming {
        case .none: false
        case .length(let length): length > 0
        case .chunked: true
        }
    }

    // MARK: - Writing

    /// Answers a refused request with its problem response and closes the connection after it.
    private func fail(_ connection: HTTPConnection, _ error: HTTPParseError) {
        let response = HTTPResponse.problem(for: error)
        guard case .bytes(let body) = response.body else { return }
        var out = ResponseEncoder.head(status: response.status, headers: response.headers, framing: .length(body.count), keepAlive: false)
        out.append(contentsOf: body)
        let head = connection.currentHead
        context.accessLog.record(
            method: head?.method ?? "-", rawPath: head?.rawPath ?? "-", rawQuery: head?.rawQuery,
            status: response.status, bytes: body.count,
            durationNanos: MonotonicClock.elapsed(from: connection.requestStart, to: MonotonicClock.now()), peer: connection.peer
        )
        connection.buffer = []
        connection.readIndex = 0
        connection.outbound = out
        connection.outboundOffset = 0
        connection.closeAfterFlush = true
        connection.enter(.writing, at: MonotonicClock.now())
        flush(connection)
    }

    private func flush(_ connection: HTTPConnection) {
        switch Socket.sendNonBlocking(connection.fd, connection.outbound, from: connection.outboundOffset) {
        case .wouldBlock(let sentUpTo):
            connection.outboundOffset = sentUpTo
        case .failed:
            close(connection)
        case .complete:
            connection.outbound = []
            connection.outboundOffset = 0
            finishResponse(connection, keepAlive: !connection.closeAfterFlush)
        }
    }

    /// A response is fully written: continue with pipelined bytes, or close.
    private func finishResponse(_ connection: HTTPConnection, keepAlive: Bool) {
        guard connection.phase != .closed else { return }
        let now = MonotonicClock.now()
        guard keepAlive && !stopping else {
            startLingering(connection, at: now)
            return
        }
        connection.enter(.idle, at: now)
        connection.requestStart = now
        process(connection)
        readAvailable(connection)
    }

    /// Shuts down output and drains input for a while, so the client reads the final response
    /// instead of a reset caused by unread request bytes.
    private func startLingering(_ connection: HTTPConnection, at now: UInt64) {
        Glibc.shutdown(connection.fd, Int32(SHUT_WR))
        connection.buffer = []
        connection.readIndex = 0
        connection.enter(.lingering, at: now)
        connection.readPending = true
        readAvailable(connection)
    }

    private func close(_ connection: HTTPConnection) {
        guard connection.phase != .closed else { return }
        if connection.ownership.load(ordering: .sequentiallyConsistent) != HTTPConnection.loopOwned {
            // A worker still owns the socket: make its writes fail; it reports back and we close then.
            Glibc.shutdown(connection.fd, Int32(SHUT_RDWR))
            return
        }
        connection.phase = .closed
        connections[connection.fd] = nil
        Glibc.close(connection.fd)
        context.openConnections.wrappingSubtract(1, ordering: .relaxed)
    }

    // MARK: - Deadlines and shutdown

    private func sweep(now: UInt64) {
        resumeAccepting()
        let timeouts = timeouts
        for connection in Array(connections.values) {
            if connection.ownership.load(ordering: .sequentiallyConsistent) != HTTPConnection.loopOwned { continue }
            let elapsed = MonotonicClock.elapsed(from: connection.phaseStart, to: now)
            switch connection.phase {
            case .idle:
                if stopping || elapsed > timeouts.idle.nanoseconds { close(connection) }
            case .head:
                if MonotonicClock.elapsed(from: connection.requestStart, to: now) > timeouts.header.nanoseconds { fail(connection, .requestTimeout) }
            case .body:
                let idleFor = MonotonicClock.elapsed(from: connection.lastProgress, to: now)
                let bodyIdle = timeouts.bodyIdle.nanoseconds
                let tooSlow = elapsed > bodyIdle
                    && Double(connection.bodyBytesRead) / (Double(elapsed) / 1e9) < Double(timeouts.minimumBodyRate)
                if idleFor > bodyIdle || tooSlow { fail(connection, .requestTimeout) }
            case .writing:
                if elapsed > timeouts.write.nanoseconds { close(connection) }
            case .lingering:
                if elapsed > timeouts.linger.nanoseconds { close(connection) }
            case .busy, .closed:
                break
            }
        }
        if stopping && !forced && now > graceDeadline {
            forced = true
            for connection in Array(connections.values) {
                close(connection) // a worker-owned one is shut down; its worker reports back
            }
        }
    }

    private func beginShutdown() {
        guard !stopping else { return }
        stopping = true
        accepting = false
        if !acceptPaused { epoll_ctl(epollFD, EPOLL_CTL_DEL, listenFD, nil) }
        graceDeadline = MonotonicClock.now() + timeouts.shutdownGrace.nanoseconds
        for connection in Array(connections.values) where connection.phase == .idle {
            if connection.ownership.load(ordering: .sequentiallyConsistent) != HTTPConnection.loopOwned { continue }
            close(connection)
        }
    }
}
