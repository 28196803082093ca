import Foundation
import Testing

@testable import VigilJSON
@testable import VigilSQLite
@testable import VigilStore

/// New records reach the full-text indexes at commit (migration 0010), not by a trigger per
/// insert, into the index of every clearance level that may see them (migration 0016).
/// Whatever mix of grouped writes, failed writes, imports and edits led there, each level's
/// index must hold exactly the current text of every live record at or below its level and
/// nothing else, and nothing may wait unindexed.
@Suite struct SearchIndexTests {
    /// The text each index must hold, per kind: its columns and what each holds of the record
    /// (`t`), as migration 0002 defined it.
    static let expectedText: [(kind: ResourceKind, columns: [String], expressions: [String])] = [
        (.incidents, ["title", "summary"], ["t.title", "t.summary"]),
        (.sites, ["name", "aliases", "description"], ["t.name", "t.aliases", "t.description"]),
        (.sources, ["name"], ["CASE WHEN t.protected_identity = 1 THEN NULL ELSE t.name END"]),
        (.actors, ["name", "position"], ["t.name", "t.position"]),
        (.allegations, ["claim"], ["t.claim"]),
        (.denials, ["statement", "speaker"], ["t.statement", "t.speaker"]),
    ]

    /// Per level's index: rows it lacks or holds with other text than the table's, rows it holds
    /// that it must not (tombstones, higher levels, purged), plus rows still noted as pending;
    /// and FTS5's own check that each index agrees with its stored text.
    static func mismatches(in store: Store) throws -> [String] {
        var found: [String] = []
        try store.write { db in
            for (kind, columns, expressions) in expectedText {
                let table = kind.table
                let differs = zip(columns, expressions).map { "f.\($0) IS NOT \($1)" }.joined(separator: " OR ")
                for level in Confidentiality.allCases {
                    let fts = SearchIndex.table(for: kind, at: level)
                    let belongs = "t.deleted_at IS NULL AND t.confidentiality <= \(level.rawValue)"
                    let missing = try db.scalar(
                        """
                        SELECT count(*) FROM \(table) t LEFT JOIN \(fts) f ON f.rowid = t.pk
                        WHERE \(belongs) AND (f.rowid IS NULL OR \(differs))
                        """)
                    let extra = try db.scalar(
                        """
                        SELECT count(*) FROM \(fts) f LEFT JOIN \(table) t ON t.pk = f.rowid
                        WHERE t.pk IS NULL OR NOT (\(belongs))
                        """)
                    if missing != .integer(0) {
                        found.append("\(fts): \(String(describing: missing)) rows not indexed as they read")
                    }
                    if extra != .integer(0) {
                        found.append("\(fts): \(String(describing: extra)) rows it must not hold")
                    }
                    try db.run("INSERT INTO \(fts) (\(fts)) VALUES ('integrity-check')")
                }
            }
            let pending = try db.scalar("SELECT count(*) FROM fts_pending")
            if pending != .integer(0) { found.append("fts_pending holds \(String(describing: pending)) rows") }
        }
        return found
    }

    @Test func indexesHoldEachRecordsCurrentTextAfterGroupedFailedAndImportedWrites() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let source = try store.make(.sources, #"{"name": "Radio Vaska", "protected_identity": false}"#)
        let hidden = try store.make(.sources, #"{"name": "Whistle Kestrel", "protected_identity": true}"#)
        let actor = try store.make(.actors, #"{"name": "Colonel Orin", "position": "commander"}"#)
        let site = try store.make(
            .sites, #"{"name": "Stadium camp", "aliases": ["North yard"], "description": "fenced"}"#)

        // Eight threads at once, so that the writer commits several writes per group; every
        // third thread's batch fails on its second item after the first was inserted, which
        // rolls that write back to its savepoint inside a group that commits.
        let created = Locked<[String]>([])
        let failures = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for round in 0..<12 {
                let word = "tok\(thread)x\(round)"
                do {
                    let incident = try store.make(
                        .incidents, #"{"title": "Detention \#(word)", "summary": "seen \#(word)"}"#)
                    created.update { $0.append(incident.id) }
                    let good = try JSONObject.json(
                        """
                        {"source_id": "\(source.id)", "incident_id": "\(incident.id)", "site_id": "\(site.id)",
                         "claim": "claim \(word)"}
                        """)
                    let bad = try JSONObject.json(
                        """
                        {"source_id": "\(source.id)", "incident_id": "inc_00000000000000000000000000", "claim": "lost \(word)"}
                        """)
                    if (thread + round) % 3 == 0 {
                        do {
                            _ = try store.createMany(.allegations, [good, bad], as: Caller.admin)
                        } catch {
                            failures.update { $0 += 1 }
                        }
                    } else {
                        let allegation = try store.createMany(.allegations, [good], as: Caller.admin)[0]
                        _ = try store.make(
                            .denials,
                            """
                            {"statement": "denied \(word)", "speaker": "Minister", "allegation_id": "\(allegation.id)",
                             "actor_id": "\(actor.id)"}
                            """)
                    }
                } catch {
                    Issue.record("write failed: \(error)")
                }
            }
        }
        #expect(failures.value == 32)
        let incidents = created.value
        #expect(incidents.count == 96)

        // Edits after indexing: text changed, tombstoned and restored, tombstoned for good,
        // levels raised and lowered, a source's name hidden and shown, one record purged.
        _ = try store.update(
            .incidents, id: incidents[0], patch: try .json(#"{"title": "Renamed quartz"}"#), as: Caller.admin)
        _ = try store.delete(.incidents, id: incidents[1], as: Caller.admin)
        _ = try store.restore(.incidents, id: incidents[1], as: Caller.admin)
        _ = try store.delete(.incidents, id: incidents[2], as: Caller.admin)
        _ = try store.update(
            .incidents, id: incidents[3], patch: try .json(#"{"confidentiality": "public"}"#), as: Caller.admin)
        _ = try store.update(
            .incidents, id: incidents[4],
            patch: try .json(#"{"confidentiality": "confidential", "title": "Sealed jasper"}"#),
            as: Caller.admin)
        for level in ["public", "restricted"] {
            let patch = try JSONObject.json(#"{"confidentiality": "\#(level)"}"#)
            _ = try store.update(.incidents, id: incidents[5], patch: patch, as: Caller.admin)
        }
        _ = try store.update(
            .sources, id: source.id, patch: try .json(#"{"protected_identity": true}"#), as: Caller.admin)
        _ = try store.update(
            .sources, id: hidden.id, patch: try .json(#"{"protected_identity": false}"#), as: Caller.admin)
        let doomed = try store.make(.incidents, #"{"title": "Purged basalt"}"#)
        try store.purge(id: doomed.id, as: Caller.admin)

        // Imports: a dry run and a refused all-or-nothing import roll back; a partial one keeps
        // its good row.
        func rows(_ titles: [String?]) -> [ImportRow] {
            titles.enumerated().map { index, title in
                ImportRow(
                    line: index + 1, object: title.map { JSONObject([("title", .string($0))]) } ?? JSONObject([]),
                    errors: [])
            }
        }
        _ = try store.importRecords(.incidents, rows(["Imported dryrun"]), mode: .all, dryRun: true, as: Caller.admin)
        _ = try store.importRecords(
            .incidents, rows(["Imported refused", nil]), mode: .all, dryRun: false, as: Caller.admin)
        let kept = try store.importRecords(
            .incidents, rows(["Imported garnet", nil]), mode: .partial, dryRun: false, as: Caller.admin)
        #expect(kept.created.count == 1)

        #expect(try Self.mismatches(in: store) == [])

        // And the indexes answer: each word finds its record at the levels that may see it,
        // words of rolled-back, purged or tombstoned records find nothing, a protected name is
        // not found (not even at confidential, as before per-level indexes), a shown one is.
        func hits(_ kind: ResourceKind, _ word: String, at level: Confidentiality = .confidential) throws -> Int64 {
            let fts = SearchIndex.table(for: kind, at: level)
            let count = try store.read { db in
                try db.scalar("SELECT count(*) FROM \(fts) WHERE \(fts) MATCH ?", [.text(word)])
            }
            guard case .integer(let value) = count else { throw TestFailure("no count") }
            return value
        }
        #expect(try hits(.incidents, "tok3x7") == 1)
        #expect(try hits(.incidents, "tok3x7", at: .restricted) == 1)
        #expect(try hits(.incidents, "tok3x7", at: .public) == 0)
        #expect(try hits(.incidents, "quartz") == 1)
        #expect(try hits(.incidents, "basalt") == 0)
        #expect(try hits(.incidents, "dryrun") == 0)
        #expect(try hits(.incidents, "refused") == 0)
        #expect(try hits(.incidents, "garnet") == 1)
        #expect(try hits(.incidents, "jasper") == 1)
        #expect(try hits(.incidents, "jasper", at: .restricted) == 0)
        #expect(try hits(.incidents, "Detention", at: .public) == 1)
        #expect(try hits(.incidents, "Detention") == 96 - 3)  // two retitled, one tombstoned
        #expect(try hits(.allegations, "lost") == 0)
        #expect(try hits(.allegations, "claim") == 64)
        #expect(try hits(.allegations, "claim", at: .public) == 0)
        #expect(try hits(.denials, "denied") == 64)
        #expect(try hits(.sources, "Vaska") == 0)
        #expect(try hits(.sources, "Kestrel") == 1)
        #expect(try hits(.sources, "Kestrel", at: .public) == 0)
    }

    /// A row noted by a writer that did not index it at commit (another tool, an older build)
    /// is indexed when the store next opens.
    @Test func rowsLeftPendingAreIndexedOnOpen() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("vigil.db").path
        do {
            let store = try Store(path: path)
            try store.make(.incidents, #"{"title": "Before"}"#)
        }
        do {
            // Behind the store's back, as a tool without the commit step would write.
            let raw = try Database(path: path, mode: .readWrite)
            try raw.execute(
                """
                INSERT INTO incidents (id, title, summary, confidentiality, version, created_at, updated_at)
                VALUES ('inc_01ZZZZZZZZZZZZZZZZZZZZZZZZ', 'Left obsidian', NULL, 0, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')
                """)
            #expect(try raw.scalar("SELECT count(*) FROM fts_pending") == .integer(1))
            let unindexed = try raw.scalar(
                "SELECT count(*) FROM incidents_fts_public WHERE incidents_fts_public MATCH 'obsidian'")
            #expect(unindexed == .integer(0))
        }
        let store = try Store(path: path)
        for level in Confidentiality.allCases {
            let fts = SearchIndex.table(for: .incidents, at: level)
            let found = try store.read { db in
                try db.scalar("SELECT count(*) FROM \(fts) WHERE \(fts) MATCH 'obsidian'")
            }
            #expect(found == .integer(1), "\(fts)")
        }
        #expect(try Self.mismatches(in: store) == [])
    }

    /// A database written before migration 0016 had one index per kind holding every row; the
    /// migration moves each live record into the index of every level that may see it, leaves
    /// tombstones out, keeps a protected name unindexed, and later writes keep them in step.
    @Test func recordsIndexedBeforePerLevelIndexesReachTheirLevels() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("vigil.db").path
        do {
            let raw = try Database(path: path, mode: .readWriteCreate)
            try Migrator(migrations: embeddedMigrations.filter { $0.version < 16 }).migrate(raw)
            let rows = [
                ("inc_01AAAAAAAAAAAAAAAAAAAAAAAA", "Open amber", 0, "NULL"),
                ("inc_01BBBBBBBBBBBBBBBBBBBBBBBB", "Guarded amber", 1, "NULL"),
                ("inc_01CCCCCCCCCCCCCCCCCCCCCCCC", "Sealed amber", 2, "NULL"),
                ("inc_01DDDDDDDDDDDDDDDDDDDDDDDD", "Deleted amber", 0, "'2026-01-02T00:00:00Z'"),
            ]
            for (id, title, level, deleted) in rows {
                try raw.execute(
                    """
                    INSERT INTO incidents (id, title, confidentiality, version, created_at, updated_at, deleted_at)
                    VALUES ('\(id)', '\(title)', \(level), 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', \(deleted))
                    """)
            }
            try raw.execute(
                """
                INSERT INTO sources (id, name, protected_identity, confidentiality, version, created_at, updated_at)
                VALUES ('src_01EEEEEEEEEEEEEEEEEEEEEEEE', 'Hidden amber', 1, 0, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')
                """)
            try raw.execute("DELETE FROM fts_pending")  // what the writer does at commit
            #expect(
                try raw.scalar("SELECT count(*) FROM incidents_fts WHERE incidents_fts MATCH 'amber'") == .integer(4))
        }
        let store = try Store(path: path)
        func titles(at level: Confidentiality) throws -> [String] {
            let fts = SearchIndex.table(for: .incidents, at: level)
            return try store.read { db in
                var found: [String] = []
                try db.makeStatement("SELECT title FROM \(fts) WHERE \(fts) MATCH 'amber' ORDER BY rowid").forEachRow {
                    row in
                    found.append(row.text(0) ?? "")
                }
                return found
            }
        }
        #expect(try titles(at: .public) == ["Open amber"])
        #expect(try titles(at: .restricted) == ["Open amber", "Guarded amber"])
        #expect(try titles(at: .confidential) == ["Open amber", "Guarded amber", "Sealed amber"])
        let sources = try store.read { db in
            try db.scalar("SELECT count(*) FROM sources_fts_confidential WHERE sources_fts_confidential MATCH 'amber'")
        }
        #expect(sources == .integer(0))
        let old = try store.read { db in
            try db.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'incidents_fts'")
        }
        #expect(old == .integer(0))
        #expect(try Self.mismatches(in: store) == [])

        // Written through the store afterwards: moved between levels, restored, tombstoned.
        let made = try JSONObject.json(#"{"confidentiality": "public"}"#)
        _ = try store.update(.incidents, id: "inc_01CCCCCCCCCCCCCCCCCCCCCCCC", patch: made, as: Caller.admin)
        _ = try store.restore(.incidents, id: "inc_01DDDDDDDDDDDDDDDDDDDDDDDD", as: Caller.admin)
        _ = try store.delete(.incidents, id: "inc_01AAAAAAAAAAAAAAAAAAAAAAAA", as: Caller.admin)
        #expect(try titles(at: .public) == ["Sealed amber", "Deleted amber"])
        #expect(try titles(at: .restricted) == ["Guarded amber", "Sealed amber", "Deleted amber"])
        #expect(try Self.mismatches(in: store) == [])
    }
}

/// A value shared by test threads.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func update(_ body: (inout Value) -> Void) { lock.withLock { body(&stored) } }
}
