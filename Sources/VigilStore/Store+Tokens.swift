import VigilJSON
import VigilSQLite

/// Bearer tokens: created with a role and a clearance, shown once, stored as SHA-256 only.
extension Store {
    /// Creates a token and returns its secret (the only time it exists outside the caller).
    /// Names are unique; they are recorded in the audit log as the actor of every change.
    public func createToken(
        name: String, role: Role, clearance: Confidentiality, expiresAt: String? = nil, as context: AccessContext
    ) throws(StoreError) -> (secret: String, token: TokenInfo) {
        try context.require(.admin, to: "creating tokens")
        guard !name.isEmpty, name.utf8.count <= 64,
            name.unicodeScalars.allSatisfy({
                $0.properties.isAlphabetic && $0.isASCII || "0123456789._-@".unicodeScalars.contains($0)
            })
        else {
            throw .validation([FieldError("name", "use 1–64 characters: letters, digits, '.', '_', '-', '@'")])
        }
        var expires: String?
        if let expiresAt {
            guard let normalized = Timestamp.normalize(expiresAt) else {
                throw .validation([FieldError("expires", "\"\(expiresAt)\" is not an RFC 3339 date or time")])
            }
            expires = normalized.count == 10 ? normalized + "T00:00:00.000Z" : normalized
        }
        var generator = SystemRandomNumberGenerator()
        let secret = "vgl_" + Base64URL.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let id = RecordIDGenerator.shared.next(prefix: "tok_")
        let now = Timestamp.now()
        let info = TokenInfo(
            id: id, name: name, role: role, clearance: clearance, createdAt: now, expiresAt: expires, lastUsedAt: nil,
            revokedAt: nil)
        try write { db in
            if try db.scalar("SELECT 1 FROM tokens WHERE name = ?", [.text(name)]) != nil {
                throw StoreError.conflict("a token named \"\(name)\" already exists")
            }
            try db.run(
                """
                INSERT INTO tokens (id, name, secret_hash, role, clearance, created_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .text(id), .text(name), .text(Hex.sha256(secret)), .text(role.rawValue),
                    .integer(Int64(clearance.rawValue)), .text(now), .text(expires),
                ])
            try AuditLog.append(
                to: db, actor: context.actor, action: .tokenCreate, kind: "tokens", recordID: id, before: nil,
                after: Store.auditSnapshot(info, secretHash: Hex.sha256(secret)), at: now)
        }
        return (secret, info)
    }

    /// Every token, oldest first.
    public func tokens(as context: AccessContext) throws(StoreError) -> [TokenInfo] {
        try context.require(.admin, to: "listing tokens")
        return try read { db in
            var result: [TokenInfo] = []
            try db.cachedStatement(
                """
                SELECT id, name, role, clearance, created_at, expires_at, last_used_at, revoked_at
                FROM tokens ORDER BY created_at, id
                """
            ).forEachRow { row in result.append(Store.decodeToken(row)) }
            return result
        }
    }

    /// Revokes the token called `name`; its requests are refused from now on.
    public func revokeToken(name: String, as context: AccessContext) throws(StoreError) -> TokenInfo {
        try context.require(.admin, to: "revoking tokens")
        return try write { db in
            let select = try db.cachedStatement(
                """
                SELECT id, name, role, clearance, created_at, expires_at, last_used_at, revoked_at, secret_hash
                FROM tokens WHERE name = ?
                """)
            var found: (TokenInfo, String)?
            try select.forEachRow([.text(name)]) { row in found = (Store.decodeToken(row), row.text(8) ?? "") }
            guard let (token, secretHash) = found else { throw StoreError.notFound(kind: "tokens", id: name) }
            if token.revokedAt != nil { return token }
            let now = Timestamp.now()
            try db.run("UPDATE tokens SET revoked_at = ? WHERE id = ?", [.text(now), .text(token.id)])
            let revoked = TokenInfo(
                id: token.id, name: token.name, role: token.role, clearance: token.clearance,
                createdAt: token.createdAt,
                expiresAt: token.expiresAt, lastUsedAt: token.lastUsedAt, revokedAt: now)
            try AuditLog.append(
                to: db, actor: context.actor, action: .tokenRevoke, kind: "tokens", recordID: token.id,
                before: Store.auditSnapshot(token, secretHash: secretHash),
                after: Store.auditSnapshot(revoked, secretHash: secretHash), at: now)
            return revoked
        }
    }

    /// Looks up a presented secret. Unknown, revoked and expired tokens are all `invalid`.
    public func authenticate(secret: String) throws(StoreError) -> Authentication {
        guard secret.hasPrefix("vgl_"), secret.utf8.count < 200 else { return .invalid }
        // Within one read snapshot a token reads the same: an event thread's requests share
        // one snapshot until anything is committed, so they share the lookup (and its SHA-256)
        // too. The memo lives as long as the snapshot, at most a few milliseconds.
        let found: KnownToken? = try readers.snapshotMemo(secret) { () throws(StoreError) -> KnownToken? in
            let hash = Hex.sha256(secret)
            let row: (TokenInfo, String)? = try read { db in
                var result: (TokenInfo, String)?
                try db.cachedStatement(
                    """
                    SELECT id, name, role, clearance, created_at, expires_at, last_used_at, revoked_at, secret_hash
                    FROM tokens WHERE secret_hash = ?
                    """
                ).forEachRow([.text(hash)]) { row in result = (Store.decodeToken(row), row.text(8) ?? "") }
                return result
            }
            guard let (token, storedHash) = row, constantTimeEqual(storedHash, hash) else { return nil }
            return KnownToken(token)
        }
        guard let token = found, !token.isRevoked else { return .invalid }
        if let expires = token.expiresAt, expires <= Timestamp.now() { return .invalid }
        if tokenUsage.shouldRecord(token.id) {
            // Best effort: a failure to note the last use must not refuse a valid token.
            let now = Timestamp.now()
            try? writer.withConnection { db in
                try db.run("UPDATE tokens SET last_used_at = ? WHERE id = ?", [.text(now), .text(token.id)])
            }
        }
        return .valid(token.context, tokenID: token.id)
    }

    /// What ``authenticate(secret:)`` remembers of a token for the life of a read snapshot: a
    /// class, so that each request that finds it in the memo takes one reference rather than a
    /// copy of every string of a ``TokenInfo`` (six reference counts up, and down again).
    final class KnownToken: Sendable {
        let id: String
        let context: AccessContext
        let expiresAt: String?
        let isRevoked: Bool

        init(_ token: TokenInfo) {
            id = token.id
            context = AccessContext(actor: token.name, role: token.role, clearance: token.clearance)
            expiresAt = token.expiresAt
            isRevoked = token.revokedAt != nil
        }
    }

    static func decodeToken(_ row: Statement) -> TokenInfo {
        TokenInfo(
            id: row.text(0) ?? "", name: row.text(1) ?? "", role: Role(rawValue: row.text(2) ?? "") ?? .reader,
            clearance: Confidentiality(rawValue: Int(row.int64(3))) ?? .public, createdAt: row.text(4) ?? "",
            expiresAt: row.text(5), lastUsedAt: row.text(6), revokedAt: row.text(7))
    }

    /// What the audit log records of a token: everything but its last use, including the hash
    /// of its secret (never the secret), so that swapping the hash behind Vigil's back is caught.
    static func auditSnapshot(_ token: TokenInfo, secretHash: String) -> JSONObject {
        JSONObject([
            ("secret_sha256", .string(secretHash)),
            ("id", .string(token.id)), ("name", .string(token.name)), ("role", .string(token.role.rawValue)),
            ("clearance", .string(token.clearance.name)), ("created_at", .string(token.createdAt)),
            ("expires_at", token.expiresAt.map(JSONValue.string) ?? .null),
            ("revoked_at", token.revokedAt.map(JSONValue.string) ?? .null),
        ])
    }
}
