import Testing

@testable import VigilJSON
@testable import VigilStore

/// Keyset pagination: walking every page of a list, in any whitelisted order, returns each
/// visible record exactly once, also while records are inserted between pages.
@Suite("Pagination")
struct PaginationTests {
    static let recordCount = 1_000
    static let pageSize = 37

    /// Every sortable incident field, ascending and descending, plus multi-key sorts.
    static let sortableFields = [
        "id", "created_at", "updated_at", "title", "occurred", "country", "admin1", "admin2", "locality",
        "victims_min", "victims_max", "deaths_min", "deaths_max", "verification", "confidentiality", "lat", "lon",
        "geo_precision", "location_confidentiality",
    ]
    static let sorts: [String] =
        sortableFields.flatMap { [$0, "-" + $0] } + [
            "-occurred,country", "country,-victims_min", "verification,-lat,title", "-confidentiality,-created_at",
            "title,-id", "admin1,-deaths_min,occurred", "-geo_precision,victims_max",
        ]

    /// The sorts split into groups, one database per group: creating 1,000 records costs more
    /// than walking them, so each group walks many sorts over the same data.
    static let sortGroups: [[String]] = {
        let groupCount = 5
        var groups = Array(repeating: [String](), count: groupCount)
        for (index, sort) in sorts.enumerated() { groups[index % groupCount].append(sort) }
        return groups
    }()

    @Test("every page, every sort: each visible record exactly once, in order", arguments: sortGroups)
    func walksEveryRecordOnce(sorts: [String]) throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let created = try Self.populate(store, count: Self.recordCount, seed: 1)
        for (position, sort) in sorts.enumerated() {
            let keys = try #require(SortKey.parseList(sort))
            // Every sort as the admin and as a public reader; the middle clearance on some.
            let callers =
                position % 3 == 0
                ? [Caller.admin, Caller.restrictedReader, Caller.publicReader] : [Caller.admin, Caller.publicReader]
            for caller in callers {
                let visible = Set(created.filter { $0.level <= caller.clearance }.map(\.id))
                let walked = try Self.walk(store, sort: keys, as: caller)
                let ids = walked.map(\.id)
                #expect(
                    ids.count == visible.count,
                    "\(sort) as \(caller.actor): walked \(ids.count), visible \(visible.count)")
                #expect(Set(ids).count == ids.count, "\(sort) as \(caller.actor): a record appeared twice")
                #expect(Set(ids) == visible, "\(sort) as \(caller.actor): walked set differs from the visible set")
                try Self.expectOrdered(walked, by: keys, sort: sort, caller: caller)
            }
        }
    }

    @Test("the sort groups cover every sortable field in both directions")
    func sortGroupsCoverEveryField() {
        let covered = Set(Self.sortGroups.flatMap { $0 })
        for field in Self.sortableFields {
            #expect(covered.contains(field) && covered.contains("-" + field))
        }
    }

    @Test(
        "records inserted between pages do not disturb the walk",
        arguments: [
            ["title", "-lat", "victims_min", "-id"],
            ["-occurred,country", "created_at", "-updated_at", "verification,-deaths_min"],
        ])
    func insertionsBetweenPages(sorts: [String]) throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let created = try Self.populate(store, count: Self.recordCount, seed: 2)
        let original = Set(created.map(\.id))
        var insertedEarlier: Set<String> = []
        for (round, sort) in sorts.enumerated() {
            let keys = try #require(SortKey.parseList(sort))
            var batch = 0
            var inserted: Set<String> = []
            let walked = try Self.walk(store, sort: keys, as: Caller.admin) {
                batch += 1
                let inputs = (0..<5).map {
                    Self.incident(index: 10_000 * (round + 1) + batch * 5 + $0, seed: 7 + batch)
                }
                inserted.formUnion(try store.createMany(.incidents, inputs, as: Caller.admin).map(\.id))
            }
            let ids = walked.map(\.id)
            #expect(batch > 20, "the walk should have taken many pages")
            #expect(Set(ids).count == ids.count, "\(sort): a record appeared twice")
            let seenOriginal = ids.filter { original.contains($0) }
            #expect(
                seenOriginal.count == original.count,
                "\(sort): \(original.count - seenOriginal.count) original records missed")
            #expect(Set(seenOriginal) == original)
            // Records that existed before the walk began are all there too.
            #expect(insertedEarlier.isSubset(of: Set(ids)), "\(sort): records inserted by an earlier walk missed")
            #expect(ids.allSatisfy { original.contains($0) || insertedEarlier.contains($0) || inserted.contains($0) })
            try Self.expectOrdered(walked, by: keys, sort: sort, caller: Caller.admin)
            insertedEarlier.formUnion(inserted)
        }
    }

    @Test("count=true gives the total the walk finds, for each clearance")
    func totalMatchesWalk() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let created = try Self.populate(store, count: 400, seed: 3)
        for caller in [Caller.admin, Caller.restrictedReader, Caller.publicReader] {
            var query = ListQuery()
            query.includeTotal = true
            query.limit = 50
            query.sort = SortKey.parseList("-occurred,country") ?? []
            let first = try store.list(.incidents, query, as: caller)
            let walked = try Self.walk(store, sort: query.sort, as: caller)
            let expected = created.filter { $0.level <= caller.clearance }.count
            #expect(first.total == expected)
            #expect(first.total == walked.count)
            // The total ignores the cursor: a later page reports the same total.
            query.cursor = first.nextCursor
            let second = try store.list(.incidents, query, as: caller)
            #expect(second.total == expected)
        }
        // Filters narrow the total too.
        var filtered = ListQuery()
        filtered.includeTotal = true
        filtered.filters = [Filter(field: "country", op: .eq, value: "RU")]
        let page = try store.list(.incidents, filtered, as: Caller.admin)
        #expect(page.total == created.filter { $0.country == "RU" }.count)
        #expect(page.total != nil && page.total! > 0)
        // Every date form (open intervals, approximate, uncertain) passes verify's bounds check.
        let report = try store.verify()
        #expect(report.isIntact, "\(report.problems.prefix(3))")
    }

    @Test("filtered walks return each match exactly once and agree with count=true")
    func filteredWalks() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        _ = try Self.populate(store, count: 600, seed: 8)
        let cases: [([Filter], String)] = [
            ([Filter(field: "victims_min", op: .gte, value: "20")], "-occurred,country"),
            ([Filter(field: "country", op: .in, value: "RU,GB")], "title"),
            ([Filter(field: "occurred", op: .gte, value: "2017-03")], "-lat"),
            ([Filter(field: "country", op: .null, value: "true")], "victims_max"),
            (
                [Filter(field: "lat", op: .gt, value: "0"), Filter(field: "verification", op: .ne, value: "refuted")],
                "lat"
            ),
            ([Filter(field: "title", op: .contains, value: "detention")], "-created_at"),
        ]
        for (filters, sort) in cases {
            for caller in [Caller.admin, Caller.publicReader] {
                var query = ListQuery()
                query.filters = filters
                query.limit = 1000
                query.includeTotal = true
                let everything = try store.list(.incidents, query, as: caller)
                #expect(everything.nextCursor == nil)
                var walkQuery = query
                walkQuery.limit = Self.pageSize
                walkQuery.sort = SortKey.parseList(sort) ?? []
                walkQuery.includeTotal = false
                var ids: [String] = []
                var pages = 0
                while true {
                    let page = try store.list(.incidents, walkQuery, as: caller)
                    ids += page.records.map(\.id)
                    pages += 1
                    guard let next = page.nextCursor, pages < 1000 else { break }
                    walkQuery.cursor = next
                }
                let label = "\(filters.map(\.parameter)) \(sort) as \(caller.actor)"
                #expect(Set(ids).count == ids.count, "\(label): a record appeared twice")
                #expect(Set(ids) == Set(everything.records.map(\.id)), "\(label)")
                #expect(everything.total == ids.count, "\(label)")
                #expect(ids.count > 0, "\(label): the filter should match something")
            }
        }
    }

    @Test("every kind pages through its records exactly once", arguments: ResourceKind.allCases)
    func everyKindPages(kind: ResourceKind) throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let source = try store.make(.sources, #"{"name": "Novaya Gazeta", "confidentiality": "public"}"#)
        let incident = try store.make(.incidents, #"{"title": "Detentions", "confidentiality": "public"}"#)
        func input(_ i: Int) throws -> JSONObject {
            let level = i % 3 == 0 ? "restricted" : "public"
            let date = i % 4 == 0 ? "null" : "\"201\(i % 7)-0\(1 + i % 9)\""
            switch kind {
            case .incidents:
                return try .json(#"{"title": "t\#(i % 5)", "occurred": \#(date), "confidentiality": "\#(level)"}"#)
            case .sites:
                return try .json(#"{"name": "s\#(i % 5)", "first_reported": \#(date), "confidentiality": "\#(level)"}"#)
            case .sources:
                return try .json(
                    #"{"name": "n\#(i % 5)", "reliability": "\#(["A", "B", "C"][i % 3])", "confidentiality": "\#(level)"}"#
                )
            case .actors:
                return try .json(
                    #"{"name": "a\#(i % 5)", "country": "\#(["RU", "GB"][i % 2])", "confidentiality": "\#(level)"}"#)
            case .allegations:
                return try .json(
                    #"{"source_id": "\#(source.id)", "incident_id": "\#(incident.id)", "claim": "c\#(i % 5)", "alleged_on": \#(date), "confidentiality": "\#(level)"}"#
                )
            case .denials:
                return try .json(
                    #"{"statement": "d\#(i % 5)", "speaker": "an official", "incident_id": "\#(incident.id)", "stated_on": \#(date), "confidentiality": "\#(level)"}"#
                )
            }
        }
        let created = try store.createMany(kind, (0..<90).map(input), as: Caller.admin)
        let sorts: [String] =
            switch kind {
            case .incidents: ["-occurred,title", "title"]
            case .sites: ["-first_reported,name", "name"]
            case .sources: ["reliability,-name", "-name"]
            case .actors: ["country,-name", "name"]
            case .allegations: ["-alleged_on", "alleged_on,-created_at"]
            case .denials: ["stated_on", "-stated_on,id"]
            }
        for sort in sorts {
            for caller in [Caller.admin, Caller.publicReader] {
                var query = ListQuery()
                query.limit = 7
                query.sort = SortKey.parseList(sort) ?? []
                query.includeTotal = true
                var ids: [String] = []
                var total: Int?
                var pages = 0
                while true {
                    let page = try store.list(kind, query, as: caller)
                    total = total ?? page.total
                    ids += page.records.map(\.id)
                    pages += 1
                    guard let next = page.nextCursor, pages < 1000 else { break }
                    query.cursor = next
                }
                var visible = created.filter {
                    ($0.json["confidentiality"]?.stringValue).flatMap(Confidentiality.init(name:)).map {
                        $0 <= caller.clearance
                    } == true
                }.map(\.id)
                if kind == .sources { visible.append(source.id) }
                if kind == .incidents { visible.append(incident.id) }
                #expect(ids.count == visible.count, "\(kind) \(sort) as \(caller.actor)")
                #expect(Set(ids) == Set(visible), "\(kind) \(sort) as \(caller.actor)")
                #expect(total == visible.count)
            }
        }
    }

    @Test("a cursor only works with the sort it was issued for")
    func cursorBoundToSort() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        _ = try Self.populate(store, count: 100, seed: 4)
        var query = ListQuery()
        query.limit = 10
        query.sort = SortKey.parseList("title") ?? []
        let page = try store.list(.incidents, query, as: Caller.admin)
        let cursor = try #require(page.nextCursor)

        for other in ["-title", "country", "title,country", "id"] {
            var reuse = ListQuery()
            reuse.limit = 10
            reuse.sort = SortKey.parseList(other) ?? []
            reuse.cursor = cursor
            #expect(
                Self.badQueryParameter { try store.list(.incidents, reuse, as: Caller.admin) } == "cursor", "\(other)")
        }
        // The default order (no sort) is another order too.
        var unsorted = ListQuery()
        unsorted.cursor = cursor
        #expect(Self.badQueryParameter { try store.list(.incidents, unsorted, as: Caller.admin) } == "cursor")
    }

    @Test("a cursor is sealed: it shows no sort value, cannot be forged or altered, and outlives a restart")
    func cursorSealed() throws {
        let temporary = try TemporaryStore()
        _ = try Self.populate(temporary.store, count: 30, seed: 7)
        var query = ListQuery()
        query.limit = 10
        query.sort = SortKey.parseList("title") ?? []
        let first = try temporary.store.list(.incidents, query, as: Caller.admin)
        let cursor = try #require(first.nextCursor)
        let bytes = try #require(Base64URL.decode(cursor))
        let last = try #require(first.records.last)
        // Neither the last id nor its title can be read from it.
        for shown in [last.id, last.json["title"]?.stringValue ?? "?", "title"] {
            #expect(!String(decoding: bytes, as: UTF8.self).contains(shown))
        }
        // A readable cursor of the old kind, or any altered byte, is refused.
        let readable = Base64URL.encode(Array(#"{"s":"title","k":["a","inc_0"]}"#.utf8))
        var flipped = bytes
        flipped[flipped.count / 2] ^= 1
        for forged in [readable, Base64URL.encode(flipped)] {
            query.cursor = forged
            #expect(
                Self.badQueryParameter { try temporary.store.list(.incidents, query, as: Caller.admin) } == "cursor")
        }
        // The key is the database's: after a restart the walk goes on where it stopped.
        temporary.store.close()
        let reopened = try Store(path: temporary.path, readers: 1)
        defer { reopened.close() }
        query.cursor = cursor
        let second = try reopened.list(.incidents, query, as: Caller.admin)
        #expect(second.records.count == 10)
        #expect(Set(second.records.map(\.id)).isDisjoint(with: first.records.map(\.id)))
        #expect((second.records.first?.json["title"]?.stringValue ?? "") >= (last.json["title"]?.stringValue ?? ""))
    }

    @Test(
        "garbage cursors are a bad query",
        arguments: [
            "garbage", "", "%%%", "eyJzIjoidGl0bGUifQ", String(repeating: "A", count: 5000), "bnVsbA",
            "eyJzIjoidGl0bGUiLCJrIjpbXX0",  // {"s":"title","k":[]}: wrong number of keys
        ])
    func garbageCursor(cursor: String) throws {
        let temporary = try TemporaryStore()
        _ = try Self.populate(temporary.store, count: 10, seed: 5)
        var query = ListQuery()
        query.sort = SortKey.parseList("title") ?? []
        query.cursor = cursor
        #expect(Self.badQueryParameter { try temporary.store.list(.incidents, query, as: Caller.admin) } == "cursor")
    }

    @Test("limits outside 1…1000 are refused", arguments: [0, -1, 1001, 5000])
    func badLimits(limit: Int) throws {
        let temporary = try TemporaryStore()
        var query = ListQuery()
        query.limit = limit
        #expect(Self.badQueryParameter { try temporary.store.list(.incidents, query, as: Caller.admin) } == "limit")
    }

    @Test("limits 1 and 1000 are accepted")
    func edgeLimits() throws {
        let temporary = try TemporaryStore()
        _ = try Self.populate(temporary.store, count: 3, seed: 6)
        var query = ListQuery()
        query.limit = 1
        let one = try temporary.store.list(.incidents, query, as: Caller.admin)
        #expect(one.records.count == 1)
        #expect(one.nextCursor != nil)
        query.limit = 1000
        let all = try temporary.store.list(.incidents, query, as: Caller.admin)
        #expect(all.records.count == 3)
        #expect(all.nextCursor == nil)
    }

    @Test(
        "sorting on unknown, list or long-text fields is refused",
        arguments: [
            "nonsense", "-nonsense", "violation_types", "-targeted_groups", "tags", "perpetrator_ids", "summary",
            "title,violation_types", "title,title", "occurred_earliest", "version", "deleted_at",
        ])
    func badSorts(sort: String) throws {
        let temporary = try TemporaryStore()
        var query = ListQuery()
        query.sort = try #require(SortKey.parseList(sort))
        #expect(Self.badQueryParameter { try temporary.store.list(.incidents, query, as: Caller.admin) } == "sort")
    }

    // MARK: Helpers

    struct Created {
        let id: String
        let level: Confidentiality
        let country: String?
    }

    /// A deterministic pseudo-random number for `index` and `salt`.
    static func mix(_ index: Int, _ salt: Int) -> Int {
        var x = UInt64(truncatingIfNeeded: index &* 2_654_435_761 &+ salt &* 40_503 &+ 0x9E37_79B9)
        x ^= x >> 33
        x = x &* 0xff51_afd7_ed55_8ccd
        x ^= x >> 33
        return Int(x % 1_000_003)
    }

    static let titles = [
        "Mass detention", "Arrests at checkpoint", "Disappearance", "Beating in custody", "mass detention",
        "Raid on a flat", "Zeta", "Alpha", "Ärzte report", "Detention of journalists",
    ]
    static let dates: [String?] = [
        nil, "2017", "2017-04", "2017-04-01", "2017-02/2017-03", "2017-02/..", "2016~", "2018-05?", "2017-04",
        "2015-12-31", nil, "2019-01/2019-06",
    ]
    static let countries: [String?] = [nil, "XA", "XB", "RU", "GB", "RU", "UA"]
    static let regions: [String?] = [nil, "Chechnya", "Ingushetia", "Dagestan", nil]
    static let verifications = ["unverified", "under_review", "corroborated", "confirmed", "disputed", "refuted"]
    static let precisions: [String?] = [nil, "exact", "vicinity", "locality", "admin2", "admin1", "country"]

    /// One incident with varied values: NULLs, ties, three confidentiality levels, places.
    static func incident(index i: Int, seed: Int) -> JSONObject {
        func pick<T>(_ values: [T], _ salt: Int) -> T { values[mix(i, seed &* 31 &+ salt) % values.count] }
        var object = JSONObject()
        object["title"] = .string(pick(titles, 1) + (mix(i, 2) % 3 == 0 ? " \(mix(i, 3) % 20)" : ""))
        if let date = pick(dates, 4) { object["occurred"] = .string(date) }
        if let country = pick(countries, 5) { object["country"] = .string(country) }
        if let region = pick(regions, 6) { object["admin1"] = .string(region) }
        if mix(i, 7) % 3 == 0 { object["admin2"] = .string(pick(["Argun", "Grozny", "Gudermes"], 8)) }
        if mix(i, 9) % 4 == 0 { object["locality"] = .string(pick(["Tsotsi-Yurt", "Argun", "Shali"], 10)) }
        if mix(i, 11) % 5 != 0 {
            let low = Int64(mix(i, 12) % 8) * 10
            object["victims_min"] = .int(low)
            if mix(i, 13) % 3 != 0 { object["victims_max"] = .int(low + Int64(mix(i, 14) % 3) * 5) }
        }
        if mix(i, 15) % 2 == 0 {
            let deaths = Int64(mix(i, 16) % 4)
            object["deaths_min"] = .int(deaths)
            object["deaths_max"] = .int(deaths + Int64(mix(i, 17) % 2))
        }
        object["verification"] = .string(pick(verifications, 18))
        let levelRoll = mix(i, 19) % 10
        let level = levelRoll < 5 ? "public" : levelRoll < 9 ? "restricted" : "confidential"
        object["confidentiality"] = .string(level)
        if mix(i, 20) % 3 == 0 {
            // Coordinates with many decimals, and some exact ties.
            let tie = mix(i, 21) % 4 == 0
            let lat = tie ? 43.317_8 : Double(mix(i, 22) % 17_000) / 100.0 - 85.0 + 0.000_123_456_789
            let lon = tie ? 45.694_1 : Double(mix(i, 23) % 35_000) / 100.0 - 175.0 + 0.000_987_654_321
            object["lat"] = .double(lat)
            object["lon"] = .double(lon)
            if mix(i, 24) % 2 == 0 { object["location_confidentiality"] = .string("confidential") }
        }
        if let precision = pick(precisions, 25) { object["geo_precision"] = .string(precision) }
        return object
    }

    /// Creates `count` varied incidents in batches; returns their ids and levels.
    static func populate(_ store: Store, count: Int, seed: Int) throws -> [Created] {
        var created: [Created] = []
        var index = 0
        while index < count {
            let batch = (index..<min(count, index + 250)).map { incident(index: $0, seed: seed) }
            let records = try store.createMany(.incidents, batch, as: Caller.admin)
            for record in records {
                let level =
                    record.json["confidentiality"]?.stringValue.flatMap(Confidentiality.init(name:)) ?? .confidential
                created.append(Created(id: record.id, level: level, country: record.json["country"]?.stringValue))
            }
            index += batch.count
        }
        return created
    }

    /// Walks every page of the incident list in `sort` order, calling `between` after each page.
    static func walk(
        _ store: Store, sort: [SortKey], as caller: AccessContext, between: (() throws -> Void)? = nil
    ) throws -> [Record] {
        var records: [Record] = []
        var query = ListQuery()
        query.sort = sort
        query.limit = pageSize
        var pages = 0
        while true {
            let page = try store.list(.incidents, query, as: caller)
            pages += 1
            #expect(page.records.count <= pageSize)
            records += page.records
            guard let next = page.nextCursor else { break }
            #expect(!page.records.isEmpty, "a page with a next cursor must not be empty")
            try #require(pages < 10_000, "the walk does not end")
            query.cursor = next
            try between?()
        }
        return records
    }

    /// The value a record is sorted by, as the caller sees it (mirrors the store's sort keys).
    static func sortValue(_ record: Record, field: String) -> JSONValue {
        let json = record.json
        func rank(_ value: JSONValue?) -> Int64? {
            value?.stringValue.flatMap(Confidentiality.init(name:)).map { Int64($0.rawValue) }
        }
        switch field {
        case "occurred": return json["occurred_earliest"] ?? .null
        case "confidentiality": return rank(json["confidentiality"]).map(JSONValue.int) ?? .null
        case "location_confidentiality":
            let own = rank(json["confidentiality"]) ?? 2
            let location = rank(json["location_confidentiality"]) ?? own
            return .int(max(own, location))
        default: return json[field] ?? .null
        }
    }

    /// SQLite's order for one column: NULL, then numbers, then text by bytes.
    static func compare(_ lhs: JSONValue, _ rhs: JSONValue) -> Int {
        func klass(_ value: JSONValue) -> Int {
            switch value {
            case .null: 0
            case .int, .double: 1
            case .string: 2
            default: 3
            }
        }
        let (a, b) = (klass(lhs), klass(rhs))
        if a != b { return a < b ? -1 : 1 }
        switch (lhs, rhs) {
        case (.string(let x), .string(let y)):
            if x == y { return 0 }
            return x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : 1
        default:
            if let x = lhs.doubleValue, let y = rhs.doubleValue, x != y { return x < y ? -1 : 1 }
            return 0
        }
    }

    /// Checks that consecutive records are strictly ordered by the sort keys, then id (in the
    /// last key's direction).
    static func expectOrdered(_ records: [Record], by keys: [SortKey], sort: String, caller: AccessContext) throws {
        var full = keys
        if !keys.contains(where: { $0.field == "id" }) {
            full.append(SortKey(field: "id", descending: keys.last?.descending ?? false))
        }
        var disorders = 0
        for (previous, current) in zip(records, records.dropFirst()) {
            var result = 0
            for key in full {
                let order = compare(sortValue(previous, field: key.field), sortValue(current, field: key.field))
                if order != 0 {
                    result = key.descending ? -order : order
                    break
                }
                if key.field == "id" { break }
            }
            if result >= 0 {
                disorders += 1
                if disorders <= 3 {
                    let shown = full.map {
                        "\($0.field)=\(sortValue(previous, field: $0.field))/\(sortValue(current, field: $0.field))"
                    }
                    Issue.record(
                        "\(sort) as \(caller.actor): \(previous.id) before \(current.id) breaks the order: \(shown)")
                }
            }
        }
        #expect(disorders == 0, "\(sort) as \(caller.actor): \(disorders) pairs out of order")
    }

    /// The `parameter` of the `badQuery` error `body` throws; nil when it throws nothing or another error.
    static func badQueryParameter(_ body: () throws -> Page) -> String? {
        do {
            _ = try body()
            return nil
        } catch {
            if case .badQuery(let parameter, _)? = error as? StoreError { return parameter }
            Issue.record("expected badQuery, got \(error)")
            return nil
        }
    }
}
