import CSQLite
import Glibc
import Synchronization
import VigilThreads

/// One SQLite connection.
///
/// Deliberately not `Sendable`: a connection is used by one thread at a time. The concurrency
/// policy (one writer, a pool of readers) lives in ``DatabaseWriter`` and ``ReaderPool``, the
/// only places that hand connections across threads.
package final class Database {
    package let handle: OpaquePointer
    /// The file this connection opened.
    package let path: String
    private var statementCache: [StatementKey: Statement] = [:]
    /// Monotonic nanoseconds after which a running statement is interrupted; 0 when unlimited.
    private(set) var deadlineNanos: UInt64 = 0
    /// The writer's bound on the WAL (see ``WALBound``); nil on readers.
    var walBound: WALBound?
    /// The busy timeout the connection was opened with.
    let busyTimeoutMilliseconds: Int32
    /// What this connection's page cache held when its own thread last noted it
    /// (``notePageCacheUse()``); read from any thread by the metrics.
    private let notedPageCacheBytes = Atomic<Int>(0)

    /// How a connection is opened.
    package enum Mode: Sendable {
        /// Read and write, creating the file when missing.
        case readWriteCreate
        /// Read and write an existing file.
        case readWrite
        /// Read only: a reader in the pool can never change data by mistake.
        case readOnly
    }

    /// Opens the connection in `mode`, with extended result codes and a busy timeout.
    ///
    /// `vfs`: the name of a registered SQLite VFS to open the file through; nil for the default.
    /// Only the storage-fault tests set it (a VFS that fails or cuts the power on demand).
    package init(path: String, mode: Mode, busyTimeout: Duration = .seconds(5), vfs: String? = nil) throws(SQLiteError)
    {
        _ = Database.libraryConfigured
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        switch mode {
        case .readWriteCreate: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        case .readWrite: flags |= SQLITE_OPEN_READWRITE
        case .readOnly: flags |= SQLITE_OPEN_READONLY
        }
        var connection: OpaquePointer?
        let code = sqlite3_open_v2(path, &connection, flags, vfs)
        guard code == SQLITE_OK, let connection else {
            let error = SQLiteError(connection: connection, code: code)
            sqlite3_close_v2(connection)
            throw error
        }
        self.handle = connection
        self.path = path
        sqlite3_extended_result_codes(connection, 1)
        let milliseconds =
            busyTimeout.components.seconds * 1000 + busyTimeout.components.attoseconds / 1_000_000_000_000_000
        busyTimeoutMilliseconds = Int32(clamping: milliseconds)
        sqlite3_busy_timeout(connection, busyTimeoutMilliseconds)
        // Defensive settings: no double-quoted string literals, no writable schema tricks.
        var ignored: Int32 = 0
        _ = vigil_sqlite3_db_config_int(connection, SQLITE_DBCONFIG_DQS_DML, 0, &ignored)
        _ = vigil_sqlite3_db_config_int(connection, SQLITE_DBCONFIG_DQS_DDL, 0, &ignored)
        _ = vigil_sqlite3_db_config_int(connection, SQLITE_DBCONFIG_DEFENSIVE, 1, &ignored)
        installProgressHandler()
    }

    /// Bytes of a statement or savepoint journal kept in memory before it spills to a file.
    ///
    /// Under 128 KiB, always: SQLite's in-memory journal copies itself to the file in chunks of
    /// this size when it spills, and the unix VFS writes at most 128 KiB - 1 bytes per call
    /// (`seekAndWriteFd` masks the length to 17 bits), so a spill of a larger journal wrote a
    /// remainder of 0 bytes and failed as SQLITE_FULL on a disk with room to spare (an 8 MiB
    /// setting broke migration 0016 on a 700 MB database, and any write whose savepoint outgrew
    /// it: `StatementJournalSpillTests`).
    static let statementJournalSpill: Int32 = 120 << 10

    /// Process-wide settings that must precede the first connection (see the C shim).
    private static let libraryConfigured: Bool = {
        _ = vigil_sqlite3_disable_memstatus()
        // The writer gives every write of a group commit its own savepoint, and SQLite keeps
        // the original of each page a savepoint changes in a journal, in memory up to this size
        // and in a temporary file beyond it. At 64 KiB (the default) a group's journal moved to
        // a file after a few writes and stayed there: four page writes to it for every page
        // written to the WAL, each a system call. A savepoint's journal is emptied when it is
        // released, so this bounds one write's pages, not a group's (docs/performance.md); it
        // cannot exceed 128 KiB (``statementJournalSpill``).
        _ = vigil_sqlite3_set_statement_journal_spill(Database.statementJournalSpill)
        return true
    }()

    private var isClosed = false

    /// Bytes of this connection's page cache as last noted. The caches fill up to their size
    /// (`cache_size`) as the database grows, which is most of a server's memory growth: the
    /// soak tells a leak from a cache filling by this figure, and `/metrics` shows it.
    package var pageCacheBytes: Int { notedPageCacheBytes.load(ordering: .relaxed) }

    /// Notes how much the page cache holds; called by the thread using the connection, between
    /// uses (a pooled reader when it is given back, the writer after a group of commits), since
    /// the connection may not be touched by two threads at once.
    func notePageCacheUse() {
        guard !isClosed else { return }
        var current: Int32 = 0
        var highwater: Int32 = 0
        if sqlite3_db_status(handle, SQLITE_DBSTATUS_CACHE_USED, &current, &highwater, 0) == SQLITE_OK {
            notedPageCacheBytes.store(Int(current), ordering: .relaxed)
        }
    }

    /// Closes the connection now rather than when the last reference goes. The last connection
    /// to the file that closes copies the WAL into the database file and removes the WAL, so the
    /// `.db` file alone then holds every committed record (a copy of just that file is whole).
    /// The owner calls it once nobody else can use the connection; it is never used after.
    package func close() {
        guard !isClosed else { return }
        isClosed = true
        statementCache.removeAll()  // finalizes them: with statements left, SQLite defers the close
        sqlite3_close_v2(handle)
    }

    deinit { close() }

    /// The error every use of a closed store's connections fails with.
    static let closedError = SQLiteError(extendedCode: SQLITE_MISUSE, message: "the store is closed")

    // MARK: Statements

    /// Runs one or more statements that take no arguments (schema, pragmas).
    package func execute(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        if code != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_free(message)
            throw SQLiteError(extendedCode: sqlite3_extended_errcode(handle), message: text, sql: sql)
        }
    }

    /// Prepares `sql` once for this connection and keeps it: a cached statement costs 2–4 µs
    /// where a fresh prepare costs ≈15 µs, which dominates a point read.
    package func cachedStatement(_ sql: String) throws(SQLiteError) -> Statement {
        if let statement = statementCache[StatementKey(sql: sql)] {
            statement.reset()
            return statement
        }
        let statement = try Statement(database: self, sql: sql)
        if statementCache.count > 512 { statementCache.removeAll() }
        statementCache[StatementKey(sql: sql)] = statement
        return statement
    }

    /// Prepares a statement that is used once (e.g. a query whose shape depends on user filters
    /// and would only pollute the cache).
    package func makeStatement(_ sql: String) throws(SQLiteError) -> Statement {
        try Statement(database: self, sql: sql)
    }

    /// Runs `sql` with `values` and returns nothing.
    package func run(_ sql: String, _ values: [SQLValue] = []) throws(SQLiteError) {
        try cachedStatement(sql).run(values)
    }

    /// Returns the first column of the first row, or nil when there is no row.
    package func scalar(_ sql: String, _ values: [SQLValue] = []) throws(SQLiteError) -> SQLValue? {
        let statement = try cachedStatement(sql)
        var result: SQLValue?
        try statement.forEachRow(values) { row in
            if result == nil { result = row.value(0) }
        }
        return result
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE on this connection.
    package var changes: Int { Int(sqlite3_changes(handle)) }

    /// The rowid of the last row this connection inserted (outside triggers).
    package var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// True while a transaction is open on this connection.
    var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    // MARK: Transactions

    /// The kinds of transaction Vigil uses.
    package enum TransactionKind: String, Sendable {
        /// A read snapshot: several queries see the same data.
        case deferred = "BEGIN DEFERRED"
        /// A write: takes the write lock at once, so it cannot fail with SQLITE_BUSY halfway
        /// through, as a deferred transaction upgraded to a write can.
        case immediate = "BEGIN IMMEDIATE"
    }

    /// Runs `body` inside a transaction; commits when it returns, rolls back when it throws.
    package func transaction<T, E: Error>(_ kind: TransactionKind, _ body: (Database) throws(E) -> T) throws -> T {
        // Prepared once per connection, like every statement run per request: parsing BEGIN and
        // COMMIT again on each read was about 2% of a by-id request.
        try run(kind.rawValue)
        do {
            let result = try body(self)
            try run("COMMIT")
            return result
        } catch {
            if isInTransaction { try? execute("ROLLBACK") }
            throw error
        }
    }

    // MARK: Time limit

    /// Interrupts any statement still running after `limit`; nil removes the limit.
    /// Queries built from user filters run with a limit so that no request can hold a
    /// connection for long.
    package func setTimeLimit(_ limit: Duration?) {
        guard let limit else {
            deadlineNanos = 0
            return
        }
        let nanos =
            UInt64(limit.components.seconds) * 1_000_000_000
            + UInt64(limit.components.attoseconds / 1_000_000_000)
        deadlineNanos = MonotonicClock.now() &+ nanos
    }

    /// Brings the deadline forward to `deadline` (monotonic nanoseconds) when it is later or
    /// unset: a read budget (see ``Store/withinReadBudget(_:_:)``) ends before the time limit.
    package func capDeadline(at deadline: UInt64) {
        if deadlineNanos == 0 || deadline < deadlineNanos { deadlineNanos = deadline }
    }

    /// Whether the deadline (time limit or read budget) has passed: what the progress handler
    /// asks, and what functions that run long inside one step (snippets) ask themselves.
    package var isPastDeadline: Bool {
        let deadline = deadlineNanos
        return deadline != 0 && MonotonicClock.now() > deadline
    }

    private func installProgressHandler() {
        let context = Unmanaged.passUnretained(self).toOpaque()
        sqlite3_progress_handler(
            handle, 10_000,
            { context in
                guard let context else { return 0 }
                return Unmanaged<Database>.fromOpaque(context).takeUnretainedValue().isPastDeadline ? 1 : 0
            }, context)
    }
}

/// The statement cache's key: the SQL text, hashed by its length and its first and last bytes
/// only. A by-id select is about 600 bytes, looked up on every request; hashing all of it was
/// about 3% of a request. Statements that share length, start and end only share a bucket:
/// equality still compares the whole text.
struct StatementKey: Hashable {
    package let sql: String

    package static func == (left: StatementKey, right: StatementKey) -> Bool { left.sql == right.sql }

    package func hash(into hasher: inout Hasher) {
        let hashed: Void? = sql.utf8.withContiguousStorageIfAvailable { bytes in
            hasher.combine(bytes.count)
            let ends = 32
            if bytes.count <= 2 * ends {
                hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
            } else {
                hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[..<ends])))
                hasher.combine(
                    bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[(bytes.count - ends)...])))
            }
        }
        if hashed == nil { hasher.combine(sql) }
    }
}
