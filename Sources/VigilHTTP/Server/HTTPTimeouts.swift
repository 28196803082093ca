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
