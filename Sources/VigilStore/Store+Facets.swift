import VigilJSON
import VigilSQLite

/// Counts for dashboards: facets and timelines over the same filters as a list.
public struct FacetCount: Sendable, Hashable {
    public let value: JSONValue
    public let count: Int
}

/// A timeline's interval.
public enum TimelineInterval: String, Sendable, CaseIterable {
    case month, year
}

extension Store {
    /// Fields of incidents that can be faceted, and how each is read.
    static let facetExpressions: [String: (from: String, value: String)] = [
        "violation_types": ("incident_codes f", "f.code"),
        "targeted_groups": ("incident_codes f", "f.code"),
        "country": ("", "r.country"),
        "admin1": ("", "r.admin1"),
        "verification": ("", "r.verification"),
        "confidentiality": ("", "r.confidentiality"),
        "year": ("", "substr(r.occurred_earliest, 1, 4)"),
    ]

    /// The names ``facets(_:fields:as:)`` accepts.
    public static var facetFields: [String] { facetExpressions.keys.sorted() }

    /// Counts of each value of each field among the incidents matching `query` that the caller
    /// may see (most frequent first), and the number of matching incidents.
    public func facets(_ query: ListQuery, fields: [String], as context: AccessContext) throws(StoreError)
        -> (facets: [(String, [FacetCount])], total: Int)
    {
        try facets(query, fields: fields, as: context, keptCounts: true)
    }

    /// `keptCounts: false` always counts the matching incidents (tests compare both ways).
    func facets(_ query: ListQuery, fields: [String], as context: AccessContext, keptCounts: Bool) throws(StoreError)
        -> (facets: [(String, [FacetCount])], total: Int)
    {
        guard !fields.isEmpty, fields.count <= 10 else {
            throw .badQuery(
                parameter: "fields", message: "name 1 to 10 of \(Store.facetFields.joined(separator: ", "))")
        }
        for field in fields where Store.facetExpressions[field] == nil {
            throw .badQuery(
                parameter: "fields",
                message: "cannot count by \"\(field)\"; use \(Store.facetFields.joined(separator: ", "))")
        }
        if keptCounts, let kept = try keptFacets(query, fields: fields, clearance: context.clearance) { return kept }
        let (from, conditions) = try matching(.incidents, query, as: context)
        return try read { db in
            var result: [(String, [FacetCount])] = []
            for field in fields {
                guard let expression = Store.facetExpressions[field] else { continue }
                // List fields count through `incident_codes` (one row per code, indexed by incident).
                // CROSS JOIN keeps the incidents first: without statistics the planner would
                // otherwise walk every code of the field and look each incident up.
                let source =
                    expression.from.isEmpty
                    ? from : "\(from) CROSS JOIN \(expression.from) ON f.incident_pk = r.pk AND f.field = ?"
                let arguments: [SQLValue] = (expression.from.isEmpty ? [] : [.text(field)]) + conditions.arguments
                let statement = try db.cachedStatement(
                    """
                    SELECT \(expression.value) AS v, count(*) AS n FROM \(source)
                    WHERE \(conditions.sql.joined(separator: " AND ")) AND \(expression.value) IS NOT NULL
                    GROUP BY v ORDER BY n DESC, v LIMIT 1000
                    """)
                var counts: [FacetCount] = []
                try statement.forEachRow(arguments) { row in
                    var value = Cursor.jsonValue(row.value(0))
                    if field == "confidentiality", case .int(let rank) = value {
                        value = .string(Confidentiality(rawValue: Int(rank))?.name ?? "")
                    }
                    counts.append(FacetCount(value: value, count: Int(row.int64(1))))
                }
                result.append((field, counts))
            }
            var total = 0
            try db.cachedStatement("SELECT count(*) FROM \(from) WHERE \(conditions.sql.joined(separator: " AND "))")
                .forEachRow(conditions.arguments) { row in total = Int(row.int64(0)) }
            return (result, total)
        }
    }

    /// Facets read from `facet_counts` (kept by triggers, migrations/0004_kept_counts.sql) when
    /// the question is one it answers: coded fields or country, over all incidents or one
    /// country, without search or other filters. Nil sends the question to the general count.
    /// A few dozen rows are summed instead of counting every incident of the country, so the
    /// cost no longer grows with the table.
    private func keptFacets(_ query: ListQuery, fields: [String], clearance: Confidentiality) throws(StoreError)
        -> (facets: [(String, [FacetCount])], total: Int)?
    {
        guard query.search == nil, query.updatedSince == nil, query.filters.count <= 1,
            fields.allSatisfy({ ["violation_types", "targeted_groups", "country"].contains($0) })
        else { return nil }
        var country: String?
        if let filter = query.filters.first {
            guard filter.field == "country", filter.op == .eq, CountryCode.isValid(filter.value) else { return nil }
            country = filter.value
        }
        let level = Int64(clearance.rawValue)
        let place = country == nil ? "" : " AND country = ?"
        let placeArgument: [SQLValue] = country.map { [.text($0)] } ?? []
        return try read { db in
            var result: [(String, [FacetCount])] = []
            for field in fields {
                let statement =
                    field == "country"
                    ? try db.cachedStatement(
                        """
                        SELECT country AS v, sum(n) AS c FROM facet_counts
                        WHERE field = '*' AND code = '*' AND level <= ? AND country <> ''\(place)
                        GROUP BY v HAVING c > 0 ORDER BY c DESC, v LIMIT 1000
                        """)
                    : try db.cachedStatement(
                        """
                        SELECT code AS v, sum(n) AS c FROM facet_counts WHERE field = ? AND level <= ?\(place)
                        GROUP BY v HAVING c > 0 ORDER BY c DESC, v LIMIT 1000
                        """)
                let arguments: [SQLValue] =
                    (field == "country" ? [] : [.text(field)]) + [.integer(level)] + placeArgument
                var counts: [FacetCount] = []
                try statement.forEachRow(arguments) { row in
                    counts.append(FacetCount(value: .string(row.text(0) ?? ""), count: Int(row.int64(1))))
                }
                result.append((field, counts))
            }
            var total = 0
            try db.cachedStatement(
                """
                SELECT coalesce(sum(n), 0) FROM facet_counts WHERE field = '*' AND code = '*' AND level <= ?\(place)
                """
            ).forEachRow([.integer(level)] + placeArgument) { row in total = Int(row.int64(0)) }
            return (result, total)
        }
    }

    /// Incidents per month or year of `occurred_earliest`, oldest first, among those matching
    /// `query`; incidents without a date are counted apart.
    public func timeline(_ query: ListQuery, interval: TimelineInterval, as context: AccessContext) throws(StoreError)
        -> (buckets: [(String, Int)], undated: Int)
    {
        let (from, conditions) = try matching(.incidents, query, as: context)
        let length = interval == .month ? 7 : 4
        return try read { db in
            var buckets: [(String, Int)] = []
            let statement = try db.cachedStatement(
                """
                SELECT substr(r.occurred_earliest, 1, \(length)) AS b, count(*) FROM \(from)
                WHERE \(conditions.sql.joined(separator: " AND ")) AND r.occurred_earliest IS NOT NULL
                GROUP BY b ORDER BY b
                """)
            try statement.forEachRow(conditions.arguments) { row in
                buckets.append((row.text(0) ?? "", Int(row.int64(1))))
            }
            var undated = 0
            try db.cachedStatement(
                """
                SELECT count(*) FROM \(from) WHERE \(conditions.sql.joined(separator: " AND ")) AND r.occurred_earliest IS NULL
                """
            ).forEachRow(conditions.arguments) { row in undated = Int(row.int64(0)) }
            return (buckets, undated)
        }
    }

    /// The FROM clause and conditions selecting the records of `kind` that match `query` and
    /// that the caller may see: shared by lists, facets and timelines.
    func matching(_ kind: ResourceKind, _ query: ListQuery, as context: AccessContext) throws(StoreError)
        -> (from: String, conditions: QueryBuilder.Conditions)
    {
        let builder = QueryBuilder(kind: kind, clearance: context.clearance)
        var conditions = QueryBuilder.Conditions()
        conditions.add("r.deleted_at IS NULL")
        conditions.add("r.confidentiality <= ?", [.integer(Int64(context.clearance.rawValue))])
        if let since = query.updatedSince {
            guard let time = Timestamp.normalize(since) else {
                throw .badQuery(parameter: "updated_since", message: "\"\(since)\" is not an RFC 3339 date or time")
            }
            conditions.add("r.updated_at >= ?", [.text(time)])
        }
        try builder.addFilters(query.filters, to: &conditions)
        var from = "\(kind.table) r"
        if let search = query.search {
            let match = try FullTextQuery.expression(for: search)
            let fts = SearchIndex.table(for: kind, at: context.clearance)
            from = "\(kind.table) r JOIN \(fts) ON \(fts).rowid = r.pk"
            conditions.add("\(fts) MATCH ?", [.text(match)])
        }
        return (from, conditions)
    }
}
