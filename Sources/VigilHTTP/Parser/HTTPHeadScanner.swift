import Glibc

/// Finds the end of a header section incrementally, enforcing the size limits and the CRLF
/// discipline while bytes trickle in.
///
/// It remembers how far it has looked, so a client sending one byte at a time costs O(n) in total
/// rather than O(n²), which matters with thousands of slow connections.
struct HTTPHeadScanner: Sendable {
    let limits: HTTPLimits
    /// Start of the request line, after any empty lines that preceded it.
    private(set) var headStart = 0
    /// Index just after the request line's LF, once seen.
    private(set) var requestLineEnd: Int?
    private var scanned = 0
    private var lineStart = 0
    private var fieldCount = 0

    init(limits: HTTPLimits) {
        self.limits = limits
    }

    /// Whether no byte of a request has been examined yet.
    var isPristine: Bool { scanned == 0 }

    /// Scans `bytes` (which always start at the beginning of the request) and returns the index
    /// just past the LF that ends the header section, or nil when more bytes are needed.
    mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> Int? {
        var index = scanned
        let end = bytes.count
        guard let base = bytes.baseAddress else { return nil }
        // Line by line with memchr (a byte loop was 2% of a by-id request): the next LF, and the
        // first CR before it, which may only be the one right before that LF.
        while index < end {
            let lineFeed = Self.find(HTTPSyntax.lf, in: base, from: index, to: end)
            let carriageReturn = Self.find(HTTPSyntax.cr, in: base, from: index, to: lineFeed ?? end)
            if let carriageReturn, carriageReturn + 1 != lineFeed {
                if carriageReturn + 1 == end {
                    index = carriageReturn  // decided when the next byte arrives
                    break
                }
                throw .badRequest("Bare CR in the header section.")
            }
            guard let lineFeed else {
                index = end
                break
            }
            index = lineFeed
            guard index > lineStart, bytes[index - 1] == HTTPSyntax.cr else {
                throw .badRequest("Bare LF line ending.")
            }
            let length = index - 1 - lineStart
            if let requestLineEnd {
                if length == 0 {
                    scanned = index + 1
                    return index + 1
                }
                if length > limits.maxHeaderFieldLength { throw .headerFieldTooLong }
                fieldCount += 1
                if fieldCount > limits.maxHeaderFieldCount { throw .tooManyHeaderFields }
                if index + 1 - requestLineEnd > limits.maxHeaderSectionLength { throw .headerSectionTooLarge }
            } else if length == 0 {
                // RFC 9112 §2.2: empty lines before the request line are ignored.
                headStart = index + 1
                if headStart > limits.maxRequestLineLength { throw .requestLineTooLong }
            } else {
                if length > limits.maxRequestLineLength { throw .requestLineTooLong }
                requestLineEnd = index + 1
            }
            lineStart = index + 1
            index += 1
        }
        scanned = index
        let partial = index - lineStart
        if let requestLineEnd {
            if partial > limits.maxHeaderFieldLength { throw .headerFieldTooLong }
            if index - requestLineEnd > limits.maxHeaderSectionLength { throw .headerSectionTooLarge }
        } else if partial > limits.maxRequestLineLength {
            throw .requestLineTooLong
        }
        return nil
    }

    /// The index of the first `byte` in `base[start..<end]`, or nil.
    @inline(__always)
    private static func find(_ byte: UInt8, in base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int? {
        guard start < end, let found = memchr(base + start, Int32(byte), end - start) else { return nil }
        return UnsafeRawPointer(found) - UnsafeRawPointer(base)
    }
}
