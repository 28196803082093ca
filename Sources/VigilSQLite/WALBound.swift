import CSQLite
import Glibc
import Synchronization
import VigilThreads

/// Keeps the WAL under a size cap whatever the mix of reads and writes.
///
/// WAL mode can only start the log again from its beginning when no reader uses it. Automatic
/// (passive) checkpoints copy pages into the database but never wait for readers, so under long
/// reads that overlap (full-text searches from 32 clients) there is always a reader on an older
/// snapshot and the log only grows: 11 → 101 MB in 90 s, 695 MB in 300 s, until the load stops.
///
/// So the writer watches the WAL's length (SQLite's WAL hook gives it after every commit) and,
/// once it passes the cap, runs a RESTART checkpoint: that copies every frame, then waits (the
/// busy timeout, 5 s) for the readers of old snapshots to finish (each is bounded by the query
/// time limit); readers that start meanwhile read the database file alone, and the next commit
/// writes the log from its start again. Writes wait while it runs: that is the price
/// (docs/reliability.md, "Storage faults", has the figures). When readers outlast the wait, the
/// next attempt comes one cap later, so a reader that legitimately runs for minutes (`vigil
/// verify`) costs at most one wait per cap of growth instead of one per commit.
///
/// `Sendable`: the frame counts are only touched on the writer thread (the hook runs inside its
/// COMMIT); the figures are atomics, read by tests and metrics.
final class WALBound: Sendable {
    /// Frames past which the writer restarts the log.
    let restartFrames: Int32
    /// SQLite's own automatic checkpoint threshold (`wal_autocheckpoint`'s default), which the
    /// hook keeps: installing a WAL hook replaces the automatic checkpoint.
    static let autoCheckpointFrames: Int32 = 1000
    /// The fewest frames a cap may mean: a restart per commit would make every write wait.
    static let minimumRestartFrames: Int32 = 64

    /// Callers waiting for the writer while their thread holds a read snapshot (a request
    /// noting its token's use): a restart would wait for them in vain, so it gives up at once.
    private let snapshotHolders = Atomic<Int>(0)
    /// Monotonic nanoseconds after which a restart stops waiting for readers.
    private let deadline = Atomic<UInt64>(0)
    private let frames = Atomic<Int32>(0)
    private let threshold: Atomic<Int32>
    private let restartCount = Atomic<Int>(0)
    private let busyCount = Atomic<Int>(0)
    private let waited = Atomic<UInt64>(0)
    private let longest = Atomic<UInt64>(0)

    package init(restartFrames: Int32) {
        self.restartFrames = restartFrames
        threshold = Atomic(restartFrames)
    }

    /// What the bound has done so far.
    struct Figures: Sendable, Equatable {
        /// Restart checkpoints that completed (the log then starts again).
        var restarts: Int
        /// Restart checkpoints that gave up because readers outlasted the busy timeout.
        var busy: Int
        /// Nanoseconds the writer spent in restart checkpoints, in all and at most once.
        var waitedNanos: UInt64
        var longestNanos: UInt64
    }

    var figures: Figures {
        Figures(
            restarts: restartCount.load(ordering: .relaxed), busy: busyCount.load(ordering: .relaxed),
            waitedNanos: waited.load(ordering: .relaxed), longestNanos: longest.load(ordering: .relaxed))
    }

    /// Brackets a caller's wait for the writer when its thread holds a read snapshot.
    func snapshotHolder<T>(_ body: () throws -> T) rethrows -> T {
        snapshotHolders.add(1, ordering: .relaxed)
        defer { snapshotHolders.subtract(1, ordering: .relaxed) }
        return try body()
    }

    /// True when the log has passed the cap (or the next attempt's threshold).
    var isOver: Bool { frames.load(ordering: .relaxed) >= threshold.load(ordering: .relaxed) }

    /// The WAL hook: notes the log's length, and checkpoints passively as SQLite would have.
    fileprivate func committed(_ handle: OpaquePointer, database: UnsafePointer<CChar>?, frames count: Int32) {
        frames.store(count, ordering: .relaxed)
        if count >= Self.autoCheckpointFrames {
            _ = sqlite3_wal_checkpoint_v2(handle, database, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
        }
    }

    /// Runs the restart checkpoint when the log has passed the cap. The writer thread calls it
    /// once the callers of what it committed are released, never inside a transaction: a caller
    /// that holds a read snapshot while it waits for its write (a request noting its token's
    /// use) must be free to end that snapshot, or the checkpoint would wait for it in vain.
    fileprivate func restartIfOver(_ handle: OpaquePointer, waitingUpTo milliseconds: Int32) {
        let count = frames.load(ordering: .relaxed)
        guard count >= threshold.load(ordering: .relaxed) else { return }
        let start = MonotonicClock.now()
        deadline.store(start + UInt64(max(0, milliseconds)) * 1_000_000, ordering: .relaxed)
        // Our own busy handler for the wait: it polls every millisecond (the readers it waits
        // for are this process's, and each one that ends is a chance), and gives up as soon as a
        // caller that holds a snapshot queues a write, which the default handler cannot know.
        let context = Unmanaged.passUnretained(self).toOpaque()
        sqlite3_busy_handler(
            handle,
            { context, _ in
                guard let context else { return 0 }
                let bound = Unmanaged<WALBound>.fromOpaque(context).takeUnretainedValue()
                if bound.snapshotHolders.load(ordering: .relaxed) > 0 { return 0 }
                if MonotonicClock.now() > bound.deadline.load(ordering: .relaxed) { return 0 }
                usleep(1_000)
                return 1
            }, context)
        var logFrames: Int32 = 0
        var copied: Int32 = 0
        let code = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_RESTART, &logFrames, &copied)
        sqlite3_busy_timeout(handle, milliseconds)
        let spent = MonotonicClock.now() - start
        waited.add(spent, ordering: .relaxed)
        if spent > longest.load(ordering: .relaxed) { longest.store(spent, ordering: .relaxed) }
        if code == SQLITE_OK {
            restartCount.add(1, ordering: .relaxed)
            frames.store(0, ordering: .relaxed)
            threshold.store(restartFrames, ordering: .relaxed)
        } else {
            // Busy (a reader outlasted the wait) or an I/O fault: try again one cap later.
            busyCount.add(1, ordering: .relaxed)
            threshold.store(count &+ restartFrames, ordering: .relaxed)
        }
    }
}

extension Database {
    /// Bounds this connection's WAL to `limitBytes` (see ``WALBound``); for the writer.
    /// A negative or zero limit leaves SQLite's automatic checkpoints alone.
    ///
    /// The restart comes at three quarters of the limit, not at the limit: the log passes the
    /// restart point by up to one group of writes before the hook sees it, and a log restarted
    /// there is reused in place at its largest length, so restarting at the limit itself left a
    /// file of just over it (cut back to exactly `journal_size_limit`; 64.0 MiB in the soak).
    /// With the headroom the file stays under the limit unless a restart gives up.
    package func boundWAL(limitBytes: Int) throws(SQLiteError) {
        guard limitBytes > 0 else { return }
        guard case .integer(let pageSize)? = try scalar("PRAGMA page_size"), pageSize > 0 else { return }
        let frameBytes = Int(pageSize) + 24  // each frame: a 24-byte header and one page
        let frames = Int32(clamping: max(Int(WALBound.minimumRestartFrames), limitBytes / 4 * 3 / frameBytes))
        let bound = WALBound(restartFrames: frames)
        walBound = bound
        // The bound lives as long as this connection, which owns it; the hook goes with the handle.
        let context = Unmanaged.passUnretained(bound).toOpaque()
        sqlite3_wal_hook(
            handle,
            { context, handle, database, frames in
                guard let context, let handle else { return SQLITE_OK }
                Unmanaged<WALBound>.fromOpaque(context).takeUnretainedValue().committed(
                    handle, database: database, frames: frames)
                // Always OK: an error here would fail a COMMIT that has already happened.
                return SQLITE_OK
            }, context)
    }

    /// Restarts the WAL if it has passed its bound; the writer calls it between transactions.
    func restartWALIfOverBound() {
        guard let walBound, !isInTransaction else { return }
        walBound.restartIfOver(handle, waitingUpTo: busyTimeoutMilliseconds)
    }
}
