import CFaultVFS
import Foundation
import Glibc
import Testing
import VigilAPI
import VigilHTTP
import VigilThreads

@testable import VigilJSON
@testable import VigilSQLite
@testable import VigilStore

/// Injected storage faults against the real server on 127.0.0.1 (issue 18, "faults"): a write
/// that meets a failing fsync, a failing write, a full disk (injected, and a real tmpfs) or a
/// lock held by another process is never acknowledged, is answered with a problem+json 503 (507
/// for a full disk) that names no SQLite internals, leaves the data as it was, and the next
/// write once the fault is gone succeeds without a restart; reads answer throughout.
@Suite("StorageFault", .serialized)
struct StorageFaultTests {
    /// A server over a store in `directory`, opened through `vfs` when given.
    final class FaultServer {
        let directory: URL
        let path: String
        let store: Store
        let server: HTTPServer
        let port: Int
        let adminSecret: String

        init(directory: URL, vfs: String? = nil) throws {
            self.directory = directory
            path = directory.appendingPathComponent("vigil.db").path
            store = try Store(path: path, readers: 4, testing: StorageTestOptions(vfs: vfs))
            adminSecret = try store.createToken(name: "admin", role: .admin, clearance: .confidential, as: .commandLine)
                .secret
            var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
            configuration.workerThreads = 2
            server = HTTPServer(
                configuration: configuration, handler: VigilService(store: store, publicRead: false).router(cors: nil))
            try server.start()
            port = server.boundPort
            let running = server
            Thread { running.run() }.start()
        }

        func stop() {
            server.shutdownAndWait()
            store.close()
        }

        func request(_ method: String, _ target: String, json: String? = nil, headers: [(String, String)] = []) throws
            -> TestResponse
        {
            var all = headers + [("Authorization", "Bearer \(adminSecret)")]
            if json != nil {
                all.append(("Content-Type", method == "PATCH" ? "application/merge-patch+json" : "application/json"))
            }
            return try TestClient.send(
                port: port, method: method, target: target, headers: all, body: Array((json ?? "").utf8))
        }

        /// Creates an incident; its id when the server acknowledged it (201).
        func create(_ title: String, summary: String = "a storage fault test") throws -> (TestResponse, String?) {
            let response = try request(
                "POST", "/v1/incidents", json: #"{"title": "\#(title)", "summary": "\#(summary)"}"#)
            return (response, response.status == 201 ? response.object["id"]?.stringValue : nil)
        }

        /// Every incident title the server lists (at most 200).
        func titles() throws -> [String] {
            try request("GET", "/v1/incidents?limit=200").data.compactMap { $0["title"]?.stringValue }
        }
    }

    static func temporaryDirectory(_ name: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vigil-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// A refusal as the suite requires it: a problem+json with the status, a detail a person
    /// can act on, and no SQLite text.
    static func expectProblem(_ response: TestResponse, _ statuses: Set<Int>, _ what: String) {
        #expect(statuses.contains(response.status), "\(what): \(response.status) \(response.text)")
        #expect(response.header("Content-Type") == "application/problem+json", "\(what)")
        let detail = response.object["detail"]?.stringValue ?? ""
        #expect(!detail.isEmpty && !response.text.lowercased().contains("sqlite"), "\(what) leaks: \(response.text)")
    }

    @Test(
        "an injected fsync error, write error or full disk is never acknowledged, and the writer recovers",
        arguments: [
            ("fsync error", Int32(VIGIL_FAULT_SYNC), Set([503])),
            ("write error", Int32(VIGIL_FAULT_WRITE), Set([503])),
            ("disk full", Int32(VIGIL_FAULT_FULL), Set([507])),
        ])
    func injectedFault(name: String, fault: Int32, statuses: Set<Int>) throws {
        #expect(vigil_faultvfs_register() == 0)
        let directory = try Self.temporaryDirectory("fault")
        defer { try? FileManager.default.removeItem(at: directory) }
        let domain = directory.path + "/"
        vigil_faultvfs_add_domain(domain, 0)
        defer { vigil_faultvfs_remove_domain(domain) }
        let server = try FaultServer(directory: directory, vfs: VIGIL_FAULTVFS_NAME)
        defer { server.stop() }

        let (first, id) = try server.create("before the fault")
        #expect(first.status == 201)
        let before = try server.request("GET", "/v1/incidents/\(id ?? "")")

        vigil_faultvfs_set_fault(domain, fault)
        let (failed, failedID) = try server.create("during the fault")
        Self.expectProblem(failed, statuses, "POST during \(name)")
        #expect(failedID == nil)
        let patch = try server.request(
            "PATCH", "/v1/incidents/\(id ?? "")", json: #"{"title": "patched during the fault"}"#)
        Self.expectProblem(patch, statuses, "PATCH during \(name)")
        let hits = vigil_faultvfs_fault_hits(domain)
        #expect(hits > 0, "the fault must have been met")
        // Reads answer throughout, and show the data as it was.
        let during = try server.request("GET", "/v1/incidents/\(id ?? "")")
        #expect(during.status == 200 && during.header("ETag") == before.header("ETag"))
        #expect(try server.request("GET", "/healthz").status == 200)
        #expect(try server.titles() == ["before the fault"])

        vigil_faultvfs_set_fault(domain, Int32(VIGIL_FAULT_NONE))
        let (after, afterID) = try server.create("after the fault")
        #expect(after.status == 201, "the first write after \(name) is cleared: \(after.status) \(after.text)")
        let patched = try server.request("PATCH", "/v1/incidents/\(id ?? "")", json: #"{"title": "patched after"}"#)
        #expect(patched.status == 200, "\(patched.text)")
        let titles = try server.titles().sorted()
        #expect(titles == ["after the fault", "patched after"], "\(titles)")
        #expect(afterID != nil)
        #expect(try server.store.integrityCheck() == ["ok"])
        #expect(try server.store.verify().isIntact)
        print(
            """
            StorageFault \(name): POST → \(failed.status) "\(failed.object["detail"]?.stringValue ?? "")" \
            (Retry-After \(failed.header("Retry-After") ?? "none")), PATCH → \(patch.status), \(hits) faulted operations; \
            reads 200 throughout; after clearing: POST → \(after.status), PATCH → \(patched.status) without a restart; \
            integrity ok, verify intact
            """)
    }

    @Test(
        "a real full disk (a 4 MiB tmpfs): 507, no acknowledged write lost, reads go on, writes resume once space is freed"
    )
    func realDiskFull() throws {
        let mountPoint = try Self.temporaryDirectory("tmpfs")
        defer { try? FileManager.default.removeItem(at: mountPoint) }
        let mounted = Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", mountPoint.path])
        try #require(
            mounted.status == 0,
            "this suite needs a tmpfs (run as root, or with CAP_SYS_ADMIN): mount failed: \(mounted.output)")
        defer { _ = Self.run("/bin/umount", ["-l", mountPoint.path]) }
        // Ballast: freed later, to show that writes resume when space comes back.
        let ballast = mountPoint.appendingPathComponent("ballast")
        try Data(count: 512 << 10).write(to: ballast)

        let server = try FaultServer(directory: mountPoint)
        defer { server.stop() }
        let summary = String(repeating: "testimony of the detention recorded at the checkpoint ", count: 150)
        var acknowledged: [String: String] = [:]
        var refusal: TestResponse?
        for index in 0..<2_000 {
            let title = "filler \(index)"
            let (response, id) = try server.create(title, summary: summary)
            if let id {
                acknowledged[id] = title
                continue
            }
            refusal = response
            break
        }
        let full = try #require(refusal, "the 4 MiB disk never filled")
        Self.expectProblem(full, [507], "POST on a full disk")
        let health = try server.request("GET", "/healthz")
        let listed = try server.request("GET", "/v1/incidents?limit=5")
        #expect(
            health.status == 200 && listed.status == 200, "reads on a full disk: \(health.status), \(listed.status)")
        var missing = 0
        for (id, title) in acknowledged {
            let record = try server.request("GET", "/v1/incidents/\(id)")
            if record.status != 200 || record.object["title"]?.stringValue != title { missing += 1 }
        }
        #expect(missing == 0)

        try FileManager.default.removeItem(at: ballast)
        let (resumed, resumedID) = try server.create("after space was freed")
        #expect(resumed.status == 201, "after freeing space: \(resumed.status) \(resumed.text)")
        #expect(resumedID != nil)
        #expect(try server.store.integrityCheck() == ["ok"])
        print(
            """
            StorageFault real disk full: \(acknowledged.count) POSTs acknowledged before the 4 MiB tmpfs filled; \
            then \(full.status) "\(full.object["detail"]?.stringValue ?? "")"; /healthz \(health.status), list \
            \(listed.status) while full; acknowledged writes missing \(missing); after freeing 512 KiB: POST → \(resumed.status)
            """)
    }

    @Test("SQLITE_BUSY from another process holding the write lock: 503 with Retry-After after the busy timeout")
    func lockHeldByAnotherProcess() throws {
        let directory = try Self.temporaryDirectory("busy")
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try FaultServer(directory: directory)
        defer { server.stop() }
        let (_, id) = try server.create("before the lock")

        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        shell.arguments = [server.path]
        let input = Pipe()
        let output = Pipe()
        shell.standardInput = input
        shell.standardOutput = output
        shell.standardError = output
        try #require(
            (try? shell.run()) != nil,
            "this suite needs the sqlite3 command-line shell at /usr/bin/sqlite3 (apt-get install sqlite3)")
        defer {
            if shell.isRunning { shell.terminate() }
            shell.waitUntilExit()
        }
        input.fileHandleForWriting.write(Data("BEGIN EXCLUSIVE;\nSELECT 'locked';\n".utf8))
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        try #require(line.contains("locked"), "the sqlite3 shell did not take the lock: \(line)")

        let start = MonotonicClock.now()
        let (busy, busyID) = try server.create("while locked")
        let waited = Double(MonotonicClock.now() - start) / 1e9
        Self.expectProblem(busy, [503], "POST while another process holds the lock")
        #expect(busy.header("Retry-After") != nil)
        #expect(busyID == nil)
        #expect(waited >= 4.5 && waited < 10, "answered after \(waited) s; the busy timeout is 5 s")
        let readStart = MonotonicClock.now()
        let read = try server.request("GET", "/v1/incidents/\(id ?? "")")
        let readMillis = Double(MonotonicClock.now() - readStart) / 1e6
        #expect(read.status == 200)

        input.fileHandleForWriting.write(Data("ROLLBACK;\n.quit\n".utf8))
        try? input.fileHandleForWriting.close()
        shell.waitUntilExit()
        let (after, _) = try server.create("after the lock")
        #expect(after.status == 201, "\(after.text)")
        #expect(try server.titles().sorted() == ["after the lock", "before the lock"])
        print(
            """
            StorageFault SQLITE_BUSY: sqlite3 shell held BEGIN EXCLUSIVE; POST → \(busy.status) after \
            \(String(format: "%.2f", waited)) s (Retry-After \(busy.header("Retry-After") ?? "none")), a GET → \(read.status) in \
            \(String(format: "%.1f", readMillis)) ms; after ROLLBACK: POST → \(after.status)
            """)
    }

    /// Runs a tool and returns its exit status and output.
    static func run(_ tool: String, _ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return (-1, "\(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
