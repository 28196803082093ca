import Crypto

/// The changes feed's positions as readers hold them: `next_since`, each entry's `position`,
/// the `Link` header's `since`.
///
/// The audit log's sequence number counts every write, hidden ones included, so a reader who
/// saw it could count the restricted and confidential writes between two of its entries, and
/// one who could choose it could search `since=` for where any entry stands. A position is
/// therefore sealed: the seq and the clearance it was issued for, encrypted and authenticated
/// (ChaCha20-Poly1305) under the database's feed key (migrations/0013_feed_position_key.sql),
/// with a fresh random nonce, in base64url.
///
/// - Fixed width (a format byte, the clearance, the seq in 8 bytes: 51 characters in all), so
///   that not even the length of a position grows with the number of writes.
/// - Random nonce: two answers for the same place are different strings, so positions cannot
///   be compared either.
/// - Opened only at the clearance it was issued for. A position issued higher stands between
///   writes the lower reader cannot see (trying it would place them); one issued lower covers
///   less than the higher reader's feed (resuming from it would skip entries that reader never
///   got). Either way the reader starts again without `since`.
/// - Every refusal says the same thing, so it tells nothing about the position either.
///
/// ```swift
/// let positions = FeedPosition.Sealer(key: feedKey, clearance: .public)
/// let text = positions.seal(42)               // "q3Jd…", different each time
/// let seq = try positions.open(text)          // 42
/// ```
enum FeedPosition {
    /// The first byte of the sealed plaintext; another layout would take another number.
    static let format: UInt8 = 1
    /// Bound into every seal as associated data: a box sealed for another purpose, even under
    /// the same key, does not open as a position.
    private static let purpose = Array("vigil changes feed position".utf8)
    /// Longer text is refused before any decoding (a position is 51 characters).
    static let maximumLength = 128

    /// The one refusal, for a number, a forged or altered token, another database's, another
    /// clearance's.
    static let refusal = StoreError.badQuery(
        parameter: "since",
        message: "is not a position this feed issued at your clearance: pass the next_since (or an entry's position) "
            + "of a previous answer, or leave since out to start from the beginning")

    /// Seals and opens positions for one caller's clearance, for one answer.
    struct Sealer {
        private let key: SymmetricKey
        let clearance: Confidentiality

        init(key: [UInt8], clearance: Confidentiality) {
            self.key = SymmetricKey(data: key)
            self.clearance = clearance
        }

        /// The position just after audit entry `seq` (0: the beginning).
        func seal(_ seq: Int64) -> String {
            var plain: [UInt8] = [FeedPosition.format, UInt8(clearance.rawValue)]
            plain += (0..<8).map { UInt8(truncatingIfNeeded: UInt64(bitPattern: seq) >> (56 - 8 * UInt64($0))) }
            // Sealing with a fresh random nonce cannot fail for a 32-byte key.
            guard let sealed = try? ChaChaPoly.seal(plain, using: key, authenticating: FeedPosition.purpose).combined
            else {
                preconditionFailure("sealing a feed position failed")
            }
            return Base64URL.encode(Array(sealed))
        }

        /// The seq a position this feed issued at this clearance stands for; ``refusal`` for
        /// anything else.
        func open(_ text: String) throws(StoreError) -> Int64 {
            // Re-encoded to compare, so that a changed last character whose bits decoding drops
            // is refused like any other change.
            guard text.utf8.count <= FeedPosition.maximumLength, let sealed = Base64URL.decode(text),
                Base64URL.encode(sealed) == text,
                let box = try? ChaChaPoly.SealedBox(combined: sealed),
                let opened = try? ChaChaPoly.open(box, using: key, authenticating: FeedPosition.purpose)
            else { throw FeedPosition.refusal }
            let plain = Array(opened)
            guard plain.count == 10, plain[0] == FeedPosition.format, plain[1] == UInt8(clearance.rawValue) else {
                throw FeedPosition.refusal
            }
            let seq = plain[2...].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard let value = Int64(exactly: seq) else { throw FeedPosition.refusal }
            return value
        }
    }
}
