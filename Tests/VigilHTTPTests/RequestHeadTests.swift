import Testing

@testable import VigilHTTP

/// A request head shares its fields between copies until one is changed: a change to a copy
/// must never show in the original (or in any other copy handed to another thread).
@Suite struct RequestHeadTests {
    static func parsed() throws -> HTTPRequestHead {
        let text = "GET /v1/incidents?country=XC&limit=5 HTTP/1.1\r\nHost: example\r\nAuthorization: Bearer x\r\n\r\n"
        return try HTTPHeadParser.parse(ArraySlice(text.utf8))
    }

    @Test func aChangedCopyLeavesTheOriginalAsItWas() throws {
        let original = try Self.parsed()
        var copy = original
        #expect(copy == original)
        copy.path = "/elsewhere"
        copy.method = "POST"
        copy.headers.add(name: "X-Added", value: "1")
        copy.queryItems.removeAll()
        copy.keepAlive = false
        #expect(original.path == "/v1/incidents" && original.method == "GET")
        #expect(original.headers.count == 2 && original.headers["X-Added"] == nil)
        #expect(original.queryItems.count == 2 && original.keepAlive)
        #expect(copy.path == "/elsewhere" && copy.method == "POST" && copy.headers.count == 3)
        #expect(copy != original)
        // Changing it back makes it equal again, field by field (no longer the same box).
        var restored = copy
        restored.path = original.path
        restored.method = original.method
        restored.headers = original.headers
        restored.queryItems = original.queryItems
        restored.keepAlive = true
        #expect(restored == original)
        #expect(copy.path == "/elsewhere")
    }

    /// Target, raw path and decoded path for each form of request target (the parser reuses one
    /// string for all three when they are the same text).
    @Test(
        arguments: [
            ("GET /v1/incidents HTTP/1.1", "/v1/incidents", "/v1/incidents", "/v1/incidents", nil),
            (
                "GET /v1/incidents?limit=5 HTTP/1.1", "/v1/incidents?limit=5", "/v1/incidents", "/v1/incidents",
                "limit=5"
            ),
            ("GET /a%20b/c HTTP/1.1", "/a%20b/c", "/a%20b/c", "/a b/c", nil),
            ("GET http://example/x/y?q=1 HTTP/1.1", "http://example/x/y?q=1", "/x/y", "/x/y", "q=1"),
            ("GET http://example HTTP/1.1", "http://example", "/", "/", nil),
            ("GET http://example?q HTTP/1.1", "http://example?q", "/", "/", "q"),
            ("OPTIONS * HTTP/1.1", "*", "*", "*", nil),
        ] as [(String, String, String, String, String?)])
    func targetForms(line: String, target: String, rawPath: String, path: String, rawQuery: String?) throws {
        let head = try HTTPHeadParser.parse(ArraySlice((line + "\r\nHost: example\r\n\r\n").utf8))
        #expect(head.target == target)
        #expect(head.rawPath == rawPath)
        #expect(head.path == path)
        #expect(head.rawQuery == rawQuery)
    }
}
