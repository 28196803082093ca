import Foundation
import Testing

@testable import VigilSQLite
@testable import VigilStore

/// The `vigil` command line: tokens, migrate, `--db` and `$VIGIL_DB`, help, and refusals.
@Suite("Command line")
struct CommandLineTests {
    @Test("token create prints the secret alone on stdout, notes on stderr")
    func tokenCreate() throws {
        let scratch = try ScratchDirectory()
        let db = scratch.path("vigil.db")
        let result = try VigilCLI.run(
            ["token", "create", "--name", "n", "--role", "editor", "--clearance", "restricted", "--db", db], in: scratch
        )
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.hasSuffix("\n"))
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 1, "stdout: \(result.stdout)")
        let secret = String(lines.first ?? "")
        #expect(secret.hasPrefix("vgl_"))
        #expect(!secret.contains(" "))
        #expect(!result.stderr.isEmpty)
        #expect(!result.stderr.contains(secret))

        let store = try Store(path: db, readers: 1)
        guard case .valid(let context, _) = try store.authenticate(secret: secret) else {
            Issue.record("the printed secret does not authenticate")
            return
        }
        #expect(context.actor == "n")
        #expect(context.role == .editor)
        #expect(context.clearance == .restricted)
        // Stored as a hash only.
        let stored = try VigilCLI.sqlite(db, "SELECT count(*) FROM tokens WHERE secret_hash = '\(secret)'")
        #expect(stored == "0")
        let dump = try VigilCLI.sqlite(db, ".dump")
        #expect(!dump.contains(secret))
    }

    @Test("a duplicate token name fails with a one-line reason")
    func duplicateName() throws {
        let scratch = try ScratchDirectory()
        let db = scratch.path("vigil.db")
        let arguments = ["token", "create", "--name", "dup", "--role", "reader", "--clearance", "public", "--db", db]
        #expect(try VigilCLI.run(arguments, in: scratch).status == 0)
        let again = try VigilCLI.run(arguments, in: scratch)
        #expect(again.status != 0)
        #expect(again.stdout.isEmpty)
        #expect(again.stderrLines.count == 1, "stderr: \(again.stderr)")
        #expect(again.stderr.contains("dup"))
        #expect(again.stderr.contains("exists"))
    }

    @Test("token list shows name, role, clearance, created, last used, never the secret")
    func tokenList() throws {
        let scratch = try ScratchDirectory()
        let db = scratch.path("vigil.db")
        let first = try VigilCLI.run(
            ["token", "create", "--name", "alice", "--role", "admin", "--clearance", "confidential", "--db", db],
            in: scratch)
        let second = try VigilCLI.run(
            ["token", "create", "--name", "bob.reader", "--role", "reader", "--clearance", "public", "--db", db],
            in: scratch)
        let alice = first.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let bob = second.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(alice.hasPrefix("vgl_") && bob.hasPrefix("vgl_"))
        do {
            let store = try Store(path: db, readers: 1)
            guard case .valid = try store.authenticate(secret: alice) else {
                Issue.record("alice's token does not authenticate")
                return
            }
        }

        let list = try VigilCLI.run(["token", "list", "--db", db], in: scratch)
        #expect(list.status == 0, "stderr: \(list.stderr)")
        let lines = list.stdoutLines
        #expect(lines.count == 3, "stdout: \(list.stdout)")
        let header = lines.first ?? ""
        for column in ["NAME", "ROLE", "CLEARANCE", "CREATED", "LAST USED"] {
            #expect(header.contains(column))
        }
        let aliceLine = lines.first { $0.hasPrefix("alice ") } ?? ""
        let bobLine = lines.first { $0.hasPrefix("bob.reader ") } ?? ""
        #expect(aliceLine.contains("admin") && aliceLine.contains("confidential"))
        #expect(bobLine.contains("reader") && bobLine.contains("public"))
        #expect(bobLine.contains("never"), "bob never used his token: \(bobLine)")
        #expect(!aliceLine.contains("never"), "alice's last use should show: \(aliceLine)")
        let year = String(Calendar(identifier: .gregorian).component(.year, from: Date()))
        #expect(aliceLine.contains(year + "-"))
        #expect(!list.stdout.contains(alice) && !list.stdout.contains(bob))
        #expect(!list.stdout.contains("vgl_") && !list.stderr.contains("vgl_"))
    }

    @Test("token revoke makes the secret invalid")
    func tokenRevoke() throws {
        let scratch = try ScratchDirectory()
        let db = scratch.path("vigil.db")
        let created = try VigilCLI.run(
            ["token", "create", "--name", "gone", "--role", "editor", "--clearance", "restricted", "--db", db],
            in: scratch)
        let secret = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try Store(path: db, readers: 1).authenticate(secret: secret) != .invalid)
        let revoked = try VigilCLI.run(["token", "revoke", "gone", "--db", db], in: scratch)
        #expect(revoked.status == 0, "stderr: \(revoked.stderr)")
        #expect(try Store(path: db, readers: 1).authenticate(secret: secret) == .invalid)
        let list = try VigilCLI.run(["token", "list", "--db", db], in: scratch)
        let line = list.stdoutLines.first { $0.hasPrefix("gone ") } ?? ""
        #expect(line.split(separator: " ").last.map { $0 != "-" } == true, "revocation time should show: \(line)")
        // Revoking an unknown name fails.
        let unknown = try VigilCLI.run(["token", "revoke", "nobody", "--db", db], in: scratch)
        #expect(unknown.status != 0)
        #expect(unknown.stderrLines.count == 1)
    }

    @Test("--expires: a past date gives a dead token, a future one a live token, garbage is refused")
    func tokenExpiry() throws {
        let scratch = try ScratchDirectory()
        let db = scratch.path("vigil.db")
        func create(_ name: String, _ expires: String) throws -> CommandResult {
            try VigilCLI.run(
                [
                    "token", "create", "--name", name, "--role", "reader", "--clearance", "public", "--expires",
                    expires, "--db", db,
                ],
                in: scratch)
        }
        let past = try create("past", "2020-01-01")
        #expect(past.status == 0, "stderr: \(past.stderr)")
        let future = try create("future", "2999-12-31T23:59:59Z")
        #expect(future.status == 0, "stderr: \(future.stderr)")
        let garbage = try create("garbage", "next tuesday")
        #expect(garbage.status != 0)
        #expect(garbage.stdout.isEmpty)
        #expect(garbage.stderrLines.count == 1)

        let store = try Store(path: db, readers: 1)
        #expect(try store.authenticate(secret: past.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) == .invalid)
        #expect(
            try store.authenticate(secret: future.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) != .invalid)
        #expect(try store.tokens(as: Caller.admin).map(\.name) == ["past", "future"])
        let list = try VigilCLI.run(["token", "list", "--db", db], in: scratch)
        #expect(list.stdoutLines.first { $0.hasPrefix("past ") }?.contains("2020-01-01") == true)
    }

    @Test(
        "bad --role or --clearance exits non-zero and creates nothing",
        arguments: [
            ["--role", "superuser", "--clearance", "public"], ["--role", "Admin", "--clearance", "public"],
            ["--role", "reader", "--clearance", "secret"], ["--role", "", "--clearance", "public"],
        ])
    func badRole(options: [String]) throws {
        let scratch = try ScratchDirectory()
        let db = scratch.path("vigil.db")
        let result = try VigilCLI.run(["token", "create", "--name", "x", "--db", db] + options, in: scratch)
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty)
        #expect(!result.stderr.isEmpty)
        if FileManager.default.fileExists(atPath: db) {
            #expect(try Store(path: db, readers: 1).tokens(as: Caller.admin).isEmpty)
        }
    }

    @Test(
        "--help works on every command",
        arguments: [
            [], ["migrate"], ["verify"], ["token"], ["token", "create"], ["token", "list"], ["token", "revoke"],
        ])
    func help(command: [String]) throws {
        let scratch = try ScratchDirectory()
        let result = try VigilCLI.run(command + ["--help"], in: scratch)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("USAGE"), "stdout: \(result.stdout)")
        if !command.isEmpty && command != ["token"] {
            #expect(result.stdout.contains("--db"))
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.path("vigil.db")), "--help must not create a database")
    }

    @Test("VIGIL_DB is honoured when --db is absent, and --db wins over it")
    func environmentDatabase() throws {
        let scratch = try ScratchDirectory()
        let fromEnvironment = scratch.path("from-env.db")
        let result = try VigilCLI.run(["migrate"], in: scratch, environment: ["VIGIL_DB": fromEnvironment])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: fromEnvironment))
        #expect(!FileManager.default.fileExists(atPath: scratch.path("vigil.db")))

        let created = try VigilCLI.run(
            ["token", "create", "--name", "env", "--role", "reader", "--clearance", "public"], in: scratch,
            environment: ["VIGIL_DB": fromEnvironment])
        #expect(created.status == 0, "stderr: \(created.stderr)")
        #expect(try Store(path: fromEnvironment, readers: 1).tokens(as: Caller.admin).map(\.name) == ["env"])

        let explicit = scratch.path("explicit.db")
        let overridden = try VigilCLI.run(
            ["migrate", "--db", explicit], in: scratch, environment: ["VIGIL_DB": fromEnvironment])
        #expect(overridden.status == 0)
        #expect(FileManager.default.fileExists(atPath: explicit))

        // Neither: ./vigil.db in the working directory.
        let local = try VigilCLI.run(["migrate"], in: scratch)
        #expect(local.status == 0, "stderr: \(local.stderr)")
        #expect(FileManager.default.fileExists(atPath: scratch.path("vigil.db")))
    }

    @Test("migrate on a new file creates it at the latest schema; again applies nothing")
    func migrateCreates() throws {
        let scratch = try ScratchDirectory()
        let db = scratch.path("new.db")
        #expect(!FileManager.default.fileExists(atPath: db))
        let result = try VigilCLI.run(["migrate", "--db", db], in: scratch)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: db))
        let latest = Migrator().latestVersion
        #expect(try VigilCLI.sqlite(db, "SELECT max(version) FROM schema_migrations") == String(latest))
        #expect(try VigilCLI.sqlite(db, "PRAGMA journal_mode") == "wal")
        let again = try VigilCLI.run(["migrate", "--db", db], in: scratch)
        #expect(again.status == 0)
        #expect(again.stdout.contains("current"), "stdout: \(again.stdout)")
        #expect(
            try VigilCLI.sqlite(db, "SELECT count(*) FROM schema_migrations") == String(Migrator().migrations.count))
    }

    static let everyCommand: [[String]] = [
        ["migrate"], ["verify"], ["token", "list"], ["token", "revoke", "someone"],
        ["token", "create", "--name", "late", "--role", "reader", "--clearance", "public"],
    ]

    @Test(
        "a refused command line gets one line on standard error; help goes to standard output",
        arguments: [
            ["token", "create", "--role", "reader", "--clearance", "public"], ["bogus"], ["serve", "--port", "99999"],
            ["backup"], ["token", "create", "--name", "x", "--role", "boss", "--clearance", "public"],
            ["serve", "--cors-origin", "*"], ["serve", "--query-time-limit", "0"],
        ])
    func refusedCommandLines(arguments: [String]) throws {
        let scratch = try ScratchDirectory()
        let result = try VigilCLI.run(arguments + ["--db", scratch.path("v.db")], in: scratch)
        #expect(result.status != 0, "\(arguments)")
        #expect(result.stderrLines.count == 1, "\(arguments): \(result.stderr)")
        #expect(result.stderr.hasPrefix("Error: "), "\(arguments): \(result.stderr)")
        #expect(result.stdout.isEmpty)
        let help = try VigilCLI.run([arguments[0], "--help"], in: scratch)
        #expect(help.status == 0)
        #expect(help.stdout.contains("USAGE"))
    }

    @Test("a database from a newer Vigil is refused by every command", arguments: everyCommand)
    func newerDatabaseRefused(command: [String]) throws {
        let scratch = try ScratchDirectory()
        let db = scratch.path("future.db")
        #expect(try VigilCLI.run(["migrate", "--db", db], in: scratch).status == 0)
        try VigilCLI.sqlite(
            db,
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', '2030-01-01T00:00:00Z')")
        let tokensBefore = try VigilCLI.sqlite(db, "SELECT count(*) FROM tokens")
        let result = try VigilCLI.run(command + ["--db", db], in: scratch)
        #expect(result.status != 0, "\(command): stdout \(result.stdout)")
        #expect(result.stderr.contains("newer"), "\(command): \(result.stderr)")
        #expect(result.stderr.contains("999"), "\(command): \(result.stderr)")
        #expect(result.stderrLines.count == 1, "\(command): \(result.stderr)")
        #expect(try VigilCLI.sqlite(db, "SELECT count(*) FROM tokens") == tokensBefore)
        #expect(try VigilCLI.sqlite(db, "SELECT max(version) FROM schema_migrations") == "999")
    }

    @Test("a file that is not a database is refused and left byte-for-byte unchanged", arguments: everyCommand)
    func notADatabase(command: [String]) throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path("random.bin")
        var generator = SystemRandomNumberGenerator()
        let bytes = Data((0..<8192).map { _ in UInt8.random(in: 0...255, using: &generator) })
        try bytes.write(to: URL(fileURLWithPath: path))
        let result = try VigilCLI.run(command + ["--db", path], in: scratch)
        #expect(result.status != 0)
        #expect(result.stderrLines.count == 1, "\(command): \(result.stderr)")
        #expect(result.stderr.contains("not a") && result.stderr.contains("database"), "\(command): \(result.stderr)")
        #expect(result.stderr.contains(path))
        let after = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(after == bytes, "\(command) changed the file")
        #expect(
            !FileManager.default.fileExists(atPath: path + "-wal")
                || (try? Data(contentsOf: URL(fileURLWithPath: path + "-wal")))?.isEmpty == true)
    }

    @Test("a corrupt database is refused with a clear message and left unchanged", arguments: everyCommand)
    func corruptDatabase(command: [String]) throws {
        let scratch = try ScratchDirectory()
        let db = scratch.path("vigil.db")
        #expect(
            try VigilCLI.run(
                ["token", "create", "--name", "a", "--role", "reader", "--clearance", "public", "--db", db], in: scratch
            ).status == 0)
        let pageSize = try #require(Int(try VigilCLI.sqlite(db, "PRAGMA page_size")))
        let root = try #require(
            Int(try VigilCLI.sqlite(db, "SELECT rootpage FROM sqlite_master WHERE name = 'tokens'")))
        // Overwrite the b-tree page header of the tokens table's root page.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: db))
        try handle.seek(toOffset: UInt64((root - 1) * pageSize))
        try handle.write(contentsOf: Data(repeating: 0xFF, count: 12))
        try handle.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let result = try VigilCLI.run(command + ["--db", db], in: scratch)
        #expect(result.status != 0)
        #expect(result.stderrLines.count == 1, "\(command): \(result.stderr)")
        #expect(
            result.stderr.contains("integrity check") && result.stderr.contains("malformed"),
            "\(command): \(result.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before, "\(command) changed the corrupt file")
    }

    @Test(
        "a tiny or text file is refused and left unchanged",
        arguments: [
            Data([0x78]), Data([0x0A]), Data("hello world\n".utf8), Data("SQLite format 3".utf8), Data(count: 1),
        ])
    func tinyFileRefused(contents: Data) throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path("notes.txt")
        try contents.write(to: URL(fileURLWithPath: path))
        let result = try VigilCLI.run(["migrate", "--db", path], in: scratch)
        #expect(result.status != 0, "stdout: \(result.stdout)")
        #expect(result.stderr.contains("not a database"), "\(result.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == contents)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test("an empty file becomes a new database")
    func emptyFileMigrated() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path("empty.db")
        try Data().write(to: URL(fileURLWithPath: path))
        let result = try VigilCLI.run(["migrate", "--db", path], in: scratch)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(
            try VigilCLI.sqlite(path, "SELECT count(*) FROM schema_migrations") == String(Migrator().migrations.count))
    }

    @Test("a storage failure is reported on one line", arguments: [["token", "list"], ["verify"]])
    func storageFailureOneLine(command: [String]) throws {
        let scratch = try ScratchDirectory()
        let db = scratch.path("vigil.db")
        #expect(try VigilCLI.run(["migrate", "--db", db], in: scratch).status == 0)
        // A table missing (dropped with the sqlite3 shell) makes the command's SQL fail.
        try VigilCLI.sqlite(db, "DROP TABLE tokens; DROP TABLE incident_sites;")
        let result = try VigilCLI.run(command + ["--db", db], in: scratch)
        #expect(result.status != 0)
        #expect(result.stderrLines.count == 1, "\(command): \(result.stderr)")
        #expect(result.stderr.contains("no such table"), "\(command): \(result.stderr)")
    }

    @Test("verify on a fresh database prints ok; on a missing file it refuses and creates nothing")
    func verifyFresh() throws {
        let scratch = try ScratchDirectory()
        let db = scratch.path("vigil.db")
        let missing = try VigilCLI.run(["verify", "--db", db], in: scratch)
        #expect(missing.status != 0)
        #expect(missing.stderrLines.count == 1, "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: db))
        #expect(try VigilCLI.run(["migrate", "--db", db], in: scratch).status == 0)
        let result = try VigilCLI.run(["verify", "--db", db], in: scratch)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.hasPrefix("ok"))
    }

    @Test("an SQLite database made by another program is refused and left unchanged")
    func foreignDatabase() throws {
        let scratch = try ScratchDirectory()
        let db = scratch.path("other.db")
        try VigilCLI.sqlite(db, "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('x');")
        let before = FileManager.default.contents(atPath: db)
        let result = try VigilCLI.run(["migrate", "--db", db], in: scratch)
        #expect(result.status != 0)
        #expect(result.stderr.contains("not a Vigil database"), "\(result.stderr)")
        #expect(FileManager.default.contents(atPath: db) == before)
    }

    @Test("an unknown command or option exits non-zero")
    func unknownCommand() throws {
        let scratch = try ScratchDirectory()
        #expect(try VigilCLI.run(["frobnicate"], in: scratch).status != 0)
        #expect(try VigilCLI.run(["migrate", "--no-such-option"], in: scratch).status != 0)
        #expect(!FileManager.default.fileExists(atPath: scratch.path("vigil.db")))
    }
}
