import Glibc

/// Starts a detached POSIX thread: the one way Vigil starts one. Blocking socket work, handlers
/// and the database writer run on real threads, never on GCD's shared queues or in Swift Tasks,
/// whose small pools a few slow clients (or one slow disk) would starve.
public enum SystemThread {
    /// `pthread_create` failed with `code` (EAGAIN when the process is at its thread limit).
    public struct StartError: Error, Sendable, Equatable {
        public let code: Int32
    }

    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    public static func start(_ body: @escaping @Sendable () -> Void) throws(StartError) {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(
            &thread, nil,
            { raw in
                guard let raw else { return nil }
                Unmanaged<Box>.fromOpaque(raw).takeRetainedValue().body()
                return nil
            }, box)
        guard result == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            throw StartError(code: result)
        }
        pthread_detach(thread)
    }

    /// Online processor count (at least 1).
    public static var processorCount: Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}
