import Foundation
import Testing

@testable import VigilSQLite
@testable import VigilStore

/// A savepoint whose journal outgrows memory must spill to its file and commit. With the spill
/// set to 8 MiB, SQLite's unix VFS wrote the spilled journal in one call longer than it can
/// write (128 KiB - 1 bytes), and the write failed as SQLITE_FULL with the disk nearly empty:
/// migration 0016 refused to open a 700 MB database, and so would any write that changes more
/// than the spill's worth of existing pages under a savepoint.
@Suite struct StatementJournalSpillTests {
    @Test func aSavepointJournalLargerThanTheSpillCommits() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vigil-spill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = try Database(path: directory.appendingPathComponent("spill.db").path, mode: .readWriteCreate)
        #expect(Database.statementJournalSpill < 128 << 10)
        try db.execute("PRAGMA journal_mode = WAL")
        try db.execute("CREATE TABLE t (x BLOB)")
        // 24 MiB of existing pages: a journal of their originals is three times the old spill.
        try db.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6000) "
                + "INSERT INTO t SELECT randomblob(4000) FROM n")
        try db.transaction(.immediate) { (db: Database) throws -> Void in
            try db.execute("SAVEPOINT write")
            try db.execute("UPDATE t SET x = randomblob(4000)")
            try db.execute("RELEASE write")
        }
        #expect(try db.scalar("SELECT count(*) FROM t") == .integer(6000))
        #expect(try db.scalar("PRAGMA integrity_check") == .text("ok"))
    }
}
