import Foundation
import Testing

@testable import VigilJSON
@testable import VigilSQLite
@testable import VigilStore

/// Two processes writing the same database at once (the server and a `vigil` command, say):
/// SQLite's file locks serialize them; neither sees SQLITE_BUSY and the audit chain stays whole.
@Suite("Several processes")
struct MultiProcessTests {
    final class Failures: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [String] = []
        func add(_ text: String) {
            lock.lock()
            list.append(text)
            lock.unlock()
        }
        var all: [String] {
            lock.lock()
            defer { lock.unlock() }
            return list
        }
    }

    @Test("a child process and this one write at once: nothing lost, chain intact")
    func twoProcessesWrite() throws {
        let scratch = try ScratchDirectory()
        let database = scratch.path("shared.db")
        let store = try Store(path: database, readers: 2)
        let childWriters = 2
        let perChildWriter = 150

        let process = Process()
        process.executableURL = try VigilCLI.executable()
        process.arguments = [
            "stress", "--db", database, "--writers", String(childWriters), "--count", String(perChildWriter),
        ]
        process.currentDirectoryURL = scratch.url
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let childOutput = DataBox()
        let firstWrite = DispatchSemaphore(value: 0)
        let reader = Thread {
            var data = Data()
            while true {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                if data.isEmpty { firstWrite.signal() }
                data.append(chunk)
            }
            childOutput.data = data
            childOutput.done.signal()
        }
        reader.start()
        // Start writing here once the child has committed its first incident, so the two overlap.
        #expect(firstWrite.wait(timeout: .now() + 60) == .success, "the child wrote nothing")

        // Meanwhile, two writer threads and a reader thread here.
        let failures = Failures()
        let group = DispatchGroup()
        let perWriter = 60
        for writer in 0..<2 {
            group.enter()
            Thread {
                for item in 0..<perWriter {
                    do {
                        let input = JSONObject([
                            ("title", .string("here \(writer)-\(item)")), ("confidentiality", .string("public")),
                        ])
                        _ = try store.create(.incidents, input, as: Caller.admin)
                    } catch {
                        failures.add("writer \(writer): \(error)")
                    }
                }
                group.leave()
            }.start()
        }
        group.enter()
        Thread {
            for _ in 0..<40 {
                do {
                    var query = ListQuery()
                    query.limit = 20
                    query.sort = [SortKey(field: "created_at", descending: true)]
                    _ = try store.list(.incidents, query, as: Caller.admin)
                } catch {
                    failures.add("reader: \(error)")
                }
            }
            group.leave()
        }.start()
        group.wait()
        childOutput.done.wait()
        process.waitUntilExit()

        #expect(failures.all.isEmpty, "\(failures.all.prefix(3))")
        #expect(process.terminationStatus == 0)
        let childIDs = String(decoding: childOutput.data, as: UTF8.self).split(separator: "\n").map(String.init)
        // The stress command skips an id when its create fails, so a full count means no failure.
        #expect(childIDs.count == childWriters * perChildWriter)
        var query = ListQuery()
        query.includeTotal = true
        query.limit = 1
        #expect(try store.list(.incidents, query, as: Caller.admin).total == childIDs.count + 2 * perWriter)
        for id in childIDs {
            #expect(throws: Never.self) { try store.record(.incidents, id: id, as: Caller.admin) }
        }
        let report = try store.verify()
        #expect(report.isIntact, "\(report.problems.prefix(3))")
        #expect(report.entries == childIDs.count + 2 * perWriter)
    }

    @Test("several commands opening a new database at once all migrate it, once")
    func concurrentFirstOpen() throws {
        for round in 1...3 {
            let scratch = try ScratchDirectory()
            let database = scratch.path("new.db")
            let results = ResultsBox()
            let group = DispatchGroup()
            let start = DispatchSemaphore(value: 0)
            let processes = 6
            for index in 0..<processes {
                group.enter()
                Thread {
                    start.wait()
                    do {
                        let arguments =
                            index % 2 == 0
                            ? ["migrate", "--db", database]
                            : [
                                "token", "create", "--name", "t\(index)", "--role", "reader", "--clearance", "public",
                                "--db", database,
                            ]
                        results.add(try VigilCLI.run(arguments, in: scratch))
                    } catch {
                        results.add(CommandResult(status: -1, stdout: "", stderr: "\(error)"))
                    }
                    group.leave()
                }.start()
            }
            for _ in 0..<processes { start.signal() }
            group.wait()
            let failed = results.all.filter { $0.status != 0 }
            #expect(
                failed.isEmpty, "round \(round): \(failed.count) commands failed, e.g. \(failed.first?.stderr ?? "")")
            #expect(results.all.count == processes)
            #expect(
                try VigilCLI.sqlite(database, "SELECT group_concat(version) FROM schema_migrations")
                    == Migrator().migrations.map { String($0.version) }.joined(separator: ","))
            let store = try Store(path: database, readers: 1)
            #expect(try store.tokens(as: Caller.admin).count == processes / 2)
            #expect(try store.verify().isIntact)
        }
    }

    final class ResultsBox: @unchecked Sendable {
        private let lock = NSLock()
        private var results: [CommandResult] = []
        func add(_ result: CommandResult) {
            lock.lock()
            results.append(result)
            lock.unlock()
        }
        var all: [CommandResult] {
            lock.lock()
            defer { lock.unlock() }
            return results
        }
    }
}
