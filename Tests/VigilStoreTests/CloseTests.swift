import Foundation
import Synchronization
import Testing

@testable import VigilJSON
@testable import VigilSQLite
@testable import VigilStore

/// A closed store leaves everything in the `.db` file: a user who stops Vigil and copies that
/// one file (to a USB stick, say) must not get a database without the records still in the WAL.
@Suite struct CloseTests {
    @Test("close copies the WAL into the database file and removes it; the file alone holds every record")
    func closeLeavesEverythingInTheDatabaseFile() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        var ids: [String] = []
        for index in 0..<40 {
            ids.append(
                try store.make(.incidents, #"{"title": "closing \#(index)", "confidentiality": "restricted"}"#).id)
        }
        let wal = temporary.path + "-wal"
        // Open, the records are (at least partly) in the WAL: the test would show nothing otherwise.
        #expect(FileManager.default.fileExists(atPath: wal))
        store.close()
        #expect(!FileManager.default.fileExists(atPath: wal), "the WAL outlived the close")
        #expect(!FileManager.default.fileExists(atPath: temporary.path + "-shm"))

        // Only the .db file, copied elsewhere, opened on its own.
        let copy = temporary.directory.appendingPathComponent("copy.db").path
        try FileManager.default.copyItem(atPath: temporary.path, toPath: copy)
        let reopened = try Store(path: copy, readers: 1)
        defer { reopened.close() }
        for (index, id) in ids.enumerated() {
            let record = try reopened.record(.incidents, id: id, as: Caller.admin)
            #expect(record.json["title"] == .string("closing \(index)"))
        }
        #expect(try reopened.verify().isIntact)
    }

    @Test("after close, reads and writes fail at once instead of waiting for a connection")
    func closedStoreRefusesWork() throws {
        let temporary = try TemporaryStore(readers: 1)
        let store = temporary.store
        let created = try store.make(.incidents, #"{"title": "before close"}"#)
        store.close()
        store.close()  // a second close does nothing
        #expect(throws: (any Error).self) { try store.record(.incidents, id: created.id, as: Caller.admin) }
        #expect(throws: (any Error).self) { try store.make(.incidents, #"{"title": "after close"}"#) }
        let error = try #require(throws: StoreError.self) { try store.make(.incidents, #"{"title": "after close"}"#) }
        #expect(error.description.contains("the store is closed"))
    }

    @Test("close waits for a read in flight, then closes its connection and removes the WAL")
    func closeWaitsForReadsInFlight() throws {
        let temporary = try TemporaryStore(readers: 1)
        let store = temporary.store
        _ = try store.make(.incidents, #"{"title": "held"}"#)
        let closed = DispatchSemaphore(value: 0)
        let count = try store.readers.read { db -> SQLValue? in
            DispatchQueue.global().async {
                store.close()
                closed.signal()
            }
            // The only reader is held here: close must wait for it, not close it under the read.
            #expect(closed.wait(timeout: .now() + 0.3) == .timedOut, "close did not wait for the read in flight")
            return try db.scalar("SELECT count(*) FROM incidents")
        }
        #expect(count == .integer(1))
        #expect(closed.wait(timeout: .now() + 10) == .success)
        #expect(!FileManager.default.fileExists(atPath: temporary.path + "-wal"), "the WAL outlived the close")
    }

    @Test("the reader pool's close honours a timeout of less than a second")
    func readerPoolCloseWaitsForFractionsOfASecond() throws {
        let temporary = try TemporaryStore(readers: 1)
        defer { temporary.store.close() }
        let readers = temporary.store.readers
        let given = DispatchSemaphore(value: 0)
        let result = Mutex<Bool?>(nil)
        let closing = DispatchSemaphore(value: 0)
        try readers.read { _ in
            DispatchQueue.global().async {
                closing.signal()
                // The read below gives its connection back about 100 ms later: well inside 900.
                result.withLock { $0 = readers.close(waitingUpTo: .milliseconds(900)) }
                given.signal()
            }
            closing.wait()
            usleep(100_000)
        }
        #expect(given.wait(timeout: .now() + 10) == .success)
        // Counted in whole seconds, 900 ms was no wait at all, and the busy connection was left open.
        #expect(result.withLock { $0 } == true, "close gave up before the connection in use came back")
    }

    @Test("after one large transaction the WAL is cut back to the limit, not left at its largest")
    func largeTransactionDoesNotLeaveALargeWAL() throws {
        for limit in [256 << 10, -1] {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "vigil-wal-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("vigil.db").path
            let store = try Store(path: path, readers: 1, walSizeLimit: limit)
            defer { store.close() }
            let summary = String(repeating: "Detained at the checkpoint and held without charge. ", count: 80)
            let inputs = try (0..<1_000).map { index in
                try JSONObject.json(#"{"title": "bulk \#(index)", "summary": "\#(summary)"}"#)
            }
            _ = try store.createMany(.incidents, inputs, as: Caller.admin)
            let walPath = path + "-wal"
            func walSize() throws -> Int {
                try FileManager.default.attributesOfItem(atPath: walPath)[.size] as? Int ?? -1
            }
            let largest = try walSize()
            #expect(
                largest > 4 << 20, "the transaction was meant to outgrow an automatic checkpoint (\(largest) bytes)")
            // The automatic checkpoint after that commit emptied the WAL; the next write starts it
            // again from the beginning and, with a limit, cuts the file back.
            _ = try store.make(.incidents, #"{"title": "after the bulk"}"#)
            let after = try walSize()
            if limit >= 0 {
                #expect(after <= limit, "the WAL stayed at \(after) bytes")
            } else {
                #expect(after == largest, "without a limit the file keeps its largest size")
            }
        }
    }
}
