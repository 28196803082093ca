import Synchronization
import VigilThreads

/// Counts the writer's commits, so that a reader holding a snapshot across requests can tell
/// cheaply whether anything this process wrote has been committed since it began.
///
/// The writer adds one after each commit has returned and before it releases the writers
/// waiting on it: a request that starts after a write was acknowledged always sees a new count.
package final class CommitCounter: Sendable {
    private let count = Atomic<UInt64>(0)
    private let last = Atomic<UInt64>(0)

    package init() {}

    package var value: UInt64 { count.load(ordering: .acquiring) }

    /// When the last commit was counted (`monotonicNanos`), 0 before the first.
    var lastCommitNanos: UInt64 { last.load(ordering: .relaxed) }

    func advance() {
        last.store(MonotonicClock.now(), ordering: .relaxed)
        count.add(1, ordering: .releasing)
    }
}
