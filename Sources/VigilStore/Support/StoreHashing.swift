/// SHA-256 as lowercase hex, for callers outside the store (request fingerprints).
public enum StoreHashing {
    public static func sha256(_ bytes: [UInt8]) -> String { Hex.sha256(bytes) }
}
