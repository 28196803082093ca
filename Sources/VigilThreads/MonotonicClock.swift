import Glibc

/// Monotonic nanoseconds, for deadlines and ages that must not jump with the wall clock.
public enum MonotonicClock {
    @inlinable
    public static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// `end - start`, or 0 when `start` was taken later on another thread.
    @inlinable
    public static func elapsed(from start: UInt64, to end: UInt64) -> UInt64 {
        end > start ? end - start : 0
    }
}

extension Duration {
    /// Whole nanoseconds, saturating at zero for negative durations.
    @inlinable
    public var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        let total = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        return total > 0 ? UInt64(total) : 0
    }
}
