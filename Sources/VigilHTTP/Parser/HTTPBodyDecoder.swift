/// Reads a request body framed by `Content-Length` or by the chunked coding (RFC 9112 §7.1),
/// incrementally, refusing anything ambiguous: bad chunk sizes, chunk data not followed by CRLF,
/// bare CR or LF, control bytes in extensions, malformed or oversized trailers.
struct HTTPBodyDecoder: Sendable {
    enum State: Sendable, Equatable {
        case length(remaining: Int)
        case chunkSizeLine
        case chunkData(remaining: Int)
        case chunkDataCR
        case chunkDataLF
        case trailerLine
        case done
    }

    private(set) var state: State
    private(set) var received = 0
    private(set) var trailers = HTTPHeaders()
    private let limit: Int
    private let limits: HTTPLimits
    private var line: [UInt8] = []
    private var trailerBytes = 0

    init(framing: HTTPBodyFraming, limit: Int, limits: HTTPLimits) {
        self.limit = limit
        self.limits = limits
        switch framing {
        case .none: state = .done
        case .length(let length): state = length == 0 ? .done : .length(remaining: length)
        case .chunked: state = .chunkSizeLine
        }
    }

    var isDone: Bool { state == .done }

    /// Consumes bytes from `bytes`, appending body data to `body`; returns how many were consumed.
    /// Stops at the end of the body so pipelined bytes stay for the next request.
    mutating func decode(_ bytes: UnsafeBufferPointer<UInt8>, into body: inout [UInt8]) throws(HTTPParseError) -> Int {
        var index = 0
        let end = bytes.count
        while index < end {
            switch state {
            case .done:
                return index
            case .length(let remaining):
                let take = min(remaining, end - index)
                try append(bytes, from: index, count: take, into: &body)
                index += take
                state = remaining == take ? .done : .length(remaining: remaining - take)
            case .chunkData(let remaining):
                let take = min(remaining, end - index)
                try append(bytes, from: index, count: take, into: &body)
                index += take
                state = remaining == take ? .chunkDataCR : .chunkData(remaining: remaining - take)
            case .chunkDataCR:
                guard bytes[index] == HTTPSyntax.cr else { throw .badRequest("Chunk data not followed by CRLF.") }
                index += 1
                state = .chunkDataLF
            case .chunkDataLF:
                guard bytes[index] == HTTPSyntax.lf else { throw .badRequest("Chunk data not followed by CRLF.") }
                index += 1
                state = .chunkSizeLine
            case .chunkSizeLine, .trailerLine:
                let byte = bytes[index]
                index += 1
                if let last = line.last, last == HTTPSyntax.cr, byte != HTTPSyntax.lf {
                    throw .badRequest("Bare CR in chunked framing.")
                }
                if byte != HTTPSyntax.lf {
                    line.append(byte)
                    try checkLineLength()
                    continue
                }
                guard line.last == HTTPSyntax.cr else { throw .badRequest("Bare LF in chunked framing.") }
                line.removeLast()
                if state == .chunkSizeLine {
                    try finishChunkSizeLine()
                } else {
                    try finishTrailerLine()
                }
                line.removeAll(keepingCapacity: true)
            }
        }
        return index
    }

    private mutating func append(
        _ bytes: UnsafeBufferPointer<UInt8>, from index: Int, count: Int, into body: inout [UInt8]
    ) throws(HTTPParseError) {
        if received + count > limit { throw .bodyTooLarge(limit: limit) }
        received += count
        body.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<(index + count)]))
    }

    private func checkLineLength() throws(HTTPParseError) {
        if state == .chunkSizeLine {
            if line.count > limits.maxChunkLineLength { throw .badRequest("Chunk size line is too long.") }
        } else {
            if line.count > limits.maxHeaderFieldLength + 1 { throw .headerFieldTooLong }
            if trailerBytes + line.count > limits.maxHeaderSectionLength { throw .headerSectionTooLarge }
        }
    }

    /// chunk-size [ chunk-ext ]: 1*HEXDIG, then optionally BWS ";" extensions without control bytes.
    private mutating func finishChunkSizeLine() throws(HTTPParseError) {
        var size = 0
        var digits = 0
        var index = 0
        while index < line.count, let value = PercentDecoding.hexValue(line[index]) {
            digits += 1
            if digits > 15 { throw .badRequest("Chunk size is too large.") }
            size = size << 4 | Int(value)
            index += 1
        }
        guard digits > 0 else { throw .badRequest("Invalid chunk size.") }
        if index < line.count {
            var cursor = index
            while cursor < line.count, HTTPSyntax.isWhitespace(line[cursor]) { cursor += 1 }
            guard cursor < line.count, line[cursor] == UInt8(ascii: ";") else {
                throw .badRequest("Invalid chunk size.")
            }
            for byte in line[cursor...] where !HTTPSyntax.isFieldValueByte(byte) {
                throw .badRequest("Control byte in a chunk extension.")
            }
        }
        if size == 0 {
            state = .trailerLine
        } else {
            if received + size > limit { throw .bodyTooLarge(limit: limit) }
            state = .chunkData(remaining: size)
        }
    }

    private mutating func finishTrailerLine() throws(HTTPParseError) {
        if line.isEmpty {
            state = .done
            return
        }
        if line.count > limits.maxHeaderFieldLength { throw .headerFieldTooLong }
        trailerBytes += line.count + 2
        if trailerBytes > limits.maxHeaderSectionLength { throw .headerSectionTooLarge }
        let (name, value) = try HTTPHeadParser.parseFieldLine(line[...])
        trailers.add(name: name, value: value)
        if trailers.count > limits.maxHeaderFieldCount { throw .tooManyHeaderFields }
    }
}
