/// Serializes response heads. The server owns the framing fields (`Content-Length`,
/// `Transfer-Encoding`, `Connection`, `Date`): handler-supplied ones are dropped so a handler can
/// never desynchronize the connection, and fields with CR, LF or other control bytes are dropped
/// so a value cannot split the response.
enum ResponseEncoder {
    enum Framing {
        case length(Int)
        case chunked
        /// HTTP/1.0 streaming: the body ends when the connection closes.
        case untilClose
    }

    /// Whether the server sets this field itself: `Content-Length`, `Transfer-Encoding`,
    /// `Connection`, `Date` (the length first: most names differ there).
    static func isOwned(_ name: String) -> Bool {
        switch name.utf8.count {
        case 4: asciiCaseInsensitiveEquals(name, "date")
        case 10: asciiCaseInsensitiveEquals(name, "connection")
        case 14: asciiCaseInsensitiveEquals(name, "content-length")
        case 17: asciiCaseInsensitiveEquals(name, "transfer-encoding")
        default: false
        }
    }

    /// - Parameter reserving: extra capacity for the body appended after the head, so head and
    ///   body go out in one buffer without a reallocation.
    static func head(status: Int, headers: HTTPHeaders, framing: Framing, keepAlive: Bool, reserving: Int = 0)
        -> [UInt8]
    {
        var out: [UInt8] = []
        out.reserveCapacity(256 + reserving)
        if status == 200 {
            out.append(contentsOf: statusLine200)
        } else {
            append("HTTP/1.1 \(status) \(reasonPhrase(status))\r\n", to: &out)
        }
        for field in headers where !isOwned(field.name) {
            // Checked and copied from each string's contiguous UTF-8 (iterating a `String.UTF8View`
            // goes through an index per byte).
            var name = field.name
            var value = field.value
            name.withUTF8 { name in
                value.withUTF8 { value in
                    guard HTTPSyntax.isToken(name), value.allSatisfy(HTTPSyntax.isFieldValueByte)
                    else { return }
                    out.append(contentsOf: name)
                    out.append(UInt8(ascii: ":"))
                    out.append(UInt8(ascii: " "))
                    out.append(contentsOf: value)
                    out.append(contentsOf: crlf)
                }
            }
        }
        out.append(contentsOf: datePrefix)
        out.append(contentsOf: HTTPDate.current())
        out.append(contentsOf: crlf)
        if bodyAllowed(status: status) {
            switch framing {
            case .length(let length):
                out.append(contentsOf: contentLengthPrefix)
                appendDecimal(length, to: &out)
                out.append(contentsOf: crlf)
            case .chunked: append("Transfer-Encoding: chunked\r\n", to: &out)
            case .untilClose: break
            }
        }
        if !keepAlive { append("Connection: close\r\n", to: &out) }
        out.append(contentsOf: crlf)
        return out
    }

    /// Copies a string's UTF-8 in one go (appending its `utf8` view went byte by byte: a quarter
    /// of the head's cost).
    private static func append(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { out.append(contentsOf: $0) }
    }

    private static let statusLine200 = Array("HTTP/1.1 200 OK\r\n".utf8)
    private static let contentLengthPrefix = Array("Content-Length: ".utf8)
    private static let crlf = Array("\r\n".utf8)
    private static let datePrefix = Array("Date: ".utf8)

    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value < 10 {
            out.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var first = 20
            var rest = value
            while rest > 0 {
                first -= 1
                digits[first] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[first..<20]))
        }
    }

    /// 1xx, 204 and 304 responses never have a body (RFC 9110 §6.4.1).
    static func bodyAllowed(status: Int) -> Bool {
        !(status < 200 || status == 204 || status == 304)
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 206: "Partial Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 304: "Not Modified"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 410: "Gone"
        case 411: "Length Required"
        case 412: "Precondition Failed"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 417: "Expectation Failed"
        case 422: "Unprocessable Content"
        case 428: "Precondition Required"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        default: "Status \(status)"
        }
    }
}
