/// Cross-origin access for browser dashboards served from other origins (the Fetch standard's
/// CORS protocol): only the origins configured are answered, each by name, never `*`.
///
/// Tokens travel in the `Authorization` header, not in cookies, so an origin let in here still
/// needs a token for everything but `/healthz`: CORS decides only whether a page's script may read
/// the answer its own request got.
public struct CORSPolicy: Sendable {
    /// Origins as a browser sends them: `scheme://host[:port]`, no path, compared exactly.
    public let allowedOrigins: Set<String>
    /// Request headers a page may send.
    public var allowedHeaders = [
        "Authorization", "Content-Type", "If-Match", "If-None-Match", "Idempotency-Key", "Accept",
    ]
    /// Response headers a page may read beyond the simple ones.
    public var exposedHeaders = ["ETag", "Location", "Link"]
    /// How long a browser may keep a preflight's answer.
    public var maxAgeSeconds = 600

    public init(allowedOrigins: Set<String>) {
        self.allowedOrigins = allowedOrigins
    }

    /// Why `origin` cannot be configured, or nil when it can: `scheme://host[:port]` in
    /// lower case as browsers serialize it, http or https, with no path, query or `*`.
    public static func problem(with origin: String) -> String? {
        let parts = origin.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, ["http", "https"].contains(parts[0]) else {
            return "\(origin): an origin is http:// or https:// followed by a host"
        }
        let authority = parts[1]
        guard !authority.isEmpty, !authority.contains(where: { "/?#*@ ".contains($0) }) else {
            return "\(origin): an origin has a host and an optional port, and no path, query, user or wildcard"
        }
        guard origin == origin.lowercased() else {
            return "\(origin): write the origin in lower case, as browsers send it"
        }
        return nil
    }

    /// The headers that let the page of `origin` read an answer.
    func answerHeaders(for origin: String) -> [(String, String)] {
        [
            ("Access-Control-Allow-Origin", origin),
            ("Access-Control-Expose-Headers", exposedHeaders.joined(separator: ", ")),
        ]
    }

    /// The headers of a preflight's answer for `origin`, the methods allowed at the path.
    func preflightHeaders(for origin: String, methods: [String]) -> [(String, String)] {
        [
            ("Access-Control-Allow-Origin", origin),
            ("Access-Control-Allow-Methods", methods.joined(separator: ", ")),
            ("Access-Control-Allow-Headers", allowedHeaders.joined(separator: ", ")),
            ("Access-Control-Max-Age", String(maxAgeSeconds)),
        ]
    }
}
