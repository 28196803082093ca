import ArgumentParser

/// The `vigil` command: wiring only. Each subcommand opens the store and calls it.
@main
struct Vigil: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "A human-rights incident database: records that must not leak, be altered or be lost.",
        subcommands: [
            Serve.self, Migrate.self, TokenCommand.self, Verify.self, Backup.self, Purge.self, Import.self, Export.self,
            Stress.self,
        ]
    )

    /// ArgumentParser's main, except that a refused command line gets one line on standard error
    /// (the reason and where help is), as every other failure does; help and `--version` go to
    /// standard output as usual.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            guard code != .success, !(error is ExitCode) else { exit(withError: error) }
            let reason = message(for: error).split(separator: "\n").first.map(String.init) ?? "failed"
            // Help is pointed to only when the command line itself was refused.
            printError(code == .validationFailure ? "Error: \(reason) (see vigil --help)" : "Error: \(reason)")
            exit(withError: ExitCode(code.rawValue))
        }
    }
}
