import Dispatch
import Foundation
import Testing
@testable import VigilStore

/// The writer's group commit, on its own: many callers at once, some failing, each released
/// with its own result once its group is committed (the writer wakes the first caller of a
/// group, each caller the next).
@Suite struct GroupCommitTests {
    struct Refused: Error {}

    @Test(.timeLimit(.minutes(1)))
    func everyCallerOfAGroupIsReleasedWithItsOwnResult() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-group-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("group.db").path
        let database = try Database(path: path, mode: .readWriteCreate)
        try database.execute("PRAGMA journal_mode = WAL; CREATE TABLE t (caller INTEGER NOT NULL, round INTEGER NOT NULL)")
        let writer = DatabaseWriter(database: database)
        defer { writer.stop() }

        let callers = 48, rounds = 20
        let outcomes = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: callers) { caller in
            for round in 0..<rounds {
                let fails = (caller + round) % 5 == 0
                do {
                    let rowID = try writer.write { db -> Int64 in
                        try db.run("INSERT INTO t (caller, round) VALUES (?, ?)", [.integer(Int64(caller)), .integer(Int64(round))])
                        if fails { throw Refused() }
                        return db.lastInsertRowID
                    }
                    outcomes.update { $0.append(fails ? "committed a failing write" : "ok \(caller) \(round) \(rowID)") }
                } catch is Refused {
                    outcomes.update { $0.append(fails ? "refused" : "refused a good write") }
                } catch {
                    outcomes.update { $0.append("error \(error)") }
                }
            }
        }
        let all = outcomes.value
        let refused = (0..<callers).flatMap { caller in (0..<rounds).filter { (caller + $0) % 5 == 0 } }.count
        #expect(all.count == callers * rounds)
        #expect(all.filter { $0 == "refused" }.count == refused)
        #expect(all.filter { !$0.hasPrefix("ok ") && $0 != "refused" }.isEmpty, "\(all.filter { !$0.hasPrefix("ok ") && $0 != "refused" }.prefix(3))")

        // Each caller got the row it inserted, and only the good writes are stored.
        let stored = try writer.withConnection { db -> [Int64: String] in
            var rows: [Int64: String] = [:]
            try db.makeStatement("SELECT rowid, caller, round FROM t").forEachRow { row in
                rows[row.int64(0)] = "\(row.int64(1)) \(row.int64(2))"
            }
            return rows
        }
        #expect(stored.count == callers * rounds - refused)
        for outcome in all where outcome.hasPrefix("ok ") {
            let parts = outcome.split(separator: " ")
            #expect(stored[Int64(parts[3])!] == "\(parts[1]) \(parts[2])", "\(outcome)")
        }
    }
}
