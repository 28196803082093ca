import Testing

@testable import VigilJSON
@testable import VigilStore

/// `JSONWriter.writeString` skips clean text eight bytes at a time: every byte that needs an
/// escape must still be found wherever it falls in a word, and everything else copied as is.
@Suite struct JSONWriterTests {
    /// The plain byte-at-a-time escaper the fast one must agree with.
    static func reference(_ text: String) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += Array("\\\"".utf8)
            case UInt8(ascii: "\\"): out += Array("\\\\".utf8)
            case 0x0A: out += Array("\\n".utf8)
            case 0x09: out += Array("\\t".utf8)
            case 0x0D: out += Array("\\r".utf8)
            case 0x08: out += Array("\\b".utf8)
            case 0x0C: out += Array("\\f".utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
        return out
    }

    @Test func agreesWithTheByteAtATimeEscaperAtEveryPosition() {
        let pieces = [
            "a", "Z", " ", "\"", "\\", "\n", "\u{0}", "\u{1F}", "\u{7F}", "é", "—", "🕊", "/", "]", "<", "\u{1B}",
        ]
        var random = SplitMix64(seed: 42)
        for length in 0..<40 {
            for _ in 0..<60 {
                let text = (0..<length).map { _ in pieces[random.next(pieces.count)] }.joined()
                var out: [UInt8] = []
                JSONWriter.writeString(text, into: &out)
                #expect(out == Self.reference(text), "\(Array(text.utf8))")
            }
        }
        // One special byte at each offset of a long clean run.
        for offset in 0..<24 {
            for special in ["\"", "\\", "\u{1}", "\u{1F}"] {
                var text = String(repeating: "x", count: 24)
                text = String(text.prefix(offset)) + special + String(text.dropFirst(offset + 1))
                var out: [UInt8] = []
                JSONWriter.writeString(text, into: &out)
                #expect(out == Self.reference(text), "offset \(offset)")
            }
        }
    }

    /// The record encoder writes into a ``ByteWriter``: the same bytes as into an array, through
    /// every growth of its buffer, and nothing left over after `removeAll`.
    @Test func aByteWriterHoldsWhatAnArrayWould() {
        let pieces = ["a", "\"", "\\", "\n", "\u{0}", "é", "🕊", String(repeating: "long clean text ", count: 9)]
        var random = SplitMix64(seed: 7)
        var writer = ByteWriter(capacity: 1)
        var expected: [UInt8] = []
        for round in 0..<400 {
            let text = (0..<random.next(12)).map { _ in pieces[random.next(pieces.count)] }.joined()
            JSONWriter.writeString(text, into: &writer)
            JSONWriter.writeString(text, into: &expected)
            JSONWriter.writeInt(Int64(round) * 7_919 - 1_000_000, into: &writer)
            JSONWriter.writeInt(Int64(round) * 7_919 - 1_000_000, into: &expected)
            JSONWriter.writeDouble(Double(round) / 7, into: &writer)
            JSONWriter.writeDouble(Double(round) / 7, into: &expected)
            JSONWriter.writeBool(round % 2 == 0, into: &writer)
            JSONWriter.writeBool(round % 2 == 0, into: &expected)
            JSONWriter.writeNull(into: &writer)
            JSONWriter.writeNull(into: &expected)
        }
        #expect(writer.count == expected.count)
        let written = writer.bytes()
        let firstDifference = zip(written, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(
            firstDifference == nil && written.count == expected.count, "first difference at \(firstDifference ?? -1)")
        writer.removeAll()
        JSONWriter.writeInt(.min, into: &writer)
        #expect(writer.bytes() == Array("-9223372036854775808".utf8))
    }

    /// Short decimals are printed without `Double.description`: the bytes must be the ones it
    /// prints, for the decimals the fast path takes and for the values around its edges that it
    /// hands back.
    @Test func doublesAreWrittenAsTheirDescription() {
        func check(_ value: Double) {
            var out: [UInt8] = []
            JSONWriter.writeDouble(value, into: &out)
            let expected = value.isFinite ? value.description : "null"
            #expect(String(decoding: out, as: UTF8.self) == expected, "\(value.bitPattern)")
        }
        var random = SplitMix64(seed: 11)
        var taken = 0
        for _ in 0..<200_000 {
            // Decimals of 0-7 places and 1-10 integer digits, as typed: most take the fast path.
            let places = random.next(8)
            let integer = Double(random.next(1_000_000_000)) / Double([1, 10, 1_000, 100_000][random.next(4)])
            let decimal = (integer * pow10(places)).rounded() / pow10(places)
            let value = random.next(2) == 0 ? decimal : -decimal
            var probe: [UInt8] = []
            if JSONWriter.writeShortDecimal(value, into: &probe) { taken += 1 }
            check(value)
            // Any double at all (its bits at random), and the neighbours of a decimal.
            let bits = UInt64(random.next(Int(UInt32.max))) << 32 | UInt64(random.next(Int(UInt32.max)))
            check(Double(bitPattern: bits))
            check(value.nextUp)
            check(value.nextDown)
        }
        #expect(taken > 100_000, "the fast path took \(taken) of 200,000 decimals")
        for value in [
            0.0, -0.0, 0.001, 0.000_999_999, 0.0009, 1e9, 1e9 - 0.000_001, 999_999_999.999_999, -999_999_999.999_999,
            0.1 + 0.2, 5, 12.61, -30.12, 1e-5, 1e15, 1e16, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 0.5e-6,
        ] {
            check(value)
        }
    }

    private func pow10(_ exponent: Int) -> Double {
        (0..<exponent).reduce(1.0) { product, _ in product * 10 }
    }
}
