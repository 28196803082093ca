import VigilThreads

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

    /// One thread per core, at least two: for servers whose event-thread handlers only use the
    /// CPU (everything that waits runs on the blocking pool). More threads than cores then only
    /// add preemptions in the middle of requests, which is what makes the latency tail.
    public static var threadPerCore: Int { max(2, SystemThread.processorCount) }
    /// Most threads of the blocking pool (handlers that may block, streamed bodies), started on
    /// demand. Enough for every connection of a busy client set to wait for a commit at once.
    public var blockingThreads: Int = 64

    public init(host: String = "127.0.0.1", port: Int = 8080) {
        self.host = host
        self.port = port
    }
}
