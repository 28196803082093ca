import VigilThreads

/// Counts finished threads so `HTTPServer.run()` can wait for all of them.
final class CompletionLatch: @unchecked Sendable {  // `remaining` is only touched with `condition` held
    private let condition = ConditionLock()
    private var remaining: Int

    init(count: Int) { remaining = count }

    func countDown() {
        condition.withLock {
            remaining -= 1
            if remaining <= 0 { condition.broadcast() }
        }
    }

    func wait() {
        condition.lock()
        while remaining > 0 { condition.wait() }
        condition.unlock()
    }
}
