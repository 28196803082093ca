import Foundation
import Synchronization
import Testing

@testable import VigilSQLite
@testable import VigilStore

/// An event thread's requests share one read transaction (`Store.readBatch`) until this process
/// commits, the snapshot ages out or the thread ends its batch: a request must never miss a
/// write acknowledged before it began. Each test ends its batch (`endReadBatch`), as an event
/// thread does before it waits.
@Suite struct ReadBatchTests {
    /// Counts incidents through the store's own read path, inside the current session.
    static func count(_ store: Store) throws -> Int64 {
        let value = try store.read { db in try db.scalar("SELECT count(*) FROM incidents") }
        guard case .integer(let count) = value else { throw TestFailure("no count") }
        return count
    }

    @Test func aSessionAfterACommitSeesIt() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        try store.make(.incidents, #"{"title": "First"}"#)
        defer { store.endReadBatch() }
        try store.readBatch { () throws in
            #expect(try store.readSession { try Self.count(store) } == 1)
            let created = try store.make(.incidents, #"{"title": "Second"}"#)
            #expect(try store.readSession { try Self.count(store) } == 2)
            #expect(
                try store.readSession { try store.record(.incidents, id: created.id, as: Caller.admin).id }
                    == created.id)
            _ = try store.delete(.incidents, id: created.id, as: Caller.admin)
            #expect(throws: StoreError.self) {
                try store.readSession { try store.record(.incidents, id: created.id, as: Caller.admin) }
            }
        }
    }

    /// Sessions share a snapshot while this process commits nothing: a write made behind its
    /// back (another process, here a raw connection) shows once the thread ends its batch, or
    /// once the snapshot is older than the age bound.
    @Test func sessionsShareOneSnapshotUntilTheBatchEndsOrAges() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        defer { store.endReadBatch() }
        try store.make(.incidents, #"{"title": "First"}"#)
        let outside = try Database(path: temporary.path, mode: .readWrite)
        func insertOutside(_ suffix: String) throws {
            try outside.execute(
                """
                INSERT INTO incidents (id, title, confidentiality, version, created_at, updated_at)
                VALUES ('inc_01ZZZZZZZZZZZZZZZZZZZZZZZ\(suffix)', 'Outside', 0, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')
                """)
        }
        usleep(UInt32(ReaderPool.batchQuietAfterWrites / 1000) + 20_000)  // snapshots are kept only once writes stop
        // Within the age bound, however slow the machine (the bound itself is tested below).
        store.readers.snapshotAge = 60_000_000_000
        try store.readBatch { () throws in
            #expect(try store.readSession { try Self.count(store) } == 1)
            try insertOutside("A")
            #expect(try store.readSession { try Self.count(store) } == 1)
        }
        // A later request on the same busy thread, soon after: still the same snapshot.
        #expect(try store.readBatch { try store.readSession { try Self.count(store) } } == 1)
        store.endReadBatch()
        #expect(try store.readBatch { try store.readSession { try Self.count(store) } } == 2)
        try insertOutside("B")
        store.readers.snapshotAge = ReaderPool.batchSnapshotAge
        usleep(UInt32(ReaderPool.batchSnapshotAge / 1000) + 5_000)
        #expect(try store.readBatch { try store.readSession { try Self.count(store) } } == 3)
        store.endReadBatch()
        #expect(try store.readSession { try Self.count(store) } == 3)
    }

    /// A failing session ends the shared transaction; the next one starts afresh and works.
    @Test func aFailedSessionLeavesTheNextOneWorking() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        try store.make(.incidents, #"{"title": "First"}"#)
        defer { store.endReadBatch() }
        try store.readBatch { () throws in
            #expect(throws: (any Error).self) {
                try store.readSession { try store.read { db in try db.execute("SELECT * FROM no_such_table") } }
            }
            #expect(try store.readSession { try Self.count(store) } == 1)
        }
    }

    /// Batches on several threads at once, with writes going on: each session sees at least
    /// every write acknowledged before it began.
    @Test func concurrentBatchesNeverMissAcknowledgedWrites() throws {
        let temporary = try TemporaryStore(readers: 3)
        let store = temporary.store
        let acknowledged = Locked(Int64(0))
        let stop = Locked(false)
        let writer = Thread {
            for index in 0..<60 {
                _ = try? store.make(.incidents, #"{"title": "W\#(index)"}"#)
                acknowledged.update { $0 += 1 }
            }
            stop.update { $0 = true }
        }
        writer.start()
        let misses = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 3) { _ in
            while !stop.value {
                for _ in 0..<5 {
                    store.readBatch {
                        let before = acknowledged.value
                        guard let seen = try? store.readSession({ try Self.count(store) }) else { return }
                        if seen < before { misses.update { $0 += 1 } }
                    }
                }
                store.endReadBatch()
            }
        }
        #expect(misses.value == 0)
        #expect(try Self.count(store) == 60)
    }

    /// More busy threads than connections: a thread that keeps its batch between requests lets
    /// go of the connection when another waits, so every thread gets through (no starvation).
    /// Each thread keeps serving until every thread has served 50 times, or 10 s have passed.
    @Test func busyBatchesShareASmallPool() throws {
        let temporary = try TemporaryStore(readers: 1)
        let store = temporary.store
        try store.make(.incidents, #"{"title": "First"}"#)
        let done = DispatchSemaphore(value: 0)
        let served = Locked([0, 0, 0])
        let deadline = Date().addingTimeInterval(10)
        for thread in 0..<3 {
            Thread {
                while served.value.min()! < 50 && Date() < deadline {
                    // Never ending the batch in between, as a thread that always finds work.
                    if (try? store.readBatch({ try store.readSession { try Self.count(store) } })) == 1 {
                        served.update { $0[thread] += 1 }
                    }
                }
                store.endReadBatch()
                done.signal()
            }.start()
        }
        for _ in 0..<3 { _ = done.wait(timeout: .now() + 30) }
        #expect(served.value.min()! >= 50, "served per thread: \(served.value)")
    }

    /// Token lookups are remembered for one snapshot only: a token revoked (or created) by this
    /// process is refused (or accepted) by the very next session.
    @Test func tokenLookupsLastOneSnapshot() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        defer { store.endReadBatch() }
        let (secret, _) = try store.createToken(name: "kept", role: .reader, clearance: .public, as: .commandLine)
        func valid(_ secret: String) throws -> Bool {
            try store.readBatch {
                try store.readSession {
                    if case .valid = try store.authenticate(secret: secret) { return true }
                    return false
                }
            }
        }
        #expect(try valid(secret))
        #expect(try valid(secret))
        _ = try store.revokeToken(name: "kept", as: .commandLine)
        #expect(try !valid(secret))
        let (later, _) = try store.createToken(name: "later", role: .reader, clearance: .public, as: .commandLine)
        #expect(try valid(later))
        #expect(try !valid(secret))
    }

    /// While writes come in, a session ends its transaction instead of keeping it for the next
    /// request: readers that always hold a snapshot keep the WAL from restarting, and it grew
    /// without bound under steady writes. Once writes stop, snapshots are kept again.
    @Test func snapshotsAreKeptOnlyWhileNoWritesComeIn() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        defer { store.endReadBatch() }
        func held() -> Bool { ReaderPool.ReadBatch.current?.holdsSnapshot ?? false }
        // "Right after a write" must hold on a loaded machine too: a long quiet period.
        store.readers.quietAfterWrites = 60_000_000_000
        try store.make(.incidents, #"{"title": "Just written"}"#)
        #expect(try store.readBatch { try store.readSession { try Self.count(store) } } == 1)
        #expect(!held(), "a snapshot was kept right after a write")
        store.readers.quietAfterWrites = ReaderPool.batchQuietAfterWrites
        usleep(UInt32(ReaderPool.batchQuietAfterWrites / 1000) + 20_000)
        #expect(try store.readBatch { try store.readSession { try Self.count(store) } } == 1)
        #expect(held(), "no snapshot kept once writes had stopped")
        store.readers.quietAfterWrites = 60_000_000_000
        try store.make(.incidents, #"{"title": "Second"}"#)
        #expect(try store.readBatch { try store.readSession { try Self.count(store) } } == 2)
        #expect(!held())
    }

    /// Reads outside batches (the costly ones a server runs on its blocking pool) may hold only
    /// the connections not kept for batches: with all of theirs busy, a batch (a cheap request
    /// on an event thread) still gets a connection at once. With the four connections shared, a
    /// by-id read waited the whole query time limit behind four copies of a costly search.
    @Test func costlyReadsCannotTakeTheConnectionsKeptForBatches() throws {
        let temporary = try TemporaryStore(readers: 4, keptForReadBatches: 1)
        let store = temporary.store
        try store.make(.incidents, #"{"title": "First"}"#)
        let holding = Atomic<Int>(0)
        let release = Atomic<Bool>(false)
        var threads: [Thread] = []
        for _ in 0..<4 {  // one more than they may hold: the fourth waits for a connection
            let thread = Thread {
                _ = try? store.readSession { () throws -> Int64 in
                    holding.add(1, ordering: .relaxed)
                    while !release.load(ordering: .relaxed) { usleep(1_000) }
                    return try Self.count(store)
                }
            }
            threads.append(thread)
            thread.start()
        }
        #expect(eventuallyTrue(within: 5) { holding.load(ordering: .relaxed) == 3 })
        usleep(50_000)
        #expect(holding.load(ordering: .relaxed) == 3)
        defer { store.endReadBatch() }
        // Had the batch to wait (the pool of before), the holders let go after 3 s: a failure, not a hang.
        Thread {
            usleep(3_000_000)
            release.store(true, ordering: .relaxed)
        }.start()
        let start = Date()
        #expect(try store.readBatch { try store.readSession { try Self.count(store) } } == 1)
        #expect(Date().timeIntervalSince(start) < 1)
        store.endReadBatch()
        release.store(true, ordering: .relaxed)
        #expect(eventuallyTrue(within: 5) { holding.load(ordering: .relaxed) == 4 })
    }

    private func eventuallyTrue(within seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(2_000)
        }
        return condition()
    }
}
