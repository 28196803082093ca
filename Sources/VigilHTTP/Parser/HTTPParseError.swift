/// Every reason a request is refused before its handler runs.
///
/// Each case maps to exactly one status in ``status`` and to a problem+json body in
/// `HTTPResponse.problem(for:)`; after any of them the connection is closed, because the framing
/// of whatever follows can no longer be trusted.
public enum HTTPParseError: Error, Sendable, Equatable {
    /// The request line is longer than `HTTPLimits.maxRequestLineLength` (414).
    case requestLineTooLong
    /// One header or trailer field line is longer than `HTTPLimits.maxHeaderFieldLength` (431).
    case headerFieldTooLong
    /// The header section is larger than `HTTPLimits.maxHeaderSectionLength` (431).
    case headerSectionTooLarge
    /// More fields than `HTTPLimits.maxHeaderFieldCount` (431).
    case tooManyHeaderFields
    /// The body is larger than the route's limit (413).
    case bodyTooLarge(limit: Int)
    /// Malformed syntax or a request smuggling shape (400). The reason is safe to show the client.
    case badRequest(String)
    /// A transfer coding other than `chunked` (501).
    case unsupportedTransferCoding(String)
    /// A method the server cannot serve at all, such as CONNECT (501).
    case notImplemented(String)
    /// An HTTP major version other than 1 (505).
    case versionNotSupported
    /// An `Expect` value other than `100-continue` (417).
    case expectationFailed
    /// The client was too slow sending the header section or the body (408).
    case requestTimeout

    /// The status code this error is answered with.
    public var status: Int {
        switch self {
        case .requestLineTooLong: 414
        case .headerFieldTooLong, .headerSectionTooLarge, .tooManyHeaderFields: 431
        case .bodyTooLarge: 413
        case .badRequest: 400
        case .unsupportedTransferCoding, .notImplemented: 501
        case .versionNotSupported: 505
        case .expectationFailed: 417
        case .requestTimeout: 408
        }
    }

    /// A short human-readable summary, used as the problem `title`.
    public var title: String {
        switch self {
        case .requestLineTooLong: "URI Too Long"
        case .headerFieldTooLong, .headerSectionTooLarge, .tooManyHeaderFields: "Request Header Fields Too Large"
        case .bodyTooLarge: "Content Too Large"
        case .badRequest: "Bad Request"
        case .unsupportedTransferCoding, .notImplemented: "Not Implemented"
        case .versionNotSupported: "HTTP Version Not Supported"
        case .expectationFailed: "Expectation Failed"
        case .requestTimeout: "Request Timeout"
        }
    }

    /// The explanation sent as the problem `detail`.
    public var detail: String {
        switch self {
        case .requestLineTooLong: "The request line is too long."
        case .headerFieldTooLong: "A header field is too long."
        case .headerSectionTooLarge: "The header section is too large."
        case .tooManyHeaderFields: "The request has too many header fields."
        case .bodyTooLarge(let limit): "The request body is larger than \(limit) bytes."
        case .badRequest(let reason): reason
        case .unsupportedTransferCoding(let coding): "Transfer coding '\(coding)' is not supported."
        case .notImplemented(let what): "\(what) is not implemented."
        case .versionNotSupported: "Only HTTP/1.0 and HTTP/1.1 are supported."
        case .expectationFailed: "Only 'Expect: 100-continue' is supported."
        case .requestTimeout: "The request was not received in time."
        }
    }
}
