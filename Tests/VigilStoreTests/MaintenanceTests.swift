import Foundation
import Testing

@testable import VigilJSON
@testable import VigilSQLite
@testable import VigilStore

@Suite struct MaintenanceTests {
    @Test func purgeErasesTheRecordAndItsAuditTextButTheChainVerifies() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let source = try store.make(.sources, #"{"name": "Survivor Qxj", "contact": "+0 000 000 0000"}"#)
        let incident = try store.make(.incidents, #"{"title": "t"}"#)
        let site = try store.make(.sites, #"{"name": "s"}"#)
        _ = try store.link(
            incidentID: incident.id, .object(try .json(#"{"site_id": "\#(site.id)", "role": "held_at"}"#)),
            as: Caller.admin)
        let allegation = try store.make(
            .allegations, #"{"source_id": "\#(source.id)", "incident_id": "\#(incident.id)", "claim": "c"}"#)
        _ = try store.update(.sources, id: source.id, patch: try .json(#"{"contact": "+1 111"}"#), as: Caller.admin)

        // Still referenced: refused, nothing changed.
        #expect(throws: StoreError.self) { try store.purge(id: source.id, as: Caller.admin) }
        #expect(throws: StoreError.self) { try store.purge(id: source.id, as: Caller.editor) }
        try store.purge(id: allegation.id, as: Caller.admin)
        try store.purge(id: source.id, as: Caller.admin)
        #expect(try store.purge(id: incident.id, as: Caller.admin).linksErased == 1)

        #expect(throws: StoreError.notFound(kind: "sources", id: source.id)) {
            try store.record(.sources, id: source.id, as: Caller.admin)
        }
        #expect(throws: StoreError.notFound(kind: "incidents", id: incident.id)) {
            try store.links(ofIncident: incident.id, as: Caller.admin)
        }
        #expect(try store.record(.sites, id: site.id, as: Caller.admin).json["incident_count"] == .int(0))
        let report = try store.verify()
        #expect(report.isIntact, "\(report.problems)")
        // No trace of the erased text anywhere in the file or its WAL.
        for file in [temporary.path, temporary.path + "-wal"] {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            let bytes = [UInt8](data)
            for secret in ["Survivor Qxj", "+0 000 000 0000", "+1 111"] {
                let needle = Array(secret.utf8)
                let found = bytes.indices.dropLast(needle.count).contains { start in
                    bytes[start] == needle[0] && Array(bytes[start..<start + needle.count]) == needle
                }
                #expect(!found, "\(secret) still in \(file)")
            }
        }
        let history = try store.history(.sites, id: site.id, as: Caller.admin)
        #expect(history.map(\.action) == ["create"])
    }

    @Test(
        "purge leaves no word of the record anywhere: not in the full-text index's older segments, not in a stored idempotency answer, not in the WAL"
    )
    func purgeErasesIndexWordsAndStoredAnswers() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let secret = "Namexq7rtzulpmw"  // one word, unlike any other in the index
        let key = IdempotencyKey(tokenID: "tok_test", key: "retry-1", requestHash: "h")
        let outcome = try store.createMany(
            .incidents, [try .json(#"{"title": "Held at the stadium", "summary": "Witness \#(secret) saw it"}"#)],
            as: Caller.admin, idempotency: key
        ) { records in StoredAnswer(status: 201, headers: [:], body: Array(records[0].encoded)) }
        guard case .created(let answer) = outcome else { throw StoreError.conflict("expected a create") }
        let id = try #require(try JSONValue.parse(answer.body).objectValue?["id"]?.stringValue)
        // Another answer that only mentions the id (a reference) must survive the purge.
        let other = IdempotencyKey(tokenID: "tok_test", key: "retry-2", requestHash: "h2")
        _ = try store.createMany(.incidents, [try .json(#"{"title": "Other"}"#)], as: Caller.admin, idempotency: other)
        { _ in
            StoredAnswer(status: 201, headers: [:], body: Array(#"{"id": "inc_other", "see_also": "\#(id)"}"#.utf8))
        }
        // Later writes, each its own commit: the record's words sit in an older index segment.
        for index in 0..<40 {
            _ = try store.make(.incidents, #"{"title": "Later \#(index)", "summary": "word\#(index)"}"#)
        }

        let report = try store.purge(id: id, as: Caller.admin)
        #expect(report == Store.PurgeReport(answersErased: 1, linksErased: 0, walCleared: true))
        #expect(throws: StoreError.answerPurged(id: id)) { try store.storedAnswer(for: key) }
        #expect(try store.storedAnswer(for: other) != nil)
        #expect(try store.verify().isIntact)
        for file in [temporary.path, temporary.path + "-wal"] {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            let bytes = [UInt8](data)
            // The index keeps words lowercased and may share a prefix with the word before it:
            // the end of the word is always there if any of it is.
            for needle in ["rtzulpmw", secret].map({ Array($0.utf8) }) {
                let found = bytes.indices.dropLast(needle.count).contains { start in
                    bytes[start] == needle[0] && Array(bytes[start..<start + needle.count]) == needle
                }
                #expect(!found, "\(String(decoding: needle, as: UTF8.self)) still in \(file)")
            }
        }
    }

    @Test("a purge while another connection reads says the WAL was not cleared")
    func purgeReportsAWALItCouldNotClear() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let record = try store.make(.actors, #"{"name": "Officer Plwz"}"#)
        // Another process's reader, in the middle of a read: the truncating checkpoint waits
        // for it (up to the busy timeout, 5 s) and gives up.
        let reader = try Database(path: temporary.path, mode: .readOnly, busyTimeout: .milliseconds(100))
        try reader.execute("BEGIN")
        _ = try reader.scalar("SELECT count(*) FROM actors")
        let report = try store.purge(id: record.id, as: Caller.admin)
        #expect(report.walCleared == false)
        try reader.execute("COMMIT")
        #expect(throws: StoreError.notFound(kind: "actors", id: record.id)) {
            try store.record(.actors, id: record.id, as: Caller.admin)
        }
    }

    @Test func backupIsAConsistentCopyThatOpensAndVerifies() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        for index in 0..<20 { try store.make(.actors, #"{"name": "a\#(index)"}"#) }
        let destination = temporary.directory.appendingPathComponent("copy.db").path
        try store.backup(to: destination)
        let copy = try Store(path: destination)
        var query = ListQuery()
        query.includeTotal = true
        #expect(try copy.list(.actors, query, as: Caller.admin).total == 20)
        #expect(try copy.verify().isIntact)
        #expect(throws: StoreError.self) { try store.backup(to: destination) }
    }
}
