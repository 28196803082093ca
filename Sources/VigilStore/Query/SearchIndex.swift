/// The full-text indexes of a kind: one per clearance level (`migrations/0016`), each holding
/// the live records a reader at that level may see, public ones in all three.
///
/// bm25 ranks with corpus statistics (how many rows, their average length, how many contain
/// each word), and FTS5 takes them from the whole table it searches. Over one index of every
/// row, the order of two public hits told a public reader whether secret records use a word.
/// Searching the index of the caller's own level makes ranking, snippets and totals depend only
/// on what the caller can see, with FTS5's own bm25 unchanged. Tombstones are in none of them.
///
/// Rows reach them at commit (`fts_pending`, see ``Store/indexPendingText(_:)``); a change to a
/// record's text, level or tombstone takes it out of every index and notes it again, so the
/// commit puts it back in exactly the levels it now belongs to.
///
/// ```swift
/// let fts = SearchIndex.table(for: .incidents, at: .public)  // "incidents_fts_public"
/// ```
enum SearchIndex {
    /// The index a reader at `clearance` searches for `kind`. Spelled from the catalog only.
    static func table(for kind: ResourceKind, at clearance: Confidentiality) -> String {
        "\(kind.table)_fts_\(clearance.name)"
    }

    /// Every index of `kind`, lowest level first: what a purge must rewrite, since a record may
    /// have been in any of them (a level changed, a tombstone) and FTS5 keeps a deleted row's
    /// words in older segments until they are merged.
    static func tables(for kind: ResourceKind) -> [String] {
        Confidentiality.allCases.map { table(for: kind, at: $0) }
    }
}
