/// Removes from a record what the caller may not see, on the server, before any output.
///
/// Used for every shape a record leaves the store in (a GET, a list item, an include, an audit
/// entry's before/after), so the rules live in one place.
enum Redaction {
    /// Location fields removed below the record's location level.
    static let locationFields = ["admin2", "locality", "lat", "lon"]
    /// `geo_precision` values finer than `admin1`, coarsened to it.
    static let finePrecisions: Set<String> = ["exact", "vicinity", "locality", "admin2"]

    /// The level below which a record's exact place is hidden: its `location_confidentiality`,
    /// defaulting to (and never below) the record's own level.
    static func locationLevel(of state: JSONObject) -> Confidentiality {
        let own = state["confidentiality"]?.stringValue.flatMap(Confidentiality.init(name:)) ?? .confidential
        let location = state["location_confidentiality"]?.stringValue.flatMap(Confidentiality.init(name:)) ?? own
        return max(own, location)
    }

    /// Applies the field rules of `kind` for `clearance` to `state`; returns the names removed,
    /// which output leaves out entirely (rather than showing as null).
    @discardableResult
    static func apply(to state: inout JSONObject, kind: ResourceKind, clearance: Confidentiality) -> Set<String> {
        var removed = Set<String>()
        if kind.hasPlace {
            let level = locationLevel(of: state)
            state["location_confidentiality"] = .string(level.name)
            if clearance < level {
                for name in locationFields {
                    state[name] = nil
                    removed.insert(name)
                }
                let precision = state["geo_precision"]?.stringValue
                if precision == nil || finePrecisions.contains(precision ?? "") {
                    state["geo_precision"] = .string("admin1")
                }
            }
        }
        if clearance < .confidential {
            for spec in kind.fields {
                switch spec.visibility {
                case .confidentialOnly:
                    state[spec.name] = nil
                    removed.insert(spec.name)
                case .protectedName:
                    if state["protected_identity"] == .bool(true) {
                        state[spec.name] = .string("protected source")
                    }
                case .always, .location:
                    break
                }
            }
        }
        return removed
    }

    /// A snapshot from the audit log as `clearance` may see it: nil when the record was above
    /// the clearance in that state.
    static func snapshot(_ state: JSONObject?, kind: ResourceKind?, clearance: Confidentiality) -> JSONObject? {
        guard var state else { return nil }
        let level = state["confidentiality"]?.stringValue.flatMap(Confidentiality.init(name:)) ?? .confidential
        guard level <= clearance else { return nil }
        if let kind { apply(to: &state, kind: kind, clearance: clearance) }
        return state
    }
}
