/// The SQL behind the computed counts, each limited to records the reader may see.
///
/// The clearance is written into the SQL as a digit rather than bound: it comes from our own
/// enum (never from input), and keeping it literal leaves one cached statement per level.
enum ComputedFields {
    struct Expression {
        let name: String
        let sql: String
    }

    static func expressions(for kind: ResourceKind, clearance: Confidentiality) -> [Expression] {
        let level = clearance.rawValue
        let visibleAllegation = "a.deleted_at IS NULL AND a.confidentiality <= \(level)"
        let visibleDenial = "d.deleted_at IS NULL AND d.confidentiality <= \(level)"
        switch kind {
        case .incidents:
            return [
                Expression(name: "allegation_count", sql: """
                    (SELECT count(*) FROM allegations a WHERE a.incident_id = r.id AND \(visibleAllegation))
                    """),
                Expression(name: "independent_source_count", sql: """
                    (SELECT count(DISTINCT a.source_id) FROM allegations a JOIN sources s ON s.id = a.source_id \
                    WHERE a.incident_id = r.id AND \(visibleAllegation) AND a.repeats_id IS NULL \
                    AND s.deleted_at IS NULL AND s.confidentiality <= \(level))
                    """),
                Expression(name: "denial_count", sql: """
                    ((SELECT count(*) FROM denials d WHERE d.incident_id = r.id AND \(visibleDenial)) + \
                    (SELECT count(*) FROM denials d JOIN allegations a ON a.id = d.allegation_id \
                    WHERE a.incident_id = r.id AND \(visibleAllegation) AND \(visibleDenial) \
                    AND d.incident_id IS NOT r.id))
                    """),
                Expression(name: "undenied_allegations", sql: """
                    (SELECT count(*) FROM allegations a WHERE a.incident_id = r.id AND \(visibleAllegation) \
                    AND NOT EXISTS (SELECT 1 FROM denials d WHERE d.allegation_id = a.id AND \(visibleDenial)))
                    """),
            ]
        case .sites:
            return [
                Expression(name: "incident_count", sql: """
                    (SELECT count(DISTINCT l.incident_id) FROM incident_sites l JOIN incidents i ON i.id = l.incident_id \
                    WHERE l.site_id = r.id AND i.deleted_at IS NULL AND i.confidentiality <= \(level))
                    """),
                Expression(name: "allegation_count", sql: """
                    (SELECT count(*) FROM allegations a WHERE a.site_id = r.id AND \(visibleAllegation))
                    """),
            ]
        case .sources:
            // What a source alleged: its allegations, and the distinct incidents they concern.
            return [
                Expression(name: "allegation_count", sql: """
                    (SELECT count(*) FROM allegations a WHERE a.source_id = r.id AND \(visibleAllegation))
                    """),
                Expression(name: "incident_count", sql: """
                    (SELECT count(DISTINCT a.incident_id) FROM allegations a JOIN incidents i ON i.id = a.incident_id \
                    WHERE a.source_id = r.id AND \(visibleAllegation) AND i.deleted_at IS NULL AND i.confidentiality <= \(level))
                    """),
            ]
        case .actors:
            // Incidents naming the actor as a perpetrator, and the denials the actor made.
            return [
                Expression(name: "incident_count", sql: """
                    (SELECT count(*) FROM incidents i WHERE i.deleted_at IS NULL AND i.confidentiality <= \(level) \
                    AND EXISTS (SELECT 1 FROM json_each(i.perpetrator_ids) p WHERE p.value = r.id))
                    """),
                Expression(name: "denial_count", sql: """
                    (SELECT count(*) FROM denials d WHERE d.actor_id = r.id AND \(visibleDenial))
                    """),
            ]
        case .allegations:
            return [
                Expression(name: "denial_count", sql: """
                    (SELECT count(*) FROM denials d WHERE d.allegation_id = r.id AND \(visibleDenial))
                    """),
            ]
        case .denials:
            return []
        }
    }
}
