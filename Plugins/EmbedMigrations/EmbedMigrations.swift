import Foundation
import PackagePlugin

/// Compiles `migrations/*.sql` into the target that applies them, at build time: the binary
/// must work when copied alone, so the SQL is code, not a resource shipped beside it, and no
/// generated file is committed (a hand-run generator could be forgotten after an edit).
///
/// Every `.sql` file is an input of the command, so adding or editing a migration rebuilds it.
@main struct EmbedMigrations: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let folder = context.package.directoryURL.appending(path: "migrations")
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedMigrations.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) migrations",
                executable: try context.tool(named: "MigrationEmbedder").url,
                arguments: [output.path] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output])
        ]
    }
}
