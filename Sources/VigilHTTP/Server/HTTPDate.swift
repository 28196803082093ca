import Glibc
import Synchronization

/// The IMF-fixdate for the `Date` header (RFC 9110 §5.6.7), formatted once per second and shared.
enum HTTPDate {
    private static let cache = Mutex<(second: Int, bytes: [UInt8])>((-1, []))
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Today's date, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`, as bytes.
    static func current() -> [UInt8] {
        let now = time(nil)
        return cache.withLock { cached in
            if cached.second == now { return cached.bytes }
            let bytes = Array(format(now).utf8)
            cached = (now, bytes)
            return bytes
        }
    }

    static func format(_ seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
