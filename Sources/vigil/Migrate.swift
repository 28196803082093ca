import ArgumentParser
import VigilStore

/// `vigil migrate`: create the database or bring its schema up to date.
struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create the database or apply pending schema migrations.")

    @OptionGroup var database: DatabaseOption

    func run() throws {
        let store = try database.openStore()
        defer { store.close() }
        if store.appliedMigrations.isEmpty {
            print("\(database.path): schema is current (version \(Store.schemaVersion))")
        } else {
            let versions = store.appliedMigrations.map(String.init).joined(separator: ", ")
            print("\(database.path): applied migration(s) \(versions); schema version \(Store.schemaVersion)")
        }
    }
}
