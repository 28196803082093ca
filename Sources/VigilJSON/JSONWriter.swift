/// Low-level JSON output into a byte buffer.
///
/// Exists so hot paths (list responses, exports) can encode records straight into the response
/// buffer without building a `JSONValue` tree first. Output is compact UTF-8: strings escape only
/// `"`, `\` and control characters (never `/` or non-ASCII), integers are plain decimals and
/// doubles use Swift's shortest round-trip form.
public enum JSONWriter {
    /// Appends `text` as a quoted, escaped JSON string.
    public static func writeString<Sink: JSONByteSink & ~Copyable>(_ text: String, into buffer: inout Sink) {
        var text = text
        text.withUTF8 { utf8 in
            writeString(utf8: utf8, into: &buffer)
        }
    }

    /// Appends already-valid UTF-8 bytes as a quoted, escaped JSON string.
    ///
    /// Eight bytes at a time while none needs escaping (most text), then byte by byte around
    /// the ones that do: the byte loop alone was the largest item of a 50-record page's profile.
    public static func writeString<Sink: JSONByteSink & ~Copyable>(
        utf8: UnsafeBufferPointer<UInt8>, into buffer: inout Sink
    ) {
        buffer.append(UInt8(ascii: "\""))
        guard let base = utf8.baseAddress else {
            buffer.append(UInt8(ascii: "\""))
            return
        }
        let count = utf8.count
        var runStart = 0
        var index = 0
        while index < count {
            if index + 8 <= count {
                if !needsEscape(UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)) {
                    index += 8
                    continue
                }
            } else if count >= 8, !needsEscape(UnsafeRawPointer(base + count - 8).loadUnaligned(as: UInt64.self)) {
                // The last eight bytes, overlapping ones already checked, hold the rest: clean.
                index = count
                break
            }
            let byte = base[index]
            if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                index += 1
                continue
            }
            if runStart < index {
                buffer.append(bytes: UnsafeBufferPointer(start: base + runStart, count: index - runStart))
            }
            appendEscape(byte, into: &buffer)
            index += 1
            runStart = index
        }
        if runStart < count {
            buffer.append(bytes: UnsafeBufferPointer(start: base + runStart, count: count - runStart))
        }
        buffer.append(UInt8(ascii: "\""))
    }

    /// Whether any of the eight bytes is below 0x20, `"` or `\` (bit tricks from "Bit Twiddling
    /// Hacks": a byte is zero in `v` when `(v - 0x01…) & ~v & 0x80…` has its high bit).
    @inline(__always)
    private static func needsEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let control = (word &- ones &* 0x20) & ~word & highs
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let quoteZero = (quote &- ones) & ~quote & highs
        let backslashZero = (backslash &- ones) & ~backslash & highs
        return (control | quoteZero | backslashZero) != 0
    }

    private static func appendEscape<Sink: JSONByteSink & ~Copyable>(_ byte: UInt8, into buffer: inout Sink) {
        buffer.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""): buffer.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\"))
        case 0x0A: buffer.append(UInt8(ascii: "n"))
        case 0x09: buffer.append(UInt8(ascii: "t"))
        case 0x0D: buffer.append(UInt8(ascii: "r"))
        case 0x08: buffer.append(UInt8(ascii: "b"))
        case 0x0C: buffer.append(UInt8(ascii: "f"))
        default:
            let hexDigits: StaticString = "0123456789abcdef"
            buffer.append(UInt8(ascii: "u"))
            buffer.append(UInt8(ascii: "0"))
            buffer.append(UInt8(ascii: "0"))
            buffer.append(hexDigits.utf8Start[Int(byte >> 4)])
            buffer.append(hexDigits.utf8Start[Int(byte & 0x0F)])
        }
    }

    /// Appends an object key with its colon: `"key":`.
    public static func writeKey<Sink: JSONByteSink & ~Copyable>(_ key: String, into buffer: inout Sink) {
        writeString(key, into: &buffer)
        buffer.append(UInt8(ascii: ":"))
    }

    /// Appends an integer in decimal, without going through `String`.
    public static func writeInt<Sink: JSONByteSink & ~Copyable>(_ value: Int64, into buffer: inout Sink) {
        // Work with the magnitude as UInt64 so Int64.min needs no special case. The digits are
        // made least significant first, at the end of a 20-byte scratch (UInt64.max has 20).
        var magnitude = value.magnitude
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var first = 20
            repeat {
                first -= 1
                digits[first] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            buffer.append(bytes: UnsafeBufferPointer(rebasing: digits[first..<20]))
        }
    }

    /// Appends a double in Swift's shortest round-trip form (e.g. `0.1`, `1e-05`, `1e+16`),
    /// which is valid JSON for every finite value and always contains `.` or `e`, so it parses
    /// back as a double. JSON has no NaN or infinity; a non-finite value is written as `null`.
    public static func writeDouble<Sink: JSONByteSink & ~Copyable>(_ value: Double, into buffer: inout Sink) {
        guard value.isFinite else {
            writeNull(into: &buffer)
            return
        }
        if writeShortDecimal(value, into: &buffer) { return }
        var text = value.description
        text.withUTF8 { buffer.append(bytes: $0) }
    }

    /// Writes `value` as Swift's `description` would, without making a `String`, when it is a
    /// decimal of at most six places between 0.001 and 10⁹ (coordinates, amounts): printing
    /// latitudes and longitudes through `description` was 3% of a 50-record page.
    ///
    /// Why the digits are the same: if the integer `n = value × 10⁶` gives `value` back as
    /// `Double(n) / 10⁶` (one correctly rounded division of two exact numbers, which is what
    /// parsing the decimal `n × 10⁻⁶` gives), that decimal reads back as `value`; it has at most
    /// 15 significant digits, and two different decimals of 15 digits or fewer never read as the
    /// same `Double`, so it is the shortest one that does — the digits `description` prints.
    /// In this range `description` uses plain notation, with at least one fraction digit.
    static func writeShortDecimal<Sink: JSONByteSink & ~Copyable>(_ value: Double, into buffer: inout Sink) -> Bool {
        let magnitude = value.magnitude
        guard magnitude >= 0.001, magnitude < 1e9 else { return false }
        let scaled = (magnitude * 1e6).rounded()
        guard scaled / 1e6 == magnitude else { return false }
        var micros = UInt64(scaled)
        // At most 17 bytes ("-999999999.999999"), written backwards from the end.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { text in
            let end = text.count
            var index = end
            var fraction = micros % 1_000_000
            micros /= 1_000_000
            var places = 6
            while places > 1 && fraction % 10 == 0 {
                fraction /= 10
                places -= 1
            }
            for _ in 0..<places {
                index -= 1
                text[index] = UInt8(ascii: "0") + UInt8(fraction % 10)
                fraction /= 10
            }
            index -= 1
            text[index] = UInt8(ascii: ".")
            repeat {
                index -= 1
                text[index] = UInt8(ascii: "0") + UInt8(micros % 10)
                micros /= 10
            } while micros > 0
            if value.sign == .minus {
                index -= 1
                text[index] = UInt8(ascii: "-")
            }
            buffer.append(bytes: UnsafeBufferPointer(rebasing: text[index..<end]))
        }
        return true
    }

    /// Appends `true` or `false`.
    public static func writeBool<Sink: JSONByteSink & ~Copyable>(_ value: Bool, into buffer: inout Sink) {
        let text: StaticString = value ? "true" : "false"
        buffer.append(bytes: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends `null`.
    public static func writeNull<Sink: JSONByteSink & ~Copyable>(into buffer: inout Sink) {
        let text: StaticString = "null"
        buffer.append(bytes: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}
