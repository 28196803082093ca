import Synchronization
import VigilThreads

/// Remembers when each token's `last_used_at` was last written, so that authenticating a
/// request costs a write at most once a minute per token instead of once per request.
final class TokenUsageClock: Sendable {
    private let written = Mutex<[String: UInt64]>([:])
    static let interval: UInt64 = 60 * 1_000_000_000

    /// True when `tokenID`'s use should be written now (and notes that it is).
    func shouldRecord(_ tokenID: String) -> Bool {
        let now = MonotonicClock.now()
        return written.withLock { written in
            if let last = written[tokenID], now &- last < Self.interval { return false }
            written[tokenID] = now
            return true
        }
    }
}
