/// Deadlines that keep slow or stalled clients from holding connections (and memory) forever.
public struct HTTPTimeouts: Sendable, Equatable {
    /// Total time to receive the request line and header fields, from their first byte (408 after).
    public var header: Duration = .seconds(10)
    /// Longest pause between two reads of a body (408 after).
    public var bodyIdle: Duration = .seconds(10)
    /// Minimum average body rate in bytes per second, enforced once `bodyIdle` has elapsed since the
    /// body started (408 below it).
    public var minimumBodyRate: Int = 1024
    /// How long a keep-alive connection may sit without a new request before it is closed silently.
    public var idle: Duration = .seconds(60)
    /// How long a client may leave a response unread before the connection is dropped.
    public var write: Duration = .seconds(30)
    /// After an error response, how long unread request bytes are drained before closing, so the
    /// client can read the response instead of getting a reset.
    public var linger: Duration = .seconds(2)
    /// How long in-flight requests may take to finish after shutdown starts.
    public var shutdownGrace: Duration = .seconds(10)

    public init() {}
}

/// Everything the server needs to know before it starts.
public struct HTTPServerConfiguration: Sendable, Equatable {
    /// Numeric address or name to listen on; `::` listens on IPv6 and IPv4.
    public var host: String = "127.0.0.1"
    /// TCP port; 0 picks a free one, readable from `HTTPServer.boundPort` after `start()`.
    public var port: Int = 8080
    /// Listen backlog, large so bursts of connections queue instead of being refused (the kernel
    /// caps it at `net.core.somaxconn`).
    public var backlog: Int32 = 4096
    public var limits = HTTPLimits()
    public var timeouts = HTTPTimeouts()
    /// Open connections beyond this are answered 503 and closed at once.
    public var maxConnections: Int = 10_000
    /// Threads serving connections (each reads, parses, runs the handler and writes): 2 × cores,
    /// at least 4, so that a few slow or blocking handlers do not hold up other requests.
    public var workerThreads: Int = max(4, 2 * SystemThread.processorCount)

    public init(host: String = "127.0.0.1", port: Int = 8080) {
        self.host = host
        self.port = port
    }
}
