/// The query parameter names the access log may show: only names the handler declares, and of
/// those only plain ones (a lowercase letter, then lowercase letters, digits and `_`, optionally
/// one `.` and a lowercase operator: `limit`, `occurred.gte`; at most 64 bytes).
///
/// A query can carry anything a client pastes into it, a token included (`/v1/incidents?vgl_…`,
/// a bare word with no `=`), and the server cannot tell a secret from a parameter. So nothing of
/// it reaches a log line unless it is a name the application declared: every other piece (a bare
/// word, an unknown name, a percent-encoded one) is written as `*`, and values never are. The
/// server knows nothing of the application's parameters; the handler says which names it has
/// (``HTTPHandler/loggedQueryNames``), and the default is none.
///
/// ```swift
/// router.loggedQueryNames = LoggedQueryNames(["limit", "cursor", "country", "country.ne"])
/// // GET /v1/incidents?country=RU&vgl_x7 is logged as "GET /v1/incidents?country=&* 200 …"
/// ```
public struct LoggedQueryNames: Sendable, Equatable {
    private let names: Set<String>

    /// Shows no name: every piece of a query is logged as `*`.
    public static let none = LoggedQueryNames([])

    /// The names of `declared` that are plain (see the type); the others are never shown.
    public init(_ declared: some Sequence<String>) {
        names = Set(
            declared.filter { name in
                var name = name
                return name.withUTF8 { Self.isPlain($0) }
            })
    }

    /// Whether the log may show this name, given as the bytes of the raw query.
    func contains(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        Self.isPlain(name) && names.contains(String(decoding: name, as: UTF8.self))
    }

    /// `[a-z][a-z0-9_]*` with an optional `.[a-z]+`, at most 64 bytes.
    static func isPlain(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        guard (1...64).contains(name.count), (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(name[0]) else {
            return false
        }
        var sawDot = false
        var afterDot = 0
        for byte in name.dropFirst() {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"):
                if sawDot { afterDot += 1 }
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
                if sawDot { return false }
            case UInt8(ascii: "."):
                if sawDot { return false }
                sawDot = true
            default:
                return false
            }
        }
        return !sawDot || afterDot > 0
    }
}
