import Dispatch
import Foundation
import Testing

@testable import VigilJSON
@testable import VigilSQLite
@testable import VigilStore

/// The writer's group commit, on its own: many callers at once, some failing, each released
/// with its own result once its group is committed (the writer wakes the first caller of a
/// group, each caller the next).
@Suite struct GroupCommitTests {
    struct Refused: Error {}

    @Test(.timeLimit(.minutes(1)))
    func everyCallerOfAGroupIsReleasedWithItsOwnResult() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vigil-group-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("group.db").path
        let database = try Database(path: path, mode: .readWriteCreate)
        try database.execute(
            "PRAGMA journal_mode = WAL; CREATE TABLE t (caller INTEGER NOT NULL, round INTEGER NOT NULL)")
        let writer = try DatabaseWriter(database: database)
        defer { writer.stop() }

        let callers = 48
        let rounds = 20
        let outcomes = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: callers) { caller in
            for round in 0..<rounds {
                let fails = (caller + round) % 5 == 0
                do {
                    let rowID = try writer.write { db -> Int64 in
                        try db.run(
                            "INSERT INTO t (caller, round) VALUES (?, ?)",
                            [.integer(Int64(caller)), .integer(Int64(round))])
                        if fails { throw Refused() }
                        return db.lastInsertRowID
                    }
                    outcomes.update {
                        $0.append(fails ? "committed a failing write" : "ok \(caller) \(round) \(rowID)")
                    }
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
        #expect(
            all.filter { !$0.hasPrefix("ok ") && $0 != "refused" }.isEmpty,
            "\(all.filter { !$0.hasPrefix("ok ") && $0 != "refused" }.prefix(3))")

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

    /// Record ids are made as each create is queued (with its audit digest, off the writer
    /// thread) yet must still follow the order in which records commit: keyset pagination on
    /// `id` relies on a new record never appearing behind one already seen. The audit log's
    /// sequence numbers are assigned by the writer as it runs each write, so sorted by them the
    /// ids must be strictly increasing, with a concurrent import in between.
    @Test("ids follow commit order under concurrent creates and an import", .timeLimit(.minutes(1)))
    func idsFollowCommitOrder() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        DispatchQueue.concurrentPerform(iterations: 17) { caller in
            if caller == 16 {
                let rows = (0..<200).map { index in
                    ImportRow(
                        line: index + 1, object: JSONObject([("title", .string("imported \(index)"))]), errors: [])
                }
                _ = try? store.importRecords(.incidents, rows, mode: .all, dryRun: false, as: Caller.admin)
                return
            }
            for round in 0..<25 {
                _ = try? store.make(.incidents, #"{"title": "caller \#(caller) round \#(round)"}"#)
            }
        }
        var ids: [String] = []
        try store.readers.read { db in
            try db.makeStatement("SELECT record_id FROM audit_log WHERE action = 'create' ORDER BY seq").forEachRow {
                row in
                ids.append(row.text(0) ?? "")
            }
        }
        #expect(ids.count == 16 * 25 + 200)
        let outOfOrder = zip(ids, ids.dropFirst()).filter { $0.0 >= $0.1 }
        #expect(
            outOfOrder.isEmpty, "\(outOfOrder.count) ids committed after a larger one, e.g. \(outOfOrder.prefix(2))")
        #expect(try store.verify().isIntact)
    }

    @Test("a hand-off is taken once offered, and never read once the writer has gone without it")
    func handoffNeverWaitsAndNeverReadsLate() {
        let offeredFirst = DatabaseWriter.Handoff<Int>()
        offeredFirst.offer { 7 }
        #expect(offeredFirst.take() == 7)
        let takenFirst = DatabaseWriter.Handoff<Int>()
        #expect(takenFirst.take() == nil)  // the writer got there first and does the work itself
        var madeLate = false
        takenFirst.offer {
            madeLate = true
            return 8
        }
        #expect(takenFirst.take() == nil)  // a late offer is ignored
        #expect(!madeLate, "a value nobody will read was made")
        // Both sides at once, many times: the taker gets either nothing or the whole value.
        for round in 0..<2_000 {
            let handoff = DatabaseWriter.Handoff<[Int]>()
            let value = Array(repeating: round, count: 16)
            let taken = Locked<[Int]?>(nil)
            DispatchQueue.concurrentPerform(iterations: 2) { side in
                if side == 0 {
                    handoff.offer { value }
                } else {
                    let got = handoff.take()
                    taken.update { $0 = got }
                }
            }
            let got = taken.value
            #expect(got == nil || got == value)
        }
    }
}
