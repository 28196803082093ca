import Foundation
import Testing

@testable import VigilJSON
@testable import VigilStore

/// Editing a row or an audit entry with the `sqlite3` shell makes `vigil verify` fail and name
/// the record or entry at fault; an untouched database verifies.
@Suite("Audit tampering")
struct AuditTamperTests {
    /// A database with a few records of several kinds, a link and a tombstone.
    struct Fixture {
        let scratch: ScratchDirectory
        let path: String
        let incident: String
        let spare: String
        let deleted: String
        let site: String
        let source: String
        let allegation: String
        let link: String
    }

    static func fixture() throws -> Fixture {
        let scratch = try ScratchDirectory()
        let path = scratch.path("vigil.db")
        let store = try Store(path: path, readers: 1)
        let incident = try store.make(
            .incidents,
            #"{"title": "Mass detention", "occurred": "2017-02/2017-03", "country": "RU", "victims_min": 100, "confidentiality": "public"}"#
        )
        let spare = try store.make(.incidents, #"{"title": "Unrelated arrest", "confidentiality": "restricted"}"#)
        let deleted = try store.make(.incidents, #"{"title": "Entered twice"}"#)
        _ = try store.delete(.incidents, id: deleted.id, as: Caller.admin)
        let site = try store.make(.sites, #"{"name": "Argun", "evidence": "suspected", "country": "RU"}"#)
        let source = try store.make(.sources, #"{"name": "Novaya Gazeta", "source_type": "media", "country": "RU"}"#)
        let allegation = try store.make(
            .allegations,
            """
            {"source_id": "\(source.id)", "incident_id": "\(incident.id)", "claim": "More than 100 men detained", "alleged_on": "2017-04-01"}
            """)
        let links = try store.link(
            incidentID: incident.id,
            .object(JSONObject([("site_id", .string(site.id)), ("role", .string("held_at"))])), as: Caller.admin)
        let link = try #require(links.first?["id"]?.stringValue)
        _ = try store.update(
            .incidents, id: incident.id, patch: JSONObject([("verification", .string("corroborated"))]),
            as: Caller.admin)
        #expect(try store.verify().isIntact)
        return Fixture(
            scratch: scratch, path: path, incident: incident.id, spare: spare.id, deleted: deleted.id, site: site.id,
            source: source.id, allegation: allegation.id, link: link)
    }

    /// Runs `vigil verify` and expects a failure naming every one of `names` on stderr.
    static func expectVerifyFails(_ fixture: Fixture, naming names: [String], _ comment: String) throws {
        let result = try VigilCLI.run(["verify", "--db", fixture.path], in: fixture.scratch)
        #expect(result.status != 0, "\(comment): verify should fail; stdout: \(result.stdout)")
        let firstLine = result.stderrLines.last { $0.hasPrefix("Error") || $0.contains("verification failed") } ?? ""
        // The first fault is the one line on standard error; every fault is on standard output.
        #expect(result.stderrLines.filter { !$0.isEmpty }.count == 1, "\(comment): \(result.stderr)")
        for name in names {
            #expect(result.stdout.contains(name), "\(comment): stdout does not name \(name): \(result.stdout)")
        }
        #expect(
            names.contains { result.stderr.contains($0) }, "\(comment): stderr names none of \(names): \(result.stderr)"
        )
        #expect(firstLine.contains("verification failed"), "\(comment): \(result.stderr)")
        #expect(!result.stdout.hasPrefix("ok"))
    }

    @Test("an untouched database verifies, by the command and by the API")
    func untouchedVerifies() throws {
        let fixture = try Self.fixture()
        let result = try VigilCLI.run(["verify", "--db", fixture.path], in: fixture.scratch)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.hasPrefix("ok"))
        let store = try Store(path: fixture.path, readers: 1)
        let report = try store.verify()
        #expect(report.isIntact)
        #expect(report.problems.isEmpty)
        // 7 creates (incl. the link), a delete and an update.
        #expect(report.entries == 9)
        #expect(report.records == 7)
    }

    @Test("every kind of change verifies: restore, unlink, all six kinds, batch creates, tokens")
    func everyActionVerifies() throws {
        let fixture = try Self.fixture()
        let store = try Store(path: fixture.path, readers: 1)
        _ = try store.restore(.incidents, id: fixture.deleted, as: Caller.admin)
        _ = try store.unlink(incidentID: fixture.incident, linkID: fixture.link, as: Caller.admin)
        let actor = try store.make(
            .actors,
            #"{"name": "Ramzan Kadyrov", "actor_type": "official", "position": "Head of the Chechen Republic"}"#)
        let denial = try store.make(
            .denials,
            """
            {"statement": "you cannot arrest or repress people who just don't exist", "stance": "denies_victims_exist",
             "incident_id": "\(fixture.incident)", "allegation_id": "\(fixture.allegation)", "actor_id": "\(actor.id)"}
            """)
        _ = try store.createMany(
            .incidents,
            [
                try JSONObject.parse(
                    #"{"title": "One", "sites": [{"site_id": "\#(fixture.site)", "role": "held_at", "period": "2017-03"}]}"#
                ),
                try JSONObject.parse(
                    #"{"title": "Two", "perpetrator_ids": ["\#(actor.id)"], "lat": 43.3, "lon": 45.7}"#),
            ], as: Caller.admin)
        _ = try store.update(
            .denials, id: denial.id, patch: JSONObject([("venue", .string("interview"))]), as: Caller.admin)
        _ = try store.delete(.actors, id: actor.id, as: Caller.admin)
        _ = try store.createToken(name: "t", role: .editor, clearance: .restricted, as: Caller.admin)
        let report = try store.verify()
        #expect(report.isIntact, "\(report.problems)")
        let result = try VigilCLI.run(["verify", "--db", fixture.path], in: fixture.scratch)
        #expect(result.status == 0, "stderr: \(result.stderr)")
    }

    @Test("a record field edited with sqlite3 is named")
    func editedField() throws {
        let fixture = try Self.fixture()
        try VigilCLI.sqlite(fixture.path, "UPDATE incidents SET title = 'x' WHERE id = '\(fixture.incident)'")
        try Self.expectVerifyFails(fixture, naming: [fixture.incident], "edited title")
        let report = try Store(path: fixture.path, readers: 1).verify()
        #expect(!report.isIntact)
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.contains(fixture.incident) == true)
    }

    @Test(
        "other fields edited with sqlite3 are named",
        arguments: [
            "victims_min = 3", "confidentiality = 2", "version = version + 1", "country = 'GB'", "tags = '[\"x\"]'",
            "occurred_earliest = '2010-01-01'", "occurred_latest = '2030-12-31'",
            "updated_at = '2030-01-01T00:00:00.000Z'",
        ])
    func editedOtherFields(assignment: String) throws {
        let fixture = try Self.fixture()
        // One record with the field set, one without.
        try VigilCLI.sqlite(
            fixture.path, "UPDATE incidents SET \(assignment) WHERE id IN ('\(fixture.spare)', '\(fixture.incident)')")
        try Self.expectVerifyFails(fixture, naming: [fixture.spare, fixture.incident], assignment)
        let problems = try Store(path: fixture.path, readers: 1).verify().problems
        #expect(problems.contains { $0.contains(fixture.spare) })
        #expect(problems.contains { $0.contains(fixture.incident) })
        #expect(!problems.contains { $0.contains(fixture.deleted) || $0.contains(fixture.allegation) })
    }

    @Test("a tombstone removed or added with sqlite3 is named")
    func editedDeletedAt() throws {
        let fixture = try Self.fixture()
        try VigilCLI.sqlite(fixture.path, "UPDATE incidents SET deleted_at = NULL WHERE id = '\(fixture.deleted)'")
        try Self.expectVerifyFails(fixture, naming: [fixture.deleted], "undeleted")

        let other = try Self.fixture()
        try VigilCLI.sqlite(
            other.path, "UPDATE incidents SET deleted_at = '2020-01-01T00:00:00.000Z' WHERE id = '\(other.spare)'")
        try Self.expectVerifyFails(other, naming: [other.spare], "deleted")
    }

    @Test("a link edited with sqlite3 is named")
    func editedLink() throws {
        let fixture = try Self.fixture()
        try VigilCLI.sqlite(fixture.path, "UPDATE incident_sites SET role = 'died_at' WHERE id = '\(fixture.link)'")
        try Self.expectVerifyFails(fixture, naming: [fixture.link], "edited link")
    }

    @Test("an allegation edited with sqlite3 is named")
    func editedAllegation() throws {
        let fixture = try Self.fixture()
        try VigilCLI.sqlite(
            fixture.path, "UPDATE allegations SET claim = 'nothing happened' WHERE id = '\(fixture.allegation)'")
        try Self.expectVerifyFails(fixture, naming: [fixture.allegation], "edited allegation")
    }

    @Test("the audit log refuses UPDATE and DELETE while its triggers stand")
    func triggersGuardTheLog() throws {
        let fixture = try Self.fixture()
        #expect(throws: CLITestFailure.self) {
            try VigilCLI.sqlite(fixture.path, "UPDATE audit_log SET actor = 'someone' WHERE seq = 1")
        }
        #expect(throws: CLITestFailure.self) {
            try VigilCLI.sqlite(fixture.path, "DELETE FROM audit_log WHERE seq = 1")
        }
        let result = try VigilCLI.run(["verify", "--db", fixture.path], in: fixture.scratch)
        #expect(result.status == 0, "stderr: \(result.stderr)")
    }

    @Test("an audit entry's `after` edited (triggers dropped first) is named")
    func editedAuditEntry() throws {
        let fixture = try Self.fixture()
        let seq = try VigilCLI.sqlite(
            fixture.path, "SELECT seq FROM audit_log WHERE record_id = '\(fixture.allegation)' ORDER BY seq LIMIT 1")
        try VigilCLI.sqlite(
            fixture.path,
            """
            DROP TRIGGER audit_log_no_update;
            UPDATE audit_log SET after = replace(after, 'More than 100', 'No') WHERE seq = \(seq);
            """)
        #expect(
            try VigilCLI.sqlite(fixture.path, "SELECT count(*) FROM audit_log WHERE after LIKE '%No men detained%'")
                == "1")
        try Self.expectVerifyFails(fixture, naming: ["audit entry \(seq)", fixture.allegation], "edited entry")
    }

    @Test("an audit entry's text erased (as only a purge may) is named when the record was not purged")
    func erasedAuditText() throws {
        let fixture = try Self.fixture()
        // The log's triggers let a purge erase snapshot texts; the hashes keep their digests.
        let seq = try VigilCLI.sqlite(
            fixture.path, "SELECT seq FROM audit_log WHERE record_id = '\(fixture.allegation)' ORDER BY seq LIMIT 1")
        try VigilCLI.sqlite(fixture.path, "UPDATE audit_log SET before = NULL, after = NULL WHERE seq = \(seq)")
        #expect(try VigilCLI.sqlite(fixture.path, "SELECT after IS NULL FROM audit_log WHERE seq = \(seq)") == "1")
        try Self.expectVerifyFails(
            fixture, naming: ["audit entry \(seq)", fixture.allegation, "never purged"], "erased text")
        // A real purge erases the same way and verifies.
        let purged = try Self.fixture()
        let store = try Store(path: purged.path, readers: 1)
        _ = try store.purge(id: purged.spare, as: Caller.admin)
        #expect(try store.verify().isIntact)
    }

    @Test("an audit entry and its record edited together, hashes recomputed by hand, still break the chain")
    func editedEntryWithOwnHash() throws {
        let fixture = try Self.fixture()
        // An attacker who rewrites the last entry's hash still cannot make the next entry chain
        // to it; editing the last entry is caught by its hash.
        let seq = try VigilCLI.sqlite(
            fixture.path, "SELECT seq FROM audit_log WHERE record_id = '\(fixture.site)' ORDER BY seq LIMIT 1")
        try VigilCLI.sqlite(
            fixture.path,
            """
            DROP TRIGGER audit_log_no_update;
            UPDATE audit_log SET hash = '0000000000000000000000000000000000000000000000000000000000000000' WHERE seq = \(seq);
            """)
        try Self.expectVerifyFails(fixture, naming: ["audit entry \(seq)"], "rewritten hash")
    }

    @Test("a deleted audit entry is named")
    func deletedAuditEntry() throws {
        let fixture = try Self.fixture()
        let seq = try VigilCLI.sqlite(
            fixture.path, "SELECT seq FROM audit_log WHERE record_id = '\(fixture.source)' ORDER BY seq LIMIT 1")
        let following = try #require(Int(seq)).advanced(by: 1)
        try VigilCLI.sqlite(
            fixture.path,
            """
            DROP TRIGGER audit_log_no_delete;
            DELETE FROM audit_log WHERE seq = \(seq);
            """)
        try Self.expectVerifyFails(fixture, naming: ["audit entry \(following)"], "deleted entry")
        // The record whose creation the entry recorded now has no audit entry.
        let report = try Store(path: fixture.path, readers: 1).verify()
        #expect(report.problems.contains { $0.contains(fixture.source) })
    }

    @Test("the last audit entry deleted is caught by the data check")
    func deletedLastAuditEntry() throws {
        let fixture = try Self.fixture()
        let last = try VigilCLI.sqlite(fixture.path, "SELECT max(seq) FROM audit_log")
        let record = try VigilCLI.sqlite(fixture.path, "SELECT record_id FROM audit_log WHERE seq = \(last)")
        try VigilCLI.sqlite(
            fixture.path,
            """
            DROP TRIGGER audit_log_no_delete;
            DELETE FROM audit_log WHERE seq = \(last);
            """)
        try Self.expectVerifyFails(fixture, naming: [record], "deleted last entry")
    }

    @Test("a row inserted behind Vigil's back is named")
    func insertedRow() throws {
        let fixture = try Self.fixture()
        try VigilCLI.sqlite(
            fixture.path,
            """
            INSERT INTO incidents (id, title, confidentiality, version, created_at, updated_at)
            VALUES ('inc_forged', 'Forged', 0, 1, '2020-01-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z');
            """)
        try Self.expectVerifyFails(fixture, naming: ["inc_forged"], "inserted row")
    }

    @Test("a record row deleted behind Vigil's back is named")
    func deletedRow() throws {
        let fixture = try Self.fixture()
        try VigilCLI.sqlite(fixture.path, "DELETE FROM incidents WHERE id = '\(fixture.spare)'")
        try Self.expectVerifyFails(fixture, naming: [fixture.spare], "deleted row")
    }

    @Test("a link row deleted behind Vigil's back is named")
    func deletedLinkRow() throws {
        let fixture = try Self.fixture()
        try VigilCLI.sqlite(fixture.path, "DELETE FROM incident_sites WHERE id = '\(fixture.link)'")
        try Self.expectVerifyFails(fixture, naming: [fixture.link], "deleted link")
    }

    @Test("a token's role or clearance raised with sqlite3 is named")
    func editedToken() throws {
        let fixture = try Self.fixture()
        let store = try Store(path: fixture.path, readers: 1)
        let (secret, token) = try store.createToken(
            name: "reader1", role: .reader, clearance: .public, as: Caller.admin)
        // Using a token (last_used_at) and revoking another are not tampering.
        _ = try store.authenticate(secret: secret)
        _ = try store.createToken(name: "old", role: .editor, clearance: .restricted, as: Caller.admin)
        _ = try store.revokeToken(name: "old", as: Caller.admin)
        #expect(try VigilCLI.run(["verify", "--db", fixture.path], in: fixture.scratch).status == 0)

        try VigilCLI.sqlite(fixture.path, "UPDATE tokens SET role = 'admin', clearance = 2 WHERE id = '\(token.id)'")
        #expect(try store.authenticate(secret: secret) != .invalid)
        try Self.expectVerifyFails(fixture, naming: [token.id], "raised token")
    }

    @Test("a revoked token brought back with sqlite3 is named")
    func unrevokedToken() throws {
        let fixture = try Self.fixture()
        let store = try Store(path: fixture.path, readers: 1)
        let (_, token) = try store.createToken(
            name: "revoked", role: .admin, clearance: .confidential, as: Caller.admin)
        _ = try store.revokeToken(name: "revoked", as: Caller.admin)
        try VigilCLI.sqlite(fixture.path, "UPDATE tokens SET revoked_at = NULL WHERE id = '\(token.id)'")
        try Self.expectVerifyFails(fixture, naming: [token.id], "unrevoked token")
    }

    @Test("a token's secret hash swapped with sqlite3 is named")
    func swappedTokenHash() throws {
        let fixture = try Self.fixture()
        let store = try Store(path: fixture.path, readers: 1)
        let (_, token) = try store.createToken(name: "chief", role: .admin, clearance: .confidential, as: Caller.admin)
        let attacker = "vgl_" + String(repeating: "A", count: 43)
        try VigilCLI.sqlite(
            fixture.path, "UPDATE tokens SET secret_hash = '\(Hex.sha256(attacker))' WHERE id = '\(token.id)'")
        #expect(try store.authenticate(secret: attacker) != .invalid)
        // The audited token snapshot holds the secret's hash, so the swap is seen.
        let problems = try store.verify().problems
        #expect(problems.contains { $0.contains(token.id) })
    }

    @Test("a token inserted behind Vigil's back is named")
    func insertedToken() throws {
        let fixture = try Self.fixture()
        try VigilCLI.sqlite(
            fixture.path,
            """
            INSERT INTO tokens (id, name, secret_hash, role, clearance, created_at)
            VALUES ('tok_forged', 'backdoor', '\(String(repeating: "ab", count: 32))', 'admin', 2, '2020-01-01T00:00:00.000Z');
            """)
        try Self.expectVerifyFails(fixture, naming: ["tok_forged"], "inserted token")
    }

    @Test("a token row deleted behind Vigil's back is named")
    func deletedToken() throws {
        let fixture = try Self.fixture()
        let store = try Store(path: fixture.path, readers: 1)
        let (_, token) = try store.createToken(name: "someone", role: .editor, clearance: .restricted, as: Caller.admin)
        try VigilCLI.sqlite(fixture.path, "DELETE FROM tokens WHERE id = '\(token.id)'")
        try Self.expectVerifyFails(fixture, naming: [token.id], "deleted token")
    }
}

extension JSONObject {
    static func parse(_ text: String) throws -> JSONObject {
        guard case .object(let object) = try JSONValue.parse(Array(text.utf8)) else {
            throw CLITestFailure("not a JSON object: \(text)")
        }
        return object
    }
}
