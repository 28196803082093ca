/// One numbered schema change, as it appears in `migrations/NNNN_name.sql`.
public struct Migration: Sendable, Hashable {
    /// The number that orders migrations; recorded in `schema_migrations` once applied.
    public let version: Int
    /// The file name's descriptive part.
    public let name: String
    /// The SQL run inside the migration's transaction.
    public let sql: String
}
