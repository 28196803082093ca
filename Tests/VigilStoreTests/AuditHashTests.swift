import Testing

@testable import VigilJSON
@testable import VigilStore

/// The audit chain's byte forms must never change: entries written by earlier versions have to
/// verify with this one. The expected digests were computed outside Swift (Python's hashlib, the
/// length-prefixed form described on `AuditLog.entryHash`).
@Suite struct AuditHashTests {
    @Test func entryHashIsTheDocumentedLengthPrefixedForm() {
        let first = AuditLog.entryHash(
            previous: String(repeating: "0", count: 64), seq: 42, at: "2026-11-30T03:00:00.000Z", actor: "field team",
            action: "create", kind: "incidents", recordID: "inc_01ABC", confidentiality: 1,
            beforeDigest: String(repeating: "ab", count: 32), afterDigest: nil)
        #expect(first == "2008ae92432d213e8e9f371c50c5922fe67cae73ff0a44954ed5b9ab47114120")
        let second = AuditLog.entryHash(
            previous: String(repeating: "f", count: 64), seq: 7, at: "2026-01-01T00:00:00Z", actor: "Zoë",
            action: "update", kind: "sites", recordID: "sit_X", confidentiality: 0,
            beforeDigest: nil, afterDigest: String(repeating: "cd", count: 32))
        #expect(second == "1f581f5154f0a6901493a26d7e1e1bbb6277a1c8be3323a3ec1fc856e0a7facc")
    }

    @Test func canonicalKeyOrderIsTheUTF8ByteOrder() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [Character] = ["a", "b", "z", "A", "_", "0", "é", "e", "ß", "日", "\u{7F}", "\u{80}"]
        for _ in 0..<2_000 {
            let left = String(
                (0..<Int.random(in: 0...5, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            let right = String(
                (0..<Int.random(in: 0...5, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            #expect(
                JSONValue.utf8Precedes(left, right) == left.utf8.lexicographicallyPrecedes(right.utf8),
                "\(left) \(right)")
        }
        let long = String(repeating: "x", count: 40)
        #expect(JSONValue.utf8Precedes(long, long + "a"))
        #expect(!JSONValue.utf8Precedes(long + "a", long))
        #expect(!JSONValue.utf8Precedes(long, long))
    }
}
