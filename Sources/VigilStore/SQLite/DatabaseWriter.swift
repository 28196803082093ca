/// The single writing connection: every change goes through here, one transaction at a time.
///
/// One writer is SQLite's model (WAL allows one writer beside many readers); serializing writes
/// in-process means a write never waits on SQLITE_BUSY and there is exactly one code path where
/// data changes, which the audit log and (later) group commit build on.
///
/// `@unchecked Sendable`: `database` is only touched inside `lock.withLock`.
public final class DatabaseWriter: @unchecked Sendable {
    private let lock = Lock()
    private let database: Database

    init(database: Database) {
        self.database = database
    }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction; commits when it returns, rolls back when
    /// it throws. Returns after COMMIT, which with `synchronous=FULL` means the change is on disk.
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        try lock.withLock { () throws -> T in
            try database.transaction(.immediate) { (db: Database) throws -> T in try body(db) }
        }
    }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction and commits only when `commit` says so
    /// of the result (a dry run, or an all-or-nothing import with refused rows, rolls back).
    public func write<T>(commitIf commit: (T) -> Bool, _ body: (Database) throws -> T) throws -> T {
        try lock.withLock { () throws -> T in
            try database.execute(Database.TransactionKind.immediate.rawValue)
            do {
                let result = try body(database)
                try database.execute(commit(result) ? "COMMIT" : "ROLLBACK")
                return result
            } catch {
                if database.isInTransaction { try? database.execute("ROLLBACK") }
                throw error
            }
        }
    }

    /// Runs `body` with the writer connection outside any transaction (pragmas, migrations,
    /// maintenance that manages its own transactions).
    public func withConnection<T>(_ body: (Database) throws -> T) throws -> T {
        try lock.withLock { () throws -> T in try body(database) }
    }
}
