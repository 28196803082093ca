import Testing

@testable import VigilStore

/// Date filters mean overlap: compared against a brute-force model of the same intervals.
@Suite struct DateFilterTests {
    static let stored = [
        "2016", "2017", "2017-01", "2017-02/2017-03", "2017-03-15", "2017-03-31", "2017-04?", "2017-04-01~",
        "2017-02/..", "../2016-06", "../2017-03-01", "2018", "2017-12-31", "2000/2030",
    ]
    static let probes = [
        "2017", "2017-03", "2017-03-15", "2017-04", "2016-07", "2017-02/2017-03", "2017-02/..", "../2016-06", "2019",
    ]
    static let operators: [FilterOperator] = [.eq, .ne, .gt, .gte, .lt, .lte]

    /// What each operator means, on bounds where nil is open (−∞ for earliest, +∞ for latest).
    static func expected(_ record: UncertainDate, _ op: FilterOperator, _ probe: UncertainDate) -> Bool {
        let start = record.earliest ?? "0000-00-00"
        let end = record.latest ?? "9999-99-99"
        let probeStart = probe.earliest ?? "0000-00-00"
        let probeEnd = probe.latest ?? "9999-99-99"
        let overlaps = start <= probeEnd && end >= probeStart
        switch op {
        case .eq: return overlaps
        case .ne: return !overlaps
        case .gte: return probe.earliest == nil || end >= probeStart
        case .gt: return probe.latest != nil && end > probeEnd
        case .lte: return probe.latest == nil || start <= probeEnd
        case .lt: return probe.earliest != nil && start < probeStart
        default: return false
        }
    }

    @Test func overlapFiltersReturnExactlyTheOverlappingRecords() throws {
        let temporary = try TemporaryStore()
        var idsByText: [String: String] = [:]
        for text in Self.stored {
            let record = try temporary.store.make(.incidents, #"{"title": "\#(text)", "occurred": "\#(text)"}"#)
            idsByText[text] = record.id
        }
        let undated = try temporary.store.make(.incidents, #"{"title": "no date"}"#)
        for probeText in Self.probes {
            let probe = try UncertainDate(parsing: probeText)
            for op in Self.operators {
                var query = ListQuery()
                query.filters = [Filter(field: "occurred", op: op, value: probeText)]
                query.limit = 1000
                let got = Set(try temporary.store.list(.incidents, query, as: Caller.admin).records.map(\.id))
                let want = Set(
                    try Self.stored.filter { Self.expected(try UncertainDate(parsing: $0), op, probe) }
                        .map { idsByText[$0]! })
                #expect(got == want, "occurred.\(op.rawValue)=\(probeText)")
                #expect(!got.contains(undated.id), "a record without a date matches no date filter")
            }
        }
        var nullQuery = ListQuery()
        nullQuery.filters = [Filter(field: "occurred", op: .null, value: "true")]
        #expect(try temporary.store.list(.incidents, nullQuery, as: Caller.admin).records.map(\.id) == [undated.id])
    }

    @Test func briefExampleGteMarchMatchesWhatMayHaveHappenedInOrAfterMarch() throws {
        let temporary = try TemporaryStore()
        let spanning = try temporary.store.make(.incidents, #"{"title": "a", "occurred": "2017-02/2017-03"}"#)
        _ = try temporary.store.make(.incidents, #"{"title": "b", "occurred": "2017-02"}"#)
        let later = try temporary.store.make(.incidents, #"{"title": "c", "occurred": "2017-04~"}"#)
        var query = ListQuery()
        query.filters = [Filter(field: "occurred", op: .gte, value: "2017-03")]
        query.sort = [SortKey(field: "occurred", descending: false)]
        let ids = try temporary.store.list(.incidents, query, as: Caller.admin).records.map(\.id)
        #expect(ids == [spanning.id, later.id])
    }

    @Test(arguments: ["2017-02-30", "2017-13", "17-04", "2017/2016", "soon"])
    func invalidFilterDatesAreBadQueries(_ value: String) throws {
        let temporary = try TemporaryStore()
        var query = ListQuery()
        query.filters = [Filter(field: "occurred", op: .gte, value: value)]
        #expect(throws: StoreError.self) { try temporary.store.list(.incidents, query, as: Caller.admin) }
        do {
            _ = try temporary.store.list(.incidents, query, as: Caller.admin)
        } catch .badQuery(let parameter, _) {
            #expect(parameter == "occurred.gte")
        }
    }
}
