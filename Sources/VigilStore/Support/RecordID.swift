import Glibc
import Synchronization

/// Makes record ids: a type prefix and 26 Crockford base-32 characters, 48 bits of
/// milliseconds then 80 random bits, so ids sort by creation time and never collide.
///
/// Within one millisecond the random part is incremented instead of redrawn, so ids made by
/// one process are strictly increasing, which keyset pagination on `id` relies on.
public final class RecordIDGenerator: Sendable {
    /// The generator the store uses.
    public static let shared = RecordIDGenerator()

    /// The last id's milliseconds and random part.
    private struct Last {
        var millis: UInt64 = 0
        var random: (high: UInt16, low: UInt64) = (0, 0)
    }
    private let last = Mutex(Last())
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
    /// The characters after the prefix.
    static let digits = 26

    /// A new id with `prefix` (e.g. `inc_`).
    public func next(prefix: String) -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let now = UInt64(spec.tv_sec) * 1000 + UInt64(spec.tv_nsec / 1_000_000)
        let (millis, high, low) = last.withLock { last -> (UInt64, UInt16, UInt64) in
            if now <= last.millis {
                // Same (or earlier: clock stepped back) millisecond: keep order by counting up.
                let (low, overflow) = last.random.low.addingReportingOverflow(1)
                last.random = (overflow ? last.random.high &+ 1 : last.random.high, low)
            } else {
                last.millis = now
                var generator = SystemRandomNumberGenerator()
                last.random = (
                    UInt16.random(in: 0...UInt16.max, using: &generator) & 0x7FFF,
                    UInt64.random(in: 0...UInt64.max, using: &generator)
                )
            }
            return (last.millis, last.random.high, last.random.low)
        }
        // 128 bits: 48 of time, 80 of randomness, written as 26 base-32 digits (130 bits).
        var bytes = [UInt8](repeating: 0, count: Self.digits)
        var high128 = (millis << 16) | UInt64(high)  // top 64 bits
        var low128 = low
        for index in stride(from: Self.digits - 1, through: 0, by: -1) {
            let digit = Int(low128 & 31)
            bytes[index] = Self.alphabet[digit]
            low128 = (low128 >> 5) | ((high128 & 31) << 59)
            high128 >>= 5
        }
        return prefix + String(decoding: bytes, as: UTF8.self)
    }
}
