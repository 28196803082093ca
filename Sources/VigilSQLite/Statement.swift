import CSQLite

/// SQLite's "copy the bytes now" destructor; the macro does not import into Swift.
/// Binding with a nil destructor instead lets SQLite keep a pointer into a temporary Swift
/// buffer, which corrupts data.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A prepared statement: bind values, step through rows, read typed columns.
///
/// Not `Sendable`: it belongs to its ``Database``, which is used by one thread at a time.
/// The connection is held `unowned` so the connection's statement cache makes no retain cycle.
package final class Statement {
    package let handle: OpaquePointer
    unowned let database: Database
    /// The SQL text, kept for error messages. Holds placeholders only, never values.
    package let sql: String

    package init(database: Database, sql: String) throws(SQLiteError) {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(database.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else {
            throw SQLiteError(connection: database.handle, code: code, sql: sql)
        }
        self.handle = statement
        self.database = database
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// Clears the previous run so the statement can be used again from a cache.
    package func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    // MARK: Binding

    /// Binds one value to the 1-based parameter `index`.
    package func bind(_ value: SQLValue, at index: Int32) throws(SQLiteError) {
        let code: Int32
        switch value {
        case .null: code = sqlite3_bind_null(handle, index)
        case .integer(let number): code = sqlite3_bind_int64(handle, index, number)
        case .real(let number): code = sqlite3_bind_double(handle, index, number)
        case .text(let string): code = sqlite3_bind_text(handle, index, string, -1, transient)
        case .blob(let bytes):
            code = bytes.withUnsafeBytes { buffer in
                sqlite3_bind_blob(handle, index, buffer.baseAddress, Int32(buffer.count), transient)
            }
        }
        guard code == SQLITE_OK else { throw SQLiteError(connection: database.handle, code: code, sql: sql) }
    }

    /// Binds `values` to parameters 1…n in order.
    package func bind(_ values: [SQLValue]) throws(SQLiteError) {
        for (offset, value) in values.enumerated() {
            try bind(value, at: Int32(offset + 1))
        }
    }

    // MARK: Stepping

    /// Advances to the next row. Returns false when the statement is done.
    @discardableResult
    package func step() throws(SQLiteError) -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = SQLiteError(connection: database.handle, code: code, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Runs a statement that returns no rows. Reset afterwards whatever happened: a cached
    /// COMMIT that failed (a full disk, say) must not stay half-run beside the ROLLBACK after it.
    package func run(_ values: [SQLValue] = []) throws(SQLiteError) {
        sqlite3_reset(handle)
        try bind(values)
        defer { sqlite3_reset(handle) }
        while try step() {}
    }

    /// Runs a query and hands each row to `body`.
    package func forEachRow(_ values: [SQLValue] = [], _ body: (Statement) throws(SQLiteError) -> Void)
        throws(SQLiteError)
    {
        sqlite3_reset(handle)
        try bind(values)
        defer { sqlite3_reset(handle) }
        while try step() { try body(self) }
    }

    /// Runs `body` on the first row alone, for a query that matches at most one row (by a
    /// unique key): no further step to learn that no row follows.
    package func firstRow(_ values: [SQLValue] = [], _ body: (Statement) throws(SQLiteError) -> Void)
        throws(SQLiteError)
    {
        sqlite3_reset(handle)
        try bind(values)
        defer { sqlite3_reset(handle) }
        if try step() { try body(self) }
    }

    // MARK: Columns

    /// The number of columns in each result row.
    package var columnCount: Int32 { sqlite3_column_count(handle) }

    /// The declared name of column `index` (0-based).
    func columnName(_ index: Int32) -> String { String(cString: sqlite3_column_name(handle, index)) }

    /// True when column `index` (0-based) of the current row is NULL.
    package func isNull(_ index: Int32) -> Bool { sqlite3_column_type(handle, index) == SQLITE_NULL }

    /// Column `index` as an integer (NULL reads as 0: check ``isNull(_:)`` where it matters).
    package func int64(_ index: Int32) -> Int64 { sqlite3_column_int64(handle, index) }

    /// Column `index` as a double.
    package func double(_ index: Int32) -> Double { sqlite3_column_double(handle, index) }

    /// Column `index` as text, nil when NULL.
    package func text(_ index: Int32) -> String? {
        guard let pointer = sqlite3_column_text(handle, index) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, index))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    /// Column `index` as raw bytes (text or blob), nil when NULL. Avoids a String round trip
    /// where the bytes go straight into a response.
    package func bytes(_ index: Int32) -> [UInt8]? {
        let type = sqlite3_column_type(handle, index)
        if type == SQLITE_NULL { return nil }
        let count = Int(sqlite3_column_bytes(handle, index))
        let pointer =
            type == SQLITE_BLOB
            ? sqlite3_column_blob(handle, index)
            : UnsafeRawPointer(sqlite3_column_text(handle, index))
        guard let pointer, count > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// Lends column `index` as UTF-8 bytes (empty when NULL) without copying them: valid only
    /// inside `body`, before the statement moves on.
    package func withBytes<T>(_ index: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        let pointer = sqlite3_column_text(handle, index)  // first, then its length (SQLite's rule)
        let count = Int(sqlite3_column_bytes(handle, index))
        guard let pointer, count > 0 else {
            return try body(UnsafeBufferPointer(start: nil, count: 0))
        }
        return try body(UnsafeBufferPointer(start: pointer, count: count))
    }

    /// Lends column `index` as UTF-8 bytes, or nil when it is NULL: one call fewer per column
    /// than asking ``isNull(_:)`` first, which adds up over the thousands of columns of a page.
    /// Only for text columns (a number would be converted to text in place).
    package func withTextOrNil<T>(_ index: Int32, _ body: (UnsafeBufferPointer<UInt8>?) throws -> T) rethrows -> T {
        guard let pointer = sqlite3_column_text(handle, index) else { return try body(nil) }
        let count = Int(sqlite3_column_bytes(handle, index))
        return try body(UnsafeBufferPointer(start: count > 0 ? pointer : nil, count: count))
    }

    /// Column `index` as whichever storage class the row holds.
    package func value(_ index: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER: return .integer(int64(index))
        case SQLITE_FLOAT: return .real(double(index))
        case SQLITE_TEXT: return .text(text(index) ?? "")
        case SQLITE_BLOB: return .blob(bytes(index) ?? [])
        default: return .null
        }
    }
}
