import VigilSQLite

/// One hit of a search across resources.
public struct SearchHit: Sendable {
    public let kind: ResourceKind
    public let id: String
    /// The record's title, name, claim or statement (shortened), as the caller may see it.
    public let label: String
    /// Matched words in `<mark>`, the rest HTML-escaped.
    public let snippet: String
    /// Higher is better (the negated bm25 rank), computed over the index of the caller's clearance
    /// (``SearchIndex``), so over the records it may see only. For ordering only, never shown.
    public let score: Double
}

extension Store {
    /// Searches every resource's full-text index at the caller's clearance and returns the best
    /// hits, best first. Records above the caller's clearance, and tombstones, are in none of the
    /// indexes read, so they contribute nothing: not a hit, nor to any hit's score.
    public func search(_ text: String, limit: Int = 20, as context: AccessContext) throws(StoreError) -> [SearchHit] {
        let match = try FullTextQuery.expression(for: text)
        guard (1...100).contains(limit) else {
            throw .badQuery(parameter: "limit", message: "must be between 1 and 100")
        }
        return try read { db in
            var hits: [SearchHit] = []
            for kind in ResourceKind.allCases {
                let fts = SearchIndex.table(for: kind, at: context.clearance)
                let label = Self.searchLabel(kind, clearance: context.clearance)
                let statement = try db.cachedStatement(
                    """
                    SELECT r.id, \(label), \(SnippetFunction.name)(\(fts), -1, '\(FullTextQuery.open)', '\(FullTextQuery.close)', '…', 12), bm25(\(fts))
                    FROM \(kind.table) r JOIN \(fts) ON \(fts).rowid = r.pk
                    WHERE \(fts) MATCH ? AND r.deleted_at IS NULL AND r.confidentiality <= ?
                    ORDER BY bm25(\(fts)), r.id LIMIT ?
                    """)
                try statement.forEachRow([
                    .text(match), .integer(Int64(context.clearance.rawValue)), .integer(Int64(limit)),
                ]) { row in
                    hits.append(
                        SearchHit(
                            kind: kind, id: row.text(0) ?? "", label: row.text(1) ?? "",
                            snippet: Snippet.render(row.text(2) ?? ""), score: -row.double(3)))
                }
            }
            hits.sort { $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id }
            return Array(hits.prefix(limit))
        }
    }
}

extension Store {
    /// A hit's label as `clearance` sees it: the field that names the record (a protected
    /// source's name as the policy shows it), a long text cut to its first 120 characters.
    static func searchLabel(_ kind: ResourceKind, clearance: Confidentiality) -> String {
        guard let spec = kind.field(named: kind.labelField),
            let shown = AccessPolicy(kind).expression(for: spec, clearance: clearance)
        else { return "NULL" }
        if case .text(let maxLength) = spec.type, maxLength > Catalog.shortText { return "substr(\(shown), 1, 120)" }
        return shown
    }
}
