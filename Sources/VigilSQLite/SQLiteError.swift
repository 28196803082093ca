import CSQLite

/// A failure reported by SQLite, carrying what is needed to tell a busy database from a corrupt one.
///
/// Every call into the C library that can fail is mapped to this one type at the boundary, so the
/// rest of the store matches on ``code`` (the primary result code) or ``extendedCode`` instead of
/// parsing messages.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// The primary result code (`SQLITE_BUSY`, `SQLITE_CONSTRAINT`, …).
    public var code: Int32 { extendedCode & 0xFF }
    /// The extended result code (`SQLITE_CONSTRAINT_UNIQUE`, `SQLITE_IOERR_FSYNC`, …).
    public let extendedCode: Int32
    /// SQLite's own message for the failure.
    public let message: String
    /// The statement that failed, when there was one. Never holds bound values.
    public let sql: String?

    public init(extendedCode: Int32, message: String, sql: String? = nil) {
        self.extendedCode = extendedCode
        self.message = message
        self.sql = sql
    }

    /// Builds the error from a connection's last failure.
    public init(connection: OpaquePointer?, code: Int32, sql: String? = nil) {
        let extended = connection.map { sqlite3_extended_errcode($0) } ?? code
        let text =
            connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
            ?? String(cString: sqlite3_errstr(code))
        self.init(extendedCode: extended == 0 ? code : extended, message: text, sql: sql)
    }

    /// True for the failures that mean "another connection holds the lock": retryable.
    public var isBusy: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }

    /// True for a violated UNIQUE or PRIMARY KEY constraint.
    public var isUniqueViolation: Bool {
        extendedCode == SQLITE_CONSTRAINT | (8 << 8) || extendedCode == SQLITE_CONSTRAINT | (6 << 8)
    }

    public var description: String {
        var text = "SQLite error \(extendedCode): \(message)"
        if let sql {
            // One line: messages end up on a terminal or in a log, one failure per line.
            let flat = sql.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
            text += " (in: \(flat.prefix(200)))"
        }
        return text
    }
}
