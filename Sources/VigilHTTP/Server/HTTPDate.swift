import Glibc

/// The IMF-fixdate for the `Date` header (RFC 9110 §5.6.7), formatted at most once per second per
/// thread. Per-thread (a pthread key) rather than shared behind a lock, because a shared lock taken
/// on every response was the most contended lock in the profile.
enum HTTPDate {
    private final class Cache {
        var second = -1
        var bytes: [UInt8] = []
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { raw in
            guard let raw else { return }
            Unmanaged<Cache>.fromOpaque(raw).release()
        }
        return key
    }()

    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Now, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`, as bytes.
    static func current() -> [UInt8] {
        let cache: Cache
        if let raw = pthread_getspecific(key) {
            cache = Unmanaged<Cache>.fromOpaque(raw).takeUnretainedValue()
        } else {
            cache = Cache()
            pthread_setspecific(key, Unmanaged.passRetained(cache).toOpaque())
        }
        let now = time(nil)
        if cache.second != now {
            cache.second = now
            cache.bytes = Array(format(now).utf8)
        }
        return cache.bytes
    }

    static func format(_ seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return
            "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
