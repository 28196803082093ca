import Testing

@testable import VigilJSON
@testable import VigilStore

/// The store picks another access path for some lists (incidents by code, sorted by date);
/// whatever the path, the pages must hold the same records in the same order.
@Suite struct AccessPathTests {
    @Test func codeOrderedPathGivesTheSamePagesAsTheGeneralOne() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        var random = SplitMix64(seed: 11)
        let levels = ["public", "restricted", "confidential"]
        let codes = ["torture", "arbitrary_detention", "threats"]
        var ids: [String] = []
        for index in 0..<240 {
            let chosen = codes.filter { _ in random.next(2) == 0 }
            // Few distinct dates, so ties (broken by id) are common; some incidents have no date.
            let occurred =
                random.next(8) == 0 ? "" : #""occurred": "2020-0\#(1 + random.next(3))-1\#(random.next(3))", "#
            let record = try store.make(
                .incidents,
                """
                {"title": "Incident \(index)", \(occurred)"country": "\(["RU", "SY"][random.next(2)])",
                 "confidentiality": "\(levels[random.next(3)])",
                 "violation_types": [\(chosen.map { "\"\($0)\"" }.joined(separator: ", "))]}
                """)
            ids.append(record.id)
        }
        for id in ids where random.next(10) == 0 {
            _ = try store.delete(.incidents, id: id, as: Caller.admin)
        }
        for _ in 0..<15 {
            let patch = try JSONObject.json(#"{"occurred": "2020-02-11", "confidentiality": "public"}"#)
            _ = try? store.update(.incidents, id: ids[random.next(ids.count)], patch: patch, as: Caller.admin)
        }

        func walk(_ filters: [Filter], sort: String, as reader: AccessContext) throws -> [String] {
            var query = ListQuery()
            query.filters = filters
            query.sort = SortKey.parseList(sort) ?? []
            query.limit = 7
            query.includeTotal = true
            return try Self.walk(store, query, as: reader)
        }

        var compared = 0
        for reader in [Caller.publicReader, Caller.restrictedReader, Caller.confidentialReader] {
            for sort in ["-occurred", "occurred", "-occurred,title", "occurred,-id"] {
                for country in ["RU", "SY"] {
                    let place = [Filter(field: "country", op: .eq, value: country)]
                    let fast = try walk(
                        [Filter(field: "violation_types", op: .eq, value: "torture")] + place, sort: sort, as: reader)
                    let general = try walk(
                        [Filter(field: "violation_types", op: .in, value: "torture")] + place, sort: sort, as: reader)
                    #expect(fast == general, "\(reader.actor) sort=\(sort) country=\(country)")
                    #expect(Set(fast).count == fast.count)
                    compared += fast.count
                }
            }
        }
        #expect(compared > 500)
        #expect(
            Store.codeOrderedPath(
                .incidents,
                {
                    var query = ListQuery()
                    query.filters = [
                        Filter(field: "violation_types", op: .eq, value: "torture"),
                        Filter(field: "country", op: .eq, value: "RU"),
                    ]
                    query.sort = [SortKey(field: "occurred", descending: true)]
                    return query
                }(), clearance: .public) != nil, "the fast path is the one compared")
    }

    @Test func plainSearchPathGivesTheSamePagesAsTheGeneralOne() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        var random = SplitMix64(seed: 5)
        let levels = ["public", "restricted", "confidential"]
        var ids: [String] = []
        for index in 0..<150 {
            // Identical texts give identical ranks, so ties (broken by id) are common; the lengths
            // vary, so many ranks differ too and the best candidates often suffice (more than the
            // 32 candidates the plain path ranks first match).
            let words = ["stadium detention", "stadium stadium raid", "river stadium", "stadium"][random.next(4)]
            let record = try store.make(
                .incidents,
                """
                {"title": "\(words)", "summary": "case \(index % 7)\(String(repeating: " filler", count: index % 5))",
                 "confidentiality": "\(levels[random.next(3)])"}
                """)
            ids.append(record.id)
        }
        for id in ids where random.next(8) == 0 {
            _ = try store.delete(.incidents, id: id, as: Caller.admin)
        }
        for _ in 0..<10 {
            let patch = try JSONObject.json(#"{"confidentiality": "public"}"#)
            _ = try? store.update(.incidents, id: ids[random.next(ids.count)], patch: patch, as: Caller.admin)
        }

        func walk(_ filters: [Filter], as reader: AccessContext) throws -> [String] {
            var query = ListQuery()
            query.search = "stadium"
            query.filters = filters
            query.limit = 6
            return try Self.walk(store, query, as: reader)
        }
        var compared = 0
        for reader in [Caller.publicReader, Caller.restrictedReader, Caller.confidentialReader] {
            let fast = try walk([], as: reader)
            // A filter that keeps everything sends the same search down the general path.
            let general = try walk([Filter(field: "title", op: .null, value: "false")], as: reader)
            #expect(fast == general, "\(reader.actor)")
            #expect(Set(fast).count == fast.count)
            compared += fast.count
        }
        #expect(compared > 150)
        var plain = ListQuery()
        plain.search = "stadium"
        #expect(
            Store.plainIncidentSearch(
                .incidents, plain, clearance: .public, cursorKey: [UInt8](repeating: 7, count: 32)) != nil)
    }

    /// The ids of every page of `query`, following the cursors.
    static func walk(_ store: Store, _ query: ListQuery, as reader: AccessContext) throws -> [String] {
        var query = query
        var seen: [String] = []
        while true {
            let page = try store.list(.incidents, query, as: reader)
            seen += page.records.map(\.id)
            guard let next = page.nextCursor else { return seen }
            query.cursor = next
        }
    }
}
