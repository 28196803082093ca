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
}
