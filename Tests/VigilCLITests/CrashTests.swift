import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The crash suite's short form: `scripts/crash 3` against the `vigil` built with the tests.
///
/// The script (Python, so that the long form runs without a Swift build of the tests) SIGKILLs
/// `vigil serve` at seeded random moments while client threads POST and PATCH over HTTP, and
/// checks after each restart that every acknowledged write is there as acknowledged (a write in
/// flight at the kill may be either way), `PRAGMA integrity_check` and `vigil verify`. This test
/// holds it to its figures, not only to its exit status.
@Suite("Crash under HTTP writes", .serialized)
struct CrashTests {
    @Test("the crash check sees writes changed or lost behind vigil's back (scripts/crash --tamper fails, naming both)")
    func checkSeesTampering() throws {
        let (status, text) = try Self.crash([
            "1", "--tamper", "--seed", "18", "--writers", "2", "--min-seconds", "0.3",
            "--max-seconds", "0.6",
        ])
        #expect(status == 1, "\(text)")
        #expect(text.contains("tamper: summary of inc_") && text.contains("; 1 lost, 1 changed"), "\(text)")
        #expect(text.contains("GET answered 404") && text.contains("'summary': 'tampered'"), "\(text)")
        #expect(text.contains("writes lost 1, changed 1") && text.contains("crash: FAILED"), "\(text)")
        if let folder = text.firstMatch(of: /kept in (\S+)\)/)?.1 {
            try? FileManager.default.removeItem(atPath: String(folder))
        }
    }

    @Test(
        "SIGKILL of vigil serve under concurrent POST and PATCH, three times on one database: nothing lost or changed")
    func threeKillsUnderHTTPWrites() throws {
        let seed = UInt32.random(in: 0...UInt32.max)
        let (status, text) = try Self.crash([
            "3", "--seed", String(seed), "--writers", "4", "--min-seconds", "0.3",
            "--max-seconds", "1.5",
        ])
        print(text, terminator: "")

        #expect(status == 0, "seed \(seed):\n\(text)")
        let lines = text.split(separator: "\n").map(String.init)
        let rounds = lines.filter { $0.hasPrefix("round ") }
        #expect(rounds.count == 3, "seed \(seed):\n\(text)")
        for round in rounds {
            #expect(
                round.contains("(killed)") && round.contains("unexpected answers 0")
                    && round.contains("integrity_check ok") && round.contains("vigil verify exit 0"), "\(round)")
        }
        let restarts = lines.filter { $0.hasPrefix("  restart: ") }
        #expect(
            restarts.count == 3 && restarts.allSatisfy { $0.contains("; 0 lost, 0 changed") }, "seed \(seed):\n\(text)")
        let total = try #require(lines.first { $0.hasPrefix("total: ") }, "seed \(seed):\n\(text)")
        let figures = try #require(
            total.firstMatch(
                of:
                    /total: 3 kills \(0 missed\), ([0-9]+) POSTs and ([0-9]+) PATCHes acknowledged, [0-9]+ records; writes lost 0, changed 0; unexpected answers 0; integrity_check failures 0; vigil verify failures 0/
            ),
            "\(total)")
        // The kills must have landed under load, not on an idle server.
        #expect(Int(figures.1) ?? 0 > 0 && Int(figures.2) ?? 0 > 0, "\(total)")
    }

    /// Runs `scripts/crash ARGUMENTS` with the tests' `vigil`: its exit status (-1 when killed by
    /// the watchdog) and everything it printed.
    static func crash(_ arguments: [String]) throws -> (status: Int32, text: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            ["python3", packageRoot.appendingPathComponent("scripts/crash").path] + arguments
            + ["--vigil", try VigilCLI.executable().path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let watchdog = VigilCLI.watchdog(for: process.processIdentifier, after: 180)
        defer { watchdog.cancel() }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationReason == .exit ? process.terminationStatus : -1, text)
    }
}
