import VigilJSON

/// The confidentiality rules of one kind of record, derived from its catalog entry
/// (``FieldVisibility`` of each ``FieldSpec``), and the only code that knows them.
///
/// One decision, ``decision(for:clearance:protection:)``, says what a caller is shown of a
/// field; everything else executes it: ``redact(_:for:floor:)`` on objects (answers rendered
/// from a decoded row, audit snapshots), ``expression(for:clearance:)`` in SQL (filters, sorts,
/// search labels), ``lockedFields(of:for:)`` for patches, and ``RecordEncoder`` on the bytes of
/// a row (through ``decisions(clearance:placeHidden:identityProtected:)``). A test walks the
/// catalog and checks that every output agrees with the decision.
///
/// Records the caller may not see at all are left out by ``recordVisible(_:clearance:)`` and
/// references to them by ``visibleReference(_:to:clearance:)`` and
/// ``visibleReferences(_:to:clearance:)``. Levels are written into SQL as digits from our own
/// enum, never from input.
public struct AccessPolicy: Sendable {
    public let kind: ResourceKind
    /// The catalog's fields whose decision can differ from ``Decision/shown``, in catalog order.
    let guardedFields: [FieldSpec]
    /// The field holding the record's own level (`confidentiality`).
    let recordLevelField: String?
    /// The field holding the place's level (`location_confidentiality`), for kinds with a place.
    let placeLevelField: String?
    /// The field that turns the protected names on (`protected_identity`).
    let identityGuardField: String?

    /// What a protected name reads as below `confidential`, in every output (JSON, exports,
    /// search labels, audit snapshots): the one spelling of it.
    public static let protectedNameLabel = "protected source"
    /// What a hidden place's precision reads as, unless it was already this coarse.
    static let regionPrecision = "admin1"
    /// The precisions that say no more than the region: kept when the place is hidden.
    static let regionalPrecisions: Set<String> = ["admin1", "country"]

    private static let policies = PerKind(AccessPolicy.init(building:))

    public init(_ kind: ResourceKind) { self = Self.policies[kind] }

    private init(building kind: ResourceKind) {
        self.kind = kind
        let fields = kind.fields
        func field(_ visibility: FieldVisibility) -> String? { fields.first { $0.visibility == visibility }?.name }
        recordLevelField = field(.recordLevel)
        placeLevelField = field(.placeLevel)
        identityGuardField = field(.identityGuard)
        guardedFields = fields.filter {
            switch $0.visibility {
            case .always, .recordLevel, .identityGuard: false
            case .placeLevel, .exactPlace, .placePrecision, .confidentialOnly, .protectedName: true
            }
        }
    }

    // MARK: The decision

    /// What guards a record's hidden parts: its place's level (never below the record's own) and
    /// whether its protected names are protected. Below `confidential`, an audit snapshot is
    /// shown with the stricter of its own and its record's current protection, so raising it
    /// later hides earlier states too; at `confidential` nothing is hidden, and each snapshot
    /// shows its own place level (the history of the level itself).
    public struct Protection: Sendable, Equatable {
        var placeLevel: Confidentiality
        var identityProtected: Bool

        /// The stricter of the two.
        func atLeast(_ other: Protection?) -> Protection {
            guard let other else { return self }
            return Protection(
                placeLevel: max(placeLevel, other.placeLevel),
                identityProtected: identityProtected || other.identityProtected)
        }
    }

    /// What a caller is shown of one field of a record it sees.
    enum Decision: UInt8, Sendable, CaseIterable {
        /// The stored value.
        case shown
        /// Nothing: the key is left out of the record.
        case omitted
        /// ``AccessPolicy/protectedNameLabel``.
        case label
        /// The stored precision when it is no finer than the region, else ``AccessPolicy/regionPrecision``.
        case coarsened
        /// The place's level (``Protection/placeLevel``), whatever is stored.
        case placeLevel
    }

    /// The one statement of the field rules: what `clearance` is shown of `spec` on a record
    /// with `protection`.
    func decision(for spec: FieldSpec, clearance: Confidentiality, protection: Protection) -> Decision {
        switch spec.visibility {
        case .always, .recordLevel, .identityGuard: .shown
        case .placeLevel: .placeLevel
        case .exactPlace: clearance < protection.placeLevel ? .omitted : .shown
        case .placePrecision: clearance < protection.placeLevel ? .coarsened : .shown
        case .confidentialOnly: clearance < .confidential ? .omitted : .shown
        case .protectedName: clearance < .confidential && protection.identityProtected ? .label : .shown
        }
    }

    /// The place's level: the declared one, never below the record's own (a place cannot be
    /// less secret than the record it belongs to); the record's own when none is declared.
    static func placeLevel(own: Confidentiality, declared: Confidentiality?) -> Confidentiality {
        max(own, declared ?? own)
    }

    /// The decision for each field of the catalog, in catalog order, for a row whose place is
    /// hidden from `clearance` or not and whose names are protected or not: the encoder's table.
    func decisions(clearance: Confidentiality, placeHidden: Bool, identityProtected: Bool) -> [Decision] {
        let protection = Protection(
            placeLevel: placeHidden ? .confidential : .public, identityProtected: identityProtected)
        return kind.fields.map { decision(for: $0, clearance: clearance, protection: protection) }
    }

    // MARK: Objects

    /// The protection of a record in `state` (decoded, or an audit snapshot).
    func protection(of state: JSONObject) -> Protection {
        func level(_ field: String?) -> Confidentiality? {
            field.flatMap { state[$0]?.stringValue }.flatMap(Confidentiality.init(name:))
        }
        let own = level(recordLevelField) ?? .confidential
        return Protection(
            placeLevel: Self.placeLevel(own: own, declared: level(placeLevelField)),
            identityProtected: identityGuardField.map { state[$0] == .bool(true) } ?? false)
    }

    /// Applies the decisions for `clearance` to `state`; returns the names omitted, which output
    /// leaves out entirely (rather than showing as null). `floor`: a protection the state gets
    /// at least (its record's current one, for an audit snapshot).
    @discardableResult
    func redact(_ state: inout JSONObject, for clearance: Confidentiality, floor: Protection? = nil) -> Set<String> {
        let protection = protection(of: state).atLeast(floor)
        var omitted = Set<String>()
        for spec in guardedFields {
            switch decision(for: spec, clearance: clearance, protection: protection) {
            case .shown:
                break
            case .omitted:
                state[spec.name] = nil
                omitted.insert(spec.name)
            case .label:
                state[spec.name] = .string(Self.protectedNameLabel)
            case .coarsened:
                state[spec.name] = .string(Self.coarsened(state[spec.name]?.stringValue))
            case .placeLevel:
                state[spec.name] = .string(protection.placeLevel.name)
            }
        }
        return omitted
    }

    /// A precision as a caller who may not see the exact place reads it.
    static func coarsened(_ precision: String?) -> String {
        guard let precision, regionalPrecisions.contains(precision) else { return regionPrecision }
        return precision
    }

    /// The fields of a record (as stored) that `clearance` may not change: those it is not shown
    /// as stored, and the guards of those. Lowering a hidden place's level, or turning a
    /// source's protected identity off, would show the caller what it was not cleared for;
    /// overwriting a hidden value would change what the caller cannot read.
    func lockedFields(of state: JSONObject, for clearance: Confidentiality) -> Set<String> {
        let protection = protection(of: state)
        var locked = Set<String>()
        for spec in guardedFields {
            switch decision(for: spec, clearance: clearance, protection: protection) {
            case .shown, .placeLevel:
                continue
            case .omitted, .label, .coarsened:
                locked.insert(spec.name)
                if let guardField = guardField(of: spec) { locked.insert(guardField) }
            }
        }
        return locked
    }

    /// The field whose value decides whether `spec` is hidden on a given record.
    private func guardField(of spec: FieldSpec) -> String? {
        switch spec.visibility {
        case .exactPlace, .placePrecision: placeLevelField
        case .protectedName: identityGuardField
        case .always, .recordLevel, .placeLevel, .confidentialOnly, .identityGuard: nil
        }
    }

    /// A snapshot from the audit log as `clearance` may see it: nil when the record was above
    /// the clearance in that state. `kind` is nil for entries that are not records (links),
    /// which carry only a level. `floor`: the record's protection now (see ``Protection``).
    static func snapshot(
        _ state: JSONObject?, kind: ResourceKind?, clearance: Confidentiality, floor: Protection? = nil
    ) -> JSONObject? {
        guard var state else { return nil }
        let level = state["confidentiality"]?.stringValue.flatMap(Confidentiality.init(name:)) ?? .confidential
        guard level <= clearance else { return nil }
        if let kind { AccessPolicy(kind).redact(&state, for: clearance, floor: floor) }
        return state
    }

    // MARK: SQL

    /// The SQL through which `clearance` sees `spec` on the row `r` (NULL where it is omitted),
    /// for filters, sorts and search labels; nil when the field is omitted on every row this
    /// clearance can see, which a filter or sort on it must refuse (matching NULL everywhere
    /// would be a silent wrong answer).
    func expression(for spec: FieldSpec, clearance: Confidentiality) -> String? {
        func outcome(placeHidden: Bool, identityProtected: Bool) -> Decision {
            let protection = Protection(
                placeLevel: placeHidden ? .confidential : .public, identityProtected: identityProtected)
            return decision(for: spec, clearance: clearance, protection: protection)
        }
        // A place can be hidden only below confidential, and only on kinds with a place.
        let placeCases = placeLevelField != nil && clearance < .confidential ? [false, true] : [false]
        let identityCases = identityGuardField != nil ? [false, true] : [false]
        let outcomes = placeCases.flatMap { place in
            identityCases.map { outcome(placeHidden: place, identityProtected: $0) }
        }
        if outcomes.allSatisfy({ $0 == .omitted }) { return nil }
        func value(_ decision: Decision) -> String {
            let column = "r." + spec.name
            switch decision {
            case .shown: return column
            case .omitted: return "NULL"
            case .label: return "'\(Self.protectedNameLabel)'"
            case .coarsened:
                let regional = Self.regionalPrecisions.sorted().map { "'\($0)'" }.joined(separator: ", ")
                return "(CASE WHEN \(column) IN (\(regional)) THEN \(column) ELSE '\(Self.regionPrecision)' END)"
            case .placeLevel: return placeLevelSQL
            }
        }
        func choose(_ condition: String?, _ yes: String, _ no: String) -> String {
            guard let condition, yes != no else { return no }
            return "(CASE WHEN \(condition) THEN \(yes) ELSE \(no) END)"
        }
        let placeHidden = placeCases.count > 1 ? "\(placeLevelSQL) > \(clearance.rawValue)" : nil
        let identityProtected = identityGuardField.map { "r.\($0) = 1" }
        func byIdentity(placeHidden hidden: Bool) -> String {
            choose(
                identityProtected, value(outcome(placeHidden: hidden, identityProtected: true)),
                value(outcome(placeHidden: hidden, identityProtected: false)))
        }
        return choose(placeHidden, byIdentity(placeHidden: true), byIdentity(placeHidden: false))
    }

    /// The place's level of the row `r`, as SQL (see ``placeLevel(own:declared:)``).
    private var placeLevelSQL: String {
        guard let placeLevelField, let recordLevelField else { return "r.confidentiality" }
        return "max(r.\(recordLevelField), coalesce(r.\(placeLevelField), r.\(recordLevelField)))"
    }

    /// True when `clearance` is refused a filter or a sort on `spec` on every row (a source's
    /// contact below confidential): for the API's documentation of its parameters.
    public func refusesFilter(on spec: FieldSpec, at clearance: Confidentiality) -> Bool {
        expression(for: spec, clearance: clearance) == nil
    }

    /// True when the record under `alias` may be seen at `clearance`, as SQL.
    static func recordVisible(_ alias: String, clearance: Confidentiality) -> String {
        "\(alias).confidentiality <= \(clearance.rawValue)"
    }

    /// The id in `column` (a single reference to `target`) when the caller may see that record,
    /// else NULL: a correlated subquery, for filters. A record that does not exist for a caller
    /// must not be named to it (its id also says when it was made), nor be findable by filtering
    /// on the ids that point at it.
    static func visibleReference(_ column: String, to target: ResourceKind, clearance: Confidentiality) -> String {
        "(SELECT t.id FROM \(target.table) t WHERE t.id = \(column) AND \(recordVisible("t", clearance: clearance)))"
    }

    /// The JSON array in `column` (references to `target`) without the ids the caller may not
    /// see. An empty or absent list (the usual case) is kept as it is, without a `json_each`.
    static func visibleReferences(_ column: String, to target: ResourceKind, clearance: Confidentiality) -> String {
        "(CASE WHEN \(column) IS NULL OR \(column) = '[]' THEN \(column) ELSE (SELECT json_group_array(j.value) "
            + "FROM json_each(\(column)) j WHERE EXISTS (SELECT 1 FROM \(target.table) t "
            + "WHERE t.id = j.value AND \(recordVisible("t", clearance: clearance)))) END)"
    }
}
