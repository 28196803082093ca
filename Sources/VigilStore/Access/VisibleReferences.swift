/// SQL for references as a caller sees them: a reference to a record above the caller's
/// clearance reads as NULL, and such ids are left out of a list of references. A record that
/// does not exist for a caller must not be named to it (its id also says when it was made), nor
/// be findable by filtering on the ids that point at it.
///
/// Used by the SELECT list of every answer (``RecordCodec``) and by every filter on a reference
/// (``QueryBuilder``), so what a caller can match is what it is shown. The clearance is written
/// as a digit, from our own enum (never from input), as in ``ComputedFields``.
enum VisibleReferences {
    /// The id in `column` (a single reference to `target`) when the caller may see that record,
    /// else NULL: a correlated subquery, for filters.
    static func single(_ column: String, to target: ResourceKind, clearance: Confidentiality) -> String {
        "(SELECT t.id FROM \(target.table) t WHERE t.id = \(column) AND t.confidentiality <= \(clearance.rawValue))"
    }

    /// The JSON array in `column` (references to `target`) without the ids the caller may not
    /// see. An empty or absent list (the usual case) is kept as it is, without a `json_each`.
    static func list(_ column: String, to target: ResourceKind, clearance: Confidentiality) -> String {
        "(CASE WHEN \(column) IS NULL OR \(column) = '[]' THEN \(column) ELSE (SELECT json_group_array(j.value) "
            + "FROM json_each(\(column)) j WHERE EXISTS (SELECT 1 FROM \(target.table) t "
            + "WHERE t.id = j.value AND t.confidentiality <= \(clearance.rawValue))) END)"
    }
}
