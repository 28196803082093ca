import Glibc

/// One line per request: method, path with query names but not their values, status, body bytes
/// sent and duration. Header fields (notably `Authorization`), bodies and the client's address
/// are never logged: where Vigil is used, who connected can itself endanger someone.
public struct HTTPAccessLog: Sendable {
    /// Receives each finished line (without a newline).
    public typealias Sink = @Sendable (String) -> Void

    public let sink: Sink
    /// False for ``disabled``, so lines are not even formatted.
    let isEnabled: Bool

    public init(sink: @escaping Sink) {
        self.sink = sink
        isEnabled = true
    }

    private init(sink: @escaping Sink, isEnabled: Bool) {
        self.sink = sink
        self.isEnabled = isEnabled
    }

    /// Writes each line to standard error with a single `write`, so lines from different threads do not interleave.
    public static let standardError = HTTPAccessLog { line in
        let bytes = Array((line + "\n").utf8)
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            _ = Glibc.write(2, base, raw.count)
        }
    }

    /// Discards everything (benchmarks, tests that do not look at the log).
    public static let disabled = HTTPAccessLog(sink: { _ in }, isEnabled: false)

    func record(method: String, rawPath: String, rawQuery: String?, status: Int, bytes: Int, durationNanos: UInt64) {
        guard isEnabled else { return }
        let milliseconds = Double(durationNanos) / 1_000_000
        let rounded = (milliseconds * 1000).rounded() / 1000
        sink("\(method) \(HTTPAccessLog.loggedPath(rawPath: rawPath, rawQuery: rawQuery)) \(status) \(bytes) \(rounded)ms")
    }

    /// `/v1/incidents?country=&limit=`: names kept, values removed, since values may be personal data.
    static func loggedPath(rawPath: String, rawQuery: String?) -> String {
        guard let rawQuery else { return rawPath }
        let names = rawQuery.split(separator: "&").map { piece -> String in
            let name = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            return "\(name)="
        }
        return rawPath + "?" + names.joined(separator: "&")
    }
}
