import Foundation
import Testing

@testable import VigilJSON
@testable import VigilSQLite
@testable import VigilStore

/// The migrations compiled into the binary, their application, and the writer's pragmas.
@Suite("Migrations")
struct MigrationTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // VigilStoreTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// The files in migrations/, sorted by name.
    static func migrationFiles() throws -> [URL] {
        let folder = packageRoot.appendingPathComponent("migrations")
        return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    @Test("the embedded SQL equals the files in migrations/ (the EmbedMigrations build plugin compiles them in)")
    func embeddedMatchesFiles() throws {
        let files = try Self.migrationFiles()
        #expect(!files.isEmpty)
        #expect(
            files.count == embeddedMigrations.count,
            "migrations/ has \(files.count) files, the binary \(embeddedMigrations.count)")
        for (file, migration) in zip(files, embeddedMigrations) {
            let name = file.deletingPathExtension().lastPathComponent
            let digits = name.prefix(while: \.isNumber)
            #expect(digits.count == 4, "\(file.lastPathComponent): want NNNN_name.sql")
            #expect(name.dropFirst(4).first == "_")
            #expect(Int(digits) == migration.version, "\(file.lastPathComponent) vs version \(migration.version)")
            #expect(String(name.dropFirst(5)) == migration.name, "\(file.lastPathComponent) vs name \(migration.name)")
            var text = try String(contentsOf: file, encoding: .utf8)
            while text.hasSuffix("\n") { text.removeLast() }
            #expect(text == migration.sql, "\(file.lastPathComponent) differs from the embedded SQL")
        }
    }

    @Test("versions are unique and increasing from 1 without gaps")
    func versionsAreSequential() {
        let versions = embeddedMigrations.map(\.version)
        #expect(versions == Array(1...versions.count))
        #expect(Migrator().latestVersion == versions.count)
        #expect(Set(embeddedMigrations.map(\.name)).count == embeddedMigrations.count)
    }

    @Test("a fresh file records every version; a second open applies nothing")
    func migratesOnce() throws {
        let temporary = try TemporaryStore()
        let all = embeddedMigrations.map(\.version)
        #expect(temporary.store.appliedMigrations == all)
        let recorded: [(Int64, String)] = try temporary.store.read { db in
            var rows: [(Int64, String)] = []
            try db.makeStatement("SELECT version, name, applied_at FROM schema_migrations ORDER BY version").forEachRow
            { row in
                rows.append((row.int64(0), row.text(1) ?? ""))
                #expect(row.text(2)?.isEmpty == false)
            }
            return rows
        }
        #expect(recorded.map(\.0) == all.map(Int64.init))
        #expect(recorded.map(\.1) == embeddedMigrations.map(\.name))

        let record = try temporary.store.make(.incidents, #"{"title": "Kept across opens"}"#)
        let reopened = try Store(path: temporary.path, readers: 1)
        #expect(reopened.appliedMigrations.isEmpty)
        #expect(
            try reopened.record(.incidents, id: record.id, as: Caller.admin).json["title"]
                == .string("Kept across opens"))
        let third = try Store(path: temporary.path, readers: 1)
        #expect(third.appliedMigrations.isEmpty)
        let count = try third.read { db in try db.scalar("SELECT count(*) FROM schema_migrations") }
        #expect(count == .integer(Int64(all.count)))
    }

    @Test("the writer runs with WAL, synchronous=FULL and foreign keys on")
    func writerPragmas() throws {
        let temporary = try TemporaryStore()
        let (journal, synchronous, foreignKeys, secureDelete) = try temporary.store.writer.withConnection { db in
            (
                try db.scalar("PRAGMA journal_mode"), try db.scalar("PRAGMA synchronous"),
                try db.scalar("PRAGMA foreign_keys"), try db.scalar("PRAGMA secure_delete")
            )
        }
        #expect(journal == .text("wal"))
        #expect(synchronous == .integer(2))
        #expect(foreignKeys == .integer(1))
        #expect(secureDelete == .integer(1))
        // Readers see the same WAL database and cannot write.
        let readerJournal = try temporary.store.read { db in try db.scalar("PRAGMA journal_mode") }
        #expect(readerJournal == .text("wal"))
        #expect(throws: StoreError.self) {
            try temporary.store.read { db in try db.run("INSERT INTO schema_migrations VALUES (500, 'x', 'y')") }
        }
    }

    @Test("a database at a newer schema version is refused and left alone")
    func newerVersionRefused() throws {
        let temporary = try TemporaryStore()
        try temporary.store.writer.withConnection { db in
            try db.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 'then')")
        }
        #expect(throws: StoreError.databaseTooNew(found: 999, supported: Migrator().latestVersion)) {
            _ = try Store(path: temporary.path, readers: 1)
        }
    }

    @Test("a failing migration rolls back entirely and records nothing")
    func failingMigrationRollsBack() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vigil-migrate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try Database(path: directory.appendingPathComponent("m.db").path, mode: .readWriteCreate)
        let good = Migration(version: 1, name: "one", sql: "CREATE TABLE a (x INTEGER);")
        let bad = Migration(version: 2, name: "two", sql: "CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);")
        let migrator = Migrator(migrations: [bad, good])
        #expect(throws: (any Error).self) { try migrator.migrate(database) }
        #expect(try migrator.currentVersion(of: database) == 1)
        #expect(try database.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'a'") == .integer(1))
        #expect(try database.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'b'") == .integer(0))
    }
}
