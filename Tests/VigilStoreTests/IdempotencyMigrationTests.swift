import Foundation
import Testing

@testable import VigilSQLite
@testable import VigilStore

/// Migration 0015 fills `created_ids` of the answers stored before it from their bodies, so that
/// their replays re-read the records and a purge still finds them.
@Suite struct IdempotencyMigrationTests {
    @Test("answers stored before 0015 get the ids they created, and a purge then finds them by those ids")
    func existingAnswersGetTheirCreatedIDs() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("vigil.db").path

        // A database as the binary before 0015 left it (every migration before it), with a
        // record and the answers it stored.
        let single = "act_01AAAAAAAAAAAAAAAAAAAAAAAA"
        let db = try Database(path: path, mode: .readWriteCreate)
        try Migrator(migrations: embeddedMigrations.filter { $0.version < 15 }).migrate(db)
        try db.execute(
            """
            INSERT INTO actors (id, name, confidentiality, version, created_at, updated_at)
            VALUES ('\(single)', 'Officer Qzmigr', 1, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')
            """)
        let rows: [(String, Int64, String)] = [
            ("one", 201, #"{"id":"\#(single)","name":"Officer Qzmigr"}"#),
            ("batch", 201, #"{"data":[{"id":"act_a"},{"id":"act_b"}]}"#),
            ("purged", 0, "act_gone"),
            ("odd", 201, "not json"),
        ]
        for (key, status, body) in rows {
            try db.run(
                "INSERT INTO idempotency_keys VALUES ('tok', ?, 'h', ?, '{}', ?, 'then')",
                [.text(key), .integer(status), .blob(Array(body.utf8))])
        }
        db.close()

        let store = try Store(path: path, readers: 1)
        defer { store.close() }
        #expect(store.appliedMigrations == [15, 16])
        let ids: [String: String] = try store.read { db in
            var found: [String: String] = [:]
            try db.makeStatement("SELECT key, created_ids FROM idempotency_keys").forEachRow { row in
                found[row.text(0) ?? ""] = row.text(1)
            }
            return found
        }
        #expect(
            ids == ["one": #"["\#(single)"]"#, "batch": #"["act_a","act_b"]"#, "purged": #"["act_gone"]"#, "odd": "[]"])
        #expect(try store.purge(id: single, as: Caller.admin).answersErased == 1)
        #expect(throws: StoreError.answerPurged(id: single)) {
            try store.storedAnswer(for: IdempotencyKey(tokenID: "tok", key: "one", requestHash: "h"))
        }
    }
}
