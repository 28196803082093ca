import Crypto

/// Lowercase hex, for hashes and secrets.
enum Hex {
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// SHA-256 of `text`'s UTF-8 bytes, as hex.
    static func sha256(_ text: String) -> String { encode(SHA256.hash(data: Array(text.utf8))) }

    /// SHA-256 of `bytes`, as hex.
    static func sha256(_ bytes: [UInt8]) -> String { encode(SHA256.hash(data: bytes)) }
}
