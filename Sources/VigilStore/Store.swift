import CSQLite
import Glibc
import VigilJSON
import VigilSQLite
import VigilThreads

/// Vigil's data: every record, link, token and audit entry, behind one door.
///
/// Every operation takes an ``AccessContext`` and applies its clearance and role here, so no
/// caller can forget them. Writes go through the single ``DatabaseWriter``; reads through a
/// ``ReaderPool``. All SQL lives in this module.
///
/// ```swift
/// let store = try Store(path: "vigil.db")
/// let record = try store.create(.incidents, JSONObject([("title", .string("Mass detention"))]), as: context)
/// ```
public final class Store: Sendable {
    /// The database file.
    public let path: String
    /// How long a query built from a request may run before it is interrupted (a 503).
    public let queryTimeLimit: Duration
    /// The schema versions applied when this store was opened (empty when it was current).
    public let appliedMigrations: [Int]
    let writer: DatabaseWriter
    let readers: ReaderPool
    let tokenUsage = TokenUsageClock()
    /// Seals pagination cursors (see `Cursor`), 32 bytes; kept in the database so cursors outlive
    /// a restart. (Its bytes, as swift-crypto's `SymmetricKey` is not `Sendable`.)
    let cursorKey: [UInt8]
    /// Seals the changes feed's positions (see ``FeedPosition``), 32 bytes, apart from
    /// `cursorKey` so that neither token opens as the other.
    let feedKey: [UInt8]

    /// Opens (creating when missing) the database at `path`, checks it, and migrates it.
    ///
    /// Refuses, with a clear error, a file that is not a healthy SQLite database, one written by
    /// a newer Vigil, or a file system that will not give WAL with `synchronous=FULL`. A failing
    /// database is never "repaired": that would destroy evidence.
    ///
    /// Refuses, before anything is written, a path this process cannot read and write: a missing
    /// or read-only folder, a folder given as the file, a write-protected file, `-wal` or `-shm`,
    /// or a read-only mount (``StoreError/unusableFile(_:)``, one sentence naming the path and
    /// the fix). SQLite would open a write-protected file read-only without a word, and every
    /// write would then fail (see ``DatabaseFileAccess``).
    ///
    /// `walSizeLimit`: the size, in bytes, the WAL is cut back to once a checkpoint has emptied
    /// it. One large transaction (an import of a million incidents wrote 5.6 GB) would otherwise
    /// leave a file that size on the disk for as long as the store is open. Negative: no limit.
    ///
    /// `keptForReadBatches`: of the `readers` connections, how many only read batches may take
    /// (one per thread that serves requests through ``readBatch(_:)``): the other reads share the
    /// rest, and cannot make a batch wait however many of them run.
    ///
    /// `queryTimeLimit`: how long a query built from a request may run (see
    /// ``defaultQueryTimeLimit``).
    public convenience init(
        path: String, readers readerCount: Int = 4, keptForReadBatches: Int = 0,
        walSizeLimit: Int = Store.defaultWALSizeLimit, queryTimeLimit: Duration = Store.defaultQueryTimeLimit
    ) throws(StoreError) {
        try self.init(
            path: path, readers: readerCount, keptForReadBatches: keptForReadBatches, walSizeLimit: walSizeLimit,
            queryTimeLimit: queryTimeLimit, testing: .standard)
    }

    /// The open itself; `testing` is for the storage-fault suites only (a test VFS, a weakened
    /// `synchronous`), see ``StorageTestOptions``.
    package init(
        path: String, readers readerCount: Int = 4, keptForReadBatches: Int = 0,
        walSizeLimit: Int = Store.defaultWALSizeLimit,
        queryTimeLimit: Duration = Store.defaultQueryTimeLimit, testing: StorageTestOptions
    ) throws(StoreError) {
        self.path = path
        self.queryTimeLimit = queryTimeLimit
        do {
            if let problem = DatabaseFileAccess.problem(with: path) { throw StoreError.unusableFile(problem) }
            try Store.checkHeader(path)
            let connection = try Database(path: path, mode: .readWriteCreate, vfs: testing.vfs)
            // SQLite's silent fallback for a file it may not write (SQLITE_OPEN_READWRITE).
            if sqlite3_db_readonly(connection.handle, "main") == 1 {
                throw StoreError.unusableFile(DatabaseFileAccess.openedReadOnly(path))
            }
            try Store.refuseForeignSchema(connection)
            try Store.configureWriter(connection, walSizeLimit: walSizeLimit, synchronous: testing.synchronous)
            let migrator = Migrator()
            appliedMigrations = try migrator.migrate(connection)
            // Rows noted by a writer that stopped before its commit's indexing cannot exist
            // (same transaction), but one made by a tool that skipped it would stay unsearchable.
            // Looked for first, so that an open takes no write lock when there is nothing to do
            // (several processes may be opening the file at once).
            if try connection.scalar("SELECT EXISTS (SELECT 1 FROM fts_pending)") == .integer(1) {
                try connection.transaction(.immediate) { db in try Store.indexPendingText(db) }
            }
            guard case .blob(let key)? = try connection.scalar("SELECT key FROM server_keys WHERE name = 'cursor'"),
                key.count == 32
            else { throw StoreError.corrupt("the cursor key is missing: not a healthy Vigil database") }
            cursorKey = key
            guard case .blob(let feed)? = try connection.scalar("SELECT key FROM server_keys WHERE name = 'feed'"),
                feed.count == 32
            else { throw StoreError.corrupt("the feed position key is missing: not a healthy Vigil database") }
            feedKey = feed
            var connections: [Database] = []
            for _ in 0..<max(1, readerCount) {
                let reader = try Database(path: path, mode: .readOnly, vfs: testing.vfs)
                try reader.execute("PRAGMA query_only = ON")
                try reader.execute("PRAGMA cache_size = -16384")
                try SnippetFunction.register(on: reader)
                connections.append(reader)
            }
            let commits = CommitCounter()
            readers = ReaderPool(connections: connections, commits: commits, keptForBatches: keptForReadBatches)
            writer = try DatabaseWriter(
                database: connection, commits: commits, readers: readers, beforeCommit: Store.indexPendingText)
        } catch {
            throw Store.describe(error, path: path)
        }
    }

    /// Refuses a non-empty file that does not start with SQLite's header. SQLite itself takes a
    /// one-byte file for an empty database and would write a new one over it.
    private static func checkHeader(_ path: String) throws(StoreError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }  // missing (created below) or unreadable (SQLite says why)
        defer { Glibc.close(descriptor) }
        var header = [UInt8](repeating: 0, count: 16)
        let count = header.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, 16) }
        // An empty file is a new database; a read error (a directory, say) is left to SQLite to report.
        guard count > 0 else { return }
        if count != 16 || header != Array("SQLite format 3\0".utf8) {
            throw .corrupt("file is not a database: not a healthy Vigil database")
        }
    }

    /// Refuses an SQLite database that some other program made (tables but no Vigil schema
    /// record) before anything is written to it: Vigil adds its tables only to new files.
    private static func refuseForeignSchema(_ db: Database) throws {
        let tables = try db.scalar(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        let vigil = try db.scalar(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
        if tables != .integer(0), vigil == .integer(0) {
            throw StoreError.foreign(
                "it is an SQLite database made by another program; Vigil will not add its tables to it")
        }
    }

    deinit { close() }

    /// Finishes the queued writes and closes every connection, which copies the WAL into the
    /// database file and removes it (when no other process has the file open): after a clean
    /// stop, the `.db` file alone holds every record, so copying just that file loses nothing.
    /// Every later call fails with "the store is closed". Safe to call more than once.
    ///
    /// Readers close first, so that the writer's connection, which may write, is the last one
    /// and makes the final checkpoint (a read-only connection cannot).
    /// Bytes SQLite's page caches hold, over every connection (each cache is bounded by its
    /// `cache_size`; they fill as the database grows): for `/metrics` and the soak.
    public var pageCacheBytes: Int { readers.pageCacheBytes + writer.pageCacheBytes }

    public func close() {
        readers.close()
        writer.stop()
    }

    /// 64 MiB: far above what steady writes leave between two automatic checkpoints (about
    /// 4 MiB), so the WAL of ordinary work is reused in place and never cut.
    public static let defaultWALSizeLimit = 64 << 20

    private static func configureWriter(_ db: Database, walSizeLimit: Int, synchronous: StorageTestOptions.Synchronous)
        throws
    {
        // A file that is not a database fails here, on the first read of its header.
        let mode = try switchToWAL(db)
        guard mode == .text("wal") else {
            throw StoreError.corrupt("could not switch to WAL journal mode (got \(String(describing: mode)))")
        }
        try db.execute("PRAGMA synchronous = \(synchronous.rawValue)")
        guard try db.scalar("PRAGMA synchronous") == .integer(synchronous.rawValue) else {
            throw StoreError.corrupt(
                "synchronous=\(synchronous) could not be set; acknowledged writes would not be durable")
        }
        try db.execute("PRAGMA foreign_keys = ON")
        guard try db.scalar("PRAGMA foreign_keys") == .integer(1) else {
            throw StoreError.corrupt("foreign keys could not be enabled")
        }
        try db.execute("PRAGMA secure_delete = ON")
        try db.execute("PRAGMA journal_size_limit = \(walSizeLimit)")
        try db.boundWAL(limitBytes: walSizeLimit)
        let check = try db.scalar("PRAGMA quick_check")
        guard check == .text("ok") else {
            throw StoreError.corrupt(String(describing: check ?? .null))
        }
    }

    /// Adds the records created or changed in this transaction to the full-text indexes of the
    /// levels they belong to now (``SearchIndex``), in one statement (see migrations 0010 and
    /// 0016: FTS5 writes an index segment at every savepoint, and the writer opens one per
    /// write). Runs before every commit of the writer.
    @Sendable static func indexPendingText(_ db: Database) throws {
        try db.run("DELETE FROM fts_pending")
    }

    /// `PRAGMA journal_mode = WAL`, tried again for up to 5 s while another process holds the
    /// lock: on a new file, two openers switching it at once can get SQLITE_BUSY at once (SQLite
    /// does not wait where waiting could deadlock), which must not fail a command.
    private static func switchToWAL(_ db: Database) throws -> SQLValue? {
        let deadline = MonotonicClock.now() + 5_000_000_000
        while true {
            do {
                return try db.scalar("PRAGMA journal_mode = WAL")
            } catch {
                guard error.code == SQLITE_BUSY, MonotonicClock.now() < deadline else { throw error }
                usleep(20_000)
            }
        }
    }

    /// An open's failure in the words of ``StoreError``: a file SQLite could not open or write
    /// (the checks before the open race with the file system) is said as what is wrong with it.
    private static func describe(_ error: any Error, path: String) -> StoreError {
        if let sqlite = error as? SQLiteError, sqlite.code == SQLITE_NOTADB || sqlite.code == SQLITE_CORRUPT {
            return .corrupt("\(sqlite.message): not a healthy Vigil database")
        }
        if let sqlite = error as? SQLiteError, [SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_PERM].contains(sqlite.code) {
            return .unusableFile(DatabaseFileAccess.problem(with: path) ?? "cannot open \(path): \(sqlite.message)")
        }
        return StoreError.wrap(error)
    }

    // MARK: Doors

    /// Runs `body` in one write transaction, mapping every failure to ``StoreError``.
    func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try writer.write(body)
        } catch {
            throw StoreError.wrap(error)
        }
    }

    /// ``write(_:)`` with work done as the write is queued and while it waits (see
    /// ``DatabaseWriter/write(sequenced:prepare:_:)``).
    func write<S, P, T>(
        sequenced: () -> S, prepare: (S) -> P, _ body: (Database, S, P?) throws -> T
    ) throws(StoreError) -> T {
        do {
            return try writer.write(sequenced: sequenced, prepare: prepare, body)
        } catch {
            throw StoreError.wrap(error)
        }
    }

    /// Runs `body` in one read transaction with a time limit, mapping failures to ``StoreError``.
    /// `timeLimit` nil is the store's ``queryTimeLimit``; a read budget of the thread (see
    /// ``withinReadBudget(_:_:)``) may end it sooner.
    func read<T>(timeLimit: Duration? = nil, _ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try readers.read { db in
                db.setTimeLimit(timeLimit ?? queryTimeLimit)
                ReadBudget.apply(to: db)
                defer { db.setTimeLimit(nil) }
                return try body(db)
            }
        } catch {
            if ReadBudget.claims(error) { throw .overBudget }
            throw StoreError.wrap(error)
        }
    }

    /// Runs `body` in one read session: every read it makes (authentication included) shares
    /// one connection and one snapshot. For requests that only read.
    public func readSession<T>(_ body: () throws -> T) throws -> T {
        try readers.session(body)
    }

    /// Runs `body`, one request an event thread serves, so that its read session may share the
    /// read transaction of the thread's requests before it until this process commits a write
    /// (see ``ReaderPool/batch(_:)``). The thread keeps a connection until ``endReadBatch()``,
    /// which it must call before it waits for more work.
    public func readBatch<T>(_ body: () throws -> T) rethrows -> T {
        try readers.batch(body)
    }

    /// Ends the current thread's read batch and gives its connection back.
    public func endReadBatch() {
        readers.endBatch()
    }

    /// Runs `PRAGMA integrity_check` (the slow, complete one) and returns its lines.
    public func integrityCheck() throws(StoreError) -> [String] {
        try read(timeLimit: .seconds(3600)) { db in
            var lines: [String] = []
            try db.makeStatement("PRAGMA integrity_check").forEachRow { row in lines.append(row.text(0) ?? "") }
            return lines
        }
    }
}
