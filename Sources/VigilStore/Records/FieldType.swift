import VigilJSON

/// What a field holds, which decides how it is validated, stored, filtered and sorted.
public enum FieldType: Sendable {
    /// Free text up to `maxLength` characters.
    case text(maxLength: Int)
    /// An `http` or `https` URL.
    case url
    /// A non-negative whole number.
    case count
    /// A latitude (`-90…90`) or longitude (`-180…180`) in decimal degrees.
    case coordinate(limit: Double)
    /// `true` or `false`.
    case bool
    /// One code from a controlled vocabulary.
    case code(Vocabulary)
    /// A list of codes from a controlled vocabulary.
    case codes(Vocabulary)
    /// A list of free strings.
    case strings
    /// An ISO 3166-1 alpha-2 country code.
    case country
    /// An uncertain date (EDTF subset), stored with its bounds.
    case date
    /// The id of another record.
    case reference(ResourceKind)
    /// A list of ids of other records.
    case references(ResourceKind)
    /// A confidentiality level, stored as its rank.
    case level

    /// True for list types, stored as JSON arrays.
    var isList: Bool {
        switch self {
        case .codes, .strings, .references: true
        default: false
        }
    }
}

/// What a field is to the access rules: the catalog's one statement of which fields are protected.
/// ``AccessPolicy`` derives every decision from it (objects, encoded rows, SQL, patches), so a new
/// protected field is one catalog entry.
public enum FieldVisibility: Sendable {
    /// Everyone who sees the record sees it.
    case always
    /// The record's own level (`confidentiality`): who sees the record at all.
    case recordLevel
    /// The place's level (`location_confidentiality`): shown as the stricter of it and the
    /// record's own, and it guards the ``exactPlace`` fields.
    case placeLevel
    /// Left out below the place's level (the exact place: admin2, locality, coordinates).
    case exactPlace
    /// Coarsened to a region below the place's level (`geo_precision`: a precision finer than
    /// the region would tell how exact the hidden place is).
    case placePrecision
    /// Left out below `confidential`, whatever the record's own level (a source's contact).
    case confidentialOnly
    /// Replaced by ``AccessPolicy/protectedNameLabel`` below `confidential` when the record's
    /// ``identityGuard`` is set (the name of a source whose identity is protected).
    case protectedName
    /// Whether the ``protectedName`` fields are protected (`protected_identity`).
    case identityGuard
}

/// One field of a resource, as the brief's Resources table lists it.
public struct FieldSpec: Sendable {
    /// The JSON name, also the column name.
    public let name: String
    /// What it holds.
    public let type: FieldType
    /// True when a record cannot exist without it.
    public let required: Bool
    /// Who may see it.
    public let visibility: FieldVisibility
    /// The value stored when a record is created without it.
    public let defaultValue: JSONValue?
    /// For a date, the names of its bounds (`F_earliest`, `F_latest`), made once here rather
    /// than by every record read or written.
    public let boundNames: (earliest: String, latest: String)?

    init(
        _ name: String, _ type: FieldType, required: Bool = false, visibility: FieldVisibility = .always,
        default defaultValue: JSONValue? = nil
    ) {
        self.name = name
        self.type = type
        self.required = required
        self.visibility = visibility
        self.defaultValue = defaultValue
        if case .date = type { boundNames = (name + "_earliest", name + "_latest") } else { boundNames = nil }
    }

    /// The columns the field occupies: dates also store their bounds.
    var columns: [String] {
        if let boundNames { return [name, boundNames.earliest, boundNames.latest] }
        return [name]
    }
}
