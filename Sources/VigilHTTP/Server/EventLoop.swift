import CEpoll
import Glibc
import Synchronization
import VigilThreads

/// One epoll instance served by a fixed set of threads, each of which accepts, reads, parses, runs
/// the handler and writes the response for the connection whose event it received.
///
/// Sockets are edge-triggered and registered once. An atomic ownership flag makes exactly one
/// thread serve a connection at a time (a second event for it only marks it pending, and the
/// owner serves again before letting go), so requests on one connection are handled in order, with
/// no hand-off between an I/O thread and a worker (a futex wake and two context switches per
/// request in the first design, see docs/http-server.md) and no `epoll_ctl` per request. A slow
/// handler occupies one thread; the others keep serving. Idle or trickling connections cost
/// memory, not threads. Deadlines are enforced by a sweeper thread every 100 ms, which claims a
/// connection only while no event thread holds it.
final class EventLoop: Sendable {
    private static let listenTag: UInt64 = .max
    private static let readSize = 64 * 1024
    static let sweepInterval: UInt64 = 100_000_000

    let context: ServerContext
    private let epollFD: Int32
    private let listenFD: Int32
    private let registry = Mutex<[Int32: HTTPConnection]>([:])
    /// Where handlers that may block and streamed bodies run (see ``BlockingPool``).
    let blocking: BlockingPool
    /// Closed connections, kept alive while a thread may still hold an event for them taken from
    /// epoll before the close, so the pointer in that event still leads to a (closed) object.
    private let graveyard = Mutex<[HTTPConnection]>([])
    /// Per event thread: since when it may hold a connection pointer it has not claimed yet
    /// (`.max` when it holds none). Closed connections older than the oldest such time are freed.
    private let slots = Mutex<[EventThreadSlot]>([])
    private let listenerRemoved = Atomic<Bool>(false)
    private let acceptPaused = Atomic<Bool>(false)
    /// Monotonic time after which in-flight work is cut off; 0 until shutdown starts.
    private let graceDeadline = Atomic<UInt64>(0)
    private var timeouts: HTTPTimeouts { context.configuration.timeouts }

    init(context: ServerContext, listenFD: Int32) throws(SocketError) {
        self.context = context
        self.listenFD = listenFD
        blocking = BlockingPool(maximumThreads: context.configuration.blockingThreads, readSize: Self.readSize)
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw .system(call: "epoll_create1", code: errno) }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue
        event.data.u64 = Self.listenTag
        guard epoll_ctl(epollFD, EPOLL_CTL_ADD, listenFD, &event) == 0 else {
            let code = errno
            Glibc.close(epollFD)
            throw .system(call: "epoll_ctl", code: code)
        }
    }

    deinit {
        Glibc.close(epollFD)
    }

    var connectionCount: Int { registry.withLock { $0.count } }

    /// True once shutdown has started and there is nothing left to wait for.
    private func finished(now: UInt64) -> Bool {
        guard context.isStopping else { return false }
        let deadline = graceDeadline.load(ordering: .relaxed)
        if deadline != 0 && now > deadline + 1_000_000_000 { return true }
        return connectionCount == 0
    }

    // MARK: - Event threads

    /// The body of each event thread; returns when the server has shut down.
    func runEventThread() {
        // One event per wait: a thread runs handlers inline, so events it held back behind a slow
        // handler would wait for it (edge-triggered epoll does not hand them to another thread).
        let capacity = 1
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.readSize, alignment: 16)
        let slot = EventThreadSlot()
        slots.withLock { $0.append(slot) }
        defer {
            context.handler.eventThreadWillWait()
            events.deallocate()
            readBuffer.deallocate()
            slot.holdingSince.store(.max, ordering: .sequentiallyConsistent)
        }
        while true {
            if context.isStopping {
                removeListener()
                if finished(now: MonotonicClock.now()) { return }
            }
            slot.holdingSince.store(MonotonicClock.now(), ordering: .sequentiallyConsistent)
            // A look without waiting first: only when nothing is ready is the handler told that
            // the thread will wait (it lets go of what it kept between requests).
            var count = epoll_wait(epollFD, events, Int32(capacity), 0)
            if count == 0 {
                context.handler.eventThreadWillWait()
                count = epoll_wait(epollFD, events, Int32(capacity), 100)
            }
            if count < 0 && errno != EINTR { return }
            context.handler.eventBatch {
                for index in 0..<max(0, Int(count)) {
                    let event = events[index]
                    if event.data.u64 == Self.listenTag {
                        slot.holdingSince.store(.max, ordering: .sequentiallyConsistent)
                        acceptConnections(readBuffer: readBuffer)
                        continue
                    }
                    // The registry, then the graveyard, hold the strong reference (see `graveyard`).
                    guard let raw = UnsafeRawPointer(bitPattern: UInt(event.data.u64)) else { continue }
                    let connection = Unmanaged<HTTPConnection>.fromOpaque(raw).takeUnretainedValue()
                    let owned = acquire(connection)
                    slot.holdingSince.store(.max, ordering: .sequentiallyConsistent)
                    guard owned else { continue }
                    serve(connection, readBuffer: readBuffer)
                    release(connection, readBuffer: readBuffer)
                }
            }
        }
    }

    private static func tag(_ connection: HTTPConnection) -> UInt64 {
        UInt64(UInt(bitPattern: Unmanaged.passUnretained(connection).toOpaque()))
    }

    /// Takes ownership of a connection for an event, or, if another thread owns it, marks it
    /// pending so that owner serves it again. Returns whether the caller now owns it.
    private func acquire(_ connection: HTTPConnection) -> Bool {
        while true {
            let (exchanged, original) = connection.ownership.compareExchange(
                expected: HTTPConnection.unowned, desired: HTTPConnection.owned, ordering: .acquiringAndReleasing
            )
            if exchanged { return true }
            switch original {
            case HTTPConnection.owned:
                if connection.ownership.compareExchange(
                    expected: HTTPConnection.owned, desired: HTTPConnection.ownedPending,
                    ordering: .acquiringAndReleasing
                ).exchanged {
                    return false
                }
            default:
                return false  // closed, or already pending
            }
        }
    }

    /// Lets go of a connection, first serving any event that arrived while it was owned; or, when
    /// its request left work for the blocking pool, hands it (still owned) to a pool thread.
    private func release(_ connection: HTTPConnection, readBuffer: UnsafeMutableRawBufferPointer) {
        while connection.phase != .closed {
            if let work = connection.offloaded {
                connection.offloaded = nil
                blocking.submit { [self] buffer in runOffloaded(work, on: connection, readBuffer: buffer) }
                return
            }
            // A request handed to the pool may have stopped `serve` before it drained the socket;
            // edge-triggered epoll will not announce those bytes again, so read them now. (While
            // a response waits for the socket, the EPOLLOUT edge brings `serve` back instead.)
            if connection.mayHoldUnreadInput && connection.phase != .writing {
                serve(connection, readBuffer: readBuffer)
                continue
            }
            if connection.ownership.compareExchange(
                expected: HTTPConnection.owned, desired: HTTPConnection.unowned, ordering: .acquiringAndReleasing
            ).exchanged {
                return
            }
            connection.ownership.store(HTTPConnection.owned, ordering: .sequentiallyConsistent)
            serve(connection, readBuffer: readBuffer)
        }
    }

    /// Does everything the socket allows now: flushes pending output, reads and processes input.
    /// A read shorter than the buffer means the socket was drained; data arriving later raises a
    /// new edge, so no extra read to see EAGAIN is needed.
    private func serve(_ connection: HTTPConnection, readBuffer: UnsafeMutableRawBufferPointer) {
        if connection.expired {
            close(connection)
            return
        }
        while true {
            switch connection.phase {
            case .writing:
                flush(connection)
                if connection.phase == .writing { return }  // the EPOLLOUT edge brings us back
                continue
            case .idle, .head, .body, .lingering:
                break
            case .busy, .closed:
                return
            }
            let count = Glibc.read(connection.fd, readBuffer.baseAddress, Self.readSize)
            connection.mayHoldUnreadInput = count == Self.readSize
            if count > 0 {
                connection.lastProgress = MonotonicClock.now()
                if connection.phase != .lingering {
                    connection.buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: readBuffer[0..<count]))
                    if connection.phase == .body { connection.bodyBytesRead += count }
                    process(connection)
                }
                if count < Self.readSize && connection.phase != .writing { return }
            } else if count < 0 && errno == EINTR {
                continue
            } else if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                return
            } else {
                close(connection)
                return
            }
        }
    }

    // MARK: - Accepting

    private func acceptConnections(readBuffer: UnsafeMutableRawBufferPointer) {
        let limit = context.configuration.maxConnections
        while !context.isStopping {
            let fd = vigil_accept_nonblocking(listenFD)
            if fd < 0 {
                switch errno {
                case EINTR, ECONNABORTED: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM: pauseAccepting()
                case EINVAL: removeListener()
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
            let connection = HTTPConnection(
                fd: fd, peer: Socket.peerAddress(fd), limits: context.configuration.limits, now: MonotonicClock.now())
            registry.withLock { $0[fd] = connection }
            var event = epoll_event()
            event.events = EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue
            event.data.u64 = Self.tag(connection)
            if epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) != 0 {
                close(connection)  // still owned by this thread: ownership starts as `owned`
            } else {
                // An event may already have arrived and marked it pending: release serves it.
                release(connection, readBuffer: readBuffer)
            }
        }
    }

    /// Over the connection cap: a best-effort 503 and close, never a silent hang.
    private func refuseOverCapacity(_ fd: Int32) {
        let response = HTTPResponse.problem(
            status: 503, title: "Service Unavailable", detail: "Too many open connections.")
        if case .bytes(let body) = response.body {
            var out = ResponseEncoder.head(
                status: 503, headers: response.headers, framing: .length(body.count), keepAlive: false)
            out.append(contentsOf: body)
            _ = Socket.sendNonBlocking(fd, out, from: 0)
        }
        Glibc.shutdown(fd, Int32(SHUT_WR))
        Glibc.close(fd)
        context.openConnections.wrappingSubtract(1, ordering: .relaxed)
    }

    /// Out of file descriptors: stop polling the listener until the next sweep instead of spinning.
    private func pauseAccepting() {
        guard !acceptPaused.exchange(true, ordering: .relaxed) else { return }
        epoll_ctl(epollFD, EPOLL_CTL_DEL, listenFD, nil)
    }

    private func resumeAccepting() {
        guard !context.isStopping, acceptPaused.exchange(false, ordering: .relaxed) else { return }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue
        event.data.u64 = Self.listenTag
        epoll_ctl(epollFD, EPOLL_CTL_ADD, listenFD, &event)
    }

    private func removeListener() {
        guard !listenerRemoved.exchange(true, ordering: .relaxed) else { return }
        epoll_ctl(epollFD, EPOLL_CTL_DEL, listenFD, nil)
    }

    // MARK: - Requests

    /// Parses buffered bytes and runs complete requests in order (pipelining) until more input is needed.
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
                do {
                    // Only a request with a body needs its route's limit.
                    let limit = head.bodyFraming == .none ? 0 : context.handler.bodyLimit(for: head)
                    try connection.parser.beginBody(limit: limit)
                } catch {
                    fail(connection, error)
                    return
                }
                connection.bodyBytesRead = connection.buffer.count - connection.readIndex
                connection.enter(.body, at: now)
                if head.expectsContinue && Self.expectsBody(head) && connection.readIndex == connection.buffer.count {
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
                let request = HTTPRequest(head: head, body: body, trailers: trailers, peerAddress: connection.peer)
                if context.handler.mayBlock(head) {
                    var request = request
                    request.onEventThread = false
                    connection.offloaded = .handle(request)
                    return
                }
                let response = context.handler.handle(request)
                if response.isRunOnBlockingPool {
                    var again = request
                    again.onEventThread = false
                    connection.offloaded = .handle(again)
                    return
                }
                if case .stream = response.body {
                    connection.offloaded = .send(response, for: request)
                    return
                }
                complete(
                    connection,
                    RequestExecutor.send(
                        response, for: request, connection: connection, context: context,
                        receivedAt: connection.requestStart))
            }
        }
    }

    /// On a pool thread, which owns the connection: runs the handler and sends the response, goes
    /// on with pipelined requests, then lets go (or hands off again) as an event thread would.
    private func runOffloaded(
        _ work: HTTPConnection.OffloadedWork, on connection: HTTPConnection, readBuffer: UnsafeMutableRawBufferPointer
    ) {
        var (request, response) =
            switch work {
            case .handle(let request): (request, context.handler.handle(request))
            case .send(let response, let request): (request, response)
            }
        if response.isRunOnBlockingPool {
            // Already on the pool: a handler that asks again is wrong, and gets no second chance.
            response = .problem(status: 500, title: "Internal Server Error", detail: "The request could not be served.")
        }
        let outcome = RequestExecutor.send(
            response, for: request, connection: connection, context: context, receivedAt: connection.requestStart)
        complete(connection, outcome)
        release(connection, readBuffer: readBuffer)
    }

    /// Moves a connection on once its response is sent, or partly sent.
    private func complete(_ connection: HTTPConnection, _ outcome: RequestExecutor.Outcome) {
        switch outcome {
        case .done(let keepAlive):
            finishResponse(connection, keepAlive: keepAlive)
        case .pending(let bytes, let keepAlive):
            connection.outbound = bytes
            connection.outboundOffset = 0
            connection.closeAfterFlush = !keepAlive
            connection.enter(.writing, at: MonotonicClock.now())
        case .failed:
            close(connection)
        }
    }

    private static func expectsBody(_ head: HTTPRequestHead) -> Bool {
        switch head.bodyFraming {
        case .none: false
        case .length(let length): length > 0
        case .chunked: true
        }
    }

    /// Answers a refused request with its problem response and closes the connection after it.
    private func fail(_ connection: HTTPConnection, _ error: HTTPParseError) {
        let response = HTTPResponse.problem(for: error)
        guard case .bytes(let body) = response.body else { return }
        var out = ResponseEncoder.head(
            status: response.status, headers: response.headers, framing: .length(body.count), keepAlive: false)
        out.append(contentsOf: body)
        let head = connection.currentHead
        context.accessLog.record(
            method: head?.method ?? "-", rawPath: head?.rawPath ?? "-", rawQuery: head?.rawQuery,
            status: response.status, bytes: body.count,
            durationNanos: MonotonicClock.elapsed(from: connection.requestStart, to: MonotonicClock.now())
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

    /// A response is fully written: go on with pipelined bytes, or close.
    private func finishResponse(_ connection: HTTPConnection, keepAlive: Bool) {
        guard connection.phase != .closed else { return }
        let now = MonotonicClock.now()
        guard keepAlive && !context.isStopping else {
            startLingering(connection, at: now)
            return
        }
        connection.enter(.idle, at: now)
        connection.requestStart = now
        process(connection)
    }

    /// Shuts down output and drains input for a while, so the client reads the final response
    /// instead of a reset caused by unread request bytes.
    private func startLingering(_ connection: HTTPConnection, at now: UInt64) {
        Glibc.shutdown(connection.fd, Int32(SHUT_WR))
        connection.buffer = []
        connection.readIndex = 0
        connection.enter(.lingering, at: now)
    }

    /// Closes a connection its caller owns.
    private func close(_ connection: HTTPConnection) {
        guard connection.phase != .closed else { return }
        connection.phase = .closed
        connection.ownership.store(HTTPConnection.closed, ordering: .releasing)
        // Removed before the descriptor is closed, so a new connection reusing the number is not dropped.
        registry.withLock { $0[connection.fd] = nil }
        connection.closedAt = MonotonicClock.now()
        connection.buffer = []  // the object lingers a second in the graveyard; its memory need not
        connection.outbound = []
        connection.parser.reset()
        graveyard.withLock { $0.append(connection) }
        Glibc.close(connection.fd)
        context.openConnections.wrappingSubtract(1, ordering: .relaxed)
    }

    // MARK: - Deadlines and shutdown

    /// The body of the sweeper thread: enforces deadlines and drives shutdown.
    func runSweeper() {
        let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.readSize, alignment: 16)
        defer { readBuffer.deallocate() }
        while true {
            let now = MonotonicClock.now()
            if finished(now: now) { return }
            sweep(now: now, readBuffer: readBuffer)
            context.accessLog.flush()
            // Epoll drops a descriptor's registration when it is closed, so an event taken after a
            // close cannot name that connection: only threads holding events since before then matter.
            let oldestHold =
                slots.withLock { $0.map { $0.holdingSince.load(ordering: .sequentiallyConsistent) }.min() } ?? .max
            let cutoff = min(oldestHold, MonotonicClock.now())
            graveyard.withLock { closed in
                closed.removeAll { $0.closedAt < cutoff }
            }
            usleep(UInt32(Self.sweepInterval / 1000))
        }
    }

    private func sweep(now: UInt64, readBuffer: UnsafeMutableRawBufferPointer) {
        resumeAccepting()
        let stopping = context.isStopping
        if stopping && graceDeadline.load(ordering: .relaxed) == 0 {
            graceDeadline.store(now + timeouts.shutdownGrace.nanoseconds, ordering: .relaxed)
        }
        let forced = stopping && now > graceDeadline.load(ordering: .relaxed)
        let timeouts = timeouts
        let connections = registry.withLock { Array($0.values) }
        for connection in connections {
            guard
                connection.ownership.compareExchange(
                    expected: HTTPConnection.unowned, desired: HTTPConnection.owned, ordering: .acquiringAndReleasing
                ).exchanged
            else { continue }  // an event thread is working on it, or it is closed
            defer { release(connection, readBuffer: readBuffer) }
            if connection.expired { continue }
            let elapsed = MonotonicClock.elapsed(from: connection.phaseStart, to: now)
            switch connection.phase {
            case .idle:
                if stopping || elapsed > timeouts.idle.nanoseconds { expire(connection) }
            case .head:
                if MonotonicClock.elapsed(from: connection.requestStart, to: now) > timeouts.header.nanoseconds {
                    timeOut(connection, now: now)
                }
            case .body:
                let idleFor = MonotonicClock.elapsed(from: connection.lastProgress, to: now)
                let bodyIdle = timeouts.bodyIdle.nanoseconds
                let tooSlow =
                    elapsed > bodyIdle
                    && Double(connection.bodyBytesRead) / (Double(elapsed) / 1e9) < Double(timeouts.minimumBodyRate)
                if idleFor > bodyIdle || tooSlow { timeOut(connection, now: now) }
            case .writing:
                if elapsed > timeouts.write.nanoseconds { expire(connection) }
            case .lingering:
                if elapsed > timeouts.linger.nanoseconds { expire(connection) }
            case .busy, .closed:
                break
            }
            if forced && !connection.expired { expire(connection) }
        }
    }

    /// Shuts the socket down; its pending one-shot event fires and the event thread closes it.
    private func expire(_ connection: HTTPConnection) {
        Glibc.shutdown(connection.fd, Int32(SHUT_RDWR))
        connection.expired = true
    }

    /// A client too slow with its request: a best-effort 408, then linger and close.
    private func timeOut(_ connection: HTTPConnection, now: UInt64) {
        let response = HTTPResponse.problem(for: .requestTimeout)
        if case .bytes(let body) = response.body {
            var out = ResponseEncoder.head(
                status: 408, headers: response.headers, framing: .length(body.count), keepAlive: false)
            out.append(contentsOf: body)
            let head = connection.currentHead
            context.accessLog.record(
                method: head?.method ?? "-", rawPath: head?.rawPath ?? "-", rawQuery: head?.rawQuery, status: 408,
                bytes: body.count, durationNanos: MonotonicClock.elapsed(from: connection.requestStart, to: now)
            )
            _ = Socket.sendNonBlocking(connection.fd, out, from: 0)
        }
        startLingering(connection, at: now)
    }
}
