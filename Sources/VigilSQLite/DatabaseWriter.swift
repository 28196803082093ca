import Dispatch
import Glibc
import Synchronization
import VigilThreads

/// The single writing connection, with group commit: every change goes through here.
///
/// One writer is SQLite's model (WAL allows one writer beside many readers). Writes are queued
/// to one writer thread, which runs all the writes waiting at that moment in one `BEGIN
/// IMMEDIATE` transaction, each inside its own savepoint, and commits them together: one fsync
/// for the group instead of one per write. A write that fails rolls back to its savepoint and
/// leaves the others alone. Each caller blocks until the COMMIT that holds its write has
/// returned, which with `synchronous=FULL` means it is on disk: nothing is acknowledged before
/// it is durable.
///
/// `@unchecked Sendable`: `pending` and `stopped` are only touched inside `lock`; `database` only
/// on the writer thread (and in `init`, before the thread starts).
package final class DatabaseWriter: @unchecked Sendable {
    private let lock = ConditionLock()
    private var pending: [Job] = []
    private var stopped = false
    private let database: Database
    /// Bytes of the writer's page cache after its last group of commits.
    package var pageCacheBytes: Int { database.pageCacheBytes }
    /// Work that joins every transaction the writer commits, just before its COMMIT.
    private let beforeCommit: @Sendable (Database) throws -> Void
    /// Advanced after every commit (and every exclusive job, which may have written).
    package let commits: CommitCounter
    /// The readers of the same file, held back while the WAL restarts (see ``WALBound``).
    private let readers: ReaderPool?
    /// Signalled by the writer thread once it has left its loop and let go of the writer.
    private let exited = DispatchSemaphore(value: 0)
    /// The most writes committed together.
    static let maximumGroup = 512

    /// One queued write.
    package final class Job: @unchecked Sendable {
        enum Kind {
            /// Runs in a savepoint of the shared transaction.
            case grouped
            /// Runs alone, outside any transaction the writer opened (pragmas, VACUUM INTO, a
            /// transaction of its own that may roll back).
            case exclusive
        }

        let kind: Kind
        /// Dropped by the writer thread before `done` is signalled: the caller's closure must not
        /// outlive its call (it is only made escaping for the time the caller waits).
        var body: ((Database) throws -> Void)?
        let done = DispatchSemaphore(value: 0)
        /// Set by the writer thread before `done` is signalled; read by the caller after.
        var failure: (any Error)?

        init(kind: Kind, body: @escaping (Database) throws -> Void) {
            self.kind = kind
            self.body = body
        }

        func run(_ database: Database) throws {
            try body?(database)
        }

        /// The next job of the same commit, which this job's caller releases once it is released
        /// itself (see `finish`). Set by the writer thread before `done` is signalled.
        var successor: Job?

        /// Releases the caller.
        func complete() {
            body = nil
            done.signal()
        }
    }

    /// `beforeCommit` runs inside every transaction the writer commits (a group, or a
    /// `write(commitIf:)` that commits), after the last write and before COMMIT; when it throws,
    /// the transaction rolls back and every write in it fails.
    package init(
        database: Database, commits: CommitCounter = CommitCounter(), readers: ReaderPool? = nil,
        beforeCommit: @escaping @Sendable (Database) throws -> Void = { _ in }
    ) throws(SystemThread.StartError) {
        self.database = database
        self.commits = commits
        self.readers = readers
        self.beforeCommit = beforeCommit
        // The thread holds the writer until its loop ends, and lets it go before it signals
        // `exited`: when `close()` returns, the connection is closed too.
        let writer = Unmanaged.passRetained(self)
        let exited = self.exited
        do {
            try SystemThread.start {
                writer.takeRetainedValue().loop()
                exited.signal()
            }
        } catch {
            writer.release()
            throw error
        }
    }

    /// Stops the writer thread once the queued writes are done, waits for it, and closes the
    /// connection (see ``Database/close()``); later writes fail with "the store is closed".
    /// The store calls it from ``Store/close()``.
    package func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        lock.broadcast()
        exited.wait()
        database.close()  // the writer thread, its only user, has gone
    }

    // MARK: Callers

    /// Runs `body` inside the next group's transaction (rolled back alone if it throws) and
    /// returns once that transaction is committed and durable.
    package func write<T>(_ body: (Database) throws -> T) throws -> T {
        try withoutActuallyEscaping(body) { body in
            var result: T?
            try submit(.grouped) { db in result = try body(db) }
            guard let result else { throw SQLiteError(extendedCode: 1, message: "the write produced no result") }
            return result
        }
    }

    /// Like ``write(_:)``, in two steps before the write runs:
    ///
    /// - `sequenced` runs as the write is queued, under the queue's lock, so what it makes
    ///   (record ids, a time) follows the order in which writes commit, as if made on the writer
    ///   thread. Keep it to a few microseconds: every caller queues behind it.
    /// - `prepare` then runs on the caller's thread while the write waits its turn, for work that
    ///   depends on those values (a digest of a record with its id) and would otherwise be done
    ///   on the writer thread, which every write waits for. The body gets its result, or nil when
    ///   the writer reached the write first: the body then does that work itself. Nobody waits.
    package func write<S, P, T>(
        sequenced: () -> S, prepare: (S) -> P, _ body: (Database, S, P?) throws -> T
    ) throws -> T {
        try withoutActuallyEscaping(prepare) { prepare in
            try run(.grouped, sequenced: sequenced, prepare: prepare, body)
        }
    }

    /// ``write(commitIf:_:)`` with `sequenced` run as the write is queued, as for
    /// ``write(sequenced:prepare:_:)``. No `prepare`: an exclusive job (an import of thousands of
    /// rows) usually starts at once, and the caller would then do the writer's work a second time.
    package func write<S, T>(
        sequenced: () -> S, commitIf commit: (T) -> Bool, _ body: (Database, S) throws -> T
    ) throws -> T {
        try withoutActuallyEscaping(commit) { commit in
            try withoutActuallyEscaping(body) { body in
                try run(.exclusive, sequenced: sequenced, prepare: nil as ((S) -> Never)?) { database, made, _ in
                    try self.transaction(in: database, commitIf: commit) { try body($0, made) }
                }
            }
        }
    }

    private func run<S, P, T>(
        _ kind: Job.Kind, sequenced: () -> S, prepare: ((S) -> P)?, _ body: (Database, S, P?) throws -> T
    ) throws -> T {
        try withoutActuallyEscaping(sequenced) { sequenced in
            try withoutActuallyEscaping(body) { body in
                var made: S?
                var result: T?
                let handoff = Handoff<P>()
                try submit(
                    kind, sequenced: { made = sequenced() },
                    whileQueued: {
                        // `made` was set under the lock, before this thread let go of it.
                        if let made, let prepare { handoff.offer { prepare(made) } }
                    }
                ) { db in
                    guard let made else { return }
                    result = try body(db, made, handoff.take())
                }
                guard let result else { throw SQLiteError(extendedCode: 1, message: "the write produced no result") }
                return result
            }
        }
    }

    /// A value passed from a caller's thread to the writer's without either waiting: the writer
    /// takes it if it is there, and otherwise marks it refused so it is never read.
    ///
    /// `@unchecked Sendable`: `value` is written once by the caller before `state` becomes
    /// `offered` (release), and read by the writer only after seeing `offered` (acquire).
    final class Handoff<P>: @unchecked Sendable {
        private static var empty: Int { 0 }
        private static var offered: Int { 1 }
        private static var refused: Int { 2 }
        private let state = Atomic<Int>(0)
        private var value: P?

        /// Makes the value and offers it, unless the writer has already gone without it (then
        /// nothing is made: the caller goes straight to waiting, and to waking the next caller).
        func offer(_ make: () -> P) {
            guard state.load(ordering: .relaxed) == Self.empty else { return }
            value = make()
            _ = state.compareExchange(expected: Self.empty, desired: Self.offered, ordering: .releasing)
        }

        func take() -> P? {
            let (refusedNow, original) = state.compareExchange(
                expected: Self.empty, desired: Self.refused, ordering: .acquiring)
            return !refusedNow && original == Self.offered ? value : nil
        }
    }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction of its own and commits only when `commit`
    /// says so of the result (a dry run, or an all-or-nothing import with refused rows, rolls back).
    package func write<T>(commitIf commit: (T) -> Bool, _ body: (Database) throws -> T) throws -> T {
        try withConnection { database in try transaction(in: database, commitIf: commit, body) }
    }

    /// The transaction of an exclusive job (see ``write(commitIf:_:)``), on the writer thread.
    private func transaction<T>(in database: Database, commitIf commit: (T) -> Bool, _ body: (Database) throws -> T)
        throws -> T
    {
        try database.execute(Database.TransactionKind.immediate.rawValue)
        do {
            let result = try body(database)
            if commit(result) {
                try beforeCommit(database)
                try database.execute("COMMIT")  // counted by runExclusive, as every exclusive job
            } else {
                try database.execute("ROLLBACK")
            }
            return result
        } catch {
            if database.isInTransaction { try? database.execute("ROLLBACK") }
            throw error
        }
    }

    /// Runs `body` with the writer connection outside any transaction (pragmas, `VACUUM INTO`,
    /// work that manages its own transaction).
    package func withConnection<T>(_ body: (Database) throws -> T) throws -> T {
        try withoutActuallyEscaping(body) { body in
            var result: T?
            try submit(.exclusive) { db in result = try body(db) }
            guard let result else { throw SQLiteError(extendedCode: 1, message: "the write produced no result") }
            return result
        }
    }

    private func submit(
        _ kind: Job.Kind, sequenced: (() -> Void)? = nil, whileQueued: (() -> Void)? = nil,
        _ body: @escaping (Database) throws -> Void
    ) throws {
        let job = Job(kind: kind, body: body)
        let accepted = lock.withLock { () -> Bool in
            guard !stopped else { return false }
            sequenced?()  // in queue order: the writer takes jobs in the order they were appended
            pending.append(job)
            return true
        }
        guard accepted else { throw Database.closedError }
        lock.broadcast()
        whileQueued?()
        if let bound = database.walBound, ReaderPool.threadHoldsSnapshot {
            bound.snapshotHolder { job.done.wait() }
        } else {
            job.done.wait()
        }
        if let successor = job.successor {
            job.successor = nil
            successor.done.signal()
        }
        if let failure = job.failure { throw failure }
    }

    // MARK: The writer thread

    private func loop() {
        while true {
            let jobs = lock.withLock(waitingUntil: { !pending.isEmpty || stopped }) { () -> [Job] in
                let taken = pending
                pending.removeAll()
                return taken
            }
            if jobs.isEmpty { return }  // stopped, nothing left
            var group: [Job] = []
            for job in jobs {
                switch job.kind {
                case .grouped:
                    group.append(job)
                    if group.count == Self.maximumGroup {
                        runGroup(group)
                        group.removeAll()
                    }
                case .exclusive:
                    runGroup(group)
                    group.removeAll()
                    runExclusive(job)
                }
            }
            runGroup(group)
            database.notePageCacheUse()
            // Every caller of what was just committed is released: the WAL may restart now
            // (the writes queued meanwhile wait for it; see ``WALBound``).
            if database.walBound?.isOver == true {
                readers?.holdNewReads(true)
                database.restartWALIfOverBound()
                readers?.holdNewReads(false)
            }
        }
    }

    /// What the WAL's bound has done (nil when the store has none); for tests and measurements.
    var walFigures: WALBound.Figures? { database.walBound?.figures }

    private func runExclusive(_ job: Job) {
        do {
            try job.run(database)
        } catch {
            job.failure = error
        }
        commits.advance()
        job.complete()
    }

    /// One transaction, one savepoint per job, one COMMIT; then every caller is released.
    private func runGroup(_ jobs: [Job]) {
        guard !jobs.isEmpty else { return }
        var open: [Job] = []  // jobs whose changes wait for the next COMMIT
        var index = 0
        while index < jobs.count {
            do {
                try database.run(Database.TransactionKind.immediate.rawValue)
            } catch {
                for job in jobs[index...] { job.failure = error }
                break
            }
            while index < jobs.count {
                let job = jobs[index]
                index += 1
                do {
                    try database.run("SAVEPOINT vigil_write")
                    try job.run(database)
                    try database.run("RELEASE vigil_write")
                    open.append(job)
                } catch {
                    job.failure = error
                    if database.isInTransaction {
                        try? database.execute("ROLLBACK TO vigil_write")
                        try? database.execute("RELEASE vigil_write")
                    } else {
                        // SQLite rolled the whole transaction back (a full disk, say): the jobs
                        // before this one are lost too; the rest start a new transaction.
                        for lost in open { lost.failure = error }
                        finish(open)
                        open.removeAll()
                        break
                    }
                }
            }
            if database.isInTransaction {
                do {
                    if !open.isEmpty { try beforeCommit(database) }
                    try database.run("COMMIT")
                    commits.advance()
                } catch {
                    for job in open { job.failure = error }
                    if database.isInTransaction { try? database.execute("ROLLBACK") }
                }
            }
            finish(open)
            open.removeAll()
        }
        for job in jobs where job.failure != nil { job.complete() }
    }

    /// Releases the callers of the committed `jobs`. The writer wakes only the first; each caller,
    /// once awake, wakes the next. Waking every caller from the writer thread cost it about a
    /// tenth of its time: each wake-up is a system call, and on a busy machine the woken thread
    /// often took the writer's core there and then, so the next group waited for a whole
    /// group's wake-ups (1.4 of 13 s busy in a write benchmark; 0.2 s chained, docs/performance.md).
    private func finish(_ jobs: [Job]) {
        let committed = jobs.filter { $0.failure == nil }
        for (job, next) in zip(committed, committed.dropFirst()) { job.successor = next }
        for job in committed { job.body = nil }
        committed.first?.done.signal()
    }
}
