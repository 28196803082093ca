import CEpoll
import Glibc
import Synchronization
import VigilThreads

/// An HTTP/1.1 server: one epoll instance served by a fixed pool of threads that each read,
/// parse, run the handler and write, a pool of threads for handlers that may block and for
/// streamed bodies, and a sweeper thread for deadlines.
///
/// Lifecycle: `start()` binds and begins serving (port 0 picks a free port, see ``boundPort``);
/// `run()` blocks until the server has stopped; `shutdown()` (from any thread, or SIGTERM/SIGINT
/// after ``installSignalHandlers()``) stops accepting, lets in-flight requests finish within the
/// grace period, closes keep-alive connections, and makes `run()` return.
public final class HTTPServer: Sendable {
    public let configuration: HTTPServerConfiguration
    private let context: ServerContext
    private let state = Mutex<State>(State())

    private struct State: Sendable {
        var listenFD: Int32 = -1
        var loop: EventLoop?
        var latch: CompletionLatch?
        var boundAddress = ""
        var boundPort = 0
        var started = false
        var shutdownRequested = false
        var finished = false
    }

    /// - Parameters:
    ///   - log: where access-log lines go; standard error unless told otherwise.
    public init(configuration: HTTPServerConfiguration, handler: some HTTPHandler, log: HTTPAccessLog = .standardError)
    {
        self.configuration = configuration
        context = ServerContext(configuration: configuration, handler: handler, accessLog: log)
    }

    /// The port actually bound (meaningful after ``start()``).
    public var boundPort: Int { state.withLock { $0.boundPort } }
    /// The numeric address actually bound (meaningful after ``start()``).
    public var boundAddress: String { state.withLock { $0.boundAddress } }
    /// Connections currently open.
    public var openConnections: Int { context.openConnections.load(ordering: .relaxed) }

    /// Binds the listener and starts the event loops and workers. SIGPIPE is ignored from here on:
    /// a client that goes away must cost an error code, not the process.
    public func start() throws {
        signal(SIGPIPE, SIG_IGN)
        let listener = try Socket.listen(
            host: configuration.host, port: configuration.port, backlog: configuration.backlog)
        let loop: EventLoop
        do {
            loop = try EventLoop(context: context, listenFD: listener.fd)
        } catch {
            Glibc.close(listener.fd)
            throw error
        }
        let threadCount = max(1, configuration.workerThreads)
        let latch = CompletionLatch(count: threadCount + 1)
        state.withLock {
            $0.listenFD = listener.fd
            $0.loop = loop
            $0.latch = latch
            $0.boundAddress = listener.address
            $0.boundPort = listener.port
            $0.started = true
        }
        for _ in 0..<threadCount {
            try SystemThread.start {
                loop.runEventThread()
                latch.countDown()
            }
        }
        try SystemThread.start {
            loop.runSweeper()
            latch.countDown()
        }
    }

    /// Blocks until the server has shut down and every thread has finished. A handler that never
    /// returns keeps it waiting: handlers bound their own work (queries have timeouts).
    public func run() {
        let (latch, loop) = state.withLock { ($0.latch, $0.loop) }
        guard let latch, let loop else { return }
        latch.wait()
        loop.blocking.stop()
        // The last lines, unless the log's reader has stopped reading: then they are lost, not the exit.
        context.accessLog.drain(timeout: .seconds(1))
        let finish = state.withLock { state -> Int32? in
            guard !state.finished else { return nil }
            state.finished = true
            return state.listenFD
        }
        if let listenFD = finish {
            Glibc.close(listenFD)
        }
    }

    /// Starts a graceful shutdown; returns at once. Safe to call more than once, from any thread.
    public func shutdown() {
        let listenFD = state.withLock { state -> Int32 in
            guard !state.shutdownRequested else { return -1 }
            state.shutdownRequested = true
            return state.listenFD
        }
        context.stopping.store(true, ordering: .relaxed)
        // Stops the kernel from completing new handshakes; the descriptor is closed once the loops are done.
        if listenFD >= 0 { Glibc.shutdown(listenFD, Int32(SHUT_RDWR)) }
    }

    /// Shuts down and waits until stopped (tests, embedding).
    public func shutdownAndWait() {
        shutdown()
        run()
    }
}

extension HTTPServer {
    /// Sets the process's allocator for a long-running server: keep freed memory for reuse
    /// instead of handing it back to the kernel after every large response (which showed up as
    /// madvise calls and page faults under load), and one malloc arena shared by every thread.
    /// Call once, before starting threads.
    ///
    /// One arena, because memory freed in one arena is reused only by the threads bound to it:
    /// SQLite's page caches are freed and refilled whenever another connection writes, each
    /// time from whichever thread holds the connection, so with four arenas each one came to
    /// keep its own copy of the caches' peak. The 20-minute soak's RSS rose 42 → 166 MiB with
    /// the heap in use flat at 20-30 MiB; with one arena it levels off (docs/reliability.md).
    /// Small allocations go through each thread's cache (tcache) without the arena's lock.
    public static func tuneAllocator() {
        vigil_tune_malloc(1, 64 << 20, 16 << 20)
    }

    /// The allocator's heap: bytes the program holds, and bytes freed but kept for reuse (which
    /// the tuning above lets grow, so resident memory alone cannot tell a leak from a reserve).
    /// Walks every arena under its lock: for a metrics scrape, not for every request.
    public static func heapBytes() -> (inUse: Int, keptFree: Int) {
        var inUse = 0
        var keptFree = 0
        vigil_heap_bytes(&inUse, &keptFree)
        return (inUse, keptFree)
    }
}
