import Glibc
import Synchronization
import VigilThreads

/// A fixed set of read-only connections handed out one per read.
///
/// WAL lets readers run beside the writer and beside each other; a pool sized to the cores
/// keeps every core busy on reads without opening a connection per request.
///
/// `@unchecked Sendable`: `idle` is only touched inside `lock`; `waiting` is atomic; a
/// `ReadBatch` belongs to one thread (it is reached only through a thread-local reference).
package final class ReaderPool: @unchecked Sendable {
    private let lock = ConditionLock()
    private var idle: [Database]
    /// The writer's commit count, which tells a batch when its snapshot is out of date.
    private let commits: CommitCounter

    /// `keptForBatches`: how many connections only read batches may take (see ``batch(_:)``).
    /// The threads that serve cheap requests each hold one batch; the other reads (the costly
    /// ones the server runs on its blocking pool, exports) share the rest, so that however many
    /// of those run at once, a cheap read never waits for a connection behind them (a by-id read
    /// waited 5 s, the query time limit, behind four copies of a costly search on four connections).
    package init(connections: [Database], commits: CommitCounter, keptForBatches: Int = 0) {
        precondition(!connections.isEmpty, "a reader pool needs at least one connection")
        idle = connections
        all = connections
        connectionCount = connections.count
        unbatchedLimit = max(1, connections.count - max(0, keptForBatches))
        self.commits = commits
    }

    /// Threads waiting for a connection: a batch that holds one between requests lets go of it
    /// when anyone waits, so a pool smaller than the number of busy threads cannot starve one.
    private let waiting = Atomic<Int>(0)
    private let age = Atomic<UInt64>(ReaderPool.batchSnapshotAge)
    private let quiet = Atomic<UInt64>(ReaderPool.batchQuietAfterWrites)

    var hasWaiters: Bool { waiting.load(ordering: .relaxed) > 0 }

    /// Set by ``close()``; only touched inside `lock`.
    private var closed = false
    /// Set while the writer restarts the WAL (see ``holdNewReads(_:)``); only touched inside `lock`.
    private var holding = false
    /// Connections closed so far, out of `connectionCount`; only touched inside `lock`.
    private var closedCount = 0
    private let connectionCount: Int
    /// Every connection of the pool, for the figures only (``pageCacheBytes``).
    private let all: [Database]

    /// Bytes the pool's page caches held when each connection was last given back.
    package var pageCacheBytes: Int { all.reduce(0) { $0 + $1.pageCacheBytes } }
    /// How many connections reads outside batches may hold at once.
    private let unbatchedLimit: Int
    /// Connections held by reads outside batches; only touched inside `lock`.
    private var unbatchedInUse = 0

    /// Hands out a connection, waiting while none may be taken. `forBatch`: for a read batch,
    /// which may also take the connections kept for batches.
    private func take(forBatch: Bool) throws(SQLiteError) -> Database {
        var counted = false
        let database = lock.withLock(waitingUntil: { () -> Bool in
            if closed { return true }
            let allowed = forBatch || unbatchedInUse < unbatchedLimit
            if allowed && !idle.isEmpty && (!holding || connectionCount - idle.count < Self.readersDuringRestart) {
                return true
            }
            // Counted only when a connection given back could serve it: batches let go of
            // theirs for waiters (see `hasWaiters`), which a read over its share cannot use.
            if allowed && !counted {
                counted = true
                waiting.add(1, ordering: .relaxed)
            }
            return false
        }) { () -> Database? in
            guard !closed else { return nil }
            if !forBatch { unbatchedInUse += 1 }
            return idle.removeLast()
        }
        if counted { waiting.subtract(1, ordering: .relaxed) }
        guard let database else { throw Database.closedError }
        return database
    }

    /// Read transactions of this pool that may run while the writer restarts the WAL: one
    /// fewer than the WAL's four read marks. A new reader takes a free mark for the newest
    /// snapshot; with every mark held by a reader of an older one, it joins the newest of those
    /// instead, and readers that overlap without a gap then kept the restart waiting for seconds
    /// (4 s of a 5 s limit in `WALBoundTests` with four connections, under 150 ms with three).
    static let readersDuringRestart = 3

    /// Holds back new read transactions beyond ``readersDuringRestart`` (true), or lets them
    /// all go again (false). The writer brackets a WAL restart with it.
    func holdNewReads(_ hold: Bool) {
        lock.withLock { holding = hold }
        if !hold { lock.broadcast() }
    }

    /// Whether the current thread holds a read snapshot of any pool (a session running, or a
    /// batch keeping one between requests).
    static var threadHoldsSnapshot: Bool {
        ReadSession.current != nil || ReadBatch.current?.holdsSnapshot == true
    }

    private func giveBack(_ database: Database, fromBatch: Bool) {
        database.notePageCacheUse()
        let pooled = lock.withLock { () -> Bool in
            if !fromBatch { unbatchedInUse -= 1 }
            if closed {
                closedCount += 1
                return false
            }
            idle.append(database)
            return true
        }
        // Broadcast, not signal: a waiter for an unbatched read may not take what a batch may.
        if pooled { lock.broadcast() } else { database.close() }
    }

    /// Closes the idle connections, then waits (up to `timeout`) for the ones in use, each closed
    /// as it is given back: the writer's connection must close after them to make the final
    /// checkpoint (see ``Store/close()``). Every later read fails with "the store is closed";
    /// threads waiting for a connection are woken to fail. Returns whether all were closed.
    @discardableResult
    package func close(waitingUpTo timeout: Duration = .seconds(5)) -> Bool {
        let connections = lock.withLock { () -> [Database] in
            closed = true
            closedCount += idle.count
            defer { idle.removeAll() }
            return idle
        }
        lock.broadcast()
        for database in connections { database.close() }
        let (seconds, attoseconds) = timeout.components
        let deadline =
            MonotonicClock.now() + UInt64(max(0, seconds)) * 1_000_000_000
            + UInt64(max(0, attoseconds) / 1_000_000_000)
        while lock.withLock({ closedCount < connectionCount }) {
            // Reads in flight end within the read time limit; a thread that closes the store
            // from inside its own read would wait here for itself, hence the bound.
            guard MonotonicClock.now() < deadline else { return false }
            usleep(5_000)
        }
        return true
    }

    /// Runs `body` with a connection inside one read transaction, so several queries (a page
    /// and its total, say) see the same snapshot. Waits when every connection is busy.
    package func read<T>(_ body: (Database) throws -> T) throws -> T {
        if let session = ReadSession.current { return try body(session) }
        let database = try take(forBatch: false)
        defer { giveBack(database, fromBatch: false) }
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
    package func session<T>(_ body: () throws -> T) throws -> T {
        if ReadSession.current != nil { return try body() }
        if let batch = ReadBatch.current, batch.pool === self, batch.depth > 0 {
            return try batch.session(commits: commits, body)
        }
        return try read { database in
            ReadSession.current = database
            defer { ReadSession.current = nil }
            return try body()
        }
    }

    /// Runs `body` (one request an event thread serves) so that its read session reuses the
    /// thread's connection and open read transaction from the requests before it, as long as
    /// this process has committed nothing since and the snapshot is younger than
    /// ``ReaderPool/batchSnapshotAge``; while writes come in (the last less than
    /// ``ReaderPool/batchQuietAfterWrites`` ago) each session ends its transaction, so that the
    /// WAL can restart. Beginning and ending a WAL read takes locks that every
    /// reader in the process shares: with several threads it was the largest cost of a by-id read
    /// after the network. A session that starts after a commit begins a new transaction, so a
    /// request never reads older data than writes acknowledged before it began; within one
    /// session the snapshot never changes. The thread keeps the connection until
    /// ``endBatch()``, which it must call before it waits for more work.
    package func batch<T>(_ body: () throws -> T) rethrows -> T {
        if ReadSession.current != nil { return try body() }
        let batch: ReadBatch
        if let current = ReadBatch.current, current.pool === self {
            batch = current
        } else {
            ReadBatch.current?.finish()
            batch = ReadBatch(pool: self)
            ReadBatch.current = batch
        }
        batch.depth += 1
        defer { batch.depth -= 1 }
        return try body()
    }

    /// Ends the thread's batch: its read transaction, and its hold on the connection.
    package func endBatch() {
        guard let batch = ReadBatch.current, batch.pool === self else { return }
        batch.finish()
        ReadBatch.current = nil
    }

    /// Remembers `compute()`'s answer under `key` (and its type) for as long as the current session's batch
    /// snapshot lasts: the same snapshot gives the same answer, so a token looked up by one
    /// request need not be looked up again by the next. Outside a batch, computes every time.
    package func snapshotMemo<T, E: Error>(_ key: String, _ compute: () throws(E) -> T) throws(E) -> T {
        guard let batch = ReadBatch.current, batch.pool === self, batch.isServingSession else { return try compute() }
        let type = ObjectIdentifier(T.self)
        // Keys may be secrets (a presented token): compared in constant time, so how long a
        // refused guess takes does not tell how much of it matched a remembered one.
        for entry in batch.memo where entry.type == type && constantTimeEqual(entry.key, key) {
            // The type was checked with the entry: its box holds a T.
            return unsafeDowncast(entry.box, to: MemoBox<T>.self).value
        }
        let value = try compute()
        if batch.memo.count == Self.memoEntries { batch.memo.removeFirst() }
        batch.memo.append(MemoEntry(type: type, key: key, box: MemoBox(value)))
        return value
    }

    /// A few answers per snapshot (a thread serves a few tokens at a time), looked up by a
    /// linear scan: cheaper than hashing a key or casting from `Any`, which were most of the
    /// memo's cost.
    static let memoEntries = 8

    struct MemoEntry {
        let type: ObjectIdentifier
        let key: String
        let box: AnyObject
    }

    final class MemoBox<T> {
        let value: T
        init(_ value: T) { self.value = value }
    }

    /// How long a batch's snapshot serves new requests while this process commits nothing: the
    /// bound on how late another process's commits (a `vigil import`, a token revoked from the
    /// command line) are seen by a busy thread.
    static let batchSnapshotAge: UInt64 = 10_000_000

    /// How long after this process's last commit sessions still end their transaction (see
    /// ``ReaderPool/batch(_:)``): snapshots are kept between requests only while reads run alone.
    static let batchQuietAfterWrites: UInt64 = 100_000_000

    /// The two bounds this pool applies, the defaults above unless a test sets them before the
    /// pool is used (a test of what happens within the bound cannot depend on a loaded machine
    /// finishing a few statements in 10 ms).
    var snapshotAge: UInt64 {
        get { age.load(ordering: .relaxed) }
        set { age.store(newValue, ordering: .relaxed) }
    }
    var quietAfterWrites: UInt64 {
        get { quiet.load(ordering: .relaxed) }
        set { quiet.store(newValue, ordering: .relaxed) }
    }

    /// One thread's connection and open read transaction, kept between its requests.
    final class ReadBatch {
        let pool: ReaderPool
        /// Nesting of ``ReaderPool/batch(_:)`` on this thread; sessions join the batch only inside.
        var depth = 0
        private var database: Database?
        /// The commit count when the open transaction began; nil when none is open.
        private var snapshotOf: UInt64?
        private var began: UInt64 = 0
        /// Answers read from the open snapshot (see ``ReaderPool/snapshotMemo(_:_:)``); emptied
        /// with it.
        var memo: [MemoEntry] = []
        /// True while a session runs on the batch's open transaction.
        private(set) var isServingSession = false
        /// Whether a read transaction is open (kept between sessions, or running one).
        var holdsSnapshot: Bool { snapshotOf != nil }

        init(pool: ReaderPool) { self.pool = pool }

        func session<T>(commits: CommitCounter, _ body: () throws -> T) throws -> T {
            let database = try database ?? pool.take(forBatch: true)
            self.database = database
            let now = commits.value  // read before the transaction begins: never newer than it
            if let snapshotOf, snapshotOf != now || MonotonicClock.now() - began > pool.snapshotAge {
                end(database)
            }
            if snapshotOf == nil {
                database.setTimeLimit(nil)
                try database.run(Database.TransactionKind.deferred.rawValue)
                snapshotOf = now
                began = MonotonicClock.now()
            }
            ReadSession.current = database
            isServingSession = true
            var failed = true
            defer {
                isServingSession = false
                ReadSession.current = nil
                if pool.hasWaiters {
                    finish()
                } else if failed || commits.value != snapshotOf
                    || MonotonicClock.now() &- commits.lastCommitNanos < pool.quietAfterWrites
                {
                    // Not kept after a failure (a failed statement may have ended the
                    // transaction: an interrupt, say), nor once out of date, nor while writes
                    // come in: readers that always hold a snapshot keep the WAL from ever
                    // restarting (it can only restart when no reader uses it), and it grew
                    // without bound under steady writes (440 MB in 30 s of mixed load, against
                    // 29 MB without batches).
                    end(database)
                }
            }
            let result = try body()
            failed = false
            return result
        }

        private func end(_ database: Database) {
            if database.isInTransaction { try? database.run("COMMIT") }
            if database.isInTransaction { try? database.execute("ROLLBACK") }
            snapshotOf = nil
            memo.removeAll(keepingCapacity: true)
        }

        func finish() {
            guard let database else { return }
            end(database)
            pool.giveBack(database, fromBatch: true)
            self.database = nil
        }

        /// The thread holds its batch until it ends it.
        private static let slot = ThreadLocalReference<ReadBatch>(retains: true)

        /// The current thread's batch, if any.
        static var current: ReadBatch? {
            get { slot.value }
            set { slot.value = newValue }
        }
    }
}

/// The connection of the current thread's read session, if one is open.
enum ReadSession {
    /// The pool keeps the connection alive; the thread only borrows it while the session runs.
    private static let slot = ThreadLocalReference<Database>(retains: false)

    package static var current: Database? {
        get { slot.value }
        set { slot.value = newValue }
    }
}
