import Foundation
import Testing

@testable import VigilJSON
@testable import VigilStore

/// Every validation rule, each with an input that breaks it and a check that the error names
/// the right field and that nothing was written.
@Suite struct ValidationTests {
    /// Records the failing inputs refer to.
    struct Fixture {
        let temporary: TemporaryStore
        var store: Store { temporary.store }
        let source: Record
        let deletedSource: Record
        let confidentialSource: Record
        let incident: Record
        let actor: Record
        let site: Record

        init() throws {
            temporary = try TemporaryStore()
            let store = temporary.store
            source = try store.make(.sources, #"{"name": "Novaya Gazeta", "source_type": "media"}"#)
            deletedSource = try store.make(.sources, #"{"name": "Gone"}"#)
            _ = try store.delete(.sources, id: deletedSource.id, as: Caller.admin)
            confidentialSource = try store.make(.sources, #"{"name": "Secret", "confidentiality": "confidential"}"#)
            incident = try store.make(.incidents, #"{"title": "Detentions"}"#)
            actor = try store.make(.actors, #"{"name": "An official", "actor_type": "official"}"#)
            site = try store.make(.sites, #"{"name": "Argun"}"#)
        }

        func substitute(_ json: String) -> String {
            json.replacingOccurrences(of: "$SRC_DELETED", with: deletedSource.id)
                .replacingOccurrences(of: "$SRC_SECRET", with: confidentialSource.id)
                .replacingOccurrences(of: "$SRC", with: source.id)
                .replacingOccurrences(of: "$INC", with: incident.id)
                .replacingOccurrences(of: "$ACT", with: actor.id)
                .replacingOccurrences(of: "$SITE", with: site.id)
        }
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let kind: ResourceKind
        let json: String
        let field: String
        let context: AccessContext
        init(_ kind: ResourceKind, _ json: String, _ field: String, as context: AccessContext = Caller.admin) {
            self.kind = kind
            self.json = json
            self.field = field
            self.context = context
        }
        var testDescription: String { "\(kind.rawValue) \(json) → \(field)" }
    }

    static let cases: [Case] = [
        // Required fields.
        Case(.incidents, #"{}"#, "title"),
        Case(.incidents, #"{"title": "   "}"#, "title"),
        Case(.sites, #"{"site_type": "camp"}"#, "name"),
        Case(.sources, #"{"source_type": "media"}"#, "name"),
        Case(.actors, #"{"position": "Head"}"#, "name"),
        Case(.allegations, #"{"incident_id": "$INC", "claim": "x"}"#, "source_id"),
        Case(.allegations, #"{"incident_id": "$INC", "source_id": "$SRC"}"#, "claim"),
        Case(.denials, #"{"incident_id": "$INC", "actor_id": "$ACT"}"#, "statement"),
        // Unknown and server-set fields.
        Case(.incidents, #"{"title": "t", "titel": "x"}"#, "titel"),
        Case(.incidents, #"{"title": "t", "id": "inc_1"}"#, "id"),
        Case(.incidents, #"{"title": "t", "version": 3}"#, "version"),
        Case(.incidents, #"{"title": "t", "created_at": "2020-01-01T00:00:00Z"}"#, "created_at"),
        Case(.incidents, #"{"title": "t", "updated_at": "2020-01-01T00:00:00Z"}"#, "updated_at"),
        Case(.incidents, #"{"title": "t", "allegation_count": 2}"#, "allegation_count"),
        Case(.incidents, #"{"title": "t", "occurred_earliest": "2017-01-01"}"#, "occurred_earliest"),
        Case(.sites, #"{"name": "n", "incident_count": 1}"#, "incident_count"),
        // Types.
        Case(.incidents, #"{"title": 5}"#, "title"),
        Case(.incidents, #"{"title": "t", "victims_min": "100"}"#, "victims_min"),
        Case(.incidents, #"{"title": "t", "victims_min": 1.5}"#, "victims_min"),
        Case(.incidents, #"{"title": "t", "victims_min": -1}"#, "victims_min"),
        Case(.incidents, #"{"title": "t", "tags": "one"}"#, "tags"),
        Case(.incidents, #"{"title": "t", "tags": [1]}"#, "tags"),
        Case(.sources, #"{"name": "n", "protected_identity": "yes"}"#, "protected_identity"),
        Case(.sources, #"{"name": "n", "url": "ftp://example.org/x"}"#, "url"),
        Case(.sources, #"{"name": "n", "url": "not a url"}"#, "url"),
        // Vocabularies.
        Case(.incidents, #"{"title": "t", "violation_types": ["torture", "bogus"]}"#, "violation_types"),
        Case(.incidents, #"{"title": "t", "violation_types": ["torture", "torture"]}"#, "violation_types"),
        Case(.incidents, #"{"title": "t", "targeted_groups": ["aliens"]}"#, "targeted_groups"),
        Case(.incidents, #"{"title": "t", "verification": "verified"}"#, "verification"),
        Case(.incidents, #"{"title": "t", "geo_precision": "street"}"#, "geo_precision"),
        Case(.incidents, #"{"title": "t", "confidentiality": "secret"}"#, "confidentiality"),
        Case(.incidents, #"{"title": "t", "location_confidentiality": "top"}"#, "location_confidentiality"),
        Case(.sites, #"{"name": "n", "site_type": "castle"}"#, "site_type"),
        Case(.sites, #"{"name": "n", "evidence": "rumoured"}"#, "evidence"),
        Case(.sites, #"{"name": "n", "status": "open"}"#, "status"),
        Case(.sources, #"{"name": "n", "source_type": "blog"}"#, "source_type"),
        Case(.sources, #"{"name": "n", "reliability": "G"}"#, "reliability"),
        Case(.actors, #"{"name": "n", "actor_type": "king"}"#, "actor_type"),
        Case(
            .allegations, #"{"source_id": "$SRC", "incident_id": "$INC", "claim": "c", "assessment": "true"}"#,
            "assessment"),
        Case(.denials, #"{"statement": "s", "incident_id": "$INC", "actor_id": "$ACT", "stance": "denies"}"#, "stance"),
        Case(.denials, #"{"statement": "s", "incident_id": "$INC", "actor_id": "$ACT", "venue": "pub"}"#, "venue"),
        // Uncertain dates.
        Case(.incidents, #"{"title": "t", "occurred": "2017-02-30"}"#, "occurred"),
        Case(.incidents, #"{"title": "t", "occurred": "2017-13"}"#, "occurred"),
        Case(.incidents, #"{"title": "t", "occurred": "17-04"}"#, "occurred"),
        Case(.incidents, #"{"title": "t", "occurred": "2017/2016"}"#, "occurred"),
        Case(.sites, #"{"name": "n", "first_reported": "2017-99"}"#, "first_reported"),
        Case(.sites, #"{"name": "n", "first_reported": "2018", "last_reported": "2017"}"#, "last_reported"),
        Case(
            .allegations, #"{"source_id": "$SRC", "incident_id": "$INC", "claim": "c", "alleged_on": "April"}"#,
            "alleged_on"),
        Case(
            .denials, #"{"statement": "s", "incident_id": "$INC", "actor_id": "$ACT", "stated_on": "2017-04-31"}"#,
            "stated_on"),
        // Country codes.
        Case(.incidents, #"{"title": "t", "country": "UK"}"#, "country"),
        Case(.incidents, #"{"title": "t", "country": "ru"}"#, "country"),
        Case(.sources, #"{"name": "n", "country": "RUS"}"#, "country"),
        Case(.actors, #"{"name": "n", "country": "EU"}"#, "country"),
        // Coordinates.
        Case(.incidents, #"{"title": "t", "lat": 91, "lon": 0}"#, "lat"),
        Case(.incidents, #"{"title": "t", "lat": 0, "lon": -180.5}"#, "lon"),
        Case(.incidents, #"{"title": "t", "lat": 43.3}"#, "lon"),
        Case(.sites, #"{"name": "n", "lon": 45.7}"#, "lat"),
        Case(.incidents, #"{"title": "t", "lat": "43", "lon": 45}"#, "lat"),
        // min ≤ max.
        Case(.incidents, #"{"title": "t", "victims_min": 100, "victims_max": 50}"#, "victims_max"),
        Case(.incidents, #"{"title": "t", "deaths_min": 3, "deaths_max": 2}"#, "deaths_max"),
        Case(.sites, #"{"name": "n", "capacity_min": 30, "capacity_max": 10}"#, "capacity_max"),
        // References: malformed, missing, deleted, above the caller's clearance.
        Case(.allegations, #"{"source_id": "inc_123", "incident_id": "$INC", "claim": "c"}"#, "source_id"),
        Case(.allegations, #"{"source_id": "src_NOPE", "incident_id": "$INC", "claim": "c"}"#, "source_id"),
        Case(.allegations, #"{"source_id": "$SRC_DELETED", "incident_id": "$INC", "claim": "c"}"#, "source_id"),
        Case(
            .allegations, #"{"source_id": "$SRC_SECRET", "incident_id": "$INC", "claim": "c"}"#, "source_id",
            as: Caller.restrictedEditor),
        Case(.allegations, #"{"source_id": "$SRC", "incident_id": "inc_NOPE", "claim": "c"}"#, "incident_id"),
        Case(.allegations, #"{"source_id": "$SRC", "site_id": "site_NOPE", "claim": "c"}"#, "site_id"),
        Case(
            .allegations, #"{"source_id": "$SRC", "incident_id": "$INC", "claim": "c", "repeats_id": "alg_NOPE"}"#,
            "repeats_id"),
        Case(.incidents, #"{"title": "t", "perpetrator_ids": ["$ACT", "act_NOPE"]}"#, "perpetrator_ids"),
        Case(.sites, #"{"name": "n", "operator_id": "act_NOPE"}"#, "operator_id"),
        Case(.denials, #"{"statement": "s", "incident_id": "$INC", "actor_id": "act_NOPE"}"#, "actor_id"),
        Case(.denials, #"{"statement": "s", "allegation_id": "alg_NOPE", "actor_id": "$ACT"}"#, "allegation_id"),
        Case(
            .denials, #"{"statement": "s", "incident_id": "$INC", "speaker": "x", "source_id": "src_NOPE"}"#,
            "source_id"),
        // At least one of.
        Case(.allegations, #"{"source_id": "$SRC", "claim": "c"}"#, "incident_id"),
        Case(.denials, #"{"statement": "s", "actor_id": "$ACT"}"#, "allegation_id"),
        Case(.denials, #"{"statement": "s", "incident_id": "$INC"}"#, "actor_id"),
        Case(
            .denials, #"{"statement": "s", "incident_id": "$INC", "actor_id": "$ACT", "speaker_position": "Head"}"#,
            "speaker"),
        // Clearance: a record may not be set above the caller's own level.
        Case(
            .incidents, #"{"title": "t", "confidentiality": "confidential"}"#, "confidentiality",
            as: Caller.restrictedEditor),
        // Links made with the record.
        Case(.incidents, #"{"title": "t", "sites": [{"site_id": "$SITE", "role": "visited"}]}"#, "sites[0].role"),
        Case(.incidents, #"{"title": "t", "sites": [{"role": "held_at"}]}"#, "sites[0].site_id"),
        Case(
            .incidents, #"{"title": "t", "sites": [{"site_id": "site_NOPE", "role": "held_at"}]}"#, "sites[0].site_id"),
        Case(
            .incidents, #"{"title": "t", "sites": [{"site_id": "$SITE", "role": "held_at", "period": "2017-02-30"}]}"#,
            "sites[0].period"),
    ]

    @Test(arguments: cases)
    func refusesInputNamingTheField(_ testCase: Case) throws {
        let fixture = try Fixture()
        let before = try fixture.store.list(
            testCase.kind,
            {
                var q = ListQuery()
                q.includeTotal = true
                return q
            }(), as: Caller.admin
        ).total
        let error = #expect(throws: StoreError.self) {
            try fixture.store.create(
                testCase.kind, try JSONObject.json(fixture.substitute(testCase.json)), as: testCase.context)
        }
        #expect(error?.fieldNames.contains(testCase.field) == true, "errors: \(String(describing: error))")
        let after = try fixture.store.list(
            testCase.kind,
            {
                var q = ListQuery()
                q.includeTotal = true
                return q
            }(), as: Caller.admin
        ).total
        #expect(before == after, "a refused create must write nothing")
    }

    @Test func listsOfStringsRefuseControlCharacters() throws {
        let fixture = try Fixture()
        for bad in [#"{"title": "t", "tags": ["a\u0000b"]}"#, #"{"title": "t", "tags": ["line\nbreak"]}"#] {
            let error = #expect(throws: StoreError.self, "\(bad)") { try fixture.store.make(.incidents, bad) }
            #expect(error?.fieldNames == ["tags"])
        }
        #expect(throws: StoreError.self) { try fixture.store.make(.sites, #"{"name": "s", "aliases": ["x\u0007"]}"#) }
    }

    @Test func wholeNumbersWrittenAsDecimalsAreCounts() throws {
        let fixture = try Fixture()
        let made = try fixture.store.make(.incidents, #"{"title": "n", "victims_min": 100.0, "victims_max": 1e3}"#)
        #expect(made.json["victims_min"] == .int(100))
        #expect(made.json["victims_max"] == .int(1000))
        for bad in [
            #"{"title": "n", "victims_min": 100.5}"#, #"{"title": "n", "victims_min": -1.0}"#,
            #"{"title": "n", "victims_min": 1e300}"#,
        ] {
            #expect(throws: StoreError.self, "\(bad)") { try fixture.store.make(.incidents, bad) }
        }
    }

    @Test func validInputsOfEveryKindAreAccepted() throws {
        let fixture = try Fixture()
        let store = fixture.store
        let allegation = try store.make(
            .allegations,
            fixture.substitute(
                #"{"source_id": "$SRC", "incident_id": "$INC", "claim": "c", "alleged_on": "2017-04-01", "violation_types": ["torture"]}"#
            ))
        try store.make(
            .allegations,
            fixture.substitute(
                #"{"source_id": "$SRC", "site_id": "$SITE", "claim": "republished", "repeats_id": "\#(allegation.id)"}"#
            ))
        try store.make(
            .denials,
            fixture.substitute(
                #"{"statement": "s", "allegation_id": "\#(allegation.id)", "speaker": "A spokesman", "speaker_position": "Press office", "stance": "denies_occurrence", "venue": "interview"}"#
            ))
        try store.make(
            .incidents,
            fixture.substitute(
                #"{"title": "t", "country": "XK", "lat": 43, "lon": 45.5, "victims_min": 100, "victims_max": 100, "perpetrator_ids": ["$ACT"], "sites": [{"site_id": "$SITE", "role": "held_at", "period": "2017-02"}]}"#
            ))
        try store.make(
            .sites, #"{"name": "n", "first_reported": "2017", "last_reported": "2017-04", "capacity_min": 10}"#)
    }

    @Test func everyProblemIsListedAtOnce() throws {
        let fixture = try Fixture()
        let error = #expect(throws: StoreError.self) {
            try fixture.store.make(
                .incidents, #"{"country": "UK", "lat": 100, "victims_min": 5, "victims_max": 1, "extra": 1}"#)
        }
        let fields = Set(error?.fieldNames ?? [])
        #expect(fields.isSuperset(of: ["title", "country", "lat", "lon", "victims_max", "extra"]))
    }

    @Test func batchCreateIsAllOrNothingAndNamesBadItemsByIndex() throws {
        let fixture = try Fixture()
        let inputs = try [
            #"{"title": "ok"}"#, #"{"titel": "typo"}"#, #"{"title": "ok too"}"#, #"{"title": "x", "country": "ZX"}"#,
        ]
        .map { try JSONObject.json($0) }
        let error = #expect(throws: StoreError.self) {
            try fixture.store.createMany(.incidents, inputs, as: Caller.admin)
        }
        guard case .batchValidation(let byIndex)? = error else {
            Issue.record("expected batchValidation, got \(String(describing: error))")
            return
        }
        #expect(Set(byIndex.keys) == [1, 3])
        #expect(byIndex[1]?.map(\.field) == ["titel", "title"])
        #expect(byIndex[3]?.map(\.field) == ["country"])
        let page = try fixture.store.list(.incidents, ListQuery(), as: Caller.admin)
        #expect(page.records.count == 1, "only the fixture's incident exists")
    }

    @Test func aBatchRefusedForOneItemsFieldsStillNamesBadReferencesInOthers() throws {
        let fixture = try Fixture()
        let inputs = try [
            #"{"title": "ok"}"#, #"{"title": "bad actor", "perpetrator_ids": ["act_NOPE"]}"#, #"{"country": "RU"}"#,
            #"{"title": "bad site", "sites": [{"site_id": "site_NOPE", "role": "held_at"}]}"#,
        ].map { try JSONObject.json($0) }
        let error = #expect(throws: StoreError.self) {
            try fixture.store.createMany(.incidents, inputs, as: Caller.admin)
        }
        guard case .batchValidation(let byIndex)? = error else {
            Issue.record("expected batchValidation, got \(String(describing: error))")
            return
        }
        #expect(Set(byIndex.keys) == [1, 2, 3])
        #expect(byIndex[1]?.map(\.field) == ["perpetrator_ids"])
        #expect(byIndex[2]?.map(\.field) == ["title"])
        #expect(byIndex[3]?.map(\.field) == ["sites[0].site_id"])
        #expect(try fixture.store.list(.incidents, ListQuery(), as: Caller.admin).records.count == 1)
    }

    @Test func patchRefusesUnknownReadOnlyAndRequiredRemoval() throws {
        let fixture = try Fixture()
        let id = fixture.incident.id
        for (patch, field) in [
            (#"{"titel": "x"}"#, "titel"), (#"{"version": 9}"#, "version"), (#"{"id": "inc_X"}"#, "id"),
            (#"{"title": null}"#, "title"), (#"{"occurred": "2017-02-29"}"#, "occurred"),
        ] {
            let error = #expect(throws: StoreError.self) {
                try fixture.store.update(.incidents, id: id, patch: try JSONObject.json(patch), as: Caller.admin)
            }
            #expect(error?.fieldNames.contains(field) == true, "\(patch): \(String(describing: error))")
        }
        let unchanged = try fixture.store.record(.incidents, id: id, as: Caller.admin)
        #expect(unchanged.version == 1)
        #expect(unchanged.json["title"] == .string("Detentions"))
    }

    @Test func republicationCannotMakeACycle() throws {
        let fixture = try Fixture()
        let store = fixture.store
        let first = try store.make(
            .allegations, fixture.substitute(#"{"source_id": "$SRC", "incident_id": "$INC", "claim": "a"}"#))
        let second = try store.make(
            .allegations,
            fixture.substitute(
                #"{"source_id": "$SRC", "incident_id": "$INC", "claim": "b", "repeats_id": "\#(first.id)"}"#))
        let error = #expect(throws: StoreError.self) {
            try store.update(
                .allegations, id: first.id, patch: try JSONObject.json(#"{"repeats_id": "\#(second.id)"}"#),
                as: Caller.admin)
        }
        #expect(error?.fieldNames == ["repeats_id"])
    }

    @Test func readersCannotWriteAndEditorsCannotDelete() throws {
        let fixture = try Fixture()
        #expect(throws: StoreError.forbidden("creating records needs the editor role; this token is reader")) {
            try fixture.store.make(.incidents, #"{"title": "t"}"#, as: Caller.confidentialReader)
        }
        #expect(throws: StoreError.self) {
            try fixture.store.delete(.incidents, id: fixture.incident.id, as: Caller.editor)
        }
    }
}
