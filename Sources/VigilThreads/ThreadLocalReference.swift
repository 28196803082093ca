import Glibc

/// One object per thread, kept in a pthread key: what a thread is running (its read batch, say),
/// found again by code below it without being passed down.
///
/// `@unchecked Sendable`: the key is created once and only used through pthread calls, which
/// are thread-safe; each thread sees only its own value.
public final class ThreadLocalReference<Object: AnyObject>: @unchecked Sendable {
    private var key = pthread_key_t()
    /// Whether the thread holds a strong reference (its value stays alive until cleared) or
    /// only borrows one that something else keeps alive.
    private let retains: Bool

    public init(retains: Bool) {
        self.retains = retains
        pthread_key_create(&key, nil)
    }

    /// The current thread's object, if any.
    public var value: Object? {
        get {
            guard let pointer = pthread_getspecific(key) else { return nil }
            return Unmanaged<Object>.fromOpaque(pointer).takeUnretainedValue()
        }
        set {
            if retains, let old = pthread_getspecific(key) { Unmanaged<Object>.fromOpaque(old).release() }
            let pointer = newValue.map {
                retains ? Unmanaged.passRetained($0).toOpaque() : Unmanaged.passUnretained($0).toOpaque()
            }
            pthread_setspecific(key, pointer)
        }
    }
}
