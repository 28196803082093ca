/// Turns requests into responses. Runs on an event thread, or, when ``mayBlock(_:)`` says so,
/// on a thread of the blocking pool; short blocking (a SQLite read) is fine on either.
public protocol HTTPHandler: Sendable {
    /// Produces the response for a complete request.
    func handle(_ request: HTTPRequest) -> HTTPResponse

    /// The largest body accepted for this request, decided from the head alone so that a
    /// declared `Content-Length` over it is answered with 413 before the body is read.
    func bodyLimit(for head: HTTPRequestHead) -> Int

    /// Whether this request's handler may wait a long time without using the CPU (a write
    /// waiting for its group's commit). Such requests run on the server's blocking pool, so the
    /// event threads go on serving others and writes from many connections can wait, and be
    /// committed, together. Streamed bodies go to the pool whatever this says.
    func mayBlock(_ head: HTTPRequestHead) -> Bool

    /// Runs `body`, in which an event thread serves what one wake-up reported ready. A handler
    /// may keep per-thread state from one such call to the next (an open read snapshot, say)
    /// until ``eventThreadWillWait()``; requests handed to the blocking pool are not part of it.
    func eventBatch(_ body: () -> Void)

    /// The event thread has nothing ready and is about to wait (or to stop): let go of what
    /// ``eventBatch(_:)`` kept for it.
    func eventThreadWillWait()

    /// The query parameter names the access log may show; every other piece of a query is
    /// logged as `*` (see ``LoggedQueryNames``). Read once, when the server is made.
    var loggedQueryNames: LoggedQueryNames { get }
}

extension HTTPHandler {
    /// 1 MiB, the limit for JSON bodies.
    public func bodyLimit(for head: HTTPRequestHead) -> Int { HTTPLimits.defaultBodyLimit }

    /// Never: handlers run on the event thread unless they say otherwise.
    public func mayBlock(_ head: HTTPRequestHead) -> Bool { false }

    /// Just runs the batch.
    public func eventBatch(_ body: () -> Void) { body() }

    /// Nothing kept, nothing to let go of.
    public func eventThreadWillWait() {}

    /// None: the log shows no query text at all.
    public var loggedQueryNames: LoggedQueryNames { .none }
}
