/// An incremental HTTP/1.1 request parser (RFC 9112) with no I/O of its own.
///
/// The connection feeds it whatever bytes have arrived; it answers with "need more", a validated
/// head (so the caller can choose the body limit, answer 413 or send `100 Continue` before any body
/// is read), or a complete request. Pipelined bytes after a request are left unconsumed. Being pure
/// Swift without socket code, the same file set builds the fuzzer and the differential harness.
public struct HTTPRequestParser: Sendable {
    /// What a call to ``parse(_:)`` produced.
    public enum Output: Sendable, Equatable {
        /// Every byte given was used or kept; call again when more arrive.
        case needMoreData
        /// The head is complete and valid; call ``beginBody(limit:)`` before parsing further.
        case head(HTTPRequestHead)
        /// A whole request, body and trailers included. The parser is ready for the next one.
        case request(HTTPRequestHead, body: [UInt8], trailers: HTTPHeaders)
    }

    private enum State: Sendable {
        case head(HTTPHeadScanner)
        case awaitingBodyLimit(HTTPRequestHead)
        case body(HTTPRequestHead, HTTPBodyDecoder)
    }

    public let limits: HTTPLimits
    private var state: State
    private var body: [UInt8] = []

    public init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits
        state = .head(HTTPHeadScanner(limits: limits))
    }

    /// True until the first byte of the next request has been looked at (an idle keep-alive connection).
    public var isIdle: Bool {
        if case .head(let scanner) = state { return scanner.isPristine }
        return false
    }

    /// True while a body is being read (the body timeout applies instead of the header one).
    public var isReadingBody: Bool {
        if case .body = state { return true }
        return false
    }

    /// Parses from the start of `bytes`, which must begin with the first byte not yet consumed.
    /// Returns how many bytes were consumed; unconsumed bytes must be offered again, followed by new ones.
    public mutating func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> (
        consumed: Int, output: Output
    ) {
        switch state {
        case .head(var scanner):
            guard let headEnd = try scanner.scan(bytes) else {
                state = .head(scanner)
                return (0, .needMoreData)
            }
            let headBytes = Array(bytes[scanner.headStart..<headEnd])
            let head = try HTTPHeadParser.parse(headBytes[...])
            state = .awaitingBodyLimit(head)
            return (headEnd, .head(head))
        case .awaitingBodyLimit:
            return (0, .needMoreData)
        case .body(let head, var decoder):
            let consumed = try decoder.decode(bytes, into: &body)
            guard decoder.isDone else {
                state = .body(head, decoder)
                return (consumed, .needMoreData)
            }
            let output = Output.request(head, body: body, trailers: decoder.trailers)
            reset()
            return (consumed, output)
        }
    }

    /// Starts reading the body of the head just returned, refusing it with
    /// ``HTTPParseError/bodyTooLarge(limit:)`` when its declared length is over `limit`.
    public mutating func beginBody(limit: Int) throws(HTTPParseError) {
        guard case .awaitingBodyLimit(let head) = state else { return }
        if case .length(let length) = head.bodyFraming {
            if length > limit { throw .bodyTooLarge(limit: limit) }
            body.reserveCapacity(length)
        }
        state = .body(head, HTTPBodyDecoder(framing: head.bodyFraming, limit: limit, limits: limits))
    }

    /// Forgets any partial request.
    public mutating func reset() {
        state = .head(HTTPHeadScanner(limits: limits))
        body = []
    }
}
