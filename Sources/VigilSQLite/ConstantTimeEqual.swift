/// Compares two strings in time independent of where they differ (only their lengths show).
/// Read in place, without copies: the token memo compares every presented secret with it.
package func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
    var lhs = lhs
    var rhs = rhs
    return lhs.withUTF8 { a in
        rhs.withUTF8 { b in
            guard a.count == b.count else { return false }
            var difference: UInt8 = 0
            for index in 0..<a.count { difference |= a[index] ^ b[index] }
            return difference == 0
        }
    }
}
