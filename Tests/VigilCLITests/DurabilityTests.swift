import Foundation
import Testing

@testable import VigilJSON
@testable import VigilStore

#if canImport(Glibc)
    import Glibc
#endif

/// An acknowledged write survives `kill -9`: a child process commits incidents, printing each id
/// once its commit returned, and is killed with SIGKILL mid-stream; every printed id must be in
/// the database afterwards, and the database must pass `PRAGMA integrity_check`.
@Suite("Durability", .serialized)
struct DurabilityTests {
    static let idsBeforeKill = 200

    @Test("SIGKILL in the middle of writes loses no acknowledged write (three rounds, one database)")
    func killNineLosesNothing() throws {
        let scratch = try ScratchDirectory()
        let database = scratch.path("durable.db")
        var everyID: [String] = []
        for round in 1...3 {
            let ids = try Self.runAndKill(database: database, in: scratch, writers: 4, atLeast: Self.idsBeforeKill)
            #expect(ids.count >= Self.idsBeforeKill, "round \(round): only \(ids.count) ids before the kill")
            #expect(Set(ids).count == ids.count, "round \(round): an id was printed twice")
            everyID += ids
            // Recovery: open as the server would and check everything acknowledged so far.
            let store = try Store(path: database, readers: 1)
            var missing: [String] = []
            for id in everyID {
                do {
                    let record = try store.record(.incidents, id: id, as: Caller.admin)
                    if record.json["title"]?.stringValue?.hasPrefix("stress ") != true { missing.append(id) }
                } catch {
                    missing.append(id)
                }
            }
            #expect(
                missing.isEmpty, "round \(round): \(missing.count) acknowledged writes lost, e.g. \(missing.prefix(3))")
            #expect(try store.integrityCheck() == ["ok"], "round \(round)")
            let report = try store.verify()
            #expect(report.isIntact, "round \(round): \(report.problems.prefix(3))")
            var query = ListQuery()
            query.includeTotal = true
            query.limit = 1
            let total = try #require(try store.list(.incidents, query, as: Caller.admin).total)
            #expect(total >= everyID.count)
        }
        #expect(Set(everyID).count == everyID.count)
    }

    /// Starts `vigil stress`, reads its stdout until `atLeast` ids arrived, SIGKILLs it, and
    /// returns every complete line it printed.
    static func runAndKill(database: String, in scratch: ScratchDirectory, writers: Int, atLeast: Int) throws
        -> [String]
    {
        let (process, output, errors) = try VigilCLI.start(
            ["stress", "--db", database, "--writers", String(writers)], in: scratch)
        let pid = process.processIdentifier
        let watchdog = VigilCLI.watchdog(for: pid)
        defer { watchdog.cancel() }

        let errorData = DataBox()
        let readErrors = Thread {
            errorData.data = errors.fileHandleForReading.readDataToEndOfFile()
            errorData.done.signal()
        }
        readErrors.start()

        var received = Data()
        var lines = 0
        while lines < atLeast {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }  // the child exited on its own: a failure reported below
            received.append(chunk)
            lines = received.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        }
        let killed = kill(pid, SIGKILL)
        received.append(output.fileHandleForReading.readDataToEndOfFile())
        errorData.done.wait()
        process.waitUntilExit()
        let stderr = String(decoding: errorData.data, as: UTF8.self)
        #expect(killed == 0, "the child was gone before the kill; stderr: \(stderr)")
        #expect(process.terminationReason == .uncaughtSignal, "stderr: \(stderr)")
        #expect(process.terminationStatus == SIGKILL)

        // Only complete lines are acknowledged writes; a torn last line is dropped.
        var text = String(decoding: received, as: UTF8.self)
        if !text.hasSuffix("\n"), let lastBreak = text.lastIndex(of: "\n") {
            text = String(text[...lastBreak])
        } else if !text.hasSuffix("\n") {
            text = ""
        }
        let ids = text.split(separator: "\n").map(String.init)
        #expect(
            ids.allSatisfy { $0.hasPrefix("inc_") }, "unexpected output: \(ids.first { !$0.hasPrefix("inc_") } ?? "")")
        return ids
    }
}
