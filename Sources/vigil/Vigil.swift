import ArgumentParser

/// The `vigil` command: wiring only. Each subcommand opens the store and calls it.
@main
struct Vigil: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "A human-rights incident database: records that must not leak, be altered or be lost.",
        subcommands: [Serve.self, Migrate.self, TokenCommand.self, Verify.self, Backup.self, Purge.self, Import.self, Export.self, Stress.self]
    )
}
