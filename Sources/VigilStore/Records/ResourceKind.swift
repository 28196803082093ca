import VigilJSON

/// The six kinds of record, and the catalog of their fields.
///
/// The catalog is the single source for validation, storage columns, the filter and sort
/// whitelists, and JSON output, so that a field added here is handled everywhere at once.
public enum ResourceKind: String, Sendable, CaseIterable, Hashable {
    case incidents
    case sites
    case sources
    case actors
    case allegations
    case denials

    /// The table holding the records. Equal to the URL segment.
    public var table: String { rawValue }

    /// The id prefix, e.g. `inc_`.
    public var idPrefix: String {
        switch self {
        case .incidents: "inc_"
        case .sites: "site_"
        case .sources: "src_"
        case .actors: "act_"
        case .allegations: "alg_"
        case .denials: "den_"
        }
    }

    /// The singular noun, for messages.
    /// The singular of a kind named in an error (`StoreError.notFound`'s kind): a resource's,
    /// `link`, `token`, or `record` for anything else.
    public static func singular(ofKindNamed name: String) -> String {
        ResourceKind(rawValue: name)?.singular ?? (name == "links" ? "link" : name == "tokens" ? "token" : "record")
    }

    public var singular: String {
        switch self {
        case .incidents: "incident"
        case .sites: "site"
        case .sources: "source"
        case .actors: "actor"
        case .allegations: "allegation"
        case .denials: "denial"
        }
    }

    /// The kind an id belongs to, from its prefix.
    public init?(id: String) {
        guard let kind = ResourceKind.allCases.first(where: { id.hasPrefix($0.idPrefix) }) else { return nil }
        self = kind
    }

    /// True when records carry a place (and so location confidentiality).
    public var hasPlace: Bool { self == .incidents || self == .sites }

    /// The fields a client may set, in output order.
    public var fields: [FieldSpec] { Catalog.fields[self] ?? [] }

    /// The computed, read-only counts added on read.
    public var computedFields: [String] {
        switch self {
        case .incidents: ["allegation_count", "independent_source_count", "denial_count", "undenied_allegations"]
        case .sites: ["incident_count", "allegation_count"]
        case .allegations: ["denial_count"]
        case .sources: ["allegation_count", "incident_count"]
        case .actors: ["incident_count", "denial_count"]
        case .denials: []
        }
    }

    /// The field that names a record (search hits' labels).
    public var labelField: String {
        switch self {
        case .incidents: "title"
        case .sites, .sources, .actors: "name"
        case .allegations: "claim"
        case .denials: "statement"
        }
    }

    /// The field named `name`, if the kind has one.
    public func field(named name: String) -> FieldSpec? { Catalog.index[self]?[name] }
}

/// The field tables behind ``ResourceKind/fields``.
enum Catalog {
    static let longText = 100_000
    static let shortText = 1_000

    static let place: [FieldSpec] = [
        FieldSpec("country", .country),
        FieldSpec("admin1", .text(maxLength: shortText)),
        FieldSpec("admin2", .text(maxLength: shortText), visibility: .exactPlace),
        FieldSpec("locality", .text(maxLength: shortText), visibility: .exactPlace),
        FieldSpec("lat", .coordinate(limit: 90), visibility: .exactPlace),
        FieldSpec("lon", .coordinate(limit: 180), visibility: .exactPlace),
        FieldSpec("geo_precision", .code(Vocabularies.geoPrecision), visibility: .placePrecision),
        FieldSpec("location_confidentiality", .level, visibility: .placeLevel),
    ]

    static let common: [FieldSpec] = [
        FieldSpec("confidentiality", .level, visibility: .recordLevel, default: .string("restricted")),
        FieldSpec("tags", .strings, default: .array([])),
    ]

    static let fields: [ResourceKind: [FieldSpec]] = [
        .incidents: [
            FieldSpec("title", .text(maxLength: shortText), required: true),
            FieldSpec("summary", .text(maxLength: longText)),
            FieldSpec("occurred", .date),
        ] + place + [
            FieldSpec("violation_types", .codes(Vocabularies.violationTypes), default: .array([])),
            FieldSpec("targeted_groups", .codes(Vocabularies.targetedGroups), default: .array([])),
            FieldSpec("victims_min", .count),
            FieldSpec("victims_max", .count),
            FieldSpec("deaths_min", .count),
            FieldSpec("deaths_max", .count),
            FieldSpec("perpetrator_ids", .references(.actors), default: .array([])),
            FieldSpec("verification", .code(Vocabularies.verification), default: .string("unverified")),
        ] + common,
        .sites: [
            FieldSpec("name", .text(maxLength: shortText), required: true),
            FieldSpec("aliases", .strings, default: .array([])),
            FieldSpec("site_type", .code(Vocabularies.siteType)),
            FieldSpec("operator_id", .reference(.actors)),
            FieldSpec("operator", .text(maxLength: shortText)),
        ] + place + [
            FieldSpec("evidence", .code(Vocabularies.evidence), default: .string("suspected")),
            FieldSpec("status", .code(Vocabularies.siteStatus), default: .string("unknown")),
            FieldSpec("first_reported", .date),
            FieldSpec("last_reported", .date),
            FieldSpec("capacity_min", .count),
            FieldSpec("capacity_max", .count),
            FieldSpec("description", .text(maxLength: longText)),
        ] + common,
        .sources: [
            FieldSpec("name", .text(maxLength: shortText), required: true, visibility: .protectedName),
            FieldSpec("source_type", .code(Vocabularies.sourceType)),
            FieldSpec("url", .url),
            FieldSpec("country", .country),
            FieldSpec("language", .text(maxLength: 35)),
            FieldSpec("reliability", .code(Vocabularies.reliability)),
            FieldSpec("protected_identity", .bool, visibility: .identityGuard, default: .bool(false)),
            FieldSpec("contact", .text(maxLength: shortText), visibility: .confidentialOnly),
        ] + common,
        .actors: [
            FieldSpec("name", .text(maxLength: shortText), required: true),
            FieldSpec("actor_type", .code(Vocabularies.actorType)),
            FieldSpec("position", .text(maxLength: shortText)),
            FieldSpec("country", .country),
        ] + common,
        .allegations: [
            FieldSpec("source_id", .reference(.sources), required: true),
            FieldSpec("incident_id", .reference(.incidents)),
            FieldSpec("site_id", .reference(.sites)),
            FieldSpec("claim", .text(maxLength: longText), required: true),
            FieldSpec("alleged_on", .date),
            FieldSpec("url", .url),
            FieldSpec("violation_types", .codes(Vocabularies.violationTypes), default: .array([])),
            FieldSpec("repeats_id", .reference(.allegations)),
            FieldSpec("assessment", .code(Vocabularies.assessment), default: .string("unassessed")),
        ] + common,
        .denials: [
            FieldSpec("statement", .text(maxLength: longText), required: true),
            FieldSpec("stance", .code(Vocabularies.stance)),
            FieldSpec("allegation_id", .reference(.allegations)),
            FieldSpec("incident_id", .reference(.incidents)),
            FieldSpec("site_id", .reference(.sites)),
            FieldSpec("actor_id", .reference(.actors)),
            FieldSpec("speaker", .text(maxLength: shortText)),
            FieldSpec("speaker_position", .text(maxLength: shortText)),
            FieldSpec("stated_on", .date),
            FieldSpec("venue", .code(Vocabularies.venue)),
            FieldSpec("source_id", .reference(.sources)),
            FieldSpec("url", .url),
        ] + common,
    ]

    static let index: [ResourceKind: [String: FieldSpec]] = fields.mapValues { specs in
        Dictionary(uniqueKeysWithValues: specs.map { ($0.name, $0) })
    }

    /// Fields of every record that only the store sets.
    static let systemFields: Set<String> = ["id", "version", "created_at", "updated_at", "deleted_at", "snippet"]
}
