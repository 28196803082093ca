import Testing

@testable import VigilJSON
@testable import VigilSQLite
@testable import VigilStore

/// Counts kept by triggers (`record_counts`, `facet_counts`) must always equal what counting
/// the records afresh gives, whatever sequence of writes led there.
@Suite struct KeptCountsTests {
    /// A seeded sequence of creates, updates (level, tombstone, country, codes, references),
    /// deletes, restores, links and unlinks over every kind; after each step the kept counts are
    /// compared with the views that define them and with facets counted from the incidents.
    @Test func keptCountsFollowEveryKindOfWrite() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        var random = SplitMix64(seed: 7)
        let levels = ["public", "restricted", "confidential"]
        let countries = ["RU", "SY", "XC"]
        let codes = ["torture", "arbitrary_detention", "enforced_disappearance", "extrajudicial_killing"]

        var sources: [String] = []
        var actors: [String] = []
        var sites: [String] = []
        var incidents: [String] = []
        var allegations: [String] = []
        var denials: [String] = []
        var links: [(incident: String, link: String)] = []

        for index in 0..<3 {
            sources.append(
                try store.make(.sources, #"{"name": "Source \#(index)", "confidentiality": "\#(levels[index])"}"#).id)
            actors.append(
                try store.make(.actors, #"{"name": "Actor \#(index)", "confidentiality": "\#(levels[index])"}"#).id)
            sites.append(
                try store.make(.sites, #"{"name": "Site \#(index)", "confidentiality": "\#(levels[index])"}"#).id)
        }

        func pick<T>(_ items: [T]) -> T { items[random.next(items.count)] }
        func codeList() -> String {
            let chosen = codes.filter { _ in random.next(2) == 0 }
            return "[" + chosen.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        }

        for step in 0..<240 {
            switch random.next(14) {
            case 0, 1:
                let perpetrators = random.next(2) == 0 ? "[\"\(pick(actors))\"]" : "[]"
                incidents.append(
                    try store.make(
                        .incidents,
                        """
                        {"title": "Incident \(step)", "country": "\(pick(countries))", "confidentiality": "\(pick(levels))",
                         "violation_types": \(codeList()), "targeted_groups": \(random.next(2) == 0 ? "[\"lgbtiq\"]" : "[]"),
                         "perpetrator_ids": \(perpetrators)}
                        """
                    ).id)
            case 2, 3, 12, 13:
                guard !incidents.isEmpty else { continue }
                // References may name a deleted record by now: such a create is refused, which is fine.
                if let made = try? store.make(
                    .allegations,
                    """
                    {"source_id": "\(pick(sources))", "incident_id": "\(pick(incidents))", "site_id": "\(pick(sites))",
                     "claim": "Claim \(step)", "confidentiality": "\(pick(levels))"
                     \(random.next(3) == 0 && !allegations.isEmpty ? ", \"repeats_id\": \"\(pick(allegations))\"" : "")}
                    """)
                {
                    allegations.append(made.id)
                }
            case 4 where !allegations.isEmpty:
                if let made = try? store.make(
                    .denials,
                    """
                    {"statement": "Denial \(step)", "allegation_id": "\(pick(allegations))", "speaker": "Official",
                     "actor_id": "\(pick(actors))", "confidentiality": "\(pick(levels))"
                     \(random.next(2) == 0 && !incidents.isEmpty ? ", \"incident_id\": \"\(pick(incidents))\"" : "")}
                    """)
                {
                    denials.append(made.id)
                }
            case 5 where !incidents.isEmpty:
                let patch = try JSONObject.json(
                    """
                    {"confidentiality": "\(pick(levels))", "country": "\(pick(countries))", "violation_types": \(codeList()),
                     "perpetrator_ids": \(random.next(2) == 0 ? "[\"\(pick(actors))\"]" : "[]")}
                    """)
                _ = try? store.update(.incidents, id: pick(incidents), patch: patch, as: Caller.admin)
            case 6:
                let kind = pick([ResourceKind.incidents, .allegations, .denials, .sources])
                let ids =
                    [
                        ResourceKind.incidents: incidents, .allegations: allegations, .denials: denials,
                        .sources: sources,
                    ][kind] ?? []
                guard !ids.isEmpty else { continue }
                let id = pick(ids)
                if (try? store.delete(kind, id: id, as: Caller.admin)) == nil {
                    _ = try? store.restore(kind, id: id, as: Caller.admin)
                }
            case 7 where !allegations.isEmpty:
                let patch = try JSONObject.json(
                    """
                    {"confidentiality": "\(pick(levels))", "source_id": "\(pick(sources))"\
                    \(incidents.isEmpty ? "" : ", \"incident_id\": \"\(pick(incidents))\"")}
                    """)
                _ = try? store.update(.allegations, id: pick(allegations), patch: patch, as: Caller.admin)
            case 8 where !denials.isEmpty:
                let patch = try JSONObject.json(
                    #"{"confidentiality": "\#(pick(levels))", "actor_id": "\#(pick(actors))"}"#)
                _ = try? store.update(.denials, id: pick(denials), patch: patch, as: Caller.admin)
            case 9:
                let patch = try JSONObject.json(#"{"confidentiality": "\#(pick(levels))"}"#)
                _ = try? store.update(.sources, id: pick(sources), patch: patch, as: Caller.admin)
            case 10 where !incidents.isEmpty:
                let incident = pick(incidents)
                if let made = try? store.link(
                    incidentID: incident,
                    .object(try JSONObject.json(#"{"site_id": "\#(pick(sites))", "role": "held_at"}"#)),
                    as: Caller.admin), let link = made.last?["id"]?.stringValue
                {
                    links.append((incident, link))
                }
            case 11 where !links.isEmpty:
                let index = random.next(links.count)
                let link = links.remove(at: index)
                try? store.unlink(incidentID: link.incident, linkID: link.link, as: Caller.admin)
            default:
                continue
            }
            if step % 12 == 11 { try expectCountsAgree(store, step: step) }
        }
        try expectCountsAgree(store, step: 240)
        #expect(
            incidents.count > 10 && allegations.count > 10 && denials.count > 3,
            "\(incidents.count) incidents, \(allegations.count) allegations, \(denials.count) denials")
    }

    private func expectCountsAgree(_ store: Store, step: Int) throws {
        // Sources and actors count on read (migrations/0009): only these three kinds keep counts.
        let fresh = """
            SELECT * FROM incident_counts UNION ALL SELECT * FROM site_counts UNION ALL SELECT * FROM allegation_counts
            """
        // A record without a row reads as all zeros (reads LEFT JOIN and coalesce; a new incident
        // gets no row until something counts for it, migrations/0011): `kept` is what reads see.
        let kept = """
            SELECT * FROM record_counts UNION ALL
            SELECT f.record_id, f.level, 0, 0, 0, 0 FROM (\(fresh)) f
            WHERE NOT EXISTS (SELECT 1 FROM record_counts k WHERE k.record_id = f.record_id AND k.level = f.level)
            """
        let (missing, extra): (Int, Int) = try store.read { db in
            var missing = 0
            var extra = 0
            try db.makeStatement("SELECT count(*) FROM (\(fresh) EXCEPT SELECT * FROM (\(kept)))").forEachRow {
                missing = Int($0.int64(0))
            }
            try db.makeStatement("SELECT count(*) FROM (SELECT * FROM (\(kept)) EXCEPT SELECT * FROM (\(fresh)))")
                .forEachRow { extra = Int($0.int64(0)) }
            return (missing, extra)
        }
        var sample = ""
        if missing + extra > 0 {
            sample = try store.read { db in
                var rows: [String] = []
                try db.makeStatement("SELECT * FROM (SELECT * FROM (\(kept)) EXCEPT SELECT * FROM (\(fresh))) LIMIT 5")
                    .forEachRow { row in
                        rows.append((0..<6).map { row.text($0) ?? "-" }.joined(separator: " "))
                    }
                return rows.joined(separator: "; ")
            }
        }
        #expect(missing == 0 && extra == 0, "step \(step): \(missing) counts missing, \(extra) stale: \(sample)")

        // The code rows facets and code filters read: one per code of every incident, with the
        // incident's country, date, tombstone and level as stored (written by the store on
        // create, by a trigger on every later change).
        let freshCodes = """
            SELECT i.pk, 'violation_types', j.value, i.country, i.occurred_earliest, i.deleted_at, i.confidentiality, i.id
            FROM incidents i, json_each(i.violation_types) j
            UNION ALL
            SELECT i.pk, 'targeted_groups', j.value, i.country, i.occurred_earliest, i.deleted_at, i.confidentiality, i.id
            FROM incidents i, json_each(i.targeted_groups) j
            """
        let keptCodes = """
            SELECT incident_pk, field, code, country, occurred_earliest, deleted_at, confidentiality, id FROM incident_codes
            """
        let (codesMissing, codesExtra, codeRows): (Int, Int, Int) = try store.read { db in
            var counts = [0, 0, 0]
            try db.makeStatement("SELECT count(*) FROM (\(freshCodes) EXCEPT \(keptCodes))").forEachRow {
                counts[0] = Int($0.int64(0))
            }
            try db.makeStatement("SELECT count(*) FROM (\(keptCodes) EXCEPT SELECT * FROM (\(freshCodes)))").forEachRow
            { counts[1] = Int($0.int64(0)) }
            try db.makeStatement("SELECT count(*) FROM incident_codes").forEachRow { counts[2] = Int($0.int64(0)) }
            return (counts[0], counts[1], counts[2])
        }
        #expect(
            codesMissing == 0 && codesExtra == 0,
            "step \(step): \(codesMissing) code rows missing, \(codesExtra) stale of \(codeRows)")

        let readers = [Caller.publicReader, Caller.restrictedReader, Caller.confidentialReader]
        for reader in readers {
            for country in [nil, "RU", "SY", "XC", "FR"] as [String?] {
                var query = ListQuery()
                if let country { query.filters = [Filter(field: "country", op: .eq, value: country)] }
                let fields = ["violation_types", "targeted_groups", "country"]
                let kept = try store.facets(query, fields: fields, as: reader, keptCounts: true)
                let counted = try store.facets(query, fields: fields, as: reader, keptCounts: false)
                #expect(kept.total == counted.total, "step \(step), \(reader.actor), \(country ?? "all"): total")
                #expect(kept.facets.map(\.0) == counted.facets.map(\.0))
                for (left, right) in zip(kept.facets, counted.facets) {
                    #expect(left.1 == right.1, "step \(step), \(reader.actor), \(country ?? "all"): \(left.0)")
                }
            }
        }
    }
}
