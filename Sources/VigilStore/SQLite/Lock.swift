import Glibc

/// A mutex with a condition variable, for the few places that hand connections across threads.
///
/// `@unchecked Sendable`: the pthread objects are heap-allocated once, never moved, and only
/// touched through pthread calls, which are thread-safe by contract.
final class Lock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    init() {
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

    /// Runs `body` while holding the lock.
    func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Waits, with the lock held, until `ready` is true; then runs `body` still holding it.
    func withLock<T>(waitingUntil ready: () -> Bool, _ body: () -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !ready() { pthread_cond_wait(condition, mutex) }
        return body()
    }

    /// Wakes every thread waiting in ``withLock(waitingUntil:_:)``.
    func broadcast() { pthread_cond_broadcast(condition) }

    /// Wakes one thread waiting in ``withLock(waitingUntil:_:)``: enough when one resource was
    /// freed, and it spares the others a wake-up only to wait again.
    func signal() { pthread_cond_signal(condition) }
}
