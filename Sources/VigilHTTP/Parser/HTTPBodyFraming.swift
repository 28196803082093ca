/// How the body of a request is delimited, decided from its header fields (RFC 9112 §6.3).
public enum HTTPBodyFraming: Sendable, Equatable {
    /// No body (neither `Content-Length` nor `Transfer-Encoding`).
    case none
    /// Exactly this many bytes follow.
    case length(Int)
    /// A chunked body follows, possibly with trailer fields.
    case chunked
}
