import Testing

@testable import VigilJSON
@testable import VigilStore

/// What a caller cannot see stays out of reach through every other door: a patch may not lower
/// the protection of, or overwrite, what is hidden from its author; earlier audit states are
/// shown with the record's current protection; and a visible record does not name (by id) a
/// record the caller cannot see.
@Suite struct HiddenPartsTests {
    static let publicEditor = AccessContext(actor: "editor-p", role: .editor, clearance: .public)

    /// The record's JSON text, for looking for what must not be in it.
    private static func text(_ record: Record) -> String { String(decoding: record.encoded, as: UTF8.self) }
    private static func text(_ entries: [AuditEntry]) -> String {
        entries.map { String(decoding: JSONValue.object($0.json).serialized(), as: UTF8.self) }.joined(separator: "\n")
    }

    private static func patch(
        _ store: Store, _ kind: ResourceKind, _ id: String, _ json: String, as context: AccessContext
    ) throws -> Record {
        try store.update(kind, id: id, patch: try JSONObject.json(json), as: context)
    }

    @Test func anEditorCannotLowerOrOverwriteAPlaceHiddenFromIt() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let site = try store.make(
            .sites,
            #"""
            {"name": "Former commandant's office", "country": "RU", "admin1": "Chechnya", "locality": "Argun",
             "lat": 43.29, "lon": 45.87, "geo_precision": "vicinity", "confidentiality": "public",
             "location_confidentiality": "confidential"}
            """#)
        for body in [
            #"{"location_confidentiality": "restricted"}"#, #"{"location_confidentiality": null}"#,
            #"{"lat": 1, "lon": 2}"#, #"{"locality": "Grozny"}"#, #"{"geo_precision": "exact"}"#,
        ] {
            #expect(throws: StoreError.self, "\(body)") {
                try Self.patch(store, .sites, site.id, body, as: Caller.restrictedEditor)
            }
        }
        // What the editor can see it may still change, though the place stays above its clearance.
        let changed = try Self.patch(
            store, .sites, site.id, #"{"description": "Reported by Novaya Gazeta"}"#,
            as: Caller.restrictedEditor)
        #expect(!Self.text(changed).contains("43.29"))
        #expect(!Self.text(changed).contains("Argun"))
        let stored = try store.record(.sites, id: site.id, as: Caller.admin).json
        #expect(stored["location_confidentiality"] == .string("confidential"))
        #expect(stored["lat"] == .double(43.29))
        #expect(stored["description"] == .string("Reported by Novaya Gazeta"))
        // Its holder may lower it.
        let lowered = try Self.patch(
            store, .sites, site.id, #"{"location_confidentiality": "restricted"}"#, as: Caller.editor)
        #expect(lowered.json["location_confidentiality"] == .string("restricted"))
        #expect(try store.verify().isIntact)
    }

    @Test func aProtectedSourceCannotBeUnmaskedBelowConfidential() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let survivor = try store.make(
            .sources,
            #"""
            {"name": "Survivor Qzx", "source_type": "survivor", "protected_identity": true,
             "contact": "+0 000 000 0000", "confidentiality": "public"}
            """#)
        for body in [
            #"{"protected_identity": false}"#, #"{"protected_identity": null}"#, #"{"name": "Someone else"}"#,
            #"{"contact": "+1 111"}"#, #"{"contact": null}"#,
        ] {
            for caller in [Self.publicEditor, Caller.restrictedEditor] {
                #expect(throws: StoreError.self, "\(body) as \(caller.clearance)") {
                    try Self.patch(store, .sources, survivor.id, body, as: caller)
                }
            }
        }
        let changed = try Self.patch(store, .sources, survivor.id, #"{"language": "ru"}"#, as: Self.publicEditor)
        #expect(changed.json["name"] == .string("protected source"))
        let stored = try store.record(.sources, id: survivor.id, as: Caller.admin).json
        #expect(stored["name"] == .string("Survivor Qzx"))
        #expect(stored["contact"] == .string("+0 000 000 0000"))
        #expect(stored["protected_identity"] == .bool(true))
        // An unprotected source's name may be changed, and protected, by any editor who sees it.
        let outlet = try store.make(.sources, #"{"name": "Outlet", "confidentiality": "public"}"#)
        _ = try Self.patch(
            store, .sources, outlet.id, #"{"name": "Outlet Two", "protected_identity": true}"#, as: Self.publicEditor)
    }

    @Test func aDefaultLevelAboveTheCallersClearanceIsRefused() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        // `restricted` is the default: a public editor must choose, or the record would vanish for it.
        let refused = #expect(throws: StoreError.self) {
            try store.make(.actors, #"{"name": "Official"}"#, as: Self.publicEditor)
        }
        #expect(refused?.fieldNames == ["confidentiality"])
        let made = try store.make(.actors, #"{"name": "Official", "confidentiality": "public"}"#, as: Self.publicEditor)
        #expect(made.json["confidentiality"] == .string("public"))
        #expect(
            try store.make(.actors, #"{"name": "Aide"}"#, as: Caller.restrictedEditor).json["confidentiality"]
                == .string("restricted"))
    }

    @Test func earlierAuditStatesGetTheRecordsCurrentProtection() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let source = try store.make(.sources, #"{"name": "Witness Vbn", "confidentiality": "public"}"#)
        _ = try Self.patch(store, .sources, source.id, #"{"protected_identity": true}"#, as: Caller.admin)
        let site = try store.make(
            .sites,
            #"""
            {"name": "Depot", "locality": "Tsotsi-Yurt", "lat": 43.2, "lon": 46.0, "confidentiality": "public"}
            """#)
        _ = try Self.patch(store, .sites, site.id, #"{"location_confidentiality": "confidential"}"#, as: Caller.admin)

        for reader in [Caller.publicReader, Caller.restrictedReader] {
            let sourceHistory = Self.text(try store.history(.sources, id: source.id, as: reader))
            #expect(sourceHistory.contains("protected source"))
            #expect(!sourceHistory.contains("Witness Vbn"))
            let siteHistory = Self.text(try store.history(.sites, id: site.id, as: reader))
            #expect(!siteHistory.contains("Tsotsi-Yurt"))
            #expect(!siteHistory.contains("43.2"))
            let feed = Self.text(try store.changes(limit: 1000, as: reader).entries)
            #expect(feed.contains(source.id) && feed.contains(site.id))
            #expect(!feed.contains("Witness Vbn"))
            #expect(!feed.contains("Tsotsi-Yurt"))
        }
        // At full clearance every state is there as it was.
        let full = Self.text(try store.history(.sources, id: source.id, as: Caller.confidentialReader))
        #expect(full.contains("Witness Vbn"))
        #expect(
            Self.text(try store.history(.sites, id: site.id, as: Caller.confidentialReader)).contains("Tsotsi-Yurt"))
    }

    /// A confidential source behind a public allegation, a confidential actor among a public
    /// incident's perpetrators.
    struct Case {
        let temporary: TemporaryStore
        var store: Store { temporary.store }
        let hiddenSource: Record
        let visibleSource: Record
        let hiddenActor: Record
        let visibleActor: Record
        let incident: Record
        let allegation: Record

        init() throws {
            temporary = try TemporaryStore()
            let store = temporary.store
            hiddenSource = try store.make(.sources, #"{"name": "Insider", "confidentiality": "confidential"}"#)
            visibleSource = try store.make(.sources, #"{"name": "Newspaper", "confidentiality": "public"}"#)
            hiddenActor = try store.make(.actors, #"{"name": "Unnamed officer", "confidentiality": "confidential"}"#)
            visibleActor = try store.make(.actors, #"{"name": "Head of the republic", "confidentiality": "public"}"#)
            incident = try store.make(
                .incidents,
                #"""
                {"title": "Detentions", "confidentiality": "public",
                 "perpetrator_ids": ["\#(hiddenActor.id)", "\#(visibleActor.id)"]}
                """#)
            allegation = try store.make(
                .allegations,
                #"""
                {"source_id": "\#(hiddenSource.id)", "incident_id": "\#(incident.id)", "claim": "Men were held",
                 "confidentiality": "public"}
                """#)
        }

        var hiddenIDs: [String] { [hiddenSource.id, hiddenActor.id] }
    }

    @Test func aVisibleRecordDoesNotNameAHiddenOne() throws {
        let c = try Case()
        for reader in [Caller.publicReader, Caller.restrictedReader] {
            let incident = try c.store.record(.incidents, id: c.incident.id, as: reader)
            #expect(incident.json["perpetrator_ids"] == .array([.string(c.visibleActor.id)]))
            let allegation = try c.store.record(.allegations, id: c.allegation.id, as: reader)
            #expect(allegation.json["source_id"] == .null)
            var texts = [Self.text(incident), Self.text(allegation)]
            for kind in [ResourceKind.incidents, .allegations] {
                texts += try c.store.list(kind, ListQuery(), as: reader).records.map(Self.text)
            }
            texts.append(Self.text(try c.store.history(.allegations, id: c.allegation.id, as: reader)))
            texts.append(Self.text(try c.store.history(.incidents, id: c.incident.id, as: reader)))
            texts.append(Self.text(try c.store.changes(limit: 1000, as: reader).entries))
            for text in texts {
                for hidden in c.hiddenIDs { #expect(!text.contains(hidden), "\(reader.clearance): \(text)") }
            }
        }
        // Nor through a cursor: a reference is not a sort key (the cursor carries the last row's sort values).
        var bySource = ListQuery()
        bySource.sort = [SortKey(field: "source_id", descending: false)]
        #expect(throws: StoreError.self) { try c.store.list(.allegations, bySource, as: Caller.publicReader) }
        // At full clearance the references are there.
        let full = try c.store.record(.allegations, id: c.allegation.id, as: Caller.confidentialReader)
        #expect(full.json["source_id"] == .string(c.hiddenSource.id))
        #expect(
            try c.store.record(.incidents, id: c.incident.id, as: Caller.confidentialReader).json["perpetrator_ids"]
                == .array([.string(c.hiddenActor.id), .string(c.visibleActor.id)]))
    }

    @Test func filtersMatchReferencesAsTheyAreShown() throws {
        let c = try Case()
        let other = try c.store.make(
            .allegations,
            #"""
            {"source_id": "\#(c.visibleSource.id)", "incident_id": "\#(c.incident.id)", "claim": "Seen", "confidentiality": "public"}
            """#)
        func ids(_ kind: ResourceKind, _ filters: [(String, String)], as caller: AccessContext) throws -> [String] {
            var query = ListQuery()
            query.filters = filters.compactMap { Filter(parameter: $0.0, value: $0.1) }
            return try c.store.list(kind, query, as: caller).records.map(\.id)
        }
        for reader in [Caller.publicReader, Caller.restrictedReader] {
            // A hidden id matches nothing, however it is asked for: no id can be found by bisection.
            #expect(try ids(.allegations, [("source_id", c.hiddenSource.id)], as: reader).isEmpty)
            #expect(try ids(.allegations, [("source_id.in", "\(c.hiddenSource.id),src_X")], as: reader).isEmpty)
            #expect(try ids(.allegations, [("source_id.gte", "src_")], as: reader) == [other.id])
            #expect(try ids(.allegations, [("source_id.lt", "src_~")], as: reader) == [other.id])
            #expect(try ids(.allegations, [("source_id.contains", "src")], as: reader) == [other.id])
            #expect(try ids(.allegations, [("source_id.null", "false")], as: reader) == [other.id])
            #expect(Set(try ids(.allegations, [("source_id.null", "true")], as: reader)) == [c.allegation.id])
            #expect(try ids(.allegations, [("source_id", c.visibleSource.id)], as: reader) == [other.id])
            #expect(try ids(.incidents, [("perpetrator_ids", c.hiddenActor.id)], as: reader).isEmpty)
            #expect(try ids(.incidents, [("perpetrator_ids.in", c.hiddenActor.id)], as: reader).isEmpty)
            #expect(try ids(.incidents, [("perpetrator_ids", c.visibleActor.id)], as: reader) == [c.incident.id])
            #expect(try ids(.incidents, [("perpetrator_ids.ne", c.hiddenActor.id)], as: reader) == [c.incident.id])
        }
        // At full clearance the stored references match.
        #expect(
            try ids(.allegations, [("source_id", c.hiddenSource.id)], as: Caller.confidentialReader) == [
                c.allegation.id
            ])
        #expect(
            try ids(.incidents, [("perpetrator_ids", c.hiddenActor.id)], as: Caller.confidentialReader) == [
                c.incident.id
            ])
    }

    @Test func aPatchKeepsHiddenReferencesAndAnswersAlikeWhateverTheNullHides() throws {
        let c = try Case()
        // Other fields may change: the hidden reference is kept, in the table and in the log.
        let changed = try Self.patch(
            c.store, .allegations, c.allegation.id, #"{"claim": "Over 100 men were held"}"#,
            as: Self.publicEditor)
        #expect(changed.json["source_id"] == .null)
        #expect(
            try c.store.record(.allegations, id: c.allegation.id, as: Caller.admin).json["source_id"]
                == .string(c.hiddenSource.id))
        let last = try c.store.history(.allegations, id: c.allegation.id, as: Caller.admin).last
        #expect(last?.after?["source_id"] == .string(c.hiddenSource.id))
        // A null sent for a field the editor sees as null changes nothing, hidden behind it or not:
        // the answers cannot tell the two apart.
        let plain = try c.store.make(
            .allegations,
            #"""
            {"source_id": "\#(c.visibleSource.id)", "incident_id": "\#(c.incident.id)", "claim": "Plain", "confidentiality": "public"}
            """#)
        let hiddenBehind = try Self.patch(
            c.store, .allegations, c.allegation.id, #"{"site_id": null, "source_id": null}"#,
            as: Self.publicEditor)
        let nothingBehind = try Self.patch(
            c.store, .allegations, plain.id, #"{"site_id": null}"#, as: Self.publicEditor)
        #expect(hiddenBehind.version == changed.version, "no change, no new version")
        #expect(nothingBehind.version == plain.version)
        #expect(
            try c.store.record(.allegations, id: c.allegation.id, as: Caller.admin).json["source_id"]
                == .string(c.hiddenSource.id))
        // A list keeps the ids the editor never saw: unchanged when the visible part is, added to
        // what the editor sends otherwise.
        let same = try Self.patch(
            c.store, .incidents, c.incident.id, #"{"perpetrator_ids": ["\#(c.visibleActor.id)"]}"#,
            as: Caller.restrictedEditor)
        #expect(same.version == c.incident.version)
        _ = try Self.patch(c.store, .incidents, c.incident.id, #"{"perpetrator_ids": []}"#, as: Caller.restrictedEditor)
        #expect(
            try c.store.record(.incidents, id: c.incident.id, as: Caller.admin).json["perpetrator_ids"]
                == .array([.string(c.hiddenActor.id)]))
        #expect(
            try c.store.record(.incidents, id: c.incident.id, as: Caller.restrictedEditor).json["perpetrator_ids"]
                == .array([]))
        // A new value replaces the reference, as it would a null; its holder can see it in the history.
        _ = try Self.patch(
            c.store, .allegations, c.allegation.id, #"{"source_id": "\#(c.visibleSource.id)"}"#,
            as: Self.publicEditor)
        #expect(
            try c.store.record(.allegations, id: c.allegation.id, as: Caller.admin).json["source_id"]
                == .string(c.visibleSource.id))
        #expect(try c.store.verify().isIntact)
    }

    @Test func linksBetweenVisibleRecordsAreInTheFeed() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let incident = try store.make(.incidents, #"{"title": "Detentions", "confidentiality": "public"}"#)
        let site = try store.make(.sites, #"{"name": "Argun", "confidentiality": "public"}"#)
        let hiddenSite = try store.make(.sites, #"{"name": "Hidden", "confidentiality": "confidential"}"#)
        _ = try store.link(
            incidentID: incident.id,
            try JSONValue.parse(
                Array(
                    #"""
                    [{"site_id": "\#(site.id)", "role": "held_at"}, {"site_id": "\#(hiddenSite.id)", "role": "held_at"}]
                    """#.utf8)), as: Caller.editor)
        let feed = try store.changes(limit: 1000, as: Caller.publicReader).entries
        let links = feed.filter { $0.kind == "links" }
        #expect(links.count == 1)
        #expect(links.first?.after?["site_id"] == .string(site.id))
        #expect(!Self.text(feed).contains(hiddenSite.id))
        #expect(
            try store.changes(limit: 1000, as: Caller.confidentialReader).entries
                .filter { $0.kind == "links" }.count == 2)
    }
}
