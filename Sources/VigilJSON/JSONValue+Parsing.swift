extension JSONValue {
    /// The nesting limit used when the caller does not choose one.
    public static let defaultMaxDepth = 64

    /// Parses a complete JSON text strictly (RFC 8259).
    ///
    /// Strict, because ambiguous input is a security problem in a system other tools also read:
    /// refused are a byte order mark, trailing content, comments, trailing commas, single quotes,
    /// leading zeros, `+1`, `.5`, `1.`, NaN/Infinity, numbers that overflow to infinity,
    /// unescaped control characters, invalid escapes, lone surrogates, invalid UTF-8 and
    /// duplicate keys. Nesting deeper than `maxDepth` arrays/objects is an error; the parser does
    /// not recurse, so no input can overflow the stack while parsing. Keep `maxDepth` modest
    /// (hundreds, not millions): comparing, serializing and destroying a value recurse over its
    /// nesting.
    public static func parse(
        _ bytes: [UInt8], maxDepth: Int = defaultMaxDepth
    ) throws(JSONParseError) -> JSONValue {
        let result = bytes.withUnsafeBufferPointer { buffer in
            parseResult(buffer, maxDepth: maxDepth)
        }
        return try result.get()
    }

    /// Parses a JSON text held in an array slice (e.g. a request body after its headers);
    /// offsets count from the start of the slice.
    public static func parse(
        _ bytes: ArraySlice<UInt8>, maxDepth: Int = defaultMaxDepth
    ) throws(JSONParseError) -> JSONValue {
        let result = bytes.withUnsafeBufferPointer { buffer in
            parseResult(buffer, maxDepth: maxDepth)
        }
        return try result.get()
    }

    /// Parses a JSON text from a string's UTF-8 bytes.
    public static func parse(
        _ text: String, maxDepth: Int = defaultMaxDepth
    ) throws(JSONParseError) -> JSONValue {
        var text = text
        let result = text.withUTF8 { buffer in
            parseResult(buffer, maxDepth: maxDepth)
        }
        return try result.get()
    }

    /// Parses a JSON text straight from memory the caller owns (e.g. a socket read buffer).
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth
    ) throws(JSONParseError) -> JSONValue {
        try parseResult(bytes.bindMemory(to: UInt8.self), maxDepth: maxDepth).get()
    }

    static func parseResult(
        _ buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int
    ) -> Result<JSONValue, JSONParseError> {
        var parser = JSONParser(bytes: buffer, maxDepth: maxDepth)
        do throws(JSONParseError) {
            return .success(try parser.parseDocument())
        } catch {
            return .failure(error)
        }
    }
}
