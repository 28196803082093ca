/// A fixed set of threads that run handlers, so a slow handler occupies one worker and never the
/// event loop, and the number of threads stays bounded however many clients connect.
final class WorkerPool: @unchecked Sendable { // `jobs`, `head` and `stopping` are only touched with `condition` held
    typealias Job = @Sendable () -> Void

    private let condition = ConditionLock()
    private var jobs: [Job?] = []
    private var head = 0
    private var stopping = false
    private let latch: CompletionLatch
    private let threadCount: Int

    init(threadCount: Int) {
        self.threadCount = max(1, threadCount)
        latch = CompletionLatch(count: self.threadCount)
    }

    func start() throws(SocketError) {
        for _ in 0..<threadCount {
            try SystemThread.start { [self] in
                work()
                latch.countDown()
            }
        }
    }

    func submit(_ job: @escaping Job) {
        condition.withLock {
            jobs.append(job)
            condition.signal()
        }
    }

    /// Lets queued jobs finish, then stops every worker and waits for them.
    func stop() {
        condition.withLock {
            stopping = true
            condition.broadcast()
        }
        latch.wait()
    }

    private func work() {
        while let job = next() {
            job()
        }
    }

    private func next() -> Job? {
        condition.lock()
        defer { condition.unlock() }
        while head == jobs.count {
            if stopping { return nil }
            condition.wait()
        }
        let job = jobs[head]
        jobs[head] = nil
        head += 1
        if head == jobs.count {
            jobs.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 1024 {
            jobs.removeFirst(head)
            head = 0
        }
        return job
    }
}
