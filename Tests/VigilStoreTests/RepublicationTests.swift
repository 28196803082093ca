import Testing

@testable import VigilJSON
@testable import VigilSQLite
@testable import VigilStore

/// A republication is never more public than what it repeats, and every reader's
/// `independent_source_count` is the count of what that reader sees: no answer (a count, a
/// refusal) depends on an allegation the reader cannot see.
@Suite struct RepublicationTests {
    struct Case {
        let temporary: TemporaryStore
        var store: Store { temporary.store }
        let incident: Record
        let wire: Record
        let outlet: Record
        let secretReport: Record

        init() throws {
            temporary = try TemporaryStore()
            let store = temporary.store
            wire = try store.make(.sources, #"{"name": "Wire service", "confidentiality": "public"}"#)
            outlet = try store.make(.sources, #"{"name": "Outlet", "confidentiality": "public"}"#)
            incident = try store.make(.incidents, #"{"title": "Detentions", "confidentiality": "public"}"#)
            secretReport = try store.make(
                .allegations,
                #"""
                {"source_id": "\#(wire.id)", "incident_id": "\#(incident.id)", "claim": "Secret report",
                 "confidentiality": "confidential"}
                """#)
        }

        func republication(_ level: String, of original: Record) throws -> Record {
            try store.make(
                .allegations,
                #"""
                {"source_id": "\#(outlet.id)", "incident_id": "\#(incident.id)", "claim": "Reprint",
                 "repeats_id": "\#(original.id)", "confidentiality": "\#(level)"}
                """#)
        }

        func independentSources(as context: AccessContext) throws -> JSONValue? {
            try store.record(.incidents, id: incident.id, as: context).json["independent_source_count"]
        }
    }

    @Test func aRepublicationMorePublicThanWhatItRepeatsIsRefused() throws {
        let c = try Case()
        #expect(throws: StoreError.self) { try c.republication("public", of: c.secretReport) }
        do {
            _ = try c.republication("restricted", of: c.secretReport)
        } catch let error as StoreError {
            #expect(error.fieldNames == ["repeats_id"])
            #expect("\(error)".contains("make this allegation confidential"), "\(error)")
        }
        // As secret as the original, or more: accepted.
        _ = try c.republication("confidential", of: c.secretReport)
    }

    @Test func raisingAnOriginalAboveItsRepublicationsIsRefused() throws {
        let c = try Case()
        let original = try c.store.make(
            .allegations,
            #"""
            {"source_id": "\#(c.wire.id)", "incident_id": "\#(c.incident.id)", "claim": "Report", "confidentiality": "public"}
            """#)
        let reprint = try c.republication("public", of: original)
        #expect(throws: StoreError.self) {
            try c.store.update(
                .allegations, id: original.id, patch: try .json(#"{"confidentiality": "restricted"}"#), as: Caller.admin
            )
        }
        do {
            _ = try c.store.update(
                .allegations, id: original.id, patch: try .json(#"{"confidentiality": "restricted"}"#), as: Caller.admin
            )
        } catch let error as StoreError {
            #expect(error.fieldNames == ["confidentiality"])
            #expect("\(error)".contains(reprint.id), "\(error)")
        }
        // Lowering the republication below its original is refused too; raising both in order works.
        _ = try c.store.update(
            .allegations, id: reprint.id, patch: try .json(#"{"confidentiality": "restricted"}"#), as: Caller.admin)
        _ = try c.store.update(
            .allegations, id: original.id, patch: try .json(#"{"confidentiality": "restricted"}"#), as: Caller.admin)
        #expect(throws: StoreError.self) {
            try c.store.update(
                .allegations, id: reprint.id, patch: try .json(#"{"confidentiality": "public"}"#), as: Caller.admin)
        }
    }

    /// Data written before the rule: a public reprint of a confidential report. The public
    /// reader is shown the reprint with `repeats_id: null`, so it counts it as independent; it
    /// counted for nothing before, telling the public that a secret report existed.
    @Test func aRepublicationOfAHiddenOriginalCountsAsTheReaderSeesIt() throws {
        let c = try Case()
        let reprint = try c.republication("confidential", of: c.secretReport)
        let raw = try Database(path: c.temporary.path, mode: .readWrite)
        try raw.run("UPDATE allegations SET confidentiality = 0 WHERE id = ?", [.text(reprint.id)])
        let shown = try c.store.record(.allegations, id: reprint.id, as: Caller.publicReader).json
        #expect(shown["repeats_id"] == .null)
        #expect(try c.independentSources(as: Caller.publicReader) == .int(1))
        #expect(try c.independentSources(as: Caller.confidentialReader) == .int(1), "only the wire report counts")
        // And the same answer as for a public reprint of nothing at all, in another store.
        let other = try Case()
        _ = try other.store.make(
            .allegations,
            #"""
            {"source_id": "\#(other.outlet.id)", "incident_id": "\#(other.incident.id)", "claim": "Reprint", "confidentiality": "public"}
            """#)
        #expect(try other.independentSources(as: Caller.publicReader) == .int(1))
        // The original's level decides: once it is public, the public sees a republication.
        try raw.run("UPDATE allegations SET confidentiality = 0 WHERE id = ?", [.text(c.secretReport.id)])
        #expect(try c.independentSources(as: Caller.publicReader) == .int(1), "the wire, not the reprint")
        let again = try c.store.record(.allegations, id: reprint.id, as: Caller.publicReader).json
        #expect(again["repeats_id"] == .string(c.secretReport.id))
    }

    /// The cycle check follows only allegations the editor can see: a hidden chain back to the
    /// allegation being edited (data written before the rule) must not make its 422.
    @Test func theCycleCheckDoesNotWalkHiddenAllegations() throws {
        let c = try Case()
        let first = try c.store.make(
            .allegations,
            #"""
            {"source_id": "\#(c.outlet.id)", "incident_id": "\#(c.incident.id)", "claim": "First", "confidentiality": "restricted"}
            """#)
        let hidden = try c.store.make(
            .allegations,
            #"""
            {"source_id": "\#(c.wire.id)", "incident_id": "\#(c.incident.id)", "claim": "Hidden", "repeats_id": "\#(first.id)",
             "confidentiality": "confidential"}
            """#)
        let middle = try c.store.make(
            .allegations,
            #"""
            {"source_id": "\#(c.outlet.id)", "incident_id": "\#(c.incident.id)", "claim": "Middle", "confidentiality": "restricted"}
            """#)
        let raw = try Database(path: c.temporary.path, mode: .readWrite)
        try raw.run("UPDATE allegations SET repeats_id = ? WHERE id = ?", [.text(hidden.id), .text(middle.id)])
        // middle -> hidden -> first: the restricted editor sees middle -> (nothing).
        let patch = try JSONObject.json(#"{"repeats_id": "\#(middle.id)"}"#)
        let edited = try c.store.update(.allegations, id: first.id, patch: patch, as: Caller.restrictedEditor)
        #expect(edited.json["repeats_id"] == .string(middle.id))
        // A visible cycle is still refused.
        let visible = try JSONObject.json(#"{"repeats_id": "\#(first.id)"}"#)
        #expect(throws: StoreError.self) {
            try c.store.update(.allegations, id: middle.id, patch: visible, as: Caller.admin)
        }
    }
}
