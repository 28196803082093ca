import Glibc

/// Turns a complete header section into a validated ``HTTPRequestHead`` (RFC 9112 §3, §5, §6).
///
/// This is where request smuggling shapes are refused: conflicting or malformed framing fields,
/// obsolete line folding, whitespace before the colon, control bytes, missing or repeated `Host`.
enum HTTPHeadParser {
    /// Parses `head`, which holds the request line and field lines, each ending in CRLF, then the
    /// final empty line. The scanner has already checked line endings and sizes.
    static func parse(_ head: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPRequestHead {
        var lines: [ArraySlice<UInt8>] = []
        lines.reserveCapacity(16)
        // Each line ends in CRLF (the scanner checked): split at every LF, found with memchr.
        head.withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress else { return }
            var lineStart = 0
            while lineStart < bytes.count,
                let found = memchr(base + lineStart, Int32(HTTPSyntax.lf), bytes.count - lineStart)
            {
                let lineFeed = UnsafeRawPointer(found) - UnsafeRawPointer(base)
                lines.append(head[(head.startIndex + lineStart)..<(head.startIndex + lineFeed - 1)])
                lineStart = lineFeed + 1
            }
        }
        guard let requestLine = lines.first else { throw .badRequest("Missing request line.") }
        let (method, target, version) = try parseRequestLine(requestLine)

        var headers = HTTPHeaders()
        for line in lines.dropFirst() where !line.isEmpty {
            let (name, value) = try parseFieldLine(line)
            headers.add(name: name, value: value)
        }
        return try validate(method: method, target: target, version: version, headers: headers)
    }

    static func parseRequestLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> (
        String, ArraySlice<UInt8>, HTTPVersion
    ) {
        guard let firstSpace = line.firstIndex(of: HTTPSyntax.space) else {
            throw .badRequest("Malformed request line.")
        }
        let rest = line[(firstSpace + 1)...]
        guard let secondSpace = rest.firstIndex(of: HTTPSyntax.space) else {
            throw .badRequest("Malformed request line.")
        }
        let methodBytes = line[line.startIndex..<firstSpace]
        let target = line[(firstSpace + 1)..<secondSpace]
        let versionBytes = line[(secondSpace + 1)...]
        guard HTTPSyntax.isToken(methodBytes) else { throw .badRequest("Invalid method.") }
        guard !target.isEmpty else { throw .badRequest("Malformed request line.") }
        for byte in target where !HTTPSyntax.isTargetByte(byte) {
            throw .badRequest("Invalid byte in the request target.")
        }
        let version = try parseVersion(versionBytes)
        return (String(decoding: methodBytes, as: UTF8.self), target, version)
    }

    static func parseVersion(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPVersion {
        guard bytes.count == 8, bytes.starts(with: "HTTP/".utf8) else { throw .badRequest("Invalid HTTP version.") }
        let major = bytes[bytes.startIndex + 5]
        let dot = bytes[bytes.startIndex + 6]
        let minor = bytes[bytes.startIndex + 7]
        let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
        guard digits.contains(major), dot == UInt8(ascii: "."), digits.contains(minor) else {
            throw .badRequest("Invalid HTTP version.")
        }
        let version = HTTPVersion(major: Int(major - digits.lowerBound), minor: Int(minor - digits.lowerBound))
        guard version.major == 1 else { throw .versionNotSupported }
        return version
    }

    static func parseFieldLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> (String, String) {
        guard let first = line.first else { throw .badRequest("Empty field line.") }
        if HTTPSyntax.isWhitespace(first) { throw .badRequest("Obsolete line folding is not accepted.") }
        guard let colon = line.firstIndex(of: HTTPSyntax.colon) else {
            throw .badRequest("Header field without a colon.")
        }
        let name = line[line.startIndex..<colon]
        guard let last = name.last else { throw .badRequest("Empty header field name.") }
        if HTTPSyntax.isWhitespace(last) { throw .badRequest("Whitespace before the colon of a header field.") }
        guard HTTPSyntax.isToken(name) else { throw .badRequest("Invalid header field name.") }
        let value = HTTPSyntax.trimmed(line[(colon + 1)...])
        for byte in value where !HTTPSyntax.isFieldValueByte(byte) {
            throw .badRequest("Control byte in a header field value.")
        }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    static func validate(
        method: String, target: ArraySlice<UInt8>, version: HTTPVersion, headers: HTTPHeaders
    ) throws(HTTPParseError) -> HTTPRequestHead {
        let isHTTP11 = version.minor >= 1
        // One pass over the fields collects the ones that decide framing and semantics.
        // Every request has a Host field: counted, not gathered (an array was an allocation per request).
        var host: String?
        var hostCount = 0
        var transferEncodings: [String] = []
        var contentLengths: [String] = []
        var connectionValues: [String] = []
        var expect: [String] = []
        for field in headers {
            switch field.name.utf8.count {
            case 4 where asciiCaseInsensitiveEquals(field.name, "host"):
                if host == nil { host = field.value }
                hostCount += 1
            case 6 where asciiCaseInsensitiveEquals(field.name, "expect"): expect.append(field.value)
            case 10 where asciiCaseInsensitiveEquals(field.name, "connection"): connectionValues.append(field.value)
            case 14 where asciiCaseInsensitiveEquals(field.name, "content-length"): contentLengths.append(field.value)
            case 17 where asciiCaseInsensitiveEquals(field.name, "transfer-encoding"):
                transferEncodings.append(field.value)
            default: break
            }
        }
        if hostCount > 1 { throw .badRequest("Duplicate Host header.") }
        if isHTTP11 && host == nil { throw .badRequest("Missing Host header.") }
        if let host, !isValidHost(host) { throw .badRequest("Invalid Host header.") }

        let framing = try bodyFraming(
            transferEncodings: transferEncodings, contentLengths: contentLengths, isHTTP11: isHTTP11)

        let connection =
            connectionValues.isEmpty ? [] : connectionValues.flatMap(HTTPSyntax.listElements).map(HTTPSyntax.lowercased)
        let keepAlive =
            isHTTP11
            ? !connection.contains("close")
            : connection.contains("keep-alive") && !connection.contains("close")

        var expectsContinue = false
        if !expect.isEmpty {
            guard expect.count == 1, HTTPSyntax.lowercased(expect[0]) == "100-continue" else {
                throw .expectationFailed
            }
            // RFC 9110 §10.1.1: a 1.0 client cannot be waiting for 100 Continue.
            expectsContinue = isHTTP11
        }

        if method == "CONNECT" { throw .notImplemented("CONNECT") }
        let (rawPath, rawQuery) = try splitTarget(target, method: method)
        // The target is visible ASCII (checked with the request line), so a path without `%` is
        // its own decoding, and a target without query or scheme is its own path: one string
        // serves where three were made.
        let rawPathString = String(decoding: rawPath, as: UTF8.self)
        let path: String
        if rawPath.contains(UInt8(ascii: "%")) {
            guard let decoded = PercentDecoding.decode(rawPath, plusAsSpace: false) else {
                throw .badRequest("Invalid percent-encoding in the path.")
            }
            path = decoded
        } else {
            path = rawPathString
        }
        let targetString = rawPath.elementsEqual(target) ? rawPathString : String(decoding: target, as: UTF8.self)
        var queryItems: [HTTPQueryItem] = []
        if let rawQuery {
            for piece in rawQuery.split(separator: UInt8(ascii: "&")) {
                let equals = piece.firstIndex(of: UInt8(ascii: "="))
                let nameBytes = piece[piece.startIndex..<(equals ?? piece.endIndex)]
                let valueBytes = equals.map { piece[($0 + 1)...] } ?? []
                guard let name = PercentDecoding.decode(nameBytes, plusAsSpace: true),
                    let value = PercentDecoding.decode(valueBytes, plusAsSpace: true)
                else { throw .badRequest("Invalid percent-encoding in the query.") }
                queryItems.append(HTTPQueryItem(name: name, value: value))
            }
        }
        return HTTPRequestHead(
            method: method, target: targetString, rawPath: rawPathString, path: path,
            rawQuery: rawQuery.map { String(decoding: $0, as: UTF8.self) }, queryItems: queryItems,
            version: version, headers: headers, keepAlive: keepAlive,
            expectsContinue: expectsContinue, bodyFraming: framing
        )
    }

    /// RFC 9112 §6.1–6.3: one way of framing, spelled exactly one way.
    static func bodyFraming(transferEncodings: [String], contentLengths: [String], isHTTP11: Bool)
        throws(HTTPParseError) -> HTTPBodyFraming
    {
        if !transferEncodings.isEmpty {
            if !contentLengths.isEmpty { throw .badRequest("Both Content-Length and Transfer-Encoding.") }
            if !isHTTP11 { throw .badRequest("Transfer-Encoding in an HTTP/1.0 request.") }
            let codings = transferEncodings.flatMap(HTTPSyntax.listElements).map(HTTPSyntax.lowercased)
            guard !codings.isEmpty else { throw .badRequest("Empty Transfer-Encoding.") }
            for coding in codings where coding != "chunked" {
                throw .unsupportedTransferCoding(coding)
            }
            if codings.count > 1 { throw .badRequest("Chunked transfer coding applied more than once.") }
            return .chunked
        }
        guard let lengthValue = contentLengths.first else { return .none }
        if contentLengths.count > 1 { throw .badRequest("Duplicate Content-Length.") }
        var length = 0
        guard !lengthValue.isEmpty else { throw .badRequest("Invalid Content-Length.") }
        for byte in lengthValue.utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                throw .badRequest("Invalid Content-Length.")
            }
            let (times, overflow1) = length.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            if overflow1 || overflow2 { throw .badRequest("Content-Length is too large.") }
            length = sum
        }
        return .length(length)
    }

    /// Host = uri-host [ ":" port ]; refuses whitespace, lists and userinfo.
    static func isValidHost(_ host: String) -> Bool {
        var host = host
        return host.withUTF8 { bytes in
            hostTable.withUnsafeBufferPointer { table in bytes.allSatisfy { table[Int($0)] } }
        }
    }

    /// Letters, digits and `-._~!$&'()*+;=:[]%`, as a table (checked on every request).
    private static let hostTable = HTTPSyntax.lettersDigitsAnd("-._~!$&'()*+;=:[]%")

    /// Accepts origin-form, absolute-form (RFC 9112 §3.2.2) and `*` for OPTIONS; returns the raw
    /// path and query.
    static func splitTarget(_ target: ArraySlice<UInt8>, method: String) throws(HTTPParseError) -> (
        ArraySlice<UInt8>, ArraySlice<UInt8>?
    ) {
        if target.contains(UInt8(ascii: "#")) { throw .badRequest("Fragment in the request target.") }
        var pathAndQuery = target
        if target.first != UInt8(ascii: "/") {
            if target.elementsEqual("*".utf8) {
                guard method == "OPTIONS" else { throw .badRequest("Asterisk target outside OPTIONS.") }
                return (target, nil)
            }
            let lower = target.map(asciiLower)
            let schemeLength: Int
            if lower.starts(with: "http://".utf8) {
                schemeLength = 7
            } else if lower.starts(with: "https://".utf8) {
                schemeLength = 8
            } else {
                throw .badRequest("Invalid request target.")
            }
            let afterScheme = target.dropFirst(schemeLength)
            let authorityEnd =
                afterScheme.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? afterScheme.endIndex
            if authorityEnd == afterScheme.startIndex { throw .badRequest("Absolute target without authority.") }
            pathAndQuery = afterScheme[authorityEnd...]
        }
        let questionMark = pathAndQuery.firstIndex(of: UInt8(ascii: "?"))
        var rawPath = pathAndQuery[pathAndQuery.startIndex..<(questionMark ?? pathAndQuery.endIndex)]
        if rawPath.isEmpty { rawPath = ArraySlice("/".utf8) }
        let rawQuery = questionMark.map { pathAndQuery[($0 + 1)...] }
        return (rawPath, rawQuery)
    }
}
