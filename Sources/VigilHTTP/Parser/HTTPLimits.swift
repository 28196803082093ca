/// Size limits the parser enforces before any handler runs.
///
/// Defaults follow the contract and are close to nginx's: 8 KiB for the request line
/// (414 beyond), 8 KiB per header field line and 16 KiB for the whole field section or more than
/// 100 fields (431), and a 1 MiB body unless a route asks for more (413).
public struct HTTPLimits: Sendable, Equatable {
    /// Longest request line in bytes, without its CRLF. Longer is answered with 414.
    public var maxRequestLineLength: Int = 8 * 1024
    /// Longest single header (or trailer) field line in bytes, without its CRLF. Longer: 431.
    public var maxHeaderFieldLength: Int = 8 * 1024
    /// Largest header section in bytes, field lines and their CRLFs, excluding the request line. Larger: 431.
    public var maxHeaderSectionLength: Int = 16 * 1024
    /// Most header fields in one request (also applies to trailers). More: 431.
    public var maxHeaderFieldCount: Int = 100
    /// Longest chunk-size line (size plus extensions). Longer: 400.
    public var maxChunkLineLength: Int = 4 * 1024
    /// Body limit used when the handler does not choose one for a route. Larger: 413.
    public var defaultBodyLimit: Int = HTTPLimits.defaultBodyLimit

    /// 1 MiB, the default limit for JSON bodies.
    public static let defaultBodyLimit = 1024 * 1024

    public init() {}
}
