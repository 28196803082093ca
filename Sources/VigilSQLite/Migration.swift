/// One numbered schema change, as it appears in `migrations/NNNN_name.sql`.
package struct Migration: Sendable, Hashable {
    /// The number that orders migrations; recorded in `schema_migrations` once applied.
    package let version: Int
    /// The file name's descriptive part.
    package let name: String
    /// The SQL run inside the migration's transaction.
    package let sql: String

    package init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}
