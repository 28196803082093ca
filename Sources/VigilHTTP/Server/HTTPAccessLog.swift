import Glibc
import Synchronization

/// One line per request: method, path with query names but not their values, status, body bytes
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

    public init(sink: @escaping Sink) {
        self.init(sink: sink, isEnabled: true, flush: {})
    }

    private init(sink: @escaping Sink, isEnabled: Bool, flush: @escaping @Sendable () -> Void) {
        self.sink = sink
        self.isEnabled = isEnabled
        self.flush = flush
    }

    /// Standard error, in whole lines, at most 100 ms late: lines are gathered and written 16 KiB
    /// or one sweep at a time, under a lock so they keep their order and never interleave. One
    /// `write` per request was 2–3% of a by-id request's time. A process killed outright loses
    /// the last tenth of a second of lines; what it stored is in the audit log, not here.
    public static let standardError: HTTPAccessLog = {
        let buffer = Mutex<[UInt8]>([])
        @Sendable func write(_ bytes: inout [UInt8]) {
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeBytes { raw in Glibc.write(2, raw.baseAddress! + offset, raw.count - offset) }
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { break }
                offset += written
            }
            bytes.removeAll(keepingCapacity: true)
        }
        return HTTPAccessLog(
            sink: { line in
                buffer.withLock { bytes in
                    bytes.append(contentsOf: line.utf8)
                    bytes.append(UInt8(ascii: "\n"))
                    if bytes.count >= 16 * 1024 { write(&bytes) }
                }
            },
            isEnabled: true,
            flush: { buffer.withLock { bytes in if !bytes.isEmpty { write(&bytes) } } })
    }()

    /// Discards everything (benchmarks, tests that do not look at the log).
    public static let disabled = HTTPAccessLog(sink: { _ in }, isEnabled: false, flush: {})

    func record(method: String, rawPath: String, rawQuery: String?, status: Int, bytes: Int, durationNanos: UInt64) {
        guard isEnabled else { return }
        var line = method
        line.reserveCapacity(64 + rawPath.utf8.count)
        line += " "
        line += HTTPAccessLog.loggedPath(rawPath: rawPath, rawQuery: rawQuery)
        line += " "
        line += String(status)
        line += " "
        line += String(bytes)
        line += " "
        line += HTTPAccessLog.milliseconds(durationNanos)
        line += "ms"
        sink(line)
    }

    /// The duration in milliseconds to the microsecond, as Swift prints that `Double` ("0.25",
    /// "12.0"), written with integers: formatting a `Double` was most of a line's cost.
    static func milliseconds(_ nanos: UInt64) -> String {
        let micros = (nanos + 500) / 1000
        var fraction = micros % 1000
        var text = String(micros / 1000) + "."
        guard fraction != 0 else { return text + "0" }
        var digits = 3
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let written = String(fraction)
        text += String(repeating: "0", count: digits - written.count) + written
        return text
    }

    /// `/v1/incidents?country=&limit=`: names kept, values removed, since values may be personal data.
    /// Empty pieces (`a&&b`) are left out. Read byte by byte: splitting and joining substrings
    /// was 3% of a 50-record page's instructions.
    static func loggedPath(rawPath: String, rawQuery: String?) -> String {
        guard let rawQuery else { return rawPath }
        var out = Array(rawPath.utf8)
        out.reserveCapacity(out.count + 1 + rawQuery.utf8.count)
        out.append(UInt8(ascii: "?"))
        var wroteAPiece = false
        var inPiece = false
        var inName = false
        for byte in rawQuery.utf8 {
            if byte == UInt8(ascii: "&") {
                if inPiece { out.append(UInt8(ascii: "=")) }
                inPiece = false
                continue
            }
            if !inPiece {
                if wroteAPiece { out.append(UInt8(ascii: "&")) }
                wroteAPiece = true
                inPiece = true
                inName = true
            }
            if inName {
                if byte == UInt8(ascii: "=") { inName = false } else { out.append(byte) }
            }
        }
        if inPiece { out.append(UInt8(ascii: "=")) }
        return String(decoding: out, as: UTF8.self)
    }
}
