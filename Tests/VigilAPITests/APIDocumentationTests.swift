import Foundation
import Testing

/// Runs every `sh` block of docs/api.md, in order, against a live server, and checks each curl
/// answers the status its line promises (`# → 201`), so the walkthrough stays true.
@Suite struct APIDocumentationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func blocks(_ markdown: String) -> [String] {
        var blocks: [String] = []
        var current: [String]?
        for line in markdown.components(separatedBy: "\n") {
            if current == nil, line == "```sh" {
                current = []
            } else if current != nil, line == "```" {
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    @Test func everyCurlExampleAnswersAsDocumented() throws {
        let markdown = try String(contentsOf: Self.root.appendingPathComponent("docs/api.md"), encoding: .utf8)
        let blocks = Self.blocks(markdown)
        #expect(blocks.count >= 10)
        let expected = blocks.flatMap { $0.components(separatedBy: "\n") }.compactMap { line -> Int? in
            guard let arrow = line.range(of: "# → ", options: .backwards) else { return nil }
            return Int(line[arrow.upperBound...].prefix(3))
        }
        let server = try TestServer()
        let log = server.directory.appendingPathComponent("statuses.log").path
        let script = """
            set -euo pipefail
            curl() {
                local out code
                out=$(mktemp)
                code=$(command curl -sS -o "$out" -w '%{http_code}' "$@")
                echo "$code" >> "$STATUS_LOG"
                cat "$out"
                rm -f "$out"
            }
            """ + "\n" + blocks.joined(separator: "\n") + "\n"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        var environment = ProcessInfo.processInfo.environment
        environment["VIGIL"] = "http://127.0.0.1:\(server.port)"
        environment["TOKEN"] = server.tokens["admin"]
        environment["STATUS_LOG"] = log
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "the walkthrough failed:\n\(text.suffix(2000))")
        let statuses =
            (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n").compactMap { Int($0) } ?? []
        #expect(statuses == expected, "\n\(text.suffix(3000))")
    }
}
