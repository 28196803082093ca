import Foundation
import Testing

@testable import VigilStore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// `vigil serve --query-time-limit SECONDS` reaches the store: the same costly search is a 503
/// under a short limit and a 200 under a long one, and a cheap request answers either way.
@Suite("vigil serve --query-time-limit", .serialized)
struct QueryTimeLimitOptionTests {
    /// A database whose search for "word" builds snippets over 60 texts of 10,000 words.
    static func costlyDatabase(in scratch: ScratchDirectory) throws -> String {
        let database = scratch.path("costly.db")
        let store = try Store(path: database, readers: 1)
        defer { store.close() }
        let huge = String(repeating: "word filler ", count: 5000)
        for index in 0..<60 {
            try store.make(.incidents, #"{"title": "huge \#(index)", "summary": "\#(huge)"}"#)
        }
        return database
    }

    /// Serves `database` with `arguments`, runs `body` with the base URL and an admin token.
    static func serving(
        _ database: String, _ arguments: [String], in scratch: ScratchDirectory,
        _ body: (String, String) throws -> Void
    ) throws {
        let (process, output, errors) = try VigilCLI.start(
            ["serve", "--db", database, "--demo", "--port", "0"] + arguments, in: scratch)
        let watchdog = VigilCLI.watchdog(for: process.processIdentifier)
        defer { watchdog.cancel() }
        let (base, token) = try VigilCLI.demoAddress(from: output)
        defer {
            kill(process.processIdentifier, SIGTERM)
            _ = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
        }
        try body(base, token)
    }

    static func get(_ url: String, token: String) throws -> (status: Int, retryAfter: String?, body: String) {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (body, response) = try VigilCLI.send(request, within: 60)
        return (
            response?.statusCode ?? 0, response?.value(forHTTPHeaderField: "Retry-After"),
            String(decoding: body, as: UTF8.self)
        )
    }

    @Test("a 50 ms limit stops the costly search with a 503; a 60 s one lets it answer")
    func theOptionSetsTheLimit() throws {
        let scratch = try ScratchDirectory()
        let database = try Self.costlyDatabase(in: scratch)
        let search = "/v1/incidents?q=word&limit=60"
        try Self.serving(database, ["--query-time-limit", "0.05"], in: scratch) { base, token in
            let answer = try Self.get(base + search, token: token)
            #expect(answer.status == 503, "\(answer.status): \(answer.body.prefix(300))")
            // No Retry-After: the same query would run past the limit again; narrowing it helps.
            #expect(answer.retryAfter == nil)
            #expect(answer.body.contains("time limit"), "\(answer.body)")
            #expect(try Self.get(base + "/healthz", token: token).status == 200)
        }
        try Self.serving(database, ["--query-time-limit", "60"], in: scratch) { base, token in
            let answer = try Self.get(base + search, token: token)
            #expect(answer.status == 200, "\(answer.status): \(answer.body.prefix(300))")
        }
    }
}
