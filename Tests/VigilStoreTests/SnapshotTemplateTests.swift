import Foundation
import Testing

@testable import VigilJSON
@testable import VigilSQLite
@testable import VigilStore

/// A created record's audit snapshot is serialized before the write with placeholders for the id
/// and timestamps, which the writer fills in. The filled bytes must be exactly the canonical
/// serialization of the state the record is stored with: the audit chain hashes them and
/// `verify` compares them with the stored row.
@Suite struct SnapshotTemplateTests {
    static let inputs: [(ResourceKind, String)] = [
        (
            .incidents,
            #"{"title": "Edge values", "summary": "Zoë's café: naïve — “quoted” ☃ \"in quotes\" back\\slash\nnew line", "occurred": "2019-02/2019-03~", "country": "XC", "admin1": "North", "lat": 12, "lon": -0.5, "geo_precision": "exact", "location_confidentiality": "confidential", "violation_types": ["torture", "arbitrary_detention"], "targeted_groups": [], "victims_min": 0, "victims_max": 9007199254740993, "verification": "confirmed", "confidentiality": "restricted", "tags": ["a", "b c", "ÿ"]}"#
        ),
        (.incidents, #"{"title": "Minimal"}"#),
        (
            .incidents,
            #"{"title": "Open interval", "occurred": "../2017", "lat": 1e-7, "lon": 179.999999, "confidentiality": "public"}"#
        ),
        (
            .sources,
            #"{"name": "Witness W", "source_type": "witness", "protected_identity": true, "contact": "+0 000"}"#
        ),
        (.sites, #"{"name": "Site \"Seven\"", "aliases": ["S7", "Sept"], "lat": -33.5, "lon": 151.25}"#),
        (.actors, #"{"name": "Unit 7", "position": "Commander of the ☃ brigade"}"#),
    ]

    @Test("filled templates equal the canonical serialization of the stored state, for every sample")
    func filledTemplateIsCanonical() throws {
        // Each input twice in a row: the second reuses the key order the first sorted (a kind's
        // inputs differ in the fields they set, so the first of each is sorted afresh).
        for (kind, json) in Self.inputs + Self.inputs.flatMap({ [$0, $0] }) {
            let (prepared, failures) = Store.prepare(kind, [try JSONObject.json(json)], clearance: .confidential)
            #expect(failures.isEmpty, "\(kind) \(json): \(failures)")
            let item = try #require(prepared.first)
            for _ in 0..<3 {
                let id = RecordIDGenerator.shared.next(prefix: kind.idPrefix)
                let now = Timestamp.now()
                let bound = [.text(id)] + item.values + [.integer(1), .text(now), .text(now), .null]
                let state = RecordCodec(kind: kind).decode(BoundRow(values: bound)).state
                let canonical = JSONValue.object(state).serialized(sortedKeys: true)
                let filled = try #require(item.snapshot.filled(id: id, at: now))
                #expect(
                    filled == canonical,
                    "\(kind): \(String(decoding: filled, as: UTF8.self)) vs \(String(decoding: canonical, as: UTF8.self))"
                )
                #expect(item.snapshot.level == AuditLog.level(of: state))
                // The created record, rendered after the commit from the template's decoded row.
                let decoded = RecordCodec(kind: kind).decode(BoundRow(values: bound))
                let reused = item.snapshot.stored(id: id, at: now)
                #expect(
                    JSONValue.object(reused.state).serialized() == JSONValue.object(decoded.state).serialized(),
                    "\(kind)")
                #expect(
                    JSONValue.object(reused.bounds).serialized() == JSONValue.object(decoded.bounds).serialized(),
                    "\(kind)")
                #expect(
                    JSONValue.object(reused.computed).serialized() == JSONValue.object(decoded.computed).serialized(),
                    "\(kind)")
            }
        }
    }

    @Test("values of another length are refused, not spliced in")
    func otherLengthsAreRefused() throws {
        let (prepared, _) = Store.prepare(
            .incidents, [try JSONObject.json(#"{"title": "t"}"#)], clearance: .confidential)
        let item = try #require(prepared.first)
        let id = RecordIDGenerator.shared.next(prefix: "inc_")
        #expect(item.snapshot.filled(id: id, at: Timestamp.now()) != nil)
        #expect(item.snapshot.filled(id: id + "0", at: Timestamp.now()) == nil)
        #expect(item.snapshot.filled(id: id, at: "2026-11-30T05:00:00Z") == nil)
    }

    @Test("records created through the store pass verify, which compares each with its audit entry")
    func createdRecordsVerify() throws {
        let temporary = try TemporaryStore()
        for (kind, json) in Self.inputs {
            _ = try temporary.store.make(kind, json)
        }
        let report = try temporary.store.verify()
        #expect(report.isIntact, "\(report.problems)")
    }
}
