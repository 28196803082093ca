/// How reads get a record's computed counts (allegation_count, denial_count, ...).
///
/// The counts are kept, per clearance level, in `record_counts` by triggers in the writer's
/// transaction (migrations/0004_kept_counts.sql, whose `*_counts` views define each count). A read
/// joins the one row for its level instead of counting allegations and denials for every record
/// it returns. Columns `c1`… hold the kind's ``ResourceKind/computedFields`` in order.
///
/// The clearance is written into the SQL as a digit rather than bound: it comes from our own
/// enum (never from input), and keeping it literal leaves one cached statement per level.
enum ComputedFields {
    /// `, coalesce(k.c1, 0), …`: the counts of the kind, in ``ResourceKind/computedFields`` order.
    static func selectList(for kind: ResourceKind) -> String {
        kind.computedFields.indices.map { ", coalesce(k.c\($0 + 1), 0)" }.joined()
    }

    /// The join that brings the counts row for `clearance` in as `k` (nothing for a kind without counts).
    static func join(for kind: ResourceKind, clearance: Confidentiality) -> String {
        kind.computedFields.isEmpty
            ? "" : " LEFT JOIN record_counts k ON k.record_id = r.id AND k.level = \(clearance.rawValue)"
    }
}
