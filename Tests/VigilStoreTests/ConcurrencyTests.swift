import Foundation
import Testing

@testable import VigilJSON
@testable import VigilStore

/// Several threads writing and reading at once: no SQLITE_BUSY, no lost update.
@Suite("Concurrency")
struct ConcurrencyTests {
    /// Errors collected from many threads.
    final class ErrorLog: @unchecked Sendable {
        private let lock = NSLock()
        private var errors: [String] = []
        private var counters: [String: Int] = [:]

        func record(_ text: String) {
            lock.lock()
            errors.append(text)
            lock.unlock()
        }

        func count(_ name: String, by amount: Int = 1) {
            lock.lock()
            counters[name, default: 0] += amount
            lock.unlock()
        }

        var all: [String] {
            lock.lock()
            defer { lock.unlock() }
            return errors
        }

        func counter(_ name: String) -> Int {
            lock.lock()
            defer { lock.unlock() }
            return counters[name] ?? 0
        }
    }

    /// Ids collected from many threads.
    final class IDLog: @unchecked Sendable {
        private let lock = NSLock()
        private var ids: [String] = []

        func append(_ more: [String]) {
            lock.lock()
            ids += more
            lock.unlock()
        }

        var all: [String] {
            lock.lock()
            defer { lock.unlock() }
            return ids
        }
    }

    /// Runs `count` real threads (blocking work does not belong on the cooperative pool) and
    /// waits for all of them; the threads start together.
    static func runThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        let start = DispatchSemaphore(value: 0)
        for index in 0..<count {
            group.enter()
            let thread = Thread {
                start.wait()
                body(index)
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        for _ in 0..<count { start.signal() }
        group.wait()
    }

    @Test("writers and readers at once: no SQLITE_BUSY, every write readable")
    func writersAndReaders() throws {
        let temporary = try TemporaryStore(readers: 3)
        let store = temporary.store
        let log = ErrorLog()
        let createdIDs = IDLog()
        let perWriter = 60
        let writersDone = ErrorLog()
        ConcurrencyTests.runThreads(8) { index in
            if index % 2 == 0 {
                for item in 0..<perWriter {
                    do {
                        let input = JSONObject([
                            ("title", .string("writer \(index) item \(item)")),
                            ("confidentiality", .string(item % 2 == 0 ? "public" : "restricted")),
                            ("victims_min", .int(Int64(item))),
                        ])
                        if item % 10 == 0 {
                            // Some batches, some single creates.
                            let batch = try store.createMany(.incidents, [input, input], as: Caller.editor)
                            createdIDs.append(batch.map(\.id))
                        } else {
                            let record = try store.create(.incidents, input, as: Caller.editor)
                            _ = try store.update(
                                .incidents, id: record.id, patch: JSONObject([("victims_max", .int(Int64(item + 1)))]),
                                as: Caller.editor)
                            createdIDs.append([record.id])
                        }
                    } catch {
                        log.record("writer \(index): \(error)")
                    }
                }
                writersDone.count("done")
            } else {
                // Readers keep reading until every writer has finished.
                var rounds = 0
                while writersDone.counter("done") < 4 || rounds < 5 {
                    rounds += 1
                    do {
                        var query = ListQuery()
                        query.limit = 25
                        query.includeTotal = true
                        query.sort = [SortKey(field: "created_at", descending: true)]
                        let page = try store.list(
                            .incidents, query, as: index == 1 ? Caller.publicReader : Caller.admin)
                        for record in page.records.prefix(5) {
                            _ = try store.record(.incidents, id: record.id, as: Caller.admin)
                            _ = try store.history(.incidents, id: record.id, as: Caller.admin)
                        }
                        _ = try store.changes(limit: 50, as: Caller.admin)
                        log.count("reads")
                    } catch {
                        log.record("reader \(index): \(error)")
                    }
                }
            }
        }
        let errors = log.all
        #expect(errors.isEmpty, "\(errors.count) errors, first: \(errors.first ?? "")")
        #expect(!errors.contains { $0.contains("busy") || $0.contains("locked") })
        #expect(log.counter("reads") >= 20)
        let created = createdIDs.all
        let expectedCount = 4 * (perWriter + perWriter / 10)
        #expect(created.count == expectedCount)
        #expect(Set(created).count == created.count, "ids must be unique")
        var query = ListQuery()
        query.includeTotal = true
        query.limit = 1
        #expect(try store.list(.incidents, query, as: Caller.admin).total == expectedCount)
        for id in created {
            _ = try store.record(.incidents, id: id, as: Caller.admin)
        }
        let report = try store.verify()
        #expect(report.isIntact, "\(report.problems.prefix(3))")
    }

    @Test("read-modify-write with expectedVersion loses no update")
    func noLostUpdate() throws {
        let temporary = try TemporaryStore(readers: 3)
        let store = temporary.store
        let incident = try store.make(.incidents, #"{"title": "Counter", "victims_min": 0}"#)
        let threads = 6
        let incrementsPerThread = 15
        let log = ErrorLog()
        ConcurrencyTests.runThreads(threads) { index in
            for _ in 0..<incrementsPerThread {
                var attempts = 0
                while true {
                    attempts += 1
                    if attempts > 10_000 {
                        log.record("thread \(index): gave up after \(attempts) attempts")
                        return
                    }
                    do {
                        let current = try store.record(.incidents, id: incident.id, as: Caller.editor)
                        let value = current.json["victims_min"]?.intValue ?? -1_000_000
                        _ = try store.update(
                            .incidents, id: incident.id, patch: JSONObject([("victims_min", .int(value + 1))]),
                            expectedVersion: current.version, as: Caller.editor)
                        log.count("increments")
                        break
                    } catch StoreError.versionMismatch {
                        log.count("mismatches")
                        continue
                    } catch {
                        log.record("thread \(index): \(error)")
                        return
                    }
                }
            }
        }
        let errors = log.all
        #expect(errors.isEmpty, "\(errors.count) errors, first: \(errors.first ?? "")")
        let total = threads * incrementsPerThread
        #expect(log.counter("increments") == total)
        let final = try store.record(.incidents, id: incident.id, as: Caller.admin)
        #expect(final.json["victims_min"] == .int(Int64(total)))
        #expect(final.version == Int64(1 + total))
        let history = try store.history(.incidents, id: incident.id, as: Caller.admin)
        #expect(history.count == 1 + total)
        #expect(try store.verify().isIntact)
    }

    @Test("readers see a batch create whole or not at all")
    func batchesAreAtomicToReaders() throws {
        let temporary = try TemporaryStore(readers: 3)
        let store = temporary.store
        let batchSize = 40
        let batches = 25
        let log = ErrorLog()
        let writing = ErrorLog()
        ConcurrencyTests.runThreads(4) { index in
            if index == 0 {
                for batch in 0..<batches {
                    let inputs = (0..<batchSize).map { item in
                        JSONObject([
                            ("title", .string("batch \(batch) item \(item)")), ("confidentiality", .string("public")),
                        ])
                    }
                    do {
                        _ = try store.createMany(.incidents, inputs, as: Caller.editor)
                    } catch {
                        log.record("writer: \(error)")
                    }
                }
                writing.count("done")
            } else {
                var reads = 0
                while writing.counter("done") == 0 || reads < 3 {
                    reads += 1
                    do {
                        var query = ListQuery()
                        query.includeTotal = true
                        query.limit = 1
                        let total = try store.list(.incidents, query, as: Caller.publicReader).total ?? -1
                        if total % batchSize != 0 {
                            log.record("reader \(index) saw \(total) records: a batch in part")
                        }
                        let changes = try store.changes(limit: 1000, as: Caller.admin).entries.count
                        if changes % batchSize != 0 {
                            log.record("reader \(index) saw \(changes) changes: a batch in part")
                        }
                        log.count("reads")
                    } catch {
                        log.record("reader \(index): \(error)")
                    }
                }
            }
        }
        #expect(log.all.isEmpty, "\(log.all.prefix(3))")
        #expect(log.counter("reads") >= 9)
        var query = ListQuery()
        query.includeTotal = true
        #expect(try store.list(.incidents, query, as: Caller.admin).total == batchSize * batches)
    }

    @Test("a stale expectedVersion is refused and changes nothing")
    func staleVersionRefused() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let incident = try store.make(.incidents, #"{"title": "Before", "victims_min": 3}"#)
        _ = try store.update(
            .incidents, id: incident.id, patch: try .json(#"{"title": "Middle"}"#), expectedVersion: 1,
            as: Caller.editor)
        #expect(throws: StoreError.versionMismatch(expected: 1, current: 2)) {
            try store.update(
                .incidents, id: incident.id, patch: try .json(#"{"title": "Late"}"#), expectedVersion: 1,
                as: Caller.editor)
        }
        let read = try store.record(.incidents, id: incident.id, as: Caller.admin)
        #expect(read.json["title"] == .string("Middle"))
        #expect(read.version == 2)
    }
}
