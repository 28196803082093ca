import Synchronization

/// The state of one client connection.
///
/// Owned by its event loop's thread while `ownership` is `loopOwned`; a worker owns every field
/// (and writing to `fd`) while it is `workerOwned`. The atomic hand-over lets a worker return an
/// idle keep-alive connection without waking the loop, which is most of the cost of a small request.
final class HTTPConnection: @unchecked Sendable { // fields are guarded by the `ownership` hand-over protocol
    enum Phase {
        /// Waiting for the first byte of a request.
        case idle
        /// Receiving the header section.
        case head
        /// Receiving the body.
        case body
        /// A worker is running the handler and writing the response.
        case busy
        /// The loop is writing buffered response bytes.
        case writing
        /// Output shut down after a final response; draining input before closing.
        case lingering
        case closed
    }

    /// The loop owns the connection.
    static let loopOwned = 0
    /// A worker owns it; the loop ignores its events.
    static let workerOwned = 1
    /// A worker owns it and the loop saw input meanwhile (edge-triggered: it must be read later).
    static let workerOwnedReadPending = 2

    let ownership = Atomic<Int>(HTTPConnection.loopOwned)
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
    /// Data may be waiting in the socket (edge-triggered epoll reported it while busy).
    var readPending = false
    var outbound: [UInt8] = []
    var outboundOffset = 0
    var closeAfterFlush = false
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
