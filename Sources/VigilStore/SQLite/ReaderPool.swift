import Glibc

/// A fixed set of read-only connections handed out one per read.
///
/// WAL lets readers run beside the writer and beside each other; a pool sized to the cores
/// keeps every core busy on reads without opening a connection per request.
///
/// `@unchecked Sendable`: `idle` is only touched inside `lock`.
public final class ReaderPool: @unchecked Sendable {
    private let lock = Lock()
    private var idle: [Database]

    init(connections: [Database]) {
        precondition(!connections.isEmpty, "a reader pool needs at least one connection")
        idle = connections
    }

    /// Runs `body` with a connection inside one read transaction, so several queries (a page
    /// and its total, say) see the same snapshot. Waits when every connection is busy.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        if let session = ReadSession.current { return try body(session) }
        let database = lock.withLock(waitingUntil: { !idle.isEmpty }) { idle.removeLast() }
        defer {
            lock.withLock { idle.append(database) }
            lock.signal()
        }
        database.setTimeLimit(nil)
        return try database.transaction(.deferred) { (db: Database) throws -> T in try body(db) }
    }
}

extension ReaderPool {
    /// Runs `body` with one connection and one read transaction that every read of this thread
    /// inside it shares (``read(_:)`` then takes no other connection): a request that
    /// authenticates and then reads pays for one hand-out and one transaction, and all its
    /// reads see the same snapshot. Only for requests that do not write: a write made inside
    /// would not be seen by the reads after it.
    public func session<T>(_ body: () throws -> T) throws -> T {
        if ReadSession.current != nil { return try body() }
        return try read { database in
            ReadSession.current = database
            defer { ReadSession.current = nil }
            return try body()
        }
    }
}

/// The connection of the current thread's read session, if one is open.
enum ReadSession {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    static var current: Database? {
        get {
            guard let pointer = pthread_getspecific(key) else { return nil }
            return Unmanaged<Database>.fromOpaque(pointer).takeUnretainedValue()
        }
        set {
            // The pool keeps the connection alive; the thread only borrows it while the
            // session runs, so the reference is unretained.
            pthread_setspecific(key, newValue.map { Unmanaged.passUnretained($0).toOpaque() })
        }
    }
}
