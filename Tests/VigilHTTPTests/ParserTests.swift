import Testing
import VigilThreads

@testable import VigilHTTP

/// Feeds raw bytes to the parser, in one piece or split, returning requests or the error.
func parseAll(_ text: String, chunk: Int = .max, bodyLimit: Int = 1 << 20) -> (
    requests: [HTTPRequest], error: HTTPParseError?
) {
    let data = Array(text.utf8)
    var parser = HTTPRequestParser()
    var buffer: [UInt8] = []
    var requests: [HTTPRequest] = []
    var fed = 0
    repeat {
        let next = min(data.count, fed + max(chunk, 1) > data.count ? data.count : fed + chunk)
        buffer += data[fed..<next]
        fed = next
        var progressed = true
        while progressed {
            progressed = false
            do {
                let (consumed, output) = try buffer.withUnsafeBufferPointer { (pointer) throws(HTTPParseError) in
                    try parser.parse(pointer)
                }
                buffer.removeFirst(consumed)
                switch output {
                case .needMoreData: break
                case .head:
                    try parser.beginBody(limit: bodyLimit)
                    progressed = true
                case .request(let head, let body, let trailers):
                    requests.append(HTTPRequest(head: head, body: body, trailers: trailers))
                    progressed = true
                }
            } catch {
                return (requests, error)
            }
        }
    } while fed < data.count
    return (requests, nil)
}

@Suite struct ParserTests {
    @Test func parsesRequestLineHeadersAndQuery() throws {
        let (requests, error) = parseAll(
            "GET /v1/inc%C3%A9dents/a%2Fb?country=fr&q=a+b%20c&q=2&flag HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nx-a:  2 \r\n\r\n"
        )
        #expect(error == nil)
        let request = try #require(requests.first)
        #expect(request.method == "GET")
        #expect(request.path == "/v1/incédents/a/b")
        #expect(request.rawPath == "/v1/inc%C3%A9dents/a%2Fb")
        #expect(
            request.queryItems == [
                HTTPQueryItem(name: "country", value: "fr"), HTTPQueryItem(name: "q", value: "a b c"),
                HTTPQueryItem(name: "q", value: "2"), HTTPQueryItem(name: "flag", value: ""),
            ])
        #expect(request.headers.values(for: "X-A") == ["1", "2"])
        #expect(request.headers["HOST"] == "x")
        #expect(request.head.keepAlive)
    }

    static let samples = [
        "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "\r\nPOST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
        "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: 1\r\n\r\n",
        "GET http://example.com/abs?x=1 HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n",
        "GET / HTTP/1.0\r\n\r\n",
    ]

    @Test(arguments: samples)
    func splittingAtEveryByteGivesTheSameResult(_ text: String) {
        let whole = parseAll(text)
        #expect(whole.error == nil)
        #expect(whole.requests.count == 1)
        for chunk in 1..<8 {
            let split = parseAll(text, chunk: chunk)
            #expect(split.error == nil)
            #expect(split.requests.map(\.head) == whole.requests.map(\.head))
            #expect(split.requests.map(\.body) == whole.requests.map(\.body))
        }
    }

    @Test func chunkedBodyAndTrailers() throws {
        let (requests, error) = parseAll(Self.samples[2])
        #expect(error == nil)
        let request = try #require(requests.first)
        #expect(String(decoding: request.body, as: UTF8.self) == "hello world")
        #expect(request.trailers["x-checksum"] == "1")
    }

    @Test func pipelinedRequestsStayInOrder() {
        let text = (0..<10).map { "GET /\($0) HTTP/1.1\r\nHost: a\r\n\r\n" }.joined()
        let (requests, error) = parseAll(text)
        #expect(error == nil)
        #expect(requests.map(\.path) == (0..<10).map { "/\($0)" })
    }

    @Test func http10DefaultsToClose() throws {
        let request = try #require(parseAll("GET / HTTP/1.0\r\n\r\n").requests.first)
        #expect(!request.head.keepAlive)
        let keepAlive = try #require(parseAll("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").requests.first)
        #expect(keepAlive.head.keepAlive)
    }

    @Test func bodyOverLimitIsRefusedBeforeReading() {
        let (_, error) = parseAll("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n", bodyLimit: 10)
        #expect(error == .bodyTooLarge(limit: 10))
        let chunked = parseAll(
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nb\r\nhello world\r\n0\r\n\r\n",
            bodyLimit: 10)
        #expect(chunked.error == .bodyTooLarge(limit: 10))
    }

    @Test(arguments: RefusalCase.all)
    func refusals(_ refusal: RefusalCase) {
        let whole = parseAll(refusal.request)
        #expect(whole.error?.status == refusal.status, "\(refusal.name)")
        #expect(parseAll(refusal.request, chunk: 1).error?.status == refusal.status, "\(refusal.name) split")
    }
}

@Suite struct ParserBoundaryTests {
    @Test func limitsAreInclusive() {
        // Request line of exactly 8 KiB is accepted; one byte more is 414.
        let exact = "GET /" + String(repeating: "a", count: 8192 - "GET / HTTP/1.1".count) + " HTTP/1.1"
        #expect(exact.utf8.count == 8192)
        #expect(parseAll(exact + "\r\nHost: a\r\n\r\n").error == nil)
        let over = "GET /a" + String(repeating: "a", count: 8192 - "GET / HTTP/1.1".count) + " HTTP/1.1"
        #expect(parseAll(over + "\r\nHost: a\r\n\r\n").error == .requestLineTooLong)
        // 100 fields are accepted; 101 are not.
        let hundred = "GET / HTTP/1.1\r\nHost: a\r\n" + (0..<99).map { "X-\($0): 1\r\n" }.joined() + "\r\n"
        #expect(parseAll(hundred).error == nil)
    }

    @Test func elapsedTimeNeverUnderflows() {
        // A worker may stamp a connection after another thread read the clock.
        #expect(MonotonicClock.elapsed(from: 10, to: 5) == 0)
        #expect(MonotonicClock.elapsed(from: 5, to: 10) == 5)
    }
}
