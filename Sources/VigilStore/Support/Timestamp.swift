import Glibc

/// RFC 3339 UTC timestamps with milliseconds, the only time format the store writes.
///
/// Fixed width (`2026-11-29T14:44:45.123Z`) so that text comparison is time comparison,
/// which `updated_since` and the indexes rely on.
public enum Timestamp {
    /// The current time.
    public static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return format(seconds: Int(spec.tv_sec), milliseconds: Int(spec.tv_nsec / 1_000_000))
    }

    /// Formats seconds since the epoch plus milliseconds (years 0–9999), digits written straight
    /// into the string's storage: every authenticated request formats the time once.
    public static func format(seconds: Int, milliseconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(unsafeUninitializedCapacity: 24) { out in
            func put(_ value: Int, _ width: Int, at offset: Int) {
                var value = max(0, value)
                for position in stride(from: offset + width - 1, through: offset, by: -1) {
                    out[position] = UInt8(48 + value % 10)
                    value /= 10
                }
            }
            put(Int(parts.tm_year) + 1900, 4, at: 0)
            out[4] = UInt8(ascii: "-")
            put(Int(parts.tm_mon) + 1, 2, at: 5)
            out[7] = UInt8(ascii: "-")
            put(Int(parts.tm_mday), 2, at: 8)
            out[10] = UInt8(ascii: "T")
            put(Int(parts.tm_hour), 2, at: 11)
            out[13] = UInt8(ascii: ":")
            put(Int(parts.tm_min), 2, at: 14)
            out[16] = UInt8(ascii: ":")
            put(Int(parts.tm_sec), 2, at: 17)
            out[19] = UInt8(ascii: ".")
            put(milliseconds, 3, at: 20)
            out[23] = UInt8(ascii: "Z")
            return 24
        }
    }

    /// Checks an RFC 3339 date or date-time given by a client (`2026-11-29`,
    /// `2026-11-29T10:00:00Z`, with optional fraction) and returns it in the stored form's
    /// prefix so that it compares correctly with stored timestamps; nil when malformed.
    public static func normalize(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        func digits(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard bytes.count >= 10, let year = digits(0..<4), bytes[4] == 45, let month = digits(5..<7),
            bytes[7] == 45, let day = digits(8..<10), year >= 1, (1...12).contains(month),
            day >= 1, day <= UncertainDate.daysInMonth(month, year: year)
        else { return nil }
        let date = String(text.prefix(10))
        if bytes.count == 10 { return date }
        guard bytes.count >= 20, bytes[10] == 84 || bytes[10] == 116, let hour = digits(11..<13), bytes[13] == 58,
            let minute = digits(14..<16), bytes[16] == 58, let second = digits(17..<19),
            hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var fraction = ""
        if bytes[index] == 46 {
            index += 1
            let start = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
            guard index > start else { return nil }
            fraction = String(decoding: bytes[start..<index], as: UTF8.self)
        }
        guard index == bytes.count - 1, bytes[index] == 90 || bytes[index] == 122 else {
            return nil  // Only UTC ("Z") is accepted: offsets would not compare as text.
        }
        let millis = (fraction + "000").prefix(3)
        return date + "T" + String(decoding: bytes[11..<19], as: UTF8.self) + "." + millis + "Z"
    }
}
