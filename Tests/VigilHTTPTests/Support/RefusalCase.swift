import Testing

/// A request the server must refuse, and the status it must refuse it with.
struct RefusalCase: Sendable, CustomTestStringConvertible {
    let name: String
    let request: String
    let status: Int

    var testDescription: String { name }

    static let longTarget = "/" + String(repeating: "a", count: 8 * 1024)
    static let longValue = String(repeating: "v", count: 8 * 1024)

    static let all: [RefusalCase] = [
        RefusalCase(
            name: "request line over 8 KiB", request: "GET \(longTarget) HTTP/1.1\r\nHost: a\r\n\r\n", status: 414),
        RefusalCase(
            name: "header field over 8 KiB", request: "GET / HTTP/1.1\r\nHost: a\r\nX-Big: \(longValue)\r\n\r\n",
            status: 431),
        RefusalCase(
            name: "header section over 16 KiB",
            request: "GET / HTTP/1.1\r\nHost: a\r\n"
                + (0..<5).map { "X-\($0): \(String(repeating: "v", count: 4000))\r\n" }.joined() + "\r\n", status: 431),
        RefusalCase(
            name: "more than 100 fields",
            request: "GET / HTTP/1.1\r\nHost: a\r\n" + (0..<101).map { "X-\($0): 1\r\n" }.joined() + "\r\n", status: 431
        ),
        RefusalCase(
            name: "Content-Length with Transfer-Encoding",
            request: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            status: 400),
        RefusalCase(
            name: "duplicate Content-Length",
            request: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", status: 400),
        RefusalCase(
            name: "list-valued Content-Length", request: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 1\r\n\r\nx",
            status: 400),
        RefusalCase(
            name: "Content-Length +5", request: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello",
            status: 400),
        RefusalCase(
            name: "Content-Length -1", request: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", status: 400),
        RefusalCase(
            name: "Content-Length overflow",
            request: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", status: 400),
        RefusalCase(
            name: "obsolete line folding", request: "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n 2\r\n\r\n", status: 400),
        RefusalCase(name: "bare LF", request: "GET / HTTP/1.1\nHost: a\n\n", status: 400),
        RefusalCase(name: "bare CR", request: "GET / HTTP/1.1\rHost: a\r\n\r\n", status: 400),
        RefusalCase(name: "whitespace before colon", request: "GET / HTTP/1.1\r\nHost : a\r\n\r\n", status: 400),
        RefusalCase(name: "missing Host", request: "GET / HTTP/1.1\r\nX-A: 1\r\n\r\n", status: 400),
        RefusalCase(name: "duplicate Host", request: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", status: 400),
        RefusalCase(
            name: "invalid chunk size",
            request: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
            status: 400),
        RefusalCase(
            name: "chunk size overflow",
            request: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nx\r\n",
            status: 400),
        RefusalCase(
            name: "chunk data without CRLF",
            request: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n0\r\n\r\n",
            status: 400),
        RefusalCase(name: "control byte in target", request: "GET /a\u{01}b HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
        RefusalCase(
            name: "control byte in field value", request: "GET / HTTP/1.1\r\nHost: a\r\nX-A: a\u{00}b\r\n\r\n",
            status: 400),
        RefusalCase(name: "bad request line", request: "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
        RefusalCase(name: "bad version", request: "GET / HTTX/1.1\r\nHost: a\r\n\r\n", status: 400),
        RefusalCase(name: "invalid percent-encoding", request: "GET /%zz HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
        RefusalCase(
            name: "unsupported transfer coding",
            request: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", status: 501),
        RefusalCase(name: "HTTP/2.0 request line", request: "GET / HTTP/2.0\r\nHost: a\r\n\r\n", status: 505),
        RefusalCase(
            name: "unknown expectation", request: "GET / HTTP/1.1\r\nHost: a\r\nExpect: magic\r\n\r\n", status: 417),
    ]
}
