import Testing

@testable import VigilAPI

/// The `Link: rel="next"` header's query is percent-encoded byte by byte: everything but RFC
/// 3986's unreserved characters, in upper-case hex, UTF-8 bytes one by one.
@Suite struct PercentEncodingTests {
    @Test(arguments: [
        ("", ""),
        ("abcXYZ019-._~", "abcXYZ019-._~"),
        ("a b", "a%20b"),
        ("eyJrIjpbMV19+/=", "eyJrIjpbMV19%2B%2F%3D"),
        ("é", "%C3%A9"),
        ("\u{0}\u{7F}", "%00%7F"),
        ("&=?#%", "%26%3D%3F%23%25"),
    ])
    func encodesAllButUnreserved(text: String, encoded: String) {
        #expect(QueryParameters.encode(text) == encoded)
    }
}
