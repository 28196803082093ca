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
}
