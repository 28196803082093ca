import Glibc
import VigilThreads

/// Log lines bound for a file descriptor that may stop reading — a pipe nobody drains, a
/// terminal held by ^S, a log collector that hangs — without ever making a request wait for it.
///
/// Serving threads only append to a buffer under a lock, which no I/O ever holds; a thread of
/// its own writes the buffer out, blocking in `write(2)` as long as the reader makes it. While it
/// is blocked lines gather, up to `capacity` bytes; beyond that each new line is dropped and
/// counted, and once writing works again a line says how many were lost. Before this, a
/// stalled reader filled the pipe, the writing thread blocked holding the log's lock, and every
/// thread that finished a request blocked behind it: the whole server stopped.
final class LogPipe: @unchecked Sendable {  // every `var` only with `condition` held
    private let descriptor: Int32
    private let capacity: Int
    /// Bytes gathered before the writer is woken (it is also woken by ``flush()``).
    private let batchBytes = 16 * 1024
    private let condition = ConditionLock()
    private var pending: [UInt8] = []
    private var droppedSinceReport = 0
    private var droppedInAll = 0
    /// The writer is in `write(2)` with bytes taken from ``pending``.
    private var writing = false
    private var writerStarted = false
    private var wakeWriter = false

    /// Standard error's, shared by the access log and event lines.
    static let standardError = LogPipe(descriptor: 2)

    /// - Parameters:
    ///   - descriptor: where the lines go; not closed by this object.
    ///   - capacity: the most bytes held back while the reader is slow.
    init(descriptor: Int32, capacity: Int = 1 << 20) {
        self.descriptor = descriptor
        self.capacity = max(4096, capacity)
    }

    /// Lines dropped since the start because the reader did not keep up.
    var droppedLines: Int { condition.withLock { droppedInAll } }

    /// Appends one line: `format` writes its bytes, without the newline. Never blocks on I/O.
    func append(_ format: (inout [UInt8]) -> Void) {
        let wake = condition.withLock { () -> Bool in
            startWriterIfNeeded()
            let before = pending.count
            format(&pending)
            pending.append(UInt8(ascii: "\n"))
            if pending.count > capacity {
                pending.removeSubrange(before...)
                droppedSinceReport += 1
                droppedInAll += 1
                return false
            }
            guard pending.count >= batchBytes, !wakeWriter else { return false }
            wakeWriter = true
            return true
        }
        if wake { condition.broadcast() }
    }

    /// Asks the writer to write out what is gathered; returns at once.
    func flush() {
        let wake = condition.withLock { () -> Bool in
            guard !pending.isEmpty || droppedSinceReport > 0, !wakeWriter else { return false }
            wakeWriter = true
            return true
        }
        if wake { condition.broadcast() }
    }

    /// Flushes and waits until everything gathered is written, or `timeout` passed (a reader
    /// that does not read must not keep a stopping server from exiting). Returns whether all
    /// was written.
    @discardableResult
    func drain(timeout: Duration) -> Bool {
        flush()
        let deadline =
            MonotonicClock.now() &+ UInt64(timeout.components.seconds) &* 1_000_000_000
            &+ UInt64(timeout.components.attoseconds / 1_000_000_000)
        return condition.withLock { () -> Bool in
            while !pending.isEmpty || writing {
                let now = MonotonicClock.now()
                guard now < deadline else { return false }
                condition.wait(nanoseconds: min(deadline - now, 10_000_000))
            }
            return true
        }
    }

    /// With `condition` held.
    private func startWriterIfNeeded() {
        guard !writerStarted else { return }
        writerStarted = true
        do {
            try SystemThread.start { [self] in writeForever() }
        } catch {
            // No thread: lines gather up to the capacity and are then counted as dropped.
        }
    }

    private func writeForever() {
        var out: [UInt8] = []
        while true {
            condition.lock()
            while !wakeWriter { condition.wait() }
            wakeWriter = false
            swap(&out, &pending)
            let dropped = droppedSinceReport
            droppedSinceReport = 0
            writing = true
            condition.unlock()
            if dropped > 0 {
                out += Array("vigil: \(dropped) log line(s) dropped: the log's reader did not keep up\n".utf8)
            }
            write(out)
            out.removeAll(keepingCapacity: out.capacity <= 4 * batchBytes)
            condition.withLock { writing = false }
            condition.broadcast()
        }
    }

    /// Writes all of `bytes`, blocking as long as the reader makes it; gives up on an error
    /// (the reader is gone: nothing more can be said to it).
    private func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
            }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }
}
