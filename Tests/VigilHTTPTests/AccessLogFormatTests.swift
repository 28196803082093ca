import Testing
@testable import VigilHTTP

/// The access log writes durations with integers; the text must stay what printing the rounded
/// `Double` gave, which log readers already parse.
@Suite struct AccessLogFormatTests {
    static func printed(_ nanos: UInt64) -> String {
        let milliseconds = Double(nanos) / 1_000_000
        return "\((milliseconds * 1000).rounded() / 1000)"
    }

    @Test func durationsReadAsTheDoubleDid() {
        var samples: [UInt64] = [0, 1, 499, 500, 999, 1_000, 1_500, 10_000, 100_000, 999_499, 999_500, 1_000_000,
                                 1_250_000, 12_000_000, 12_345_678, 100_000_000, 3_600_000_000_000]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<20_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            samples.append((state >> 20) % 10_000_000_000)
        }
        var differing: [UInt64] = []
        for nanos in samples where HTTPAccessLog.milliseconds(nanos) != Self.printed(nanos) {
            differing.append(nanos)
        }
        #expect(differing.isEmpty, "first: \(differing.prefix(5).map { "\($0) -> \(HTTPAccessLog.milliseconds($0)) vs \(Self.printed($0))" })")
    }

    /// What the log wrote before it read the query byte by byte.
    static func splitAndJoined(rawPath: String, rawQuery: String?) -> String {
        guard let rawQuery else { return rawPath }
        let names = rawQuery.split(separator: "&").map { piece -> String in
            let name = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            return "\(name)="
        }
        return rawPath + "?" + names.joined(separator: "&")
    }

    @Test func queryValuesLeftOutAsBefore() {
        var queries: [String?] = [nil, "", "&", "&&", "a", "a=", "=", "=b", "a=b", "a=b=c", "a&b", "a&&b", "&a=1&", "q=%C3%A9t%C3%A9&limit=5",
                                  "country=XC&violation_types=torture&sort=-occurred&limit=50", "é=ü&x"]
        let alphabet = Array("ab=&%é")
        var state: UInt64 = 42
        for _ in 0..<5_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            var query = ""
            for index in 0..<Int(state >> 60) {
                query.append(alphabet[Int((state >> UInt64(index * 3)) % UInt64(alphabet.count))])
            }
            queries.append(query)
        }
        let differing = queries.filter {
            HTTPAccessLog.loggedPath(rawPath: "/v1/x", rawQuery: $0) != Self.splitAndJoined(rawPath: "/v1/x", rawQuery: $0)
        }
        #expect(differing.isEmpty, "first: \(differing.prefix(5))")
        #expect(HTTPAccessLog.loggedPath(rawPath: "/v1/incidents", rawQuery: "q=name&limit=5") == "/v1/incidents?q=&limit=")
    }
}
