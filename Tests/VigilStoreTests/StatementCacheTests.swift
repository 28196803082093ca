import Testing

@testable import VigilSQLite
@testable import VigilStore

/// The statement cache hashes only the length and the ends of the SQL text; statements that
/// differ only in the middle must still be told apart.
@Suite struct StatementCacheTests {
    @Test func statementsDifferingOnlyInTheMiddleAreCachedApart() throws {
        let database = try Database(path: ":memory:", mode: .readWriteCreate)
        let padding = String(repeating: " ", count: 40)
        let first = "SELECT\(padding)'left' AS v,\(padding)1 AS n"
        let second = "SELECT\(padding)'rght' AS v,\(padding)1 AS n"
        #expect(first.utf8.count == second.utf8.count && first.utf8.count > 64)
        #expect(StatementKey(sql: first).hashValue == StatementKey(sql: second).hashValue)
        #expect(StatementKey(sql: first) != StatementKey(sql: second))
        for _ in 0..<3 {
            #expect(try database.cachedStatement(first).scalarText() == "left")
            #expect(try database.cachedStatement(second).scalarText() == "rght")
        }
        #expect(try database.cachedStatement(first) === database.cachedStatement(first))
    }
}

extension Statement {
    fileprivate func scalarText() throws -> String? {
        var value: String?
        try forEachRow { row in value = row.text(0) }
        return value
    }
}
