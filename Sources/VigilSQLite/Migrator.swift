/// Brings a database to the schema this binary knows, or refuses it.
///
/// Each pending migration runs in its own `BEGIN IMMEDIATE` transaction together with the row
/// that records it, so a crash leaves the database at the previous version, never halfway.
package struct Migrator: Sendable {
    /// The migrations this binary carries, in order.
    package let migrations: [Migration]

    package init(migrations: [Migration]) {
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// The newest schema version this binary knows.
    package var latestVersion: Int { migrations.last?.version ?? 0 }

    /// The schema version recorded in `database` (0 for a new file).
    func currentVersion(of database: Database) throws -> Int {
        try database.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY NOT NULL,
                name TEXT NOT NULL,
                applied_at TEXT NOT NULL
            )
            """)
        guard case .integer(let version)? = try database.scalar("SELECT max(version) FROM schema_migrations") else {
            return 0
        }
        return Int(version)
    }

    /// Applies every migration newer than the database's version; returns the versions applied.
    /// `appliedAt` is what `schema_migrations.applied_at` records (the caller's clock and format).
    @discardableResult
    package func migrate(_ database: Database, appliedAt: String) throws -> [Int] {
        let current = try currentVersion(of: database)
        if current > latestVersion {
            throw MigrationError.databaseTooNew(found: current, supported: latestVersion)
        }
        var applied: [Int] = []
        for migration in migrations where migration.version > current {
            let ran = try database.transaction(.immediate) { (db: Database) throws -> Bool in
                // Read the version again under the write lock: another process opening the same
                // file may have applied this migration since the check above.
                let now = try currentVersion(of: db)
                if now > latestVersion { throw MigrationError.databaseTooNew(found: now, supported: latestVersion) }
                guard now < migration.version else { return false }
                try db.execute(migration.sql)
                try db.run(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    [.integer(Int64(migration.version)), .text(migration.name), .text(appliedAt)]
                )
                return true
            }
            if ran { applied.append(migration.version) }
        }
        return applied
    }
}

/// Why a database's schema cannot be brought to the migrations a binary carries.
package enum MigrationError: Error, Equatable {
    /// The file records a version newer than any migration here: written by a newer binary,
    /// whose schema this one must not touch.
    case databaseTooNew(found: Int, supported: Int)
}
