import ArgumentParser
import Foundation
import VigilStore

/// `--db PATH`, shared by every command: default `$VIGIL_DB`, then `./vigil.db`.
struct DatabaseOption: ParsableArguments {
    @Option(name: .long, help: "The database file (default: $VIGIL_DB, then ./vigil.db).")
    var db: String?

    /// The path to use.
    var path: String {
        if let db { return db }
        if let environment = ProcessInfo.processInfo.environment["VIGIL_DB"], !environment.isEmpty {
            return environment
        }
        return "vigil.db"
    }

    /// Opens the store, turning a refusal into a one-line error.
    /// `mustExist`: commands that inspect or change existing data (verify, backup, purge, token
    /// list and revoke) refuse a missing file instead of creating an empty database.
    /// Every command closes the store it opened (`defer { store.close() }`): closing folds the WAL
    /// into the `.db` file and removes it, so that file alone then holds everything (`Store.close`).
    ///
    /// Every command, those that only read (verify, export, token list) included, refuses a file
    /// it cannot write: each opens the store's writer, which may migrate, index pending text and
    /// checkpoint on close, and a read that worked on a write-protected file would hide from the
    /// operator that the next `vigil serve` cannot take a write (docs/reliability.md).
    func openStore(
        readers: Int = 2, keptForReadBatches: Int = 0, mustExist: Bool = false,
        queryTimeLimit: Duration = Store.defaultQueryTimeLimit
    ) throws -> Store {
        if mustExist, !FileManager.default.fileExists(atPath: path) {
            throw CommandError("\(path): no such database (vigil migrate or vigil serve creates one)")
        }
        do {
            return try Store(
                path: path, readers: readers, keptForReadBatches: keptForReadBatches, queryTimeLimit: queryTimeLimit)
        } catch .unusableFile(let message) {
            throw CommandError(message)  // names the path itself
        } catch {
            throw CommandError("\(path): \(error)")
        }
    }
}

/// A failure reported as one line on standard error, with a non-zero exit.
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Writes a line to standard error (notes that must not mix with a command's output).
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
