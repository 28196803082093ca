import VigilJSON
import VigilSQLite

/// The rules for an allegation that republishes another (`repeats_id`).
///
/// A republication is never more public than what it repeats. `independent_source_count` leaves
/// republications out, and each reader must get the count of what it sees: a public reprint of
/// a confidential report would show the public a reprint with `repeats_id: null` that counted
/// for nothing, and so tell it that a secret report exists. Keeping every republication at or
/// above the level of what it repeats makes the whole chain visible to whoever sees its end, so
/// counts and the cycle check below never depend on a record the reader cannot see. (Data
/// written before the rule may break it; the counts then treat a republication of a record the
/// reader cannot see as independent, as the `null` it is shown says: migrations/0014.)
enum Republication {
    /// The problems with an allegation's fields (`id` nil for one being created): its
    /// `repeats_id` naming a more secret allegation or making a cycle, and, for a stored
    /// allegation whose level is raised, republications of it that would be left more public.
    ///
    /// `stored`: for a patch, the allegation's fields as stored; only what the patch changes is
    /// checked, so a patch of its claim is not refused for what was written before the rule.
    static func errors(
        of fields: JSONObject, id: String?, stored: JSONObject?, in db: Database, clearance: Confidentiality
    ) throws -> [FieldError] {
        func levelIn(_ fields: JSONObject?) -> Confidentiality? {
            fields?["confidentiality"]?.stringValue.flatMap(Confidentiality.init(name:))
        }
        let level = levelIn(fields) ?? .public
        let raised = stored.map { level > (levelIn($0) ?? .public) } ?? false
        let changed =
            stored == nil || raised || level < (levelIn(stored) ?? .public)
            || stored?["repeats_id"] != fields["repeats_id"]
        var errors: [FieldError] = []
        if changed, case .string(let repeated)? = fields["repeats_id"],
            let repeatedLevel = try Store.storedLevel(.allegations, id: repeated, in: db),
            repeatedLevel <= clearance  // a hidden one is already refused as missing, or kept unseen by a patch
        {
            if repeatedLevel > level {
                errors.append(
                    FieldError(
                        "repeats_id",
                        "\(repeated) is \(repeatedLevel.name), and a republication may not be more public than what it "
                            + "repeats: make this allegation \(repeatedLevel.name) too, or leave repeats_id out"))
            }
            if let id, try makesCycle(from: repeated, to: id, in: db, clearance: clearance) {
                errors.append(FieldError("repeats_id", "would make a cycle of republications"))
            }
        }
        if let id, raised {
            let statement = try db.cachedStatement(
                """
                SELECT id, confidentiality FROM allegations
                WHERE repeats_id = ? AND confidentiality < ? AND deleted_at IS NULL ORDER BY id LIMIT 6
                """)
            var republications: [(id: String, level: Confidentiality)] = []
            try statement.forEachRow([.text(id), .integer(Int64(level.rawValue))]) { row in
                republications.append((row.text(0) ?? "", Confidentiality(rawValue: Int(row.int64(1))) ?? .public))
            }
            // Each is below this allegation's new level, which the caller may set: all are visible to it.
            if let first = republications.first {
                let more = republications.count > 5 ? " and others" : ""
                errors.append(
                    FieldError(
                        "confidentiality",
                        "\(republications.prefix(5).map(\.id).joined(separator: ", "))\(more) (\(first.level.name)) "
                            + "republish this allegation and may not be more public than it: raise them first"))
            }
        }
        return errors
    }

    /// Whether following `repeats_id` from `start` reaches `target`. Only allegations the caller
    /// may see are followed: an answer must not tell an editor that a hidden chain exists (under
    /// the rule above there is none; data written before it may hold one).
    private static func makesCycle(from start: String, to target: String, in db: Database, clearance: Confidentiality)
        throws -> Bool
    {
        let statement = try db.cachedStatement(
            "SELECT repeats_id FROM allegations WHERE id = ? AND confidentiality <= ?")
        var next = start
        for _ in 0..<10_000 {
            if next == target { return true }
            var following: String?
            try statement.forEachRow([.text(next), .integer(Int64(clearance.rawValue))]) { row in
                following = row.text(0)
            }
            guard let following else { return false }
            next = following
        }
        return false
    }
}
