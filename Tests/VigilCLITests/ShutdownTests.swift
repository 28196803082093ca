import Foundation
import Testing

@testable import VigilJSON
@testable import VigilSQLite
@testable import VigilStore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// Stopping Vigil cleanly leaves every record in the `.db` file itself. Until the WAL is copied
/// back, SQLite keeps recent commits only in `vigil.db-wal`; a user who stops the server and
/// carries away just `vigil.db` would otherwise carry an older database (or an empty one).
@Suite("Clean shutdown", .serialized)
struct ShutdownTests {
    @Test("SIGTERM to vigil serve: the WAL is folded into the .db file, which alone holds a record just POSTed")
    func sigtermLeavesEverythingInTheDatabaseFile() throws {
        let scratch = try ScratchDirectory()
        let database = scratch.path("field.db")
        let (process, output, errors) = try VigilCLI.start(
            ["serve", "--db", database, "--demo", "--port", "0"], in: scratch)
        let pid = process.processIdentifier
        let watchdog = VigilCLI.watchdog(for: pid)
        defer { watchdog.cancel() }

        let (base, token) = try VigilCLI.demoAddress(from: output)

        var request = URLRequest(url: try #require(URL(string: "\(base)/v1/incidents")))
        request.httpMethod = "POST"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(#"{"title": "Written just before the shutdown", "country": "XC"}"#.utf8)
        let (body, response) = try VigilCLI.send(request)
        let status = response?.statusCode ?? 0
        #expect(status == 201, "POST answered \(status): \(String(decoding: body, as: UTF8.self))")
        let created = try JSONValue.parse(Array(body))
        let id = try #require(created.objectValue?["id"]?.stringValue)
        #expect(FileManager.default.fileExists(atPath: database + "-wal"), "nothing was in the WAL to begin with")

        kill(pid, SIGTERM)
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // The access log, written to standard error in batches and flushed at the stop: the
        // POST's line in its one format, without the token or the body.
        let postLine = log.split(separator: "\n").first { $0.hasPrefix("POST /v1/incidents ") }
        #expect(
            postLine.map { $0.wholeMatch(of: /POST \/v1\/incidents 201 [0-9]+ [0-9]+\.[0-9]+ms/) != nil } == true,
            "\(log)")
        #expect(!log.contains(String(token)) && !log.contains("Written just before"))
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        #expect(!FileManager.default.fileExists(atPath: database + "-wal"), "the WAL outlived a clean shutdown")

        let copy = scratch.path("carried-away.db")
        try FileManager.default.copyItem(atPath: database, toPath: copy)
        let store = try Store(path: copy, readers: 1)
        defer { store.close() }
        let record = try store.record(.incidents, id: id, as: Caller.admin)
        #expect(record.json["title"]?.stringValue == "Written just before the shutdown")
        #expect(try store.verify().isIntact)
    }

    @Test("a command (vigil migrate) leaves no WAL behind")
    func commandsLeaveNoWAL() throws {
        let scratch = try ScratchDirectory()
        let database = scratch.path("new.db")
        let result = try VigilCLI.run(["migrate", "--db", database], in: scratch)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: database))
        #expect(!FileManager.default.fileExists(atPath: database + "-wal"))
        // The schema is in the file itself: sqlite3 on it alone sees the tables.
        #expect(
            try VigilCLI.sqlite(database, "SELECT max(version) FROM schema_migrations")
                == String(Migrator().latestVersion))
    }
}
