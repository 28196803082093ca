import Foundation
import Testing

@testable import VigilStore

#if canImport(Glibc)
    import Glibc
#endif

/// A database path the process cannot read and write is refused by every command before anything
/// is written, with one line on standard error that names the path, what is wrong and what to do.
///
/// The tests run as root here and in CI, and root ignores file permissions, so the `vigil`
/// binary is run as `nobody` (`setpriv`, util-linux) whenever the tests are root; the read-only
/// mount case needs no other user, as a read-only file system refuses root too. Before the fix a
/// write-protected file was served (reads answered, every write a 500 "SQLite error 8"), and the
/// folder cases said only "SQLite error 14: unable to open database file".
@Suite("Startup refusals", .serialized)
struct StartupRefusalTests {
    /// Every command that opens the database, with its arguments after `--db PATH`.
    static let commands: [[String]] = [
        ["serve", "--port", "0"], ["migrate"], ["verify"], ["export", "incidents"], ["token", "list"],
        ["token", "create", "--name", "late", "--role", "reader", "--clearance", "public"],
        ["purge", "inc_0000000000000000"], ["backup", "never-written.db"],
        ["import", "incidents", "empty.ndjson"],  // made by UnprivilegedPlace
    ]

    @Test("a write-protected database file: every command refuses it in one line naming the file and chmod u+w")
    func writeProtectedFile() throws {
        let place = try UnprivilegedPlace()
        let database = try place.database("field.db")
        chmod(database, 0o444)
        for command in Self.commands {
            try place.expectRefusal(
                command, database: database,
                saying: [
                    "cannot write \(database): the file is read-only", "chmod u+w \(database)",
                ])
        }
    }

    @Test("an unreadable database file is refused in one line naming it")
    func unreadableFile() throws {
        let place = try UnprivilegedPlace()
        let database = try place.database("sealed.db")
        chmod(database, 0o000)
        for command in [["serve", "--port", "0"], ["verify"], ["export", "incidents"]] {
            try place.expectRefusal(
                command, database: database,
                saying: [
                    "cannot read \(database): permission denied", "chmod u+rw \(database)",
                ])
        }
    }

    @Test("a missing folder is named, not reported as SQLite error 14, and is not created")
    func missingFolder() throws {
        let place = try UnprivilegedPlace()
        let folder = place.scratch.path("absent")
        let database = folder + "/field.db"
        for command in [
            ["serve", "--port", "0"], ["migrate"],
            [
                "token", "create", "--name", "a", "--role", "admin",
                "--clearance", "confidential",
            ],
        ] {
            try place.expectRefusal(
                command, database: database,
                saying: [
                    "cannot open \(database): the folder \(folder) does not exist", "create it",
                ])
        }
        #expect(!FileManager.default.fileExists(atPath: folder))
    }

    @Test("a folder the process cannot write is refused for a new database and for an existing one (no room for -wal)")
    func readOnlyFolder() throws {
        let place = try UnprivilegedPlace()
        let folder = place.scratch.path("locked")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        let existing = try place.database("locked/field.db")
        // The folder stays root's (0755): nobody cannot create files in it, the file is nobody's.
        chown(folder, 0, 0)
        chmod(folder, 0o755)
        if !place.asNobody { chmod(folder, 0o555) }
        for database in [folder + "/new.db", existing] {
            try place.expectRefusal(
                ["serve", "--port", "0"], database: database,
                saying: [
                    "cannot write \(database): the folder \(folder) is not writable", "chmod u+wx \(folder)",
                ])
        }
        #expect(!FileManager.default.fileExists(atPath: folder + "/new.db"))
        chmod(folder, 0o755)
    }

    @Test("a database under a folder the process cannot enter is refused, naming the folder")
    func untraversableFolder() throws {
        let place = try UnprivilegedPlace()
        let folder = place.scratch.path("private")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        let database = try place.database("private/field.db")
        chown(folder, 0, 0)
        chmod(folder, place.asNobody ? 0o700 : 0o000)
        try place.expectRefusal(
            ["serve", "--port", "0"], database: database,
            saying: ["cannot open \(database): permission denied on the folder \(folder) or above it", "chmod u+x"])
        chmod(folder, 0o755)
    }

    @Test("a folder given as the database is refused as a folder")
    func folderAsDatabase() throws {
        let place = try UnprivilegedPlace()
        let folder = place.scratch.path("records")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        place.giveToRunner(folder)
        try place.expectRefusal(
            ["serve", "--port", "0"], database: folder,
            saying: [
                "cannot open \(folder): it is a folder, not a database file", "\(folder)/vigil.db",
            ])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }

    @Test("a write-protected -wal or -shm beside a writable database is named with chmod u+w")
    func writeProtectedCompanions() throws {
        for suffix in ["-wal", "-shm"] {
            let place = try UnprivilegedPlace()
            let database = try place.database("field.db")
            let companion = database + suffix
            // An empty -wal or -shm is what SQLite leaves while a database is open: valid, and here
            // root's (0644), so that the unprivileged run can read but not write it.
            #expect(FileManager.default.createFile(atPath: companion, contents: nil))
            chmod(companion, place.asNobody ? 0o644 : 0o444)
            try place.expectRefusal(
                ["serve", "--port", "0"], database: database,
                saying: [
                    "cannot write \(companion): the file is read-only", "chmod u+w \(companion)",
                ])
        }
    }

    @Test("a database on a read-only mount is refused, even for root", .enabled(if: ReadOnlyMount.available))
    func readOnlyMount() throws {
        let scratch = try ScratchDirectory()
        let mount = try ReadOnlyMount(at: scratch.path("media"))
        defer { mount.unmount() }
        let database = mount.folder + "/field.db"
        let made = try VigilCLI.run(["migrate", "--db", database], in: scratch)
        try #require(made.status == 0, "\(made.stderr)")
        try mount.remountReadOnly()
        let before = try Data(contentsOf: URL(fileURLWithPath: database))
        for command in [["serve", "--port", "0"], ["verify"], ["migrate"]] {
            let result = try StartupRefusalTests.runBounded(
                [try VigilCLI.executable().path] + command + ["--db", database],
                in: scratch.url)
            #expect(result.status != 0 && !result.timedOut, "\(command): \(result.stderr)")
            #expect(
                result.stderrLines == [
                    "Error: cannot write \(database): it is on a read-only file system (remount it read-write, "
                        + "or copy the database to a writable place)"
                ], "\(command)")
        }
        let fresh = mount.folder + "/new.db"
        let result = try StartupRefusalTests.runBounded(
            [try VigilCLI.executable().path, "migrate", "--db", fresh],
            in: scratch.url)
        #expect(
            result.stderrLines == [
                "Error: cannot write \(fresh): the folder \(mount.folder) is on a read-only file system (remount it "
                    + "read-write, or copy the database to a writable place)"
            ])
        #expect(try Data(contentsOf: URL(fileURLWithPath: database)) == before)
    }

    /// A finished run, or one stopped by the deadline (an old `vigil serve` would serve forever).
    struct BoundedResult {
        let status: Int32
        let timedOut: Bool
        let stderr: String
        var stderrLines: [String] { stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
    }

    /// Runs `command` (executable first) in `folder` and waits at most `seconds` for it.
    static func runBounded(_ command: [String], in folder: URL, seconds: Double = 15) throws -> BoundedResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.currentDirectoryURL = folder
        var environment = ProcessInfo.processInfo.environment
        environment["VIGIL_DB"] = nil
        process.environment = environment
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let timedOut = TimedOutFlag()
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem {
            timedOut.value = true
            kill(pid, SIGKILL)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: watchdog)
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        return BoundedResult(
            status: process.terminationStatus, timedOut: timedOut.value,
            stderr: String(decoding: data, as: UTF8.self))
    }
}

/// Set by a watchdog thread, read after the child is gone.
final class TimedOutFlag: @unchecked Sendable {
    var value = false
}

/// A scratch folder owned by the user the binary runs as (`nobody` when the tests are root), with
/// a copy of `vigil` that user can execute (the build folder may be under a home it cannot enter).
struct UnprivilegedPlace {
    let scratch: ScratchDirectory
    let executable: String
    /// Whether runs drop to `nobody` (the tests are root) or run as the tests' own user.
    let asNobody: Bool
    let nobody: (uid: uid_t, gid: gid_t)

    init() throws {
        scratch = try ScratchDirectory()
        asNobody = geteuid() == 0
        if asNobody {
            let entry = try #require(getpwnam("nobody"), "no user nobody to run vigil as")
            nobody = (entry.pointee.pw_uid, entry.pointee.pw_gid)
        } else {
            nobody = (getuid(), getgid())
        }
        executable = scratch.path("vigil")
        try FileManager.default.copyItem(atPath: try VigilCLI.executable().path, toPath: executable)
        chmod(executable, 0o755)
        #expect(FileManager.default.createFile(atPath: scratch.path("empty.ndjson"), contents: Data()))
        chmod(scratch.url.path, 0o755)
        giveToRunner(scratch.url.path)
    }

    /// Makes `path` belong to the user the binary runs as.
    func giveToRunner(_ path: String) {
        chown(path, nobody.uid, nobody.gid)
    }

    /// A new Vigil database at `name` (relative to the scratch folder), with a token in it, owned by
    /// the runner and writable by it until the test takes that away.
    func database(_ name: String) throws -> String {
        let path = scratch.path(name)
        let made = try VigilCLI.run(
            ["token", "create", "--db", path, "--name", "owner", "--role", "admin", "--clearance", "confidential"],
            in: scratch)
        try #require(made.status == 0, "\(made.stderr)")
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"), "vigil left a WAL behind")
        giveToRunner(path)
        return path
    }

    /// Runs `vigil COMMAND --db DATABASE` as the runner and expects a refusal: a non-zero exit
    /// before any deadline, exactly one line on standard error holding every text of `saying`,
    /// and the database's folder and file as they were (no -wal or -shm made, no byte changed).
    func expectRefusal(
        _ command: [String], database: String, saying: [String],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let folder = (database as NSString).deletingLastPathComponent
        let listing = (try? FileManager.default.contentsOfDirectory(atPath: folder).sorted()) ?? []
        let bytes = FileManager.default.contents(atPath: database)
        let drop =
            asNobody ? ["/usr/bin/setpriv", "--reuid=\(nobody.uid)", "--regid=\(nobody.gid)", "--clear-groups"] : []
        let result = try StartupRefusalTests.runBounded(
            drop + [executable] + command + ["--db", database], in: scratch.url)
        let shown = command.joined(separator: " ")
        #expect(
            !result.timedOut, "vigil \(shown) did not refuse the database; it ran until killed",
            sourceLocation: sourceLocation)
        #expect(result.status != 0, "vigil \(shown) exited 0", sourceLocation: sourceLocation)
        #expect(result.stderrLines.count == 1, "vigil \(shown): \(result.stderr)", sourceLocation: sourceLocation)
        let line = result.stderrLines.first ?? ""
        for text in saying {
            #expect(line.contains(text), "vigil \(shown): \(line)", sourceLocation: sourceLocation)
        }
        let after = (try? FileManager.default.contentsOfDirectory(atPath: folder).sorted()) ?? []
        #expect(after == listing, "vigil \(shown) changed \(folder)", sourceLocation: sourceLocation)
        #expect(
            FileManager.default.contents(atPath: database) == bytes, "vigil \(shown) changed the file",
            sourceLocation: sourceLocation)
    }
}

/// A small tmpfs that can be made read-only (needs the right to mount, which root has here and in CI).
struct ReadOnlyMount {
    let folder: String

    /// Whether this process may mount: tried once on a throwaway folder.
    static let available: Bool = {
        guard geteuid() == 0 else { return false }
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-mount-probe-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: probe, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: probe) }
        guard (try? Self.mount(["-t", "tmpfs", "-o", "size=1m", "tmpfs", probe])) == 0 else { return false }
        _ = try? Self.mount([probe], tool: "/bin/umount")
        return true
    }()

    init(at folder: String) throws {
        self.folder = folder
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let status = try Self.mount(["-t", "tmpfs", "-o", "size=8m", "tmpfs", folder])
        try #require(status == 0, "mount tmpfs \(folder) failed")
    }

    func remountReadOnly() throws {
        let status = try Self.mount(["-o", "remount,ro", folder])
        try #require(status == 0, "mount -o remount,ro \(folder) failed")
    }

    func unmount() {
        _ = try? Self.mount([folder], tool: "/bin/umount")
    }

    @discardableResult
    static func mount(_ arguments: [String], tool: String = "/bin/mount") throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
