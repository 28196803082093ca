import Testing

@testable import VigilJSON
@testable import VigilStore

/// A record above the caller's clearance does not exist for it, from any operation, in any
/// count; exact places are removed below `location_confidentiality`.
@Suite struct ConfidentialityTests {
    /// The demo case in miniature: a public incident with a restricted location, public and
    /// restricted allegations (one a republication), denials, and a restricted survivor source.
    struct Case {
        let temporary: TemporaryStore
        var store: Store { temporary.store }
        let incident: Record
        let secretIncident: Record
        let site: Record
        let secretSite: Record
        let newspaper: Record
        let reprint: Record
        let survivor: Record
        let firstReport: Record
        let republication: Record
        let survivorAccount: Record
        let denial: Record
        let secretDenial: Record

        init() throws {
            temporary = try TemporaryStore()
            let store = temporary.store
            newspaper = try store.make(
                .sources, #"{"name": "Novaya Gazeta", "source_type": "media", "confidentiality": "public"}"#)
            reprint = try store.make(.sources, #"{"name": "Reprinting outlet", "confidentiality": "public"}"#)
            survivor = try store.make(
                .sources,
                #"""
                {"name": "Survivor A", "source_type": "survivor", "protected_identity": true,
                 "contact": "+0 000 000 0000", "confidentiality": "restricted"}
                """#)
            site = try store.make(
                .sites,
                #"""
                {"name": "Argun", "country": "RU", "admin1": "Chechnya", "locality": "Argun", "lat": 43.29, "lon": 45.87,
                 "geo_precision": "vicinity", "confidentiality": "public", "location_confidentiality": "restricted"}
                """#)
            secretSite = try store.make(.sites, #"{"name": "Zyxwvu hideout", "confidentiality": "restricted"}"#)
            incident = try store.make(
                .incidents,
                #"""
                {"title": "Mass detention", "occurred": "2017-02/2017-03", "country": "RU", "admin1": "Chechnya",
                 "admin2": "Argunsky", "locality": "Argun", "lat": 43.29, "lon": 45.87, "geo_precision": "exact",
                 "confidentiality": "public", "location_confidentiality": "restricted",
                 "sites": [{"site_id": "\#(site.id)", "role": "held_at"}, {"site_id": "\#(secretSite.id)", "role": "held_at"}]}
                """#)
            secretIncident = try store.make(
                .incidents,
                #"{"title": "Qwertyzz operation", "confidentiality": "restricted", "sites": [{"site_id": "\#(site.id)", "role": "held_at"}]}"#
            )
            firstReport = try store.make(
                .allegations,
                #"{"source_id": "\#(newspaper.id)", "incident_id": "\#(incident.id)", "claim": "Over 100 men detained", "confidentiality": "public"}"#
            )
            republication = try store.make(
                .allegations,
                #"{"source_id": "\#(reprint.id)", "incident_id": "\#(incident.id)", "claim": "Reprint", "repeats_id": "\#(firstReport.id)", "confidentiality": "public"}"#
            )
            survivorAccount = try store.make(
                .allegations,
                #"{"source_id": "\#(survivor.id)", "incident_id": "\#(incident.id)", "claim": "Electric shocks", "confidentiality": "restricted"}"#
            )
            denial = try store.make(
                .denials,
                #"{"statement": "Such people do not exist here", "allegation_id": "\#(firstReport.id)", "speaker": "Head", "stance": "denies_victims_exist", "confidentiality": "public"}"#
            )
            secretDenial = try store.make(
                .denials,
                #"{"statement": "Off the record", "allegation_id": "\#(survivorAccount.id)", "speaker": "Aide", "confidentiality": "restricted"}"#
            )
        }
    }

    @Test func getOfARecordAboveClearanceIsNotFound() throws {
        let c = try Case()
        #expect(throws: StoreError.notFound(kind: "incidents", id: c.secretIncident.id)) {
            try c.store.record(.incidents, id: c.secretIncident.id, as: Caller.publicReader)
        }
        #expect(throws: StoreError.notFound(kind: "allegations", id: c.survivorAccount.id)) {
            try c.store.record(.allegations, id: c.survivorAccount.id, as: Caller.publicReader)
        }
        #expect(
            try c.store.record(.incidents, id: c.secretIncident.id, as: Caller.restrictedReader).id
                == c.secretIncident.id)
        // A deleted record above clearance stays "not found", not "gone".
        _ = try c.store.delete(.incidents, id: c.secretIncident.id, as: Caller.admin)
        #expect(throws: StoreError.notFound(kind: "incidents", id: c.secretIncident.id)) {
            try c.store.record(.incidents, id: c.secretIncident.id, as: Caller.publicReader)
        }
        #expect(throws: StoreError.gone(kind: "incidents", id: c.secretIncident.id)) {
            try c.store.record(.incidents, id: c.secretIncident.id, as: Caller.restrictedReader)
        }
    }

    @Test func listsAndTotalsLeaveOutRestrictedRecords() throws {
        let c = try Case()
        var query = ListQuery()
        query.includeTotal = true
        for kind in ResourceKind.allCases {
            let page = try c.store.list(kind, query, as: Caller.publicReader)
            #expect(page.records.allSatisfy { $0.json["confidentiality"] == .string("public") }, "\(kind)")
            #expect(page.total == page.records.count, "\(kind)")
        }
        #expect(try c.store.list(.allegations, query, as: Caller.publicReader).total == 2)
        #expect(try c.store.list(.allegations, query, as: Caller.restrictedReader).total == 3)
        // Filtering cannot find hidden records either.
        var byClaim = ListQuery()
        byClaim.filters = [Filter(field: "claim", op: .contains, value: "shocks")]
        byClaim.includeTotal = true
        #expect(try c.store.list(.allegations, byClaim, as: Caller.publicReader).total == 0)
    }

    @Test func computedCountsOnlyCountWhatTheReaderMaySee() throws {
        let c = try Case()
        let seenPublic = try c.store.record(.incidents, id: c.incident.id, as: Caller.publicReader).json
        #expect(seenPublic["allegation_count"] == .int(2))
        #expect(seenPublic["independent_source_count"] == .int(1), "the republication does not count")
        #expect(seenPublic["denial_count"] == .int(1))
        #expect(seenPublic["undenied_allegations"] == .int(1), "the republication has no denial")
        let seenRestricted = try c.store.record(.incidents, id: c.incident.id, as: Caller.restrictedReader).json
        #expect(seenRestricted["allegation_count"] == .int(3))
        #expect(seenRestricted["independent_source_count"] == .int(2))
        #expect(seenRestricted["denial_count"] == .int(2))
        #expect(seenRestricted["undenied_allegations"] == .int(1))
        // A site's incident count, an allegation's denial count.
        #expect(try c.store.record(.sites, id: c.site.id, as: Caller.publicReader).json["incident_count"] == .int(1))
        #expect(
            try c.store.record(.sites, id: c.site.id, as: Caller.restrictedReader).json["incident_count"] == .int(2))
        #expect(
            try c.store.record(.allegations, id: c.firstReport.id, as: Caller.publicReader).json["denial_count"]
                == .int(1))
        // In lists too.
        let listed = try c.store.list(.incidents, ListQuery(), as: Caller.publicReader).records
        #expect(listed.map(\.id) == [c.incident.id])
        #expect(listed.first?.json["allegation_count"] == .int(2))
        // Deleting an allegation removes it from the counts.
        _ = try c.store.delete(.allegations, id: c.republication.id, as: Caller.admin)
        #expect(
            try c.store.record(.incidents, id: c.incident.id, as: Caller.publicReader).json["allegation_count"]
                == .int(1))
    }

    @Test func countsPerSourceSiteAndActorForDashboards() throws {
        let c = try Case()
        let actor = try c.store.make(.actors, #"{"name": "Head", "confidentiality": "public"}"#)
        _ = try c.store.update(
            .incidents, id: c.incident.id, patch: try .json(#"{"perpetrator_ids": ["\#(actor.id)"]}"#), as: Caller.admin
        )
        _ = try c.store.update(
            .incidents, id: c.secretIncident.id, patch: try .json(#"{"perpetrator_ids": ["\#(actor.id)"]}"#),
            as: Caller.admin)
        _ = try c.store.make(
            .denials,
            #"{"statement": "no", "incident_id": "\#(c.incident.id)", "actor_id": "\#(actor.id)", "confidentiality": "restricted"}"#
        )
        let publicActor = try c.store.record(.actors, id: actor.id, as: Caller.publicReader).json
        #expect(publicActor["incident_count"] == .int(1))
        #expect(publicActor["denial_count"] == .int(0))
        let restrictedActor = try c.store.record(.actors, id: actor.id, as: Caller.restrictedReader).json
        #expect(restrictedActor["incident_count"] == .int(2))
        #expect(restrictedActor["denial_count"] == .int(1))
        let newspaper = try c.store.record(.sources, id: c.newspaper.id, as: Caller.publicReader).json
        #expect(newspaper["allegation_count"] == .int(1))
        #expect(newspaper["incident_count"] == .int(1))
        #expect(
            try c.store.record(.sources, id: c.survivor.id, as: Caller.restrictedReader).json["allegation_count"]
                == .int(1))
        #expect(try c.store.record(.sites, id: c.site.id, as: Caller.publicReader).json["allegation_count"] == .int(0))
    }

    @Test func locationIsCoarsenedBelowLocationConfidentiality() throws {
        let c = try Case()
        let seenPublic = try c.store.record(.incidents, id: c.incident.id, as: Caller.publicReader).json
        for field in ["lat", "lon", "locality", "admin2"] {
            #expect(seenPublic[field] == nil, "\(field) must be removed")
        }
        #expect(seenPublic["geo_precision"] == .string("admin1"))
        #expect(seenPublic["admin1"] == .string("Chechnya"))
        #expect(seenPublic["country"] == .string("RU"))
        let seenRestricted = try c.store.record(.incidents, id: c.incident.id, as: Caller.restrictedReader).json
        #expect(seenRestricted["lat"] == .double(43.29))
        #expect(seenRestricted["locality"] == .string("Argun"))
        #expect(seenRestricted["geo_precision"] == .string("exact"))
        // The same in lists, and for sites.
        let listed = try c.store.list(.sites, ListQuery(), as: Caller.publicReader).records
        #expect(listed.count == 1)
        #expect(listed[0].json["lat"] == nil)
        #expect(listed[0].json["geo_precision"] == .string("admin1"))
        // Without location_confidentiality the record's own level applies.
        let plain = try c.store.make(.incidents, #"{"title": "p", "lat": 1, "lon": 2, "confidentiality": "public"}"#)
        #expect(try c.store.record(.incidents, id: plain.id, as: Caller.publicReader).json["lat"] == .double(1))
    }

    @Test func hiddenLocationCannotBeFilteredOrSortedOut() throws {
        let c = try Case()
        var query = ListQuery()
        query.filters = [Filter(field: "lat", op: .gt, value: "43")]
        #expect(try c.store.list(.incidents, query, as: Caller.publicReader).records.isEmpty)
        #expect(try c.store.list(.incidents, query, as: Caller.restrictedReader).records.map(\.id) == [c.incident.id])
        query.filters = [Filter(field: "locality", op: .eq, value: "Argun")]
        #expect(try c.store.list(.sites, query, as: Caller.publicReader).records.isEmpty)
    }

    @Test func contactAndProtectedNamesFollowTheirOwnRules() throws {
        let c = try Case()
        let restricted = try c.store.record(.sources, id: c.survivor.id, as: Caller.restrictedReader).json
        #expect(restricted["contact"] == nil)
        #expect(restricted["name"] == .string("protected source"))
        let confidential = try c.store.record(.sources, id: c.survivor.id, as: Caller.confidentialReader).json
        #expect(confidential["contact"] == .string("+0 000 000 0000"))
        #expect(confidential["name"] == .string("Survivor A"))
        var query = ListQuery()
        query.filters = [Filter(field: "contact", op: .null, value: "false")]
        #expect(throws: StoreError.badQuery(parameter: "contact.null", message: "contact is not visible to this token"))
        {
            try c.store.list(.sources, query, as: Caller.restrictedReader)
        }
        query.filters = [Filter(field: "name", op: .contains, value: "Survivor")]
        #expect(try c.store.list(.sources, query, as: Caller.restrictedReader).records.isEmpty)
    }

    @Test func linksHistoryAndChangesRespectClearance() throws {
        let c = try Case()
        let links = try c.store.links(ofIncident: c.incident.id, as: Caller.publicReader)
        #expect(links.map { $0["site_id"] } == [.string(c.site.id)])
        #expect(try c.store.links(ofIncident: c.incident.id, as: Caller.restrictedReader).count == 2)
        #expect(throws: StoreError.self) {
            try c.store.history(.incidents, id: c.secretIncident.id, as: Caller.publicReader)
        }
        let history = try c.store.history(.incidents, id: c.incident.id, as: Caller.publicReader)
        #expect(history.map(\.action) == ["create"])
        #expect(history[0].after?["lat"] == nil, "history snapshots are redacted too")
        #expect(history[0].actor == nil, "only admins see who made a change")
        let feed = try c.store.changes(limit: 1000, as: Caller.publicReader)
        let ids = Set(feed.entries.map(\.recordID))
        for hidden in [c.secretIncident.id, c.survivor.id, c.survivorAccount.id, c.secretDenial.id, c.secretSite.id] {
            #expect(!ids.contains(hidden))
        }
        #expect(ids.contains(c.incident.id))
        let everything = try c.store.changes(limit: 1000, as: Caller.admin)
        #expect(everything.entries.count > feed.entries.count)
        let all = String(decoding: JSONValue.array(feed.entries.map { .object($0.json) }).serialized(), as: UTF8.self)
        for secret in ["Qwertyzz", "Zyxwvu", "Electric shocks", "Off the record", "+0 000", "Survivor A", "45.87"] {
            #expect(!all.contains(secret), "\(secret) leaked into the changes feed")
        }
    }

    @Test func aRecordMadeMoreSecretDisappearsFromTheFeedForThoseItIsNowHiddenFrom() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let record = try store.make(
            .incidents, #"{"title": "Published by mistake: Vwxq", "confidentiality": "public"}"#)
        _ = try store.update(
            .incidents, id: record.id, patch: try .json(#"{"confidentiality": "restricted"}"#), as: Caller.admin)
        let other = try store.make(.incidents, #"{"title": "open", "confidentiality": "public"}"#)
        let publicFeed = try store.changes(limit: 1, as: Caller.publicReader)
        #expect(publicFeed.entries.map(\.recordID) == [other.id], "only the still-public record, even with limit 1")
        #expect(publicFeed.hasMore == false)
        // Its position covers the hidden update too: resuming gives only what comes next.
        #expect(try store.changes(since: publicFeed.nextSince, as: Caller.publicReader).entries.isEmpty)
        let text = String(
            decoding: JSONValue.array(publicFeed.entries.map { .object($0.json) }).serialized(), as: UTF8.self)
        #expect(!text.contains("Vwxq"))
        #expect(try store.changes(as: Caller.restrictedReader).entries.count == 3)
        #expect(throws: StoreError.self) { try store.history(.incidents, id: record.id, as: Caller.publicReader) }
        // Made public again, its history shows again.
        _ = try store.update(
            .incidents, id: record.id, patch: try .json(#"{"confidentiality": "public"}"#), as: Caller.admin)
        let again = try store.changes(as: Caller.publicReader).entries
        #expect(again.map(\.action) == ["create", "update", "create", "update"])
        #expect(again[1].after == nil, "the restricted state is never shown to a public reader")
        #expect(again[3].before == nil)
    }

    @Test func restrictedEditorCannotTouchConfidentialRecords() throws {
        let c = try Case()
        let confidential = try c.store.make(.incidents, #"{"title": "c", "confidentiality": "confidential"}"#)
        #expect(throws: StoreError.notFound(kind: "incidents", id: confidential.id)) {
            try c.store.update(
                .incidents, id: confidential.id, patch: JSONObject([("title", .string("x"))]),
                as: Caller.restrictedEditor)
        }
    }
}
