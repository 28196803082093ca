/// How reads get a record's computed counts (allegation_count, denial_count, ...).
///
/// Incidents, sites and allegations keep their counts, per clearance level, in `record_counts`,
/// maintained by triggers in the writer's transaction (migrations/0004_kept_counts.sql, whose
/// `*_counts` views define each count, and 0009): a read joins the one row for its level
/// instead of counting allegations and denials for every record it returns. Columns `c1`… hold
/// the kind's ``ResourceKind/computedFields`` in order.
///
/// Sources and actors count when read: their counts span every allegation a source made or every
/// incident's perpetrators, so keeping them would make each such write cost in proportion to the
/// table. The clearance is written into that SQL as a digit rather than bound: it comes from our
/// own enum (never from input), and keeping it literal leaves one cached statement per level.
enum ComputedFields {
    /// Whether `kind` reads its counts from `record_counts`.
    static func isKept(_ kind: ResourceKind) -> Bool {
        kind == .incidents || kind == .sites || kind == .allegations
    }

    /// `, <count>, …`: the counts of the kind, in ``ResourceKind/computedFields`` order.
    static func selectList(for kind: ResourceKind, clearance: Confidentiality) -> String {
        if isKept(kind) {
            return kind.computedFields.indices.map { ", coalesce(k.c\($0 + 1), 0)" }.joined()
        }
        return counted(kind, clearance: clearance).map { ", " + $0 }.joined()
    }

    /// The join that brings the kept counts row for `clearance` in as `k` (nothing otherwise).
    static func join(for kind: ResourceKind, clearance: Confidentiality) -> String {
        isKept(kind) ? " LEFT JOIN record_counts k ON k.record_id = r.id AND k.level = \(clearance.rawValue)" : ""
    }

    /// The counts computed on read, for the kinds that do not keep them.
    private static func counted(_ kind: ResourceKind, clearance: Confidentiality) -> [String] {
        let level = clearance.rawValue
        let visibleAllegation = "a.deleted_at IS NULL AND a.confidentiality <= \(level)"
        let visibleDenial = "d.deleted_at IS NULL AND d.confidentiality <= \(level)"
        switch kind {
        case .sources:
            // What a source alleged: its allegations, and the distinct incidents they concern.
            return [
                """
                (SELECT count(*) FROM allegations a WHERE a.source_id = r.id AND \(visibleAllegation))
                """,
                """
                (SELECT count(DISTINCT a.incident_id) FROM allegations a JOIN incidents i ON i.id = a.incident_id \
                WHERE a.source_id = r.id AND \(visibleAllegation) AND i.deleted_at IS NULL AND i.confidentiality <= \(level))
                """,
            ]
        case .actors:
            // Incidents naming the actor as a perpetrator, and the denials the actor made.
            return [
                """
                (SELECT count(*) FROM incidents i WHERE i.deleted_at IS NULL AND i.confidentiality <= \(level) \
                AND EXISTS (SELECT 1 FROM json_each(i.perpetrator_ids) p WHERE p.value = r.id))
                """,
                """
                (SELECT count(*) FROM denials d WHERE d.actor_id = r.id AND \(visibleDenial))
                """,
            ]
        default:
            return []
        }
    }
}
