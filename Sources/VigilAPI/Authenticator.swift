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
            throw Self.missing
        }
        guard let secret = Self.bearerSecret(header) else { throw Self.invalid }
        switch try store.authenticate(secret: secret) {
        case .valid(let context, let tokenID): return Caller(context: context, tokenID: tokenID)
        case .invalid: throw Self.invalid
        }
    }

    /// The answer to a request without a token that needs one: also to an anonymous request
    /// under `--public-read` that asks for more than reading (a 403 would say a token was
    /// sent and lacks the role).
    static var missing: Problem {
        Problem(
            401, "Unauthorized", "Send Authorization: Bearer <token>; create one with `vigil token create`.",
            headers: ["WWW-Authenticate": "Bearer realm=\"vigil\""])
    }

    /// Whether the request carries credentials at all.
    static func hasCredentials(_ request: HTTPRequest) -> Bool {
        request.headers.contains { asciiCaseInsensitiveEquals($0.name, "Authorization") }
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
    /// the secret dropped; nil for another scheme or no space. Read from the header's contiguous
    /// bytes: it runs on every request, and walking `String.UTF8View` indices cost 3% of a by-id
    /// request.
    static func bearerSecret(_ header: String) -> String? {
        var header = header
        return header.withUTF8 { bytes -> String? in
            let scheme = "bearer".utf8
            guard bytes.count > scheme.count, bytes[scheme.count] == UInt8(ascii: " ") else { return nil }
            for (offset, letter) in scheme.enumerated() where bytes[offset] | 0x20 != letter { return nil }
            return textTrimmingBlanks(UnsafeBufferPointer(rebasing: bytes[(scheme.count + 1)...]))
        }
    }
}

/// `bytes` as text without leading and trailing spaces and tabs (HTTP's optional whitespace),
/// trimmed byte by byte as RFC 9110 defines them: trimming `Character`s segmented graphemes, about
/// 4% of a by-id request when the Bearer header went through it.
private func textTrimmingBlanks(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
    var start = 0
    var end = bytes.count
    while start < end && isBlank(bytes[start]) { start += 1 }
    while end > start && isBlank(bytes[end - 1]) { end -= 1 }
    return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (HTTP's optional whitespace).
    func trimmingBlanks() -> String {
        var text = Substring(self)
        return text.withUTF8(textTrimmingBlanks)
    }
}
