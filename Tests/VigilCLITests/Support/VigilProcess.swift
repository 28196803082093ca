import Foundation
import Testing

@testable import VigilJSON
@testable import VigilStore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The root of the package, found from this file's path.
let packageRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // Support
    .deletingLastPathComponent()  // VigilCLITests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()

/// The `vigil` executable built beside the test bundle (the test target depends on it, so
/// `swift test` builds it first).
let vigilExecutable: URL? = {
    let fileManager = FileManager.default
    var candidates: [URL] = []
    if let first = CommandLine.arguments.first {
        let testBinary = URL(fileURLWithPath: first).resolvingSymlinksInPath()
        candidates.append(testBinary.deletingLastPathComponent().appendingPathComponent("vigil"))
        candidates.append(
            testBinary.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("vigil"))
    }
    let bundle = Bundle.main.bundleURL
    candidates.append(bundle.appendingPathComponent("vigil"))
    candidates.append(bundle.deletingLastPathComponent().appendingPathComponent("vigil"))
    candidates.append(packageRoot.appendingPathComponent(".build/debug/vigil"))
    return candidates.first { fileManager.isExecutableFile(atPath: $0.path) }
}()

/// What a finished `vigil` run left behind.
struct CommandResult {
    let status: Int32
    let stdout: String
    let stderr: String

    var stdoutLines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
    var stderrLines: [String] { stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
}

/// A scratch folder, removed when the value goes away; commands run with it as their working
/// directory so that a default `./vigil.db` never lands in the repository.
final class ScratchDirectory: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

enum VigilCLI {
    static func executable() throws -> URL {
        try #require(vigilExecutable, "the vigil executable was not found beside the tests; run `swift build` first")
    }

    /// Runs `vigil` with `arguments` and waits for it, reading both pipes to the end.
    static func run(
        _ arguments: [String], in directory: ScratchDirectory, environment extra: [String: String] = [:],
        removing removed: [String] = ["VIGIL_DB"]
    ) throws -> CommandResult {
        let (process, output, errors) = try start(arguments, in: directory, environment: extra, removing: removed)
        // Read stderr on another thread so that neither pipe can fill up and block the child.
        let errorData = DataBox()
        let readErrors = Thread {
            errorData.data = errors.fileHandleForReading.readDataToEndOfFile()
            errorData.done.signal()
        }
        readErrors.start()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        errorData.done.wait()
        process.waitUntilExit()
        return CommandResult(
            status: process.terminationStatus,
            stdout: String(decoding: outputData, as: UTF8.self),
            stderr: String(decoding: errorData.data, as: UTF8.self))
    }

    /// Starts `vigil` with `arguments` in `directory`, its output and errors on pipes, no input.
    static func start(
        _ arguments: [String], in directory: ScratchDirectory, environment extra: [String: String] = [:],
        removing removed: [String] = ["VIGIL_DB"]
    ) throws -> (process: Process, output: Pipe, errors: Pipe) {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        process.currentDirectoryURL = directory.url
        var environment = ProcessInfo.processInfo.environment
        for name in removed { environment[name] = nil }
        for (name, value) in extra { environment[name] = value }
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, output, errors)
    }

    /// Reads `vigil serve --demo`'s standard output up to its curl line: the base URL it
    /// listens on ("vigil listening on http://127.0.0.1:PORT") and the demo admin token.
    static func demoAddress(from output: Pipe) throws -> (base: String, token: String) {
        var text = ""
        while !text.contains("curl ") || !text.hasSuffix("\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        let base = try #require(
            text.split(separator: "\n").first { $0.hasPrefix("vigil listening on ") }?
                .dropFirst("vigil listening on ".count))
        let token = try #require(text.firstRange(of: "Bearer ").map { text[$0.upperBound...].prefix { $0 != "'" } })
        return (String(base), String(token))
    }

    /// One request with URLSession, waited for (at most `seconds`).
    static func send(_ request: URLRequest, within seconds: Double = 30) throws -> (
        body: Data, response: HTTPURLResponse?
    ) {
        final class Answer: @unchecked Sendable {
            var body = Data()
            var response: HTTPURLResponse?
            var error: (any Error)?
        }
        let answer = Answer()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, error in
            answer.body = data ?? Data()
            answer.response = response as? HTTPURLResponse
            answer.error = error
            done.signal()
        }.resume()
        guard done.wait(timeout: .now() + seconds) == .success else {
            throw CLITestFailure("no answer within \(seconds) s")
        }
        if let error = answer.error { throw error }
        return (answer.body, answer.response)
    }

    /// Kills `pid` with SIGKILL after `seconds`, so that a child that never answers cannot hang
    /// the test run; cancel the returned item once the child is done with.
    static func watchdog(for pid: pid_t, after seconds: Double = 120) -> DispatchWorkItem {
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: watchdog)
        return watchdog
    }

    /// Runs the `sqlite3` shell on `database` with `sql`; fails the test when the shell does.
    @discardableResult
    static func sqlite(_ database: String, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sqlite3", "-bail", database, sql]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let errorData = DataBox()
        let readErrors = Thread {
            errorData.data = errors.fileHandleForReading.readDataToEndOfFile()
            errorData.done.signal()
        }
        readErrors.start()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        errorData.done.wait()
        process.waitUntilExit()
        let text = String(decoding: outputData, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw CLITestFailure("sqlite3 \(sql) failed: \(String(decoding: errorData.data, as: UTF8.self))")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Bytes read on another thread, with a semaphore to wait for them.
final class DataBox: @unchecked Sendable {
    var data = Data()
    let done = DispatchSemaphore(value: 0)
}

struct CLITestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Access contexts used by the command-line tests.
enum Caller {
    static let admin = AccessContext(actor: "admin", role: .admin, clearance: .confidential)
}

extension Store {
    /// Creates a record from a JSON text, as an admin.
    @discardableResult
    func make(_ kind: ResourceKind, _ json: String, as context: AccessContext = Caller.admin) throws -> Record {
        guard case .object(let object) = try JSONValue.parse(Array(json.utf8)) else {
            throw CLITestFailure("not a JSON object: \(json)")
        }
        return try create(kind, object, as: context)
    }
}
