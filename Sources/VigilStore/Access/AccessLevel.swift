/// How secret a record is, and how much a caller may see: `public` < `restricted` <
/// `confidential`. Ordered, so that "visible" is `record.confidentiality <= caller.clearance`.
public enum Confidentiality: Int, Sendable, Comparable, CaseIterable {
    case `public` = 0
    case restricted = 1
    case confidential = 2

    /// The word used in JSON and on the command line.
    public var name: String {
        switch self {
        case .public: "public"
        case .restricted: "restricted"
        case .confidential: "confidential"
        }
    }

    /// Parses the JSON / command-line word.
    public init?(name: String) {
        switch name {
        case "public": self = .public
        case "restricted": self = .restricted
        case "confidential": self = .confidential
        default: return nil
        }
    }

    public static func < (lhs: Confidentiality, rhs: Confidentiality) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What a token may do: each role includes the ones before it.
public enum Role: String, Sendable, Comparable, CaseIterable {
    /// Read records at or below the token's clearance.
    case reader
    /// Also create, update and link records.
    case editor
    /// Also delete, restore, manage tokens and read the audit log.
    case admin

    private var rank: Int {
        switch self {
        case .reader: 0
        case .editor: 1
        case .admin: 2
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
}

/// Who is asking: passed to every store operation, so that clearance and role are applied in
/// the store itself and no endpoint can forget them.
public struct AccessContext: Sendable, Hashable {
    /// The name recorded in the audit log (a token's name, `cli`, `anonymous`).
    public let actor: String
    /// What the caller may do.
    public let role: Role
    /// The highest confidentiality the caller may see.
    public let clearance: Confidentiality

    public init(actor: String, role: Role, clearance: Confidentiality) {
        self.actor = actor
        self.role = role
        self.clearance = clearance
    }

    /// Anonymous reads under `--public-read`: public records only, read only.
    public static let anonymous = AccessContext(actor: "anonymous", role: .reader, clearance: .public)

    /// The command line run by the machine's owner: full access, recorded as `cli`.
    public static let commandLine = AccessContext(actor: "cli", role: .admin, clearance: .confidential)

    /// Throws `forbidden` unless the caller has at least `role`.
    public func require(_ role: Role, to action: String) throws(StoreError) {
        guard self.role >= role else {
            throw .forbidden("\(action) needs the \(role.rawValue) role; this token is \(self.role.rawValue)")
        }
    }
}
