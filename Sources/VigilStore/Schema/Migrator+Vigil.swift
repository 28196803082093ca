import VigilSQLite

extension Migrator {
    /// The migrations compiled into this binary from `migrations/*.sql` (the EmbedMigrations
    /// build plugin): Vigil's schema, run by VigilSQLite's generic runner.
    package init() {
        self.init(migrations: embeddedMigrations)
    }

    /// Applies every pending migration, recording the store's own timestamps, with the runner's
    /// refusal of a newer schema as the store's error.
    @discardableResult
    package func migrate(_ database: Database) throws -> [Int] {
        do {
            return try migrate(database, appliedAt: Timestamp.now())
        } catch MigrationError.databaseTooNew(let found, let supported) {
            throw StoreError.databaseTooNew(found: found, supported: supported)
        }
    }
}

extension Store {
    /// The newest schema version this binary knows.
    public static var schemaVersion: Int { Migrator().latestVersion }
}
