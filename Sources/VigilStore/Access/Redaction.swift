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

    /// What guards a record's hidden parts: its place's level and whether a source's identity is
    /// protected. An audit snapshot is shown with the stricter of its own and its record's
    /// current protection, so raising it later hides the earlier states too.
    struct Protection: Sendable {
        var locationLevel: Confidentiality
        var protectedIdentity: Bool

        init(of state: JSONObject) {
            locationLevel = Redaction.locationLevel(of: state)
            protectedIdentity = state["protected_identity"] == .bool(true)
        }
    }

    /// Applies the field rules of `kind` for `clearance` to `state`; returns the names removed,
    /// which output leaves out entirely (rather than showing as null). `floor`, when given, is a
    /// protection the state gets at least (its record's current one, for an audit snapshot).
    @discardableResult
    static func apply(
        to state: inout JSONObject, kind: ResourceKind, clearance: Confidentiality, floor: Protection? = nil
    ) -> Set<String> {
        var removed = Set<String>()
        if kind.hasPlace {
            let level = max(locationLevel(of: state), floor?.locationLevel ?? .public)
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
                    if state["protected_identity"] == .bool(true) || floor?.protectedIdentity == true {
                        state[spec.name] = .string(FieldVisibility.protectedNameLabel)
                    }
                case .always, .location:
                    break
                }
            }
        }
        return removed
    }

    /// The fields of a record (as stored) that `clearance` cannot see, or that guard what it
    /// cannot see: a patch may not change them. Lowering a hidden place's level, or turning a
    /// protected source's identity off, would show the caller what it was not cleared for;
    /// overwriting a hidden value would change what the caller cannot read.
    static func lockedFields(of state: JSONObject, kind: ResourceKind, clearance: Confidentiality) -> Set<String> {
        var locked = Set<String>()
        if kind.hasPlace, clearance < locationLevel(of: state) {
            locked.formUnion(locationFields)
            locked.formUnion(["geo_precision", "location_confidentiality"])
        }
        if clearance < .confidential {
            for spec in kind.fields {
                switch spec.visibility {
                case .confidentialOnly:
                    locked.insert(spec.name)
                case .protectedName where state["protected_identity"] == .bool(true):
                    locked.formUnion([spec.name, "protected_identity"])
                case .always, .location, .protectedName:
                    break
                }
            }
        }
        return locked
    }

    /// A snapshot from the audit log as `clearance` may see it: nil when the record was above
    /// the clearance in that state. `floor`: the record's protection now (see ``Protection``).
    static func snapshot(
        _ state: JSONObject?, kind: ResourceKind?, clearance: Confidentiality, floor: Protection? = nil
    ) -> JSONObject? {
        guard var state else { return nil }
        let level = state["confidentiality"]?.stringValue.flatMap(Confidentiality.init(name:)) ?? .confidential
        guard level <= clearance else { return nil }
        if let kind { apply(to: &state, kind: kind, clearance: clearance, floor: floor) }
        return state
    }
}
