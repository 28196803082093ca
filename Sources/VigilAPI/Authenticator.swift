import VigilHTTP
import VigilStore

/// Turns an `Authorization` header into an ``AccessContext``, or a 401.
struct Authenticator: Sendable {
    let store: Store
    /// `--public-read`: requests without a token may read public records.
    let publicRead: Bool

    /// Who is asking, with the token id when there is one (idempotency keys are per token).
    struct Caller: Sendable {
        let context: AccessContext
        let tokenID: String?
    }

    func authenticate(_ request: HTTPRequest) throws -> Caller {
        var header: String?
        for field in request.headers where asciiCaseInsensitiveEquals(field.name, "Authorization") {
            guard header == nil else { throw Self.invalid }  // two credentials: refused
            header = field.value
        }
        guard let header else {
            if publicRead { return Caller(context: .anonymous, tokenID: nil) }
            throw Problem(
                401, "Unauthorized", "Send Authorization: Bearer <token>; create one with `vigil token create`.",
                headers: ["WWW-Authenticate": "Bearer realm=\"vigil\""])
        }
        guard let secret = Self.bearerSecret(header) else { throw Self.invalid }
        switch try store.authenticate(secret: secret) {
        case .valid(let context, let tokenID): return Caller(context: context, tokenID: tokenID)
        case .invalid: throw Self.invalid
        }
    }

    /// Built only when a request is refused (it runs on every request otherwise).
    private static var invalid: Problem {
        Problem(
            401, "Unauthorized", "The token is not valid (unknown, revoked or expired).",
            headers: ["WWW-Authenticate": "Bearer realm=\"vigil\", error=\"invalid_token\""])
    }
}

extension Authenticator {
    /// The credentials of `Bearer <secret>` (scheme in any case, RFC 9110 §11.1), blanks around
    /// the secret dropped; nil for another scheme or no space. Read byte by byte: it runs on
    /// every request.
    static func bearerSecret(_ header: String) -> String? {
        let bytes = header.utf8
        guard let space = bytes.firstIndex(of: UInt8(ascii: " ")) else { return nil }
        let scheme = bytes[..<space]
        guard scheme.count == 6, zip(scheme, "bearer".utf8).allSatisfy({ $0 | 0x20 == $1 }) else { return nil }
        return header[bytes.index(after: space)...].trimmingBlanks()
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (HTTP's optional whitespace).
    /// Trimmed byte by byte, as RFC 9110 defines them: trimming `Character`s segmented
    /// graphemes, about 4% of a by-id request when the Bearer header went through it.
    func trimmingBlanks() -> String {
        let bytes = Substring(self).utf8
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isBlank($0) }), let last = bytes.lastIndex(where: { !isBlank($0) })
        else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
