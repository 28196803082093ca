import Glibc
import VigilThreads

/// Threads for work that waits without using the CPU: handlers that may block (a write waiting
/// for its group's commit) and streamed bodies (an export feeding a slow client).
///
/// Run on an event thread, such work holds it: with 2 × cores event threads, at most that many
/// writes could wait for a commit at once, so group commit never grouped more than a few, and a
/// few slow export clients could stall every other connection. Here each job gets a thread of
/// its own, started on demand up to ``HTTPServerConfiguration/blockingThreads`` and kept for the
/// next job; beyond that, jobs queue.
///
/// `@unchecked Sendable`: `queue`, `idle`, `threads` and `stopped` are only touched with `condition`
/// held, `running` with `exited`.
final class BlockingPool: @unchecked Sendable {
    typealias Job = @Sendable (UnsafeMutableRawBufferPointer) -> Void

    private let condition = ConditionLock()
    private var queue: [Job] = []
    private var queueHead = 0
    private var idle = 0
    private var threads = 0
    private var stopped = false
    private let maximumThreads: Int
    private let readSize: Int
    private let exited = ConditionLock()
    private var running = 0

    /// - Parameter readSize: each thread's read buffer, handed to every job it runs.
    init(maximumThreads: Int, readSize: Int) {
        self.maximumThreads = max(1, maximumThreads)
        self.readSize = readSize
    }

    /// Queues `job`; a waiting thread takes it, or a new one is started for it.
    func submit(_ job: @escaping Job) {
        let start = condition.withLock { () -> Bool in
            queue.append(job)
            if idle > 0 { condition.signal() }
            // A thread woken for an earlier job still counts as idle until it takes it: start one
            // whenever more jobs wait than idle threads could take, so no job waits behind a
            // long one (an export to a slow client) while the pool may grow.
            guard queue.count - queueHead > idle, threads < maximumThreads else { return false }
            threads += 1
            return true
        }
        guard start else { return }
        exited.withLock { running += 1 }
        do {
            try SystemThread.start { [self] in work() }
        } catch {
            // No thread could be started: the job waits for one that exists, or runs here.
            exited.withLock { running -= 1 }
            let alone = condition.withLock { () -> Bool in
                threads -= 1
                return threads == 0
            }
            if alone { drainInline() }
        }
    }

    /// Lets the threads finish the queued jobs and exit, and waits for them.
    func stop() {
        condition.withLock {
            stopped = true
            condition.broadcast()
        }
        exited.lock()
        while running > 0 { exited.wait() }
        exited.unlock()
    }

    private func next() -> Job? {
        condition.withLock { () -> Job? in
            while queueHead == queue.count {
                if stopped { return nil }
                idle += 1
                condition.wait()
                idle -= 1
            }
            let job = queue[queueHead]
            queueHead += 1
            if queueHead == queue.count {
                queue.removeAll(keepingCapacity: true)
                queueHead = 0
            }
            return job
        }
    }

    private func work() {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: readSize, alignment: 16)
        defer { buffer.deallocate() }
        while let job = next() { job(buffer) }
        condition.withLock { threads -= 1 }
        exited.withLock {
            running -= 1
            exited.broadcast()
        }
    }

    /// Last resort when no thread can be started: run what is queued on the caller's thread.
    private func drainInline() {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: readSize, alignment: 16)
        defer { buffer.deallocate() }
        while let job = condition.withLock({ () -> Job? in
            guard queueHead < queue.count else { return nil }
            let job = queue[queueHead]
            queueHead += 1
            return job
        }) {
            job(buffer)
        }
    }
}
