import Glibc

/// A pthread mutex with a condition variable: the one lock of Vigil's own, for the places that
/// hand work or connections across threads and must sleep until something changes (a free
/// connection, a queued write, a finished thread), which `Synchronization.Mutex` cannot do.
/// State that is only guarded, never waited for, uses `Mutex`.
///
/// `@unchecked Sendable`: the pthread objects are heap-allocated once, never moved, and only
/// touched through pthread calls, which are thread-safe by contract.
public final class ConditionLock: @unchecked Sendable {
    @usableFromInline let mutex: UnsafeMutablePointer<pthread_mutex_t>
    @usableFromInline let condition: UnsafeMutablePointer<pthread_cond_t>

    public init() {
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    @inlinable public func lock() { pthread_mutex_lock(mutex) }
    @inlinable public func unlock() { pthread_mutex_unlock(mutex) }

    /// Waits for a signal; the lock must be held.
    @inlinable public func wait() { pthread_cond_wait(condition, mutex) }

    /// Waits for a signal or until `nanoseconds` have passed; the lock must be held.
    public func wait(nanoseconds: UInt64) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let total = UInt64(now.tv_nsec) + nanoseconds % 1_000_000_000
        var until = timespec()
        until.tv_sec = now.tv_sec + Int(nanoseconds / 1_000_000_000) + Int(total / 1_000_000_000)
        until.tv_nsec = Int(total % 1_000_000_000)
        pthread_cond_timedwait(condition, mutex, &until)
    }

    /// Runs `body` while holding the lock. Inlinable, as every lock of a hot path is taken
    /// from another module: an unspecialized generic call there costs more than the lock.
    @inlinable
    public func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Waits, with the lock held, until `ready` is true; then runs `body` still holding it.
    @inlinable
    public func withLock<T>(waitingUntil ready: () -> Bool, _ body: () -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !ready() { pthread_cond_wait(condition, mutex) }
        return body()
    }

    /// Wakes every waiting thread.
    @inlinable public func broadcast() { pthread_cond_broadcast(condition) }

    /// Wakes one waiting thread: enough when one resource was freed, and it spares the others a
    /// wake-up only to wait again.
    @inlinable public func signal() { pthread_cond_signal(condition) }
}
