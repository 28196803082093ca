import VigilJSON

/// What `vigil purge` leaves in the audit log, and how the changes feed shows it: the one place
/// for those rules (``Store/purge(id:as:)`` writes the entries, ``SnapshotReader`` asks here).
///
/// A purge erases the text of every snapshot of the record and of every link that ever joined
/// it (their digests stay, so the chain still verifies), then appends one `purge` entry per link
/// and one for the record. From then on the feed shows none of the erased entries, to any
/// reader: with its text gone an entry says only "this id existed, was changed then", which is
/// what the purge is meant to end. The purge entries stay, so that a syncing client learns the
/// record is gone and drops its copy:
///
/// - a purge entry is shown to readers at or above the level its record had when it was purged
///   (for a link, the higher of its two ends' levels; confidential when an end was missing) —
///   the readers a read just before would have answered, so the ones that may hold a copy;
/// - below full clearance it holds only `{"purged": true}`: the digest of the last state would
///   let a reader confirm a guess of a field it was never shown (the name of a source whose identity is protected, an
///   exact location), so only confidential readers get `purged_sha256`.
///
/// Entries written before these rules hold no level and count as confidential, as they were.
enum PurgeEntry {
    /// The `before` snapshot of a purge entry: the level that decides who sees it, and the
    /// digest of the erased state (a link that goes with its record has none: its own entries'
    /// digests are still in the chain).
    static func snapshot(level: Confidentiality, digest: String?) -> JSONObject {
        var object = JSONObject()
        object["confidentiality"] = .string(level.name)
        if let digest {
            object["purged_sha256"] = .string(digest)
        } else {
            object["purged"] = .bool(true)
        }
        return object
    }

    /// For the changes feed: whether `clearance` sees `row` when it is a purge entry or an entry
    /// a purge erased; nil for any other entry, which the feed's usual rules judge.
    static func feedVisibility(of row: AuditRow, clearance: Confidentiality) -> Bool? {
        if row.action == AuditLog.Action.purge.rawValue { return level(row.before).map { $0 <= clearance } ?? false }
        // Only a purge erases a snapshot's text (`vigil verify` holds it to that), and every
        // entry Vigil writes has at least one snapshot.
        if row.before == nil && row.after == nil { return false }
        return nil
    }

    /// A purge entry's `before` as `clearance` is shown it (see the type's rules).
    static func shown(_ before: [UInt8]?, clearance: Confidentiality) -> JSONObject? {
        guard let before, case .object(let object)? = try? JSONValue.parse(before),
            AuditLog.level(of: object) <= clearance
        else { return nil }
        return clearance == .confidential ? object : JSONObject([("purged", .bool(true))])
    }

    private static func level(_ snapshot: [UInt8]?) -> Confidentiality? {
        guard let snapshot, case .object(let object)? = try? JSONValue.parse(snapshot) else { return nil }
        return AuditLog.level(of: object)
    }
}
