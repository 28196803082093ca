import Glibc

/// One line per request: method, path with the query's declared parameter names but nothing
/// else of it (``LoggedQueryNames``: no value, no bare word, no unknown name), status, body bytes
/// sent and duration. Header fields (notably `Authorization`), bodies and the client's address
/// are never logged: where Vigil is used, who connected can itself endanger someone.
public struct HTTPAccessLog: Sendable {
    /// Receives each finished line (without a newline).
    public typealias Sink = @Sendable (String) -> Void

    public let sink: Sink
    /// False for ``disabled``, so lines are not even formatted.
    let isEnabled: Bool
    /// Writes out what the sink holds back; the server calls it every sweep (100 ms) and when it stops.
    let flush: @Sendable () -> Void
    /// For ``standardError``: appends a line's bytes straight into the buffer it writes from,
    /// with no `String` per line (building one was 4% of a by-id request's instructions).
    private let appendLine: (@Sendable ((inout [UInt8]) -> Void) -> Void)?

    private let countDropped: @Sendable () -> Int
    private let waitForWrites: @Sendable (Duration) -> Bool
    /// The query names lines may show; set by the server from its handler (``showing(_:)``).
    private(set) var queryNames = LoggedQueryNames.none

    public init(sink: @escaping Sink) {
        self.init(sink: sink, isEnabled: true, flush: {}, appendLine: nil, droppedLines: { 0 }, drain: { _ in true })
    }

    private init(
        sink: @escaping Sink, isEnabled: Bool, flush: @escaping @Sendable () -> Void,
        appendLine: (@Sendable ((inout [UInt8]) -> Void) -> Void)?,
        droppedLines: @escaping @Sendable () -> Int, drain: @escaping @Sendable (Duration) -> Bool
    ) {
        self.sink = sink
        self.isEnabled = isEnabled
        self.flush = flush
        self.appendLine = appendLine
        self.countDropped = droppedLines
        self.waitForWrites = drain
    }

    /// Standard error, in whole lines, at most 100 ms late: lines are gathered and written 16 KiB
    /// or one sweep at a time, in order, never interleaved. One `write` per request was 2–3% of a
    /// by-id request's time. Writing never stalls serving: a reader that stops reading (a pipe
    /// nobody drains) costs dropped lines, counted in the log once it reads again, never a
    /// stopped server (see `LogPipe`). A process killed outright loses the last tenth of a second
    /// of lines; what it stored is in the audit log, not here.
    public static let standardError = HTTPAccessLog.writing(to: LogPipe.standardError)

    /// Lines written to `descriptor` (a pipe, a file, a terminal) as ``standardError`` writes
    /// them; at most `capacity` bytes are held while its reader is slow.
    public static func writing(toDescriptor descriptor: Int32, capacity: Int = 1 << 20) -> HTTPAccessLog {
        writing(to: LogPipe(descriptor: descriptor, capacity: capacity))
    }

    private static func writing(to pipe: LogPipe) -> HTTPAccessLog {
        HTTPAccessLog(
            sink: { line in pipe.append { $0.append(contentsOf: line.utf8) } },
            isEnabled: true,
            flush: { pipe.flush() },
            appendLine: { format in pipe.append(format) },
            droppedLines: { pipe.droppedLines },
            drain: { timeout in pipe.drain(timeout: timeout) })
    }

    /// Writes one line that is not about a request (a failure, say) to standard error, through
    /// the same buffer as the access log, so that it cannot stall its thread either.
    public static func event(_ line: String) {
        LogPipe.standardError.append { $0.append(contentsOf: line.utf8) }
        LogPipe.standardError.flush()
    }

    /// This log, showing `names` of a query (the server's handler declares them).
    func showing(_ names: LoggedQueryNames) -> HTTPAccessLog {
        var log = self
        log.queryNames = names
        return log
    }

    /// Lines this log dropped because its reader did not keep up (0 for logs that never drop).
    public var droppedLines: Int { countDropped() }

    /// Writes out what is held back and waits for it, at most `timeout`: for a server that stops.
    @discardableResult
    public func drain(timeout: Duration) -> Bool { waitForWrites(timeout) }

    /// Discards everything (benchmarks, tests that do not look at the log).
    public static let disabled = HTTPAccessLog(
        sink: { _ in }, isEnabled: false, flush: {}, appendLine: nil, droppedLines: { 0 }, drain: { _ in true })

    func record(method: String, rawPath: String, rawQuery: String?, status: Int, bytes: Int, durationNanos: UInt64) {
        guard isEnabled else { return }
        let names = queryNames
        let format = { (out: inout [UInt8]) in
            HTTPAccessLog.appendLine(
                method: method, rawPath: rawPath, rawQuery: rawQuery, names: names, status: status, bytes: bytes,
                durationNanos: durationNanos, into: &out)
        }
        if let appendLine {
            appendLine(format)
        } else {
            var line: [UInt8] = []
            line.reserveCapacity(64 + rawPath.utf8.count)
            format(&line)
            sink(String(decoding: line, as: UTF8.self))
        }
    }

    /// `METHOD path?names= status bytes 0.25ms`, the one format of a line.
    static func appendLine(
        method: String, rawPath: String, rawQuery: String?, names: LoggedQueryNames, status: Int, bytes: Int,
        durationNanos: UInt64, into out: inout [UInt8]
    ) {
        appendUTF8(method, into: &out)
        out.append(UInt8(ascii: " "))
        appendLoggedPath(rawPath: rawPath, rawQuery: rawQuery, names: names, into: &out)
        out.append(UInt8(ascii: " "))
        ResponseEncoder.appendDecimal(max(0, status), to: &out)
        out.append(UInt8(ascii: " "))
        ResponseEncoder.appendDecimal(max(0, bytes), to: &out)
        out.append(UInt8(ascii: " "))
        appendMilliseconds(durationNanos, into: &out)
        out.append(contentsOf: "ms".utf8)
    }

    /// Copies a string's UTF-8 in one go (appending its `utf8` view goes byte by byte).
    private static func appendUTF8(_ text: String, into out: inout [UInt8]) {
        var text = text
        text.withUTF8 { out.append(contentsOf: $0) }
    }

    /// The duration in milliseconds to the microsecond, as Swift prints that `Double` ("0.25",
    /// "12.0"), written with integers: formatting a `Double` was most of a line's cost.
    static func milliseconds(_ nanos: UInt64) -> String {
        var out: [UInt8] = []
        appendMilliseconds(nanos, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func appendMilliseconds(_ nanos: UInt64, into out: inout [UInt8]) {
        let micros = (nanos + 500) / 1000
        var fraction = micros % 1000
        ResponseEncoder.appendDecimal(Int(clamping: micros / 1000), to: &out)
        out.append(UInt8(ascii: "."))
        guard fraction != 0 else {
            out.append(UInt8(ascii: "0"))
            return
        }
        var digits = 3
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        // Leading zeros of the fraction ("0.05"), then its significant digits.
        var width = 1
        var scale: UInt64 = 10
        while fraction >= scale {
            width += 1
            scale *= 10
        }
        for _ in 0..<(digits - width) { out.append(UInt8(ascii: "0")) }
        ResponseEncoder.appendDecimal(Int(fraction), to: &out)
    }

    /// `/v1/incidents?country=&limit=&*`: declared names kept with their values removed, since
    /// values may be personal data; every other piece (a bare word, as a token pasted into the
    /// query is, or a name not in `names`) written as `*`. Empty pieces (`a&&b`) are left out.
    /// Read byte by byte: splitting and joining substrings was 3% of a 50-record page's
    /// instructions.
    static func loggedPath(rawPath: String, rawQuery: String?, names: LoggedQueryNames) -> String {
        var out: [UInt8] = []
        appendLoggedPath(rawPath: rawPath, rawQuery: rawQuery, names: names, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func appendLoggedPath(
        rawPath: String, rawQuery: String?, names: LoggedQueryNames, into out: inout [UInt8]
    ) {
        appendUTF8(rawPath, into: &out)
        guard var rawQuery else { return }
        out.append(UInt8(ascii: "?"))
        rawQuery.withUTF8 { query in
            var wroteAPiece = false
            var start = 0
            while start < query.count {
                var end = start
                while end < query.count, query[end] != UInt8(ascii: "&") { end += 1 }
                if end > start {
                    var nameEnd = start
                    while nameEnd < end, query[nameEnd] != UInt8(ascii: "=") { nameEnd += 1 }
                    if wroteAPiece { out.append(UInt8(ascii: "&")) }
                    wroteAPiece = true
                    let name = UnsafeBufferPointer(rebasing: query[start..<nameEnd])
                    if names.contains(name) {
                        out.append(contentsOf: name)
                        out.append(UInt8(ascii: "="))
                    } else {
                        out.append(UInt8(ascii: "*"))
                    }
                }
                start = end + 1
            }
        }
    }
}
