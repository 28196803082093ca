import Foundation
import Testing
@testable import VigilStore

@Suite struct MaintenanceTests {
    @Test func purgeErasesTheRecordAndItsAuditTextButTheChainVerifies() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let source = try store.make(.sources, #"{"name": "Survivor Qxj", "contact": "+0 000 000 0000"}"#)
        let incident = try store.make(.incidents, #"{"title": "t"}"#)
        let site = try store.make(.sites, #"{"name": "s"}"#)
        _ = try store.link(incidentID: incident.id, .object(try .json(#"{"site_id": "\#(site.id)", "role": "held_at"}"#)), as: Caller.admin)
        let allegation = try store.make(.allegations, #"{"source_id": "\#(source.id)", "incident_id": "\#(incident.id)", "claim": "c"}"#)
        _ = try store.update(.sources, id: source.id, patch: try .json(#"{"contact": "+1 111"}"#), as: Caller.admin)

        // Still referenced: refused, nothing changed.
        #expect(throws: StoreError.self) { try store.purge(id: source.id, as: Caller.admin) }
        #expect(throws: StoreError.self) { try store.purge(id: source.id, as: Caller.editor) }
        try store.purge(id: allegation.id, as: Caller.admin)
        try store.purge(id: source.id, as: Caller.admin)
        try store.purge(id: incident.id, as: Caller.admin)

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
