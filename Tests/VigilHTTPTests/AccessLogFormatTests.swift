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
        var samples: [UInt64] = [
            0, 1, 499, 500, 999, 1_000, 1_500, 10_000, 100_000, 999_499, 999_500, 1_000_000,
            1_250_000, 12_000_000, 12_345_678, 100_000_000, 3_600_000_000_000,
        ]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            samples.append((state >> 20) % 10_000_000_000)
        }
        var differing: [UInt64] = []
        for nanos in samples where HTTPAccessLog.milliseconds(nanos) != Self.printed(nanos) {
            differing.append(nanos)
        }
        #expect(
            differing.isEmpty,
            "first: \(differing.prefix(5).map { "\($0) -> \(HTTPAccessLog.milliseconds($0)) vs \(Self.printed($0))" })")
    }

    /// The rule, written plainly: each non-empty piece is its name and `=` when the name is
    /// declared, `*` otherwise (a bare word, an unknown or unplain name); values never appear.
    static func splitAndJoined(rawPath: String, rawQuery: String?, declared: Set<String>) -> String {
        guard let rawQuery else { return rawPath }
        let names = rawQuery.split(separator: "&").map { piece -> String in
            let name = String(piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            return declared.contains(name) ? "\(name)=" : "*"
        }
        return rawPath + "?" + names.joined(separator: "&")
    }

    @Test func onlyDeclaredQueryNamesAreShown() {
        let declared: Set<String> = ["a", "q", "limit", "country", "violation_types", "sort", "occurred.gte"]
        let names = LoggedQueryNames(declared.union(["é", "Upper", "a.b.c", "9lives"]))  // not plain: never shown
        var queries: [String?] = [
            nil, "", "&", "&&", "a", "a=", "=", "=b", "a=b", "a=b=c", "a&b", "a&&b", "&a=1&", "q=%C3%A9t%C3%A9&limit=5",
            "country=XC&violation_types=torture&sort=-occurred&limit=50", "é=ü&x", "occurred.gte=2017&vgl_x",
            "Upper=1&a.b.c&9lives", "%61=1",
        ]
        let alphabet = Array("ab=&%é")
        var state: UInt64 = 42
        for _ in 0..<5_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            var query = ""
            for index in 0..<Int(state >> 60) {
                query.append(alphabet[Int((state >> UInt64(index * 3)) % UInt64(alphabet.count))])
            }
            queries.append(query)
        }
        let differing = queries.filter {
            HTTPAccessLog.loggedPath(rawPath: "/v1/x", rawQuery: $0, names: names)
                != Self.splitAndJoined(rawPath: "/v1/x", rawQuery: $0, declared: declared)
        }
        #expect(differing.isEmpty, "first: \(differing.prefix(5))")
        #expect(
            HTTPAccessLog.loggedPath(rawPath: "/v1/incidents", rawQuery: "q=name&limit=5", names: names)
                == "/v1/incidents?q=&limit=")
        #expect(
            HTTPAccessLog.loggedPath(rawPath: "/v1/incidents", rawQuery: "vgl_secret&limit=5", names: names)
                == "/v1/incidents?*&limit=")
        #expect(
            HTTPAccessLog.loggedPath(rawPath: "/v1/incidents", rawQuery: "limit=5", names: .none) == "/v1/incidents?*")
    }
}
