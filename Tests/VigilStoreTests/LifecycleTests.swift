import Testing

@testable import VigilJSON
@testable import VigilSQLite
@testable import VigilStore

/// Create, merge-patch, tombstone, restore and links, with versions and audit entries.
@Suite struct LifecycleTests {
    @Test func mergePatchBumpsVersionAndKeepsOtherFields() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let created = try store.make(.incidents, #"{"title": "t", "summary": "s", "victims_min": 5, "tags": ["a"]}"#)
        let patched = try store.update(
            .incidents, id: created.id, patch: try .json(#"{"summary": null, "victims_min": 7, "tags": ["a", "b"]}"#),
            expectedVersion: 1, as: Caller.editor)
        #expect(patched.version == 2)
        #expect(patched.json["title"] == .string("t"))
        #expect(patched.json["summary"] == .null)
        #expect(patched.json["victims_min"] == .int(7))
        #expect(patched.json["tags"] == .array([.string("a"), .string("b")]))
        #expect(patched.json["created_at"] == created.json["created_at"])
        // A stale version is refused and changes nothing.
        #expect(throws: StoreError.versionMismatch(expected: 1, current: 2)) {
            try store.update(
                .incidents, id: created.id, patch: try .json(#"{"title": "late"}"#), expectedVersion: 1,
                as: Caller.editor)
        }
        #expect(try store.record(.incidents, id: created.id, as: Caller.admin).json["title"] == .string("t"))
        // A patch that changes nothing makes no new version.
        let same = try store.update(.incidents, id: created.id, patch: try .json(#"{"title": "t"}"#), as: Caller.editor)
        #expect(same.version == 2)
        #expect(try store.history(.incidents, id: created.id, as: Caller.admin).map(\.action) == ["create", "update"])
    }

    @Test func deleteLeavesATombstoneAndRestoreBringsItBack() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let created = try store.make(.incidents, #"{"title": "t", "confidentiality": "public"}"#)
        let deleted = try store.delete(.incidents, id: created.id, as: Caller.admin)
        #expect(deleted.isDeleted)
        #expect(deleted.version == 2)
        #expect(throws: StoreError.gone(kind: "incidents", id: created.id)) {
            try store.record(.incidents, id: created.id, as: Caller.publicReader)
        }
        #expect(try store.list(.incidents, ListQuery(), as: Caller.admin).records.isEmpty)
        #expect(throws: StoreError.gone(kind: "incidents", id: created.id)) {
            try store.update(.incidents, id: created.id, patch: try .json(#"{"title": "x"}"#), as: Caller.admin)
        }
        #expect(throws: StoreError.gone(kind: "incidents", id: created.id)) {
            try store.delete(.incidents, id: created.id, as: Caller.admin)
        }
        let restored = try store.restore(.incidents, id: created.id, as: Caller.admin)
        #expect(!restored.isDeleted)
        #expect(restored.version == 3)
        #expect(try store.record(.incidents, id: created.id, as: Caller.publicReader).json["title"] == .string("t"))
        #expect(throws: StoreError.conflict("incident \(created.id) is not deleted")) {
            try store.restore(.incidents, id: created.id, as: Caller.admin)
        }
        #expect(throws: StoreError.self) { try store.restore(.incidents, id: created.id, as: Caller.editor) }
        let actions = try store.history(.incidents, id: created.id, as: Caller.admin).map(\.action)
        #expect(actions == ["create", "delete", "restore"])
        // The changes feed shows the tombstone.
        let feed = try store.changes(as: Caller.publicReader)
        #expect(feed.entries.map(\.action) == ["create", "delete", "restore"])
        #expect(feed.entries[1].after?["deleted_at"] != nil)
    }

    @Test func referencesToDeletedRecordsAreRefusedAndIdsAreOrdered() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let ids = try (0..<50).map { try store.make(.actors, #"{"name": "a\#($0)"}"#).id }
        #expect(ids == ids.sorted(), "ids are time-ordered")
        #expect(Set(ids).count == 50)
        _ = try store.delete(.actors, id: ids[0], as: Caller.admin)
        let error = #expect(throws: StoreError.self) {
            try store.make(.incidents, #"{"title": "t", "perpetrator_ids": ["\#(ids[0])"]}"#)
        }
        #expect(error?.fieldNames == ["perpetrator_ids"])
    }

    @Test func linksCarryRoleAndPeriodAndAreOrderedByPeriod() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let incident = try store.make(.incidents, #"{"title": "t"}"#)
        let argun = try store.make(.sites, #"{"name": "Argun"}"#)
        let tsotsi = try store.make(.sites, #"{"name": "Tsotsi-Yurt"}"#)
        let made = try store.link(
            incidentID: incident.id,
            try JSONValue.parse(
                Array(
                    """
                    [{"site_id": "\(tsotsi.id)", "role": "transferred_to", "period": "2017-03"},
                     {"site_id": "\(argun.id)", "role": "held_at", "period": "2017-02", "note": "first"}]
                    """.utf8)), as: Caller.editor)
        #expect(made.count == 2)
        let links = try store.links(ofIncident: incident.id, as: Caller.admin)
        #expect(links.map { $0["site_id"] } == [.string(argun.id), .string(tsotsi.id)])
        #expect(links[0]["role"] == .string("held_at"))
        #expect(links[0]["period_earliest"] == .string("2017-02-01"))
        #expect(throws: StoreError.self) {
            try store.link(
                incidentID: incident.id, .object(try .json(#"{"site_id": "\#(argun.id)", "role": "held_at"}"#)),
                as: Caller.editor)
        }
        #expect(try store.record(.sites, id: argun.id, as: Caller.admin).json["incident_count"] == .int(1))
        try store.unlink(incidentID: incident.id, linkID: links[0]["id"]?.stringValue ?? "", as: Caller.editor)
        #expect(try store.links(ofIncident: incident.id, as: Caller.admin).count == 1)
        #expect(try store.verify().isIntact)
    }

    @Test func tokensAuthenticateUntilRevokedOrExpired() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let (secret, token) = try store.createToken(
            name: "field-team", role: .editor, clearance: .restricted, as: .commandLine)
        #expect(secret.hasPrefix("vgl_"))
        #expect(
            try store.authenticate(secret: secret)
                == .valid(
                    AccessContext(actor: "field-team", role: .editor, clearance: .restricted), tokenID: token.id))
        #expect(try store.authenticate(secret: secret + "x") == .invalid)
        #expect(try store.tokens(as: .commandLine).first?.lastUsedAt != nil)
        _ = try store.revokeToken(name: "field-team", as: .commandLine)
        #expect(try store.authenticate(secret: secret) == .invalid)
        let (expiredSecret, _) = try store.createToken(
            name: "old", role: .reader, clearance: .public, expiresAt: "2020-01-01", as: .commandLine)
        #expect(try store.authenticate(secret: expiredSecret) == .invalid)
        #expect(throws: StoreError.conflict("a token named \"old\" already exists")) {
            try store.createToken(name: "old", role: .reader, clearance: .public, as: .commandLine)
        }
        #expect(throws: StoreError.self) {
            try store.createToken(name: "x", role: .reader, clearance: .public, as: Caller.editor)
        }
        // The secret is stored only as a hash.
        let raw = try Database(path: temporary.path, mode: .readOnly)
        #expect(try raw.scalar("SELECT count(*) FROM tokens WHERE secret_hash = ?", [.text(secret)]) == .integer(0))
        #expect(
            try raw.scalar("SELECT count(*) FROM tokens WHERE secret_hash = ?", [.text(Hex.sha256(secret))])
                == .integer(1))
    }
}
