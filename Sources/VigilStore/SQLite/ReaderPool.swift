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
        let database = lock.withLock(waitingUntil: { !idle.isEmpty }) { idle.removeLast() }
        defer {
            lock.withLock { idle.append(database) }
            lock.broadcast()
        }
        database.setTimeLimit(nil)
        return try database.transaction(.deferred) { (db: Database) throws -> T in try body(db) }
    }
}
