import Testing

@testable import VigilJSON
@testable import VigilSQLite
@testable import VigilStore

/// Parses `text`, returning the error (or nil when it parsed).
private func parseError(_ text: String, maxDepth: Int = 64) -> JSONParseError? {
    do {
        _ = try JSONValue.parse(text, maxDepth: maxDepth)
        return nil
    } catch {
        return error
    }
}

private func parseError(bytes: [UInt8]) -> JSONParseError? {
    do {
        _ = try JSONValue.parse(bytes)
        return nil
    } catch {
        return error
    }
}

@Suite("JSON parsing")
struct JSONParsingTests {
    @Test func parsesScalars() throws {
        #expect(try JSONValue.parse("null") == .null)
        #expect(try JSONValue.parse("true") == .bool(true))
        #expect(try JSONValue.parse("false") == .bool(false))
        #expect(try JSONValue.parse("\"hi\"") == .string("hi"))
        #expect(try JSONValue.parse(" \t\r\n 42 \n") == .int(42))
    }

    @Test(arguments: [
        ("0", JSONValue.int(0)),
        ("-0", .int(0)),
        ("7", .int(7)),
        ("-12", .int(-12)),
        ("9223372036854775807", .int(Int64.max)),
        ("-9223372036854775808", .int(Int64.min)),
        ("9223372036854775808", .double(9223372036854775808.0)),
        ("-9223372036854775809", .double(-9223372036854775809.0)),
        ("123456789012345678901234567890", .double(1.2345678901234568e29)),
        ("1.0", .double(1.0)),
        ("-0.5", .double(-0.5)),
        ("1e3", .double(1000)),
        ("1E+3", .double(1000)),
        ("2.5e-3", .double(0.0025)),
        ("1e-400", .double(0)),
        ("1.7976931348623157e308", .double(Double.greatestFiniteMagnitude)),
    ])
    func parsesNumbers(text: String, expected: JSONValue) throws {
        #expect(try JSONValue.parse(text) == expected)
    }

    @Test func integersStayIntegersAndFractionsStayDoubles() throws {
        #expect(try JSONValue.parse("1").intValue == 1)
        #expect(try JSONValue.parse("1.0").intValue == nil)
        #expect(try JSONValue.parse("1.0").doubleValue == 1.0)
        #expect(try JSONValue.parse("3").doubleValue == 3.0)
    }

    @Test func parsesNestedStructures() throws {
        let value = try JSONValue.parse(#"{"a": [1, 2.5, "x", null, {"b": false}], "c": {}}"#)
        let object = try #require(value.objectValue)
        #expect(object.keys == ["a", "c"])
        let array = try #require(object["a"]?.arrayValue)
        #expect(array.count == 5)
        #expect(array[0] == .int(1))
        #expect(array[1] == .double(2.5))
        #expect(array[2].stringValue == "x")
        #expect(array[3].isNull)
        #expect(array[4].objectValue?["b"]?.boolValue == false)
        #expect(object["c"] == .object(JSONObject()))
    }

    @Test func keepsKeyOrder() throws {
        let value = try JSONValue.parse(#"{"z":1,"a":2,"m":3}"#)
        #expect(value.objectValue?.keys == ["z", "a", "m"])
    }

    @Test func largeObjectsUseIndexAndStillRefuseDuplicates() throws {
        let keys = (0..<100).map { "\"k\($0)\":\($0)" }
        let value = try JSONValue.parse("{" + keys.joined(separator: ",") + "}")
        let object = try #require(value.objectValue)
        #expect(object.count == 100)
        #expect(object["k57"] == .int(57))
        let duplicated = "{" + keys.joined(separator: ",") + ",\"k3\":0}"
        #expect(parseError(duplicated)?.message.contains("duplicate key \"k3\"") == true)
    }

    @Test func decodesEscapes() throws {
        let value = try JSONValue.parse(#""a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\u4e2d\ud83d\ude00""#)
        #expect(value == .string("a\"b\\c/d\u{8}\u{c}\n\r\tAé中😀"))
    }

    @Test func keepsUnicode() throws {
        let text = "\"Кадыров — ملف 🏳️‍🌈\""
        #expect(try JSONValue.parse(text) == .string("Кадыров — ملف 🏳️‍🌈"))
    }

    @Test func acceptsOtherInputForms() throws {
        let bytes = Array(#"[1,"x"]"#.utf8)
        let expected: JSONValue = [1, "x"]
        #expect(try JSONValue.parse(bytes) == expected)
        #expect(try JSONValue.parse(([0x20] + bytes)[1...]) == expected)
        let fromRaw = try bytes.withUnsafeBytes { raw throws(JSONParseError) in
            try JSONValue.parse(raw)
        }
        #expect(fromRaw == expected)
    }

    @Test(arguments: [
        "", " ", "nul", "tru", "True", "NULL",
        "01", "-01", "00", "+1", ".5", "1.", "-", "1e", "1e+", "1.e5", "0x10", "1_000",
        "NaN", "Infinity", "-Infinity", "1e400", "-1e400",
        "'x'", "{'a':1}", "[1,]", "{\"a\":1,}", "[,1]", "{,}", "[1 2]", "{\"a\" 1}", "{\"a\":}",
        "{1:2}", "{\"a\":1 \"b\":2}", "[1]]", "[1] x", "{} {}", "1 2", "[", "{", "{\"a\":1",
        "\"abc", "// c\n1", "/* c */ 1", "[1] // c", "#1", "\"\\x41\"", "\"\\u12\"", "\"\\u12G4\"",
        "\"\\U0041\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\ud800x\"",
        "\"tab\tin\"", "\"nl\nin\"", "\"nul\u{0}in\"", "{\"a\":1,\"a\":2}",
        "\u{FEFF}{}",
    ])
    func refusesInvalidText(text: String) {
        #expect(parseError(text) != nil, "accepted \(text.debugDescription)")
    }

    @Test(
        arguments: [
            [0x22, 0xC0, 0x80, 0x22],  // overlong NUL
            [0x22, 0xC1, 0xBF, 0x22],  // overlong
            [0x22, 0xE0, 0x80, 0x80, 0x22],  // overlong 3-byte
            [0x22, 0xF0, 0x80, 0x80, 0x80, 0x22],  // overlong 4-byte
            [0x22, 0xED, 0xA0, 0x80, 0x22],  // encoded surrogate U+D800
            [0x22, 0xED, 0xBF, 0xBF, 0x22],  // encoded surrogate U+DFFF
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // above U+10FFFF
            [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22],  // invalid lead
            [0x22, 0xFF, 0x22],
            [0x22, 0x80, 0x22],  // stray continuation
            [0x22, 0xC3, 0x22],  // truncated
            [0x22, 0xE2, 0x82, 0x22],  // truncated 3-byte
            [0x22, 0xE2, 0x82],  // truncated at end of input
            [0x22, 0x5C, 0x6E, 0xC3, 0x28, 0x22],  // invalid after an escape (slow path)
            [0xEF, 0xBB, 0xBF, 0x31],  // BOM
            [0xC3, 0xA9],  // non-ASCII outside a string
        ] as [[UInt8]])
    func refusesInvalidUTF8(bytes: [UInt8]) {
        #expect(parseError(bytes: bytes) != nil)
    }

    @Test func acceptsValidUTF8Boundaries() throws {
        let bytes: [UInt8] = [
            0x22, 0xC2, 0x80, 0xDF, 0xBF, 0xE0, 0xA0, 0x80, 0xED, 0x9F, 0xBF, 0xEE, 0x80, 0x80,
            0xF0, 0x90, 0x80, 0x80, 0xF4, 0x8F, 0xBF, 0xBF, 0x7F, 0x22,
        ]
        let value = try JSONValue.parse(bytes)
        #expect(value == .string("\u{80}\u{7FF}\u{800}\u{D7FF}\u{E000}\u{10000}\u{10FFFF}\u{7F}"))
    }

    @Test func errorMessagesAreSpecificAndCarryOffsets() throws {
        let duplicate = try #require(parseError(#"{"title": 1, "title": 2}"#))
        #expect(duplicate.offset == 13)
        #expect(duplicate.message == #"duplicate key "title" at byte 13"#)

        let unexpected = try #require(parseError("[1, 2, x]"))
        #expect(unexpected.offset == 7)
        #expect(unexpected.message.hasPrefix("unexpected character 'x'"))
        #expect(unexpected.message.hasSuffix("at byte 7"))

        let trailing = try #require(parseError("{} x"))
        #expect(trailing.offset == 3)

        let zeros = try #require(parseError("[01]"))
        #expect(zeros.offset == 1)
        #expect(zeros.message.contains("leading zero"))

        let control = try #require(parseError("\"a\u{1}\""))
        #expect(control.offset == 2)
        #expect(control.message.contains("control character"))

        let end = try #require(parseError("[1,"))
        #expect(end.message.contains("end of input"))

        let bom = try #require(parseError(bytes: [0xEF, 0xBB, 0xBF, 0x7B, 0x7D]))
        #expect(bom.offset == 0)
        #expect(bom.message.contains("byte order mark"))

        let range = try #require(parseError("[1e999]"))
        #expect(range.offset == 1)
        #expect(range.message.contains("out of range"))

        let surrogate = try #require(parseError(#"["ab\ud800"]"#))
        #expect(surrogate.offset == 4)
        #expect(surrogate.message.contains("surrogate"))
    }

    @Test func duplicateKeysAreRefusedAtEveryLevel() {
        #expect(parseError(#"{"a":{"b":1,"b":1}}"#) != nil)
        #expect(parseError(#"[{"x":1},{"x":1,"y":2,"x":3}]"#) != nil)
        // Same key in sibling objects is fine.
        #expect(parseError(#"[{"x":1},{"x":1}]"#) == nil)
        // A key spelled with an escape is the same key.
        #expect(parseError(#"{"a":1,"\u0061":2}"#) != nil)
    }

    @Test func enforcesMaxDepthWithoutRecursing() throws {
        #expect(parseError(String(repeating: "[", count: 3) + String(repeating: "]", count: 3), maxDepth: 3) == nil)
        let tooDeep = try #require(
            parseError(String(repeating: "[", count: 4) + String(repeating: "]", count: 4), maxDepth: 3))
        #expect(tooDeep.offset == 3)
        #expect(tooDeep.message.contains("nesting"))
        #expect(parseError(#"{"a":{"b":{"c":{}}}}"#, maxDepth: 3) != nil)
        #expect(parseError(#"{"a":{"b":{"c":1}}}"#, maxDepth: 3) == nil)

        // A million levels neither overflows the stack nor succeeds with the default limit…
        let huge = String(repeating: "[", count: 1_000_000)
        #expect(parseError(huge) != nil)
        // …and a raised limit is honoured.
        let deep = String(repeating: "[", count: 1_000) + String(repeating: "]", count: 1_000)
        #expect(parseError(deep) != nil)
        #expect(parseError(deep, maxDepth: 1_000) == nil)
    }
}

@Suite("JSON serialization")
struct JSONSerializationTests {
    @Test func writesCompactOutput() {
        let value: JSONValue = ["b": [1, 2.5, true, false, "s"], "a": ["x": .null]]
        #expect(value.serializedString == #"{"b":[1,2.5,true,false,"s"],"a":{"x":null}}"#)
    }

    @Test func sortsKeysByUTF8BytesAtEveryLevel() {
        let value: JSONValue = ["b": 1, "a": ["z": 1, "Z": 2, "é": 3, "e": 4], "B": 0]
        #expect(
            String(decoding: value.serialized(sortedKeys: true), as: UTF8.self)
                == #"{"B":0,"a":{"Z":2,"e":4,"z":1,"é":3},"b":1}"#)
    }

    @Test func canonicalFormIgnoresInsertionOrder() {
        let one: JSONValue = ["x": 1, "y": ["p": 1, "q": 2]]
        let two: JSONValue = ["y": ["q": 2, "p": 1], "x": 1]
        #expect(one.serialized(sortedKeys: true) == two.serialized(sortedKeys: true))
        #expect(one.serialized() != two.serialized())
        #expect(one == two)
        #expect(one.hashValue == two.hashValue)
    }

    @Test(arguments: [
        ("\"", #""\"""#), ("\\", #""\\""#), ("/", #""/""#), ("\n", #""\n""#),
        ("\t", #""\t""#), ("\r", #""\r""#), ("\u{8}", #""\b""#), ("\u{c}", #""\f""#),
        ("\u{0}", #""\u0000""#), ("\u{1f}", #""\u001f""#), ("\u{7f}", "\"\u{7f}\""),
        ("é—🙂", "\"é—🙂\""),
    ])
    func escapesStrings(input: String, expected: String) {
        #expect(JSONValue.string(input).serializedString == expected)
    }

    @Test(arguments: [
        (Int64(0), "0"), (7, "7"), (-7, "-7"), (1_000_000, "1000000"),
        (Int64.max, "9223372036854775807"), (Int64.min, "-9223372036854775808"),
    ])
    func writesIntegers(value: Int64, expected: String) {
        var buffer: [UInt8] = [0x5B]
        JSONWriter.writeInt(value, into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "[" + expected)
    }

    @Test(arguments: [
        (1.0, "1.0"), (0.1, "0.1"), (-2.5, "-2.5"), (1e-05, "1e-05"), (1e16, "1e+16"),
        (Double.leastNonzeroMagnitude, "5e-324"), (-0.0, "-0.0"),
    ])
    func writesDoubles(value: Double, expected: String) {
        #expect(JSONValue.double(value).serializedString == expected)
    }

    @Test func nonFiniteDoublesBecomeNull() {
        var buffer: [UInt8] = []
        JSONWriter.writeDouble(.nan, into: &buffer)
        JSONWriter.writeDouble(.infinity, into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "nullnull")
    }

    @Test func writerBuildsRecordsDirectly() throws {
        var buffer: [UInt8] = []
        buffer.append(UInt8(ascii: "{"))
        JSONWriter.writeKey("title", into: &buffer)
        JSONWriter.writeString("Chechnya \"purge\"", into: &buffer)
        buffer.append(UInt8(ascii: ","))
        JSONWriter.writeKey("victims_min", into: &buffer)
        JSONWriter.writeInt(100, into: &buffer)
        buffer.append(UInt8(ascii: ","))
        JSONWriter.writeKey("public", into: &buffer)
        JSONWriter.writeBool(true, into: &buffer)
        buffer.append(UInt8(ascii: "}"))
        let parsed = try JSONValue.parse(buffer)
        #expect(parsed == ["title": "Chechnya \"purge\"", "victims_min": 100, "public": true])
    }

    static let roundTripValues: [JSONValue] = [
        .null, true, false, 0, -1, .int(Int64.max), .int(Int64.min),
        0.5, -0.0, 1e-7, 1e300, -1.7976931348623157e308, .double(.leastNonzeroMagnitude), 123456.789,
        9007199254740993.0,
        "", "plain", "Новая газета", "الشيشان", "emoji 😀🏳️‍🌈👩‍👩‍👧", "中文",
        "quote \" backslash \\ slash / controls \u{0}\u{1}\u{1f}\n\r\t\u{8}\u{c}\u{7f}",
        "\u{2028}\u{2029}\u{FEFF}",
        [], [[]], [1, "two", 3.0, .null, [false]],
        ["": "empty key", "ключ": ["nested": ["deep": [1, 2, 3]]], "🙂": .null],
    ]

    static func nil4() -> JSONValue { .null }

    @Test(arguments: roundTripValues)
    func roundTrips(value: JSONValue) throws {
        #expect(try JSONValue.parse(value.serialized()) == value)
        #expect(try JSONValue.parse(value.serialized(sortedKeys: true)) == value)
        #expect(try JSONValue.parse(value.serializedString) == value)
    }

    @Test func roundTripsEveryBMPScalarAndAstralSample() throws {
        var scalars: [Unicode.Scalar] = []
        for code in stride(from: 0, to: 0x11_0000, by: 97) {
            if let scalar = Unicode.Scalar(UInt32(code)) { scalars.append(scalar) }
        }
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars)
        let value = JSONValue.string(text)
        #expect(try JSONValue.parse(value.serialized()) == value)
    }

    @Test func reparsesItsOwnOutputByteForByte() throws {
        let text = #"{"id":"inc_01","tags":["a","b"],"n":-3,"x":0.25,"o":{"k":null}}"#
        #expect(try JSONValue.parse(text).serializedString == text)
    }
}

@Suite("JSONObject")
struct JSONObjectTests {
    @Test func subscriptSetsReplacesAndRemoves() {
        var object = JSONObject()
        #expect(object.isEmpty)
        object["a"] = 1
        object["b"] = 2
        object["c"] = 3
        object["a"] = 10
        #expect(object.keys == ["a", "b", "c"])
        #expect(object["a"] == .int(10))
        object["b"] = nil
        #expect(object.keys == ["a", "c"])
        #expect(object.count == 2)
        #expect(object["b"] == nil)
        object["b"] = .null
        #expect(object.keys == ["a", "c", "b"])
        #expect(object["b"] == .null)
        #expect(object.contains(key: "b"))
    }

    @Test func initWithDuplicatesKeepsFirstPositionAndLastValue() {
        let object = JSONObject([("x", 1), ("y", 2), ("x", 3)])
        #expect(object.keys == ["x", "y"])
        #expect(object["x"] == .int(3))
    }

    @Test func iteratesInInsertionOrder() {
        let object: JSONObject = ["one": 1, "two": 2, "three": 3]
        var seen: [String] = []
        var total: Int64 = 0
        for (key, value) in object {
            seen.append(key)
            total += value.intValue ?? 0
        }
        #expect(seen == ["one", "two", "three"])
        #expect(total == 6)
    }

    @Test func largeObjectsKeepWorkingAcrossRemovals() {
        var object = JSONObject()
        for number in 0..<50 { object["k\(number)"] = .int(Int64(number)) }
        for number in stride(from: 0, to: 50, by: 2) { object["k\(number)"] = nil }
        #expect(object.count == 25)
        #expect(object["k1"] == .int(1))
        #expect(object["k2"] == nil)
        #expect(object["k49"] == .int(49))
        object["k1"] = "changed"
        #expect(object.keys.first == "k1")
        #expect(object["k1"] == .string("changed"))
        for number in 0..<50 { object["k\(number)"] = nil }
        #expect(object.isEmpty)
    }

    @Test func equalityIsOrderInsensitiveButValueSensitive() {
        let a: JSONObject = ["x": 1, "y": 2]
        let b: JSONObject = ["y": 2, "x": 1]
        let c: JSONObject = ["x": 1, "y": 3]
        let d: JSONObject = ["x": 1]
        #expect(a == b)
        #expect(a != c)
        #expect(a != d)
        #expect(Set([JSONValue.object(a), .object(b), .object(c)]).count == 2)
    }

    @Test func accessorsReturnNilForOtherKinds() {
        let value: JSONValue = "text"
        #expect(value.stringValue == "text")
        #expect(value.intValue == nil)
        #expect(value.doubleValue == nil)
        #expect(value.boolValue == nil)
        #expect(value.arrayValue == nil)
        #expect(value.objectValue == nil)
        #expect(!value.isNull)
        #expect(JSONValue.double(2).intValue == nil)
    }
}

@Suite("JSON parsing, randomized")
struct JSONRandomizedTests {
    /// The parser's UTF-8 validation must agree exactly with the standard library's.
    @Test func utf8ValidationAgreesWithStandardLibrary() throws {
        var generator = SplitMix64(state: 2017)
        let interesting: [UInt8] = [
            0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1,
            0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF,
        ]
        var accepted = 0
        for _ in 0..<20_000 {
            let length = Int.random(in: 1...6, using: &generator)
            let content = (0..<length).map { _ in
                Bool.random(using: &generator)
                    ? interesting.randomElement(using: &generator) ?? 0x41
                    : UInt8.random(in: 0x20...0xFF, using: &generator)
            }.filter { $0 != 0x22 && $0 != 0x5C }
            let expected = String(validating: content, as: UTF8.self)
            let parsed = try? JSONValue.parse([0x22] + content + [0x22])
            #expect(parsed?.stringValue == expected, "bytes \(content)")
            if expected != nil { accepted += 1 }
        }
        // Both outcomes must have been exercised for the comparison to mean anything.
        #expect(accepted > 1_000)
        #expect(accepted < 19_000)
    }

    /// Mutated documents either parse (and then round-trip) or fail with an offset inside the
    /// input; they never crash.
    @Test func mutatedDocumentsNeverCrash() throws {
        let document = Array(
            #"{"id":"inc_1","title":"Кадыров \"q\" \u00e9\ud83d\ude00","n":[0,-1,2.5e3,true,false,null],"o":{"a":{"b":[]}}}"#
                .utf8)
        let alphabet = Array(#"{}[]":,.-+eE0123456789tfnul\ "#.utf8) + [0x00, 0x1F, 0x80, 0xC3, 0xFF]
        var generator = SplitMix64(state: 42)
        var parsedCount = 0
        for _ in 0..<5_000 {
            var mutated = document
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let position = Int.random(in: 0..<mutated.count, using: &generator)
                let byte = alphabet.randomElement(using: &generator) ?? 0x20
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: mutated[position] = byte
                case 1: mutated.insert(byte, at: position)
                default: if mutated.count > 1 { mutated.remove(at: position) }
                }
            }
            do {
                let value = try JSONValue.parse(mutated)
                parsedCount += 1
                #expect(try JSONValue.parse(value.serialized()) == value)
            } catch {
                #expect(error.offset >= 0 && error.offset <= mutated.count)
                #expect(error.message.hasSuffix("at byte \(error.offset)"))
            }
        }
        #expect(parsedCount > 0)
        #expect(parsedCount < 5_000)
    }
}
