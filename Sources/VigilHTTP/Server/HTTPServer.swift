import Dispatch
import CEpoll
import Glibc
import Synchronization

/// An HTTP/1.1 server: epoll event loops for I/O and a fixed worker pool for handlers.
///
/// Lifecycle: `start()` binds and begins serving (port 0 picks a free port, see ``boundPort``);
/// `run()` blocks until the server has stopped; `shutdown()` (from any thread, or SIGTERM/SIGINT
/// after ``installSignalHandlers()``) stops accepting, lets in-flight requests finish within the
/// grace period, closes keep-alive connections, and makes `run()` return.
public final class HTTPServer: Sendable {
    public let configuration: HTTPServerConfiguration
    private let context: ServerContext
    private let state = Mutex<State>(State())
    let signalSources = Mutex<[any DispatchSourceSignal]>([])

    private struct State: @unchecked Sendable { // only accessed inside the `state` Mutex
        var listenFD: Int32 = -1
        var loops: [EventLoop] = []
        var latch: CompletionLatch?
        var boundAddress = ""
        var boundPort = 0
        var started = false
        var shutdownRequested = false
        var finished = false
    }

    /// - Parameters:
    ///   - log: where access-log lines go; standard error unless told otherwise.
    public init(configuration: HTTPServerConfiguration, handler: some HTTPHandler, log: HTTPAccessLog = .standardError) {
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
        let listener = try Socket.listen(host: configuration.host, port: configuration.port, backlog: configuration.backlog)
        var loops: [EventLoop] = []
        do {
            for _ in 0..<max(1, configuration.ioThreads) {
                loops.append(try EventLoop(context: context, listenFD: listener.fd))
            }
            try context.pool.start()
        } catch {
            Glibc.close(listener.fd)
            throw error
        }
        let latch = CompletionLatch(count: loops.count)
        state.withLock {
            $0.listenFD = listener.fd
            $0.loops = loops
            $0.latch = latch
            $0.boundAddress = listener.address
            $0.boundPort = listener.port
            $0.started = true
        }
        for loop in loops {
            try SystemThread.start {
                loop.run()
                latch.countDown()
            }
        }
    }

    /// Blocks until the server has shut down and every thread has finished.
    public func run() {
        guard let latch = state.withLock({ $0.latch }) else { return }
        latch.wait()
        let finish = state.withLock { state -> Int32? in
            guard !state.finished else { return nil }
            state.finished = true
            return state.listenFD
        }
        if let listenFD = finish {
            context.pool.stop()
            Glibc.close(listenFD)
        }
    }

    /// Starts a graceful shutdown; returns at once. Safe to call more than once, from any thread.
    public func shutdown() {
        let (loops, listenFD) = state.withLock { state -> ([EventLoop], Int32) in
            guard !state.shutdownRequested else { return ([], -1) }
            state.shutdownRequested = true
            return (state.loops, state.listenFD)
        }
        context.stopping.store(true, ordering: .relaxed)
        // Stops the kernel from completing new handshakes; the descriptor is closed once the loops are done.
        if listenFD >= 0 { Glibc.shutdown(listenFD, Int32(SHUT_RDWR)) }
        for loop in loops { loop.post(.shutdown) }
    }

    /// Shuts down and waits until stopped (tests, embedding).
    public func shutdownAndWait() {
        shutdown()
        run()
    }
}
