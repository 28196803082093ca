/// A date as people actually know it: a year, a month or a day, possibly approximate or
/// uncertain, or an interval between two such dates — the subset of EDTF (ISO 8601-2) Vigil
/// accepts for fields such as `occurred`, `alleged_on` and `first_reported`.
///
/// The text is kept exactly as given, and the normalized bounds make overlap filters and sorting
/// possible: `2017-02/2017-03` may be any day from 2017-02-01 to 2017-03-31.
///
/// Accepted forms: `YYYY`, `YYYY-MM`, `YYYY-MM-DD` (year 0001–9999), each optionally followed by
/// one qualifier `~` (approximate), `?` (uncertain) or `%` (both), which does not change the
/// bounds; and `A/B` where each side is such a date or `..` for an open side (not both).
public struct UncertainDate: Sendable, Hashable {
    /// The date exactly as the client wrote it.
    public let text: String
    /// The first day it may refer to, as `YYYY-MM-DD`; `nil` only for an open start (`../2017`).
    public let earliest: String?
    /// The last day it may refer to, as `YYYY-MM-DD`; `nil` only for an open end (`2017/..`).
    public let latest: String?

    /// Parses and validates `text`, computing its bounds.
    public init(parsing text: String) throws(UncertainDateError) {
        if let day = Self.plainDay(text) {
            self.text = text
            earliest = day
            latest = day
            return
        }
        guard !text.isEmpty else {
            throw UncertainDateError("a date must not be empty")
        }
        if text.unicodeScalars.contains(where: { $0.properties.isWhitespace }) {
            throw UncertainDateError("\(Self.quote(text)) must not contain whitespace")
        }
        let parts = text.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        switch parts.count {
        case 1:
            if text == ".." {
                throw UncertainDateError(
                    "\(Self.quote(text)): '..' is only allowed as one side of an interval")
            }
            let day = try Self.parseSingle(Array(parts[0]), whole: text)
            self.text = text
            earliest = day.earliest
            latest = day.latest
        case 2:
            let start = Array(parts[0])
            let end = Array(parts[1])
            if start.isEmpty || end.isEmpty {
                throw UncertainDateError(
                    "\(Self.quote(text)): both sides of an interval are required; use '..' for an open side")
            }
            let openStart = start == Self.openMarker
            let openEnd = end == Self.openMarker
            if openStart && openEnd {
                throw UncertainDateError(
                    "\(Self.quote(text)): an interval cannot be open at both ends")
            }
            let startBounds = openStart ? nil : try Self.parseSingle(start, whole: text)
            let endBounds = openEnd ? nil : try Self.parseSingle(end, whole: text)
            if let startBounds, let endBounds, startBounds.earliest > endBounds.latest {
                throw UncertainDateError(
                    "\(Self.quote(text)): the interval ends before it starts")
            }
            self.text = text
            earliest = startBounds?.earliest
            latest = endBounds?.latest
        default:
            throw UncertainDateError(
                "\(Self.quote(text)): an interval has exactly one '/'")
        }
    }

    /// `text` itself when it is a plain `YYYY-MM-DD` day that exists (the usual form, checked
    /// byte by byte: the general parser splits and copies, about 2% of a create); nil for
    /// anything else, which the general parser then accepts or explains.
    private static func plainDay(_ text: String) -> String? {
        let bytes = text.utf8
        guard bytes.count == 10 else { return nil }
        var year = 0
        var month = 0
        var day = 0
        for (offset, byte) in bytes.enumerated() {
            if offset == 4 || offset == 7 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = Int(byte - UInt8(ascii: "0"))
            if offset < 4 {
                year = year * 10 + digit
            } else if offset < 7 {
                month = month * 10 + digit
            } else {
                day = day * 10 + digit
            }
        }
        guard year >= 1, (1...12).contains(month), day >= 1, day <= daysInMonth(month, year: year) else { return nil }
        return text
    }

    private static let openMarker: [UInt8] = [UInt8(ascii: "."), UInt8(ascii: ".")]

    private static func quote(_ text: String) -> String {
        "\"\(text)\""
    }

    /// Parses one side: `YYYY[-MM[-DD]]` plus an optional qualifier.
    private static func parseSingle(
        _ bytes: [UInt8], whole: String
    ) throws(UncertainDateError) -> (earliest: String, latest: String) {
        let side = String(decoding: bytes, as: UTF8.self)
        var body = bytes[...]
        if let last = body.last,
            last == UInt8(ascii: "~") || last == UInt8(ascii: "?") || last == UInt8(ascii: "%")
        {
            body = body.dropLast()
            if let previous = body.last,
                previous == UInt8(ascii: "~") || previous == UInt8(ascii: "?")
                    || previous == UInt8(ascii: "%")
            {
                throw UncertainDateError(
                    "\(quote(whole)): at most one qualifier ('~', '?' or '%') per date")
            }
        }
        let fields = body.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
        let expected = "expected YYYY, YYYY-MM or YYYY-MM-DD, optionally followed by '~', '?' or '%'"
        guard (1...3).contains(fields.count),
            fields[0].count == 4,
            fields.dropFirst().allSatisfy({ $0.count == 2 }),
            fields.allSatisfy({ $0.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } })
        else {
            let subject = side == whole ? quote(whole) : "\(quote(whole)) (\(quote(side)))"
            throw UncertainDateError("\(subject): \(expected)")
        }
        let year = number(fields[0])
        guard year >= 1 else {
            throw UncertainDateError("\(quote(whole)): the year must be between 0001 and 9999")
        }
        guard fields.count >= 2 else {
            return (format(year, 1, 1), format(year, 12, 31))
        }
        let month = number(fields[1])
        guard (1...12).contains(month) else {
            throw UncertainDateError("\(quote(whole)): month \(month) does not exist")
        }
        let monthLength = daysInMonth(month, year: year)
        guard fields.count == 3 else {
            return (format(year, month, 1), format(year, month, monthLength))
        }
        let day = number(fields[2])
        guard day >= 1 && day <= monthLength else {
            throw UncertainDateError(
                "\(quote(whole)): day \(day) does not exist in \(format(year, month, nil))")
        }
        return (format(year, month, day), format(year, month, day))
    }

    private static func number(_ digits: ArraySlice<UInt8>) -> Int {
        digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    /// Days in a month of the proleptic Gregorian calendar.
    static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 2:
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return leap ? 29 : 28
        case 4, 6, 9, 11:
            return 30
        default:
            return 31
        }
    }

    private static func format(_ year: Int, _ month: Int, _ day: Int?) -> String {
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        var result = pad(year, 4) + "-" + pad(month, 2)
        if let day { result += "-" + pad(day, 2) }
        return result
    }
}
