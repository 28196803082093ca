/// A token as `vigil token list` shows it: never the secret, which is not stored.
public struct TokenInfo: Sendable, Hashable {
    public let id: String
    public let name: String
    public let role: Role
    public let clearance: Confidentiality
    public let createdAt: String
    public let expiresAt: String?
    public let lastUsedAt: String?
    public let revokedAt: String?
}

/// What `authenticate` found for a presented secret.
public enum Authentication: Sendable, Equatable {
    /// A live token: the caller's access.
    case valid(AccessContext, tokenID: String)
    /// Unknown, revoked or expired: all answered alike (401), so a probe learns nothing.
    case invalid
}
