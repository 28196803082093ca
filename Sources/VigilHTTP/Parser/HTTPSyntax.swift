/// Byte classes from RFC 9110 §5.6.2 (tokens) and §5.5 (field values), as lookup tables so the
/// hot parsing loops stay branch-light.
enum HTTPSyntax {
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let colon = UInt8(ascii: ":")

    /// tchar: `!#$%&'*+-.^_`|~`, digits and letters.
    static let tokenTable = lettersDigitsAnd("!#$%&'*+-.^_`|~")

    /// A table of the 256 byte values: true for ASCII letters, digits and the bytes of `others`.
    static func lettersDigitsAnd(_ others: String) -> [Bool] {
        (0..<256).map { value in
            let byte = UInt8(value)
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "A")...UInt8(ascii: "Z"):
                return true
            default:
                return others.utf8.contains(byte)
            }
        }
    }

    @inline(__always)
    static func isToken(_ byte: UInt8) -> Bool { tokenTable[Int(byte)] }

    /// Bytes allowed inside a field value: VCHAR, obs-text, SP and HTAB; no other control bytes.
    @inline(__always)
    static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte == tab || (byte >= 0x20 && byte != 0x7F)
    }

    /// Bytes allowed in a request-target: visible ASCII only (no controls, spaces or non-ASCII).
    @inline(__always)
    static func isTargetByte(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F
    }

    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    static func isToken<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        !bytes.isEmpty && bytes.allSatisfy(isToken)
    }

    /// Strips leading and trailing SP/HTAB (OWS).
    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end && isWhitespace(bytes[start]) { start += 1 }
        while end > start && isWhitespace(bytes[end - 1]) { end -= 1 }
        return bytes[start..<end]
    }

    /// Splits a comma-separated list (RFC 9110 §5.6.1), trimming OWS and dropping empty elements.
    static func listElements(_ value: String) -> [String] {
        value.split(separator: ",", omittingEmptySubsequences: false)
            .map { String(decoding: trimmed(ArraySlice($0.utf8)), as: UTF8.self) }
            .filter { !$0.isEmpty }
    }

    /// ASCII-lowercases a string (field values compared as case-insensitive tokens).
    static func lowercased(_ value: String) -> String {
        String(decoding: value.utf8.map(asciiLower), as: UTF8.self)
    }
}
