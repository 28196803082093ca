import Foundation

/// Writes the Swift source of `embeddedMigrations` from numbered SQL files; run by the
/// EmbedMigrations build plugin, never by hand.
///
///     MigrationEmbedder OUTPUT.swift NNNN_name.sql...
///
/// Each file becomes a `Migration` whose SQL is a raw string literal; a file name not of the
/// form `NNNN_name.sql`, or SQL holding the literal's terminator, stops the build with a message
/// naming the file.
@main enum MigrationEmbedder {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let output = arguments.first else { fail("usage: MigrationEmbedder OUTPUT.swift FILE.sql...") }
        var lines = [
            "// Generated at build time from migrations/*.sql by the EmbedMigrations plugin.", "",
            "import VigilSQLite", "",
            "/// The schema migrations compiled into the binary, in order.",
            "let embeddedMigrations: [Migration] = [",
        ]
        for path in arguments.dropFirst().sorted(by: { name(of: $0) < name(of: $1) }) {
            let file = name(of: path)
            guard let (version, title) = parse(file) else {
                fail("bad migration file name: \(file) (want NNNN_name.sql)")
            }
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
            else { fail("cannot read \(path) as UTF-8") }
            if text.contains("\"\"\"#") { fail("\(file) contains a raw-string terminator") }
            lines.append("    Migration(")
            lines.append("        version: \(version),")
            lines.append("        name: \"\(title)\",")
            lines.append("        sql: #\"\"\"")
            var body = text
            while body.hasSuffix("\n") { body.removeLast() }
            lines.append(body)
            lines.append("\"\"\"#")
            lines.append("    ),")
        }
        lines.append("]")
        do {
            try (lines.joined(separator: "\n") + "\n").write(toFile: output, atomically: true, encoding: .utf8)
        } catch {
            fail("cannot write \(output): \(error)")
        }
    }

    static func name(of path: String) -> String { URL(fileURLWithPath: path).lastPathComponent }

    /// `0016_search_per_clearance.sql` → (16, "search_per_clearance").
    static func parse(_ file: String) -> (Int, String)? {
        guard file.hasSuffix(".sql") else { return nil }
        let stem = file.dropLast(4)
        let digits = stem.prefix(4)
        guard digits.count == 4, digits.allSatisfy(\.isASCII), let version = Int(digits),
            stem.dropFirst(4).first == "_"
        else { return nil }
        let title = stem.dropFirst(5)
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789_")
        guard !title.isEmpty, title.allSatisfy({ allowed.contains($0) }) else { return nil }
        return (version, String(title))
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("MigrationEmbedder: \(message)\n".utf8))
        exit(1)
    }
}
