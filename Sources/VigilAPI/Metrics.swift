import Foundation
import Synchronization
import VigilHTTP
import VigilStore

/// What `GET /metrics` reports, in Prometheus' text format: answers by status class, the
/// process's memory (and how much of it SQLite's page caches hold) and age, and the database's
/// size on disk.
///
/// Nothing in it is about records: counts of records (or of changes) at full clearance would
/// tell a reader how much it cannot see, and a scraper's token is usually a reader's. The
/// counters are relaxed atomics: one add per answer, read only when scraped.
final class Metrics: Sendable {
    /// One counter (Atomic is not copyable, so an array holds these instead).
    private final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    /// Answers by status class: index 0 for 1xx … 4 for 5xx.
    private let answers = (1...5).map { _ in Counter() }
    private let started = Date()

    func count(status: Int) {
        answers[min(max(status / 100, 1), 5) - 1].value.add(1, ordering: .relaxed)
    }

    /// The exposition text.
    func text(store: Store) -> String {
        let databasePath = store.path
        var lines: [String] = []
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
            for sample in samples { lines.append("\(name)\(sample.labels) \(sample.value)") }
        }
        metric(
            "vigil_http_responses_total", "counter", "Answers of the API's routes, by status class.",
            (1...5).map { (#"{class="\#($0)xx"}"#, String(answers[$0 - 1].value.load(ordering: .relaxed))) })
        metric(
            "vigil_process_start_time_seconds", "gauge", "When the server started, in seconds since the Unix epoch.",
            [("", String(format: "%.3f", started.timeIntervalSince1970))])
        metric(
            "vigil_process_resident_memory_bytes", "gauge", "Resident memory of the server process.",
            [("", String(Self.residentBytes()))])
        let heap = HTTPServer.heapBytes()
        metric(
            "vigil_process_heap_bytes", "gauge",
            "The allocator's heap: bytes in use by the program, and bytes freed but kept for reuse (part of the resident memory).",
            [(#"{state="in_use"}"#, String(heap.inUse)), (#"{state="kept_free"}"#, String(heap.keptFree))])
        metric(
            "vigil_sqlite_page_cache_bytes", "gauge",
            "Memory of SQLite's page caches, over every connection (each bounded by its cache size).",
            [("", String(store.pageCacheBytes))])
        metric(
            "vigil_database_size_bytes", "gauge", "Size on disk of the database file and of its write-ahead log.",
            [
                (#"{file="database"}"#, String(Self.fileSize(databasePath))),
                (#"{file="wal"}"#, String(Self.fileSize(databasePath + "-wal"))),
            ])
        return lines.joined(separator: "\n") + "\n"
    }

    private static func residentBytes() -> Int {
        // /proc/self/statm: size and resident, in pages.
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * sysconf(Int32(_SC_PAGESIZE))
    }

    private static func fileSize(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }
}
