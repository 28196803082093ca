/// Percent-decoding for request targets (RFC 3986 §2.1).
///
/// Decoding is strict: a `%` not followed by two hex digits, or bytes that do not form UTF-8, make
/// the request a 400 instead of being passed on half-decoded.
enum PercentDecoding {
    /// Decodes `bytes`; with `plusAsSpace`, `+` becomes a space (query strings). Nil when invalid.
    static func decode(_ bytes: ArraySlice<UInt8>, plusAsSpace: Bool) -> String? {
        var needsWork = false
        var isASCII = true
        for byte in bytes {
            if byte == UInt8(ascii: "%") || (plusAsSpace && byte == UInt8(ascii: "+")) {
                needsWork = true
                break
            }
            if byte >= 0x80 { isASCII = false }
        }
        if !needsWork {
            // ASCII is valid UTF-8 as it is (the usual path and query); validating through the
            // generic sequence path was most of this function's cost.
            return isASCII ? String(decoding: bytes, as: UTF8.self) : String(validating: bytes, as: UTF8.self)
        }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.endIndex,
                    let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
                else { return nil }
                output.append(high << 4 | low)
                index += 3
            } else if plusAsSpace && byte == UInt8(ascii: "+") {
                output.append(UInt8(ascii: " "))
                index += 1
            } else {
                output.append(byte)
                index += 1
            }
        }
        return String(validating: output, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
