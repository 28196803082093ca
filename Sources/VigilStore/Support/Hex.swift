import Crypto

/// Lowercase hex, for hashes and secrets.
enum Hex {
    static func encode(_ bytes: some Collection<UInt8>) -> String {
        String(unsafeUninitializedCapacity: 2 * bytes.count) { out in
            var index = 0
            for byte in bytes {
                out[index] = digit(byte >> 4)
                out[index + 1] = digit(byte & 15)
                index += 2
            }
            return index
        }
    }

    private static func digit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 48 + nibble : 87 + nibble }

    /// SHA-256 of `text`'s UTF-8 bytes, as hex.
    static func sha256(_ text: String) -> String { SHA256.hash(data: Array(text.utf8)).withUnsafeBytes { encode($0) } }

    /// SHA-256 of `bytes`, as hex.
    static func sha256(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).withUnsafeBytes { encode($0) } }
}
