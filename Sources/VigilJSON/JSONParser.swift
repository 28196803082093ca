/// The byte-level parser behind `JSONValue.parse`. Iterative: containers under construction
/// live on explicit stacks instead of the call stack.
struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var position = 0
    /// Reused buffer for strings that contain escapes.
    var scratch: [UInt8] = []

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    // MARK: Errors

    func error(_ message: String, at offset: Int) -> JSONParseError {
        JSONParseError(offset: offset, message: "\(message) at byte \(offset)")
    }

    /// Describes the byte at `offset` for an "unexpected" message.
    func unexpected(at offset: Int, expecting: String? = nil) -> JSONParseError {
        let suffix = expecting.map { ", expected \($0)" } ?? ""
        guard offset < bytes.count else {
            return error("unexpected end of input\(suffix)", at: offset)
        }
        let byte = bytes[offset]
        if byte >= 0x21 && byte < 0x7F {
            let character = Character(Unicode.Scalar(byte))
            return error("unexpected character '\(character)'\(suffix)", at: offset)
        }
        return error("unexpected byte 0x\(hex2(byte))\(suffix)", at: offset)
    }

    func hex2(_ byte: UInt8) -> String {
        let digits: [Character] = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }

    // MARK: Structure

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF {
            throw error("a byte order mark is not allowed", at: 0)
        }
        // Containers being built: `isObject` says which stack the innermost one lives on.
        var isObject: [Bool] = []
        var arrays: [[JSONValue]] = []
        var objects: [JSONObject] = []
        var pendingKeys: [String] = []

        parseValue: while true {
            skipWhitespace()
            guard position < bytes.count else {
                throw unexpected(at: position, expecting: "a value")
            }
            var value: JSONValue
            let start = position
            switch bytes[position] {
            case UInt8(ascii: "{"):
                guard isObject.count < maxDepth else {
                    throw error("nesting deeper than \(maxDepth) levels", at: start)
                }
                position += 1
                skipWhitespace()
                if position < bytes.count && bytes[position] == UInt8(ascii: "}") {
                    position += 1
                    value = .object(JSONObject())
                } else {
                    let key = try parseKey(in: JSONObject())
                    isObject.append(true)
                    objects.append(JSONObject())
                    pendingKeys.append(key)
                    continue parseValue
                }
            case UInt8(ascii: "["):
                guard isObject.count < maxDepth else {
                    throw error("nesting deeper than \(maxDepth) levels", at: start)
                }
                position += 1
                skipWhitespace()
                if position < bytes.count && bytes[position] == UInt8(ascii: "]") {
                    position += 1
                    value = .array([])
                } else {
                    isObject.append(false)
                    arrays.append([])
                    continue parseValue
                }
            case UInt8(ascii: "\""):
                value = .string(try parseString())
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = try parseNumber()
            case UInt8(ascii: "t"):
                try expectLiteral("true")
                value = .bool(true)
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                value = .bool(false)
            case UInt8(ascii: "n"):
                try expectLiteral("null")
                value = .null
            default:
                throw unexpected(at: position, expecting: "a value")
            }

            // Attach the finished value to its container, closing containers as they end.
            while true {
                guard let innermostIsObject = isObject.last else {
                    skipWhitespace()
                    guard position == bytes.count else {
                        throw unexpected(at: position, expecting: "end of input")
                    }
                    return value
                }
                if innermostIsObject {
                    let objectIndex = objects.count - 1
                    let key = pendingKeys.removeLast()
                    objects[objectIndex].appendUnchecked(key, value)
                    skipWhitespace()
                    guard position < bytes.count else {
                        throw unexpected(at: position, expecting: "',' or '}'")
                    }
                    if bytes[position] == UInt8(ascii: ",") {
                        position += 1
                        skipWhitespace()
                        let nextKey = try parseKey(in: objects[objectIndex])
                        pendingKeys.append(nextKey)
                        continue parseValue
                    } else if bytes[position] == UInt8(ascii: "}") {
                        position += 1
                        value = .object(objects.removeLast())
                        isObject.removeLast()
                    } else {
                        throw unexpected(at: position, expecting: "',' or '}'")
                    }
                } else {
                    let arrayIndex = arrays.count - 1
                    arrays[arrayIndex].append(value)
                    skipWhitespace()
                    guard position < bytes.count else {
                        throw unexpected(at: position, expecting: "',' or ']'")
                    }
                    if bytes[position] == UInt8(ascii: ",") {
                        position += 1
                        skipWhitespace()
                        if position < bytes.count && bytes[position] == UInt8(ascii: "]") {
                            throw error("trailing comma", at: position - 1)
                        }
                        continue parseValue
                    } else if bytes[position] == UInt8(ascii: "]") {
                        position += 1
                        value = .array(arrays.removeLast())
                        isObject.removeLast()
                    } else {
                        throw unexpected(at: position, expecting: "',' or ']'")
                    }
                }
            }
        }
    }

    /// Parses `"key" :` (whitespace already skipped before the key) and refuses a key the object
    /// already has.
    mutating func parseKey(in object: JSONObject) throws(JSONParseError) -> String {
        guard position < bytes.count else {
            throw unexpected(at: position, expecting: "a string key")
        }
        guard bytes[position] == UInt8(ascii: "\"") else {
            if bytes[position] == UInt8(ascii: "}") {
                throw error("trailing comma", at: position)
            }
            throw unexpected(at: position, expecting: "a string key")
        }
        let start = position
        let key = try parseString()
        if object.contains(key: key) {
            throw error("duplicate key \(quoted(key))", at: start)
        }
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
            throw unexpected(at: position, expecting: "':'")
        }
        position += 1
        return key
    }

    func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        JSONWriter.writeString(text.count > 60 ? String(text.prefix(60)) + "…" : text, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        let start = literal.utf8Start
        for offset in 0..<count {
            guard position + offset < bytes.count, bytes[position + offset] == start[offset] else {
                throw unexpected(at: position + offset, expecting: "'\(literal)'")
            }
        }
        position += count
    }

    // MARK: Strings

    /// Parses a string starting at its opening quote. Strings without escapes are decoded
    /// straight from the input bytes after UTF-8 validation.
    mutating func parseString() throws(JSONParseError) -> String {
        position += 1  // opening quote
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let text = String(
                    decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                position += 1
                return text
            } else if byte == UInt8(ascii: "\\") {
                return try parseEscapedString(from: start)
            } else if byte < 0x20 {
                throw error("unescaped control character 0x\(hex2(byte)) in string", at: position)
            } else if byte < 0x80 {
                position += 1
            } else {
                try validateUTF8Sequence()
            }
        }
        throw error("unterminated string", at: start - 1)
    }

    /// Slow path: copies the already-scanned prefix into `scratch`, then decodes escapes.
    mutating func parseEscapedString(from start: Int) throws(JSONParseError) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return String(decoding: scratch, as: UTF8.self)
            } else if byte == UInt8(ascii: "\\") {
                try parseEscape()
            } else if byte < 0x20 {
                throw error("unescaped control character 0x\(hex2(byte)) in string", at: position)
            } else if byte < 0x80 {
                scratch.append(byte)
                position += 1
            } else {
                let sequenceStart = position
                try validateUTF8Sequence()
                scratch.append(
                    contentsOf: UnsafeBufferPointer(rebasing: bytes[sequenceStart..<position]))
            }
        }
        throw error("unterminated string", at: start - 1)
    }

    /// Decodes one escape sequence at `position` (a backslash) into `scratch`.
    mutating func parseEscape() throws(JSONParseError) {
        let escapeStart = position
        position += 1
        guard position < bytes.count else {
            throw error("unterminated string", at: escapeStart)
        }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""): scratch.append(0x22)
        case UInt8(ascii: "\\"): scratch.append(0x5C)
        case UInt8(ascii: "/"): scratch.append(0x2F)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try parseHex4(escapeStart: escapeStart)
            if (0xDC00...0xDFFF).contains(scalar) {
                throw error("lone low surrogate \\u\(hex4(scalar)) in string", at: escapeStart)
            }
            if (0xD800...0xDBFF).contains(scalar) {
                let lowStart = position
                guard position + 1 < bytes.count,
                    bytes[position] == UInt8(ascii: "\\"),
                    bytes[position + 1] == UInt8(ascii: "u")
                else {
                    throw error(
                        "lone high surrogate \\u\(hex4(scalar)) in string", at: escapeStart)
                }
                position += 2
                let low = try parseHex4(escapeStart: lowStart)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw error(
                        "high surrogate \\u\(hex4(scalar)) not followed by a low surrogate",
                        at: escapeStart)
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            appendUTF8(scalar)
        default:
            throw error("invalid escape sequence", at: escapeStart)
        }
    }

    func hex4(_ value: UInt32) -> String {
        hex2(UInt8(value >> 8)) + hex2(UInt8(value & 0xFF))
    }

    mutating func parseHex4(escapeStart: Int) throws(JSONParseError) -> UInt32 {
        guard position + 4 <= bytes.count else {
            throw error("invalid \\u escape: four hex digits required", at: escapeStart)
        }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default:
                throw error("invalid \\u escape: four hex digits required", at: escapeStart)
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | (scalar >> 6)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | (scalar >> 12)))
            scratch.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            scratch.append(UInt8(0xF0 | (scalar >> 18)))
            scratch.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            scratch.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }

    /// Checks one multi-byte UTF-8 sequence at `position` (Unicode Table 3-7: no overlongs, no
    /// encoded surrogates, nothing above U+10FFFF, nothing truncated) and moves past it.
    mutating func validateUTF8Sequence() throws(JSONParseError) {
        let start = position
        let lead = bytes[start]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            secondRange = 0x80...0x9F
        case 0xF0:
            length = 4
            secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            secondRange = 0x80...0x8F
        default:
            throw error("invalid UTF-8 byte 0x\(hex2(lead))", at: start)
        }
        guard start + length <= bytes.count else {
            throw error("truncated UTF-8 sequence", at: start)
        }
        guard secondRange.contains(bytes[start + 1]) else {
            throw error("invalid UTF-8 sequence", at: start)
        }
        var offset = 2
        while offset < length {
            guard bytes[start + offset] & 0xC0 == 0x80 else {
                throw error("invalid UTF-8 sequence", at: start)
            }
            offset += 1
        }
        position = start + length
    }

    // MARK: Numbers

    /// Parses a number per the RFC 8259 grammar. Integers that fit become `.int`; everything
    /// else must be a finite `Double`.
    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = position
        var negative = false
        if bytes[position] == UInt8(ascii: "-") {
            negative = true
            position += 1
        }
        guard position < bytes.count, isDigit(bytes[position]) else {
            throw unexpected(at: position, expecting: "a digit")
        }
        // Integer part, accumulated negatively so Int64.min fits.
        var accumulator: Int64 = 0
        var overflowed = false
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count && isDigit(bytes[position]) {
                throw error("leading zeros are not allowed in numbers", at: start)
            }
        } else {
            while position < bytes.count && isDigit(bytes[position]) {
                let digit = Int64(bytes[position] - UInt8(ascii: "0"))
                if !overflowed {
                    let (times10, o1) = accumulator.multipliedReportingOverflow(by: 10)
                    let (next, o2) = times10.subtractingReportingOverflow(digit)
                    if o1 || o2 { overflowed = true } else { accumulator = next }
                }
                position += 1
            }
        }
        var isInteger = true
        if position < bytes.count && bytes[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw error("a digit must follow the decimal point", at: position)
            }
            while position < bytes.count && isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count && (bytes[position] | 0x20) == UInt8(ascii: "e") {
            isInteger = false
            position += 1
            if position < bytes.count
                && (bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-"))
            {
                position += 1
            }
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw error("a digit must follow the exponent marker", at: position)
            }
            while position < bytes.count && isDigit(bytes[position]) { position += 1 }
        }
        if isInteger && !overflowed {
            if negative { return .int(accumulator) }
            if accumulator != Int64.min { return .int(-accumulator) }
        }
        let text = String(
            decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        guard let double = Double(text), double.isFinite else {
            throw error("number out of range", at: start)
        }
        return .double(double)
    }

    @inline(__always)
    func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }
}
