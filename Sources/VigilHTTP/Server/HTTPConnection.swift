import Synchronization

/// The state of one client connection.
///
/// Exactly one thread works on a connection at a time: an event thread that received one of its
/// epoll events, or the deadline sweeper, whichever claimed `ownership` first. A thread that gets
/// an event for an owned connection marks it `ownedPending` and moves on; the owner serves again.
final class HTTPConnection: @unchecked Sendable {  // fields are only touched by the thread holding `ownership`
    enum Phase {
        /// Waiting for the first byte of a request.
        case idle
        /// Receiving the header section.
        case head
        /// Receiving the body.
        case body
        /// The handler is running and its response being written.
        case busy
        /// Waiting for the socket to take the rest of a response.
        case writing
        /// Output shut down after a final response; draining input before closing.
        case lingering
        case closed
    }

    /// Waiting in epoll for its next event; nobody works on it.
    static let unowned = 0
    /// A thread is working on it.
    static let owned = 1
    /// Closed; must not be claimed again.
    static let closed = 2
    /// A thread is working on it and another event arrived meanwhile: the owner serves it again
    /// before letting go (edge-triggered epoll will not repeat the event).
    static let ownedPending = 3

    let ownership = Atomic<Int>(HTTPConnection.owned)
    let fd: Int32
    let peer: String
    var parser: HTTPRequestParser
    var buffer: [UInt8] = []
    var readIndex = 0
    var phase: Phase = .idle
    /// When the current phase started (monotonic ns).
    var phaseStart: UInt64
    /// When bytes last arrived.
    var lastProgress: UInt64
    var bodyBytesRead = 0
    /// The last read filled the buffer, so the socket may hold more that no new epoll edge will
    /// announce: whoever lets go of the connection reads again first.
    var mayHoldUnreadInput = false
    /// The sweeper shut the socket down (deadline passed): the next owner closes it.
    var expired = false
    /// When it was closed; it is kept alive a little longer for events already taken from epoll.
    var closedAt: UInt64 = 0
    var outbound: [UInt8] = []
    var outboundOffset = 0
    var closeAfterFlush = false
    /// Work for the blocking pool, left by `process` for whoever lets go of the connection next:
    /// it then passes the connection to a pool thread instead of letting go.
    var offloaded: OffloadedWork?
    /// Head of the request being received, for the access log of a refused request.
    var currentHead: HTTPRequestHead?
    var requestStart: UInt64

    init(fd: Int32, peer: String, limits: HTTPLimits, now: UInt64) {
        self.fd = fd
        self.peer = peer
        parser = HTTPRequestParser(limits: limits)
        phaseStart = now
        lastProgress = now
        requestStart = now
    }

    enum OffloadedWork {
        /// Run the handler (it may block), then send its response.
        case handle(HTTPRequest)
        /// Send a streamed response.
        case send(HTTPResponse, for: HTTPRequest)
    }

    func enter(_ phase: Phase, at now: UInt64) {
        self.phase = phase
        phaseStart = now
    }

    /// Drops consumed bytes, and large buffers once they are empty, so idle connections stay small.
    func compact() {
        if readIndex == buffer.count {
            if buffer.capacity > 64 * 1024 {
                buffer = []
            } else {
                buffer.removeAll(keepingCapacity: true)
            }
            readIndex = 0
        } else if readIndex > 16 * 1024 {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
    }
}
