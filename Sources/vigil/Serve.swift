import ArgumentParser
import Foundation
import VigilAPI
import VigilHTTP
import VigilStore

/// `vigil serve`: the HTTP API.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the HTTP API (creates and migrates the database when needed).",
        discussion: "Prints `vigil listening on http://HOST:PORT` once ready. SIGTERM or SIGINT stops it gracefully.")

    @OptionGroup var database: DatabaseOption
    @Option(help: "The address to listen on (127.0.0.1, ::1, 0.0.0.0, ::).") var host: String = "127.0.0.1"
    @Option(help: "The port (0 picks a free one).") var port: Int = 8080
    @Flag(help: "Let requests without a token read public records.") var publicRead = false
    @Option(
        help:
            "Event threads serving connections and running reads (default: one per core, at least 2). Writes waiting for their commit and streamed exports run on a separate pool and do not hold these."
    )
    var threads: Int?
    @Option(
        name: .customLong("cors-origin"),
        help:
            "An origin (https://dashboard.example.org) whose browser pages may call the API; repeat for several. None by default."
    )
    var corsOrigins: [String] = []
    @Option(
        name: .customLong("query-time-limit"),
        help: ArgumentHelp(
            "How long one request's query may run, in seconds, before it is stopped and answered 503 with Retry-After.",
            valueName: "seconds"))
    var queryTimeLimit: Double = Serve.defaultQueryTimeLimitSeconds
    @Flag(
        help:
            "Load the 2017 Chechnya demo dataset (when the database has no incidents) and print a curl line with a new admin token."
    )
    var demo = false

    /// ``Store/defaultQueryTimeLimit`` in seconds, for the option's default.
    static let defaultQueryTimeLimitSeconds: Double = {
        let (seconds, attoseconds) = Store.defaultQueryTimeLimit.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }()

    /// The range `--query-time-limit` accepts: below 10 ms ordinary pages would fail, and above
    /// ten minutes one request could hold a reader (and the WAL) for longer than anyone waits.
    static let queryTimeLimitRange: ClosedRange<Double> = 0.01...600

    func validate() throws {
        guard Self.queryTimeLimitRange.contains(queryTimeLimit) else {
            throw ValidationError("--query-time-limit must be between 0.01 and 600 seconds")
        }
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        if let threads, !(1...256).contains(threads) { throw ValidationError("--threads must be between 1 and 256") }
        for origin in corsOrigins {
            if let problem = CORSPolicy.problem(with: origin) { throw ValidationError("--cors-origin \(problem)") }
        }
    }

    func run() throws {
        HTTPServer.tuneAllocator()
        var configuration = HTTPServerConfiguration(host: host, port: port)
        configuration.limits.defaultBodyLimit = HTTPLimits.defaultBodyLimit
        // Measured (docs/performance.md): event threads run only reads, which use the CPU and
        // never wait (WAL readers do not wait for the writer; writes waiting for their commit
        // and streamed exports run on the server's blocking pool), so one per core serves them
        // with the shortest tail: with two per core, requests were preempted halfway and a
        // 50-record page's p99 rose from 8.5-9.0 to 11.4-12.6 ms. The cost: two long searches
        // at once hold both threads of a two-core machine (bounded by the read time limit).
        configuration.workerThreads = threads ?? HTTPServerConfiguration.threadPerCore
        // Each busy event thread holds a reader connection between its requests (see
        // Store.readBatch), kept for it; four more serve what runs on the blocking pool (costly
        // reads, streamed exports), so four costly requests at once run without waiting for a
        // connection and never make an event thread wait for one (a by-id read waited the whole
        // 5 s time limit behind four copies of a costly search when they shared four connections).
        let store = try database.openStore(
            readers: configuration.workerThreads + 4, keptForReadBatches: configuration.workerThreads,
            queryTimeLimit: .milliseconds(Int64((queryTimeLimit * 1000).rounded())))
        defer { store.close() }
        var demoToken: String?
        if demo {
            do {
                let loaded = try DemoDataset.load(into: store)
                printError(
                    loaded
                        ? "loaded the demo dataset into \(database.path)"
                        : "\(database.path) already has incidents; demo dataset not loaded again")
                let suffix = String(Timestamp.now().filter(\.isNumber).suffix(9))
                let (secret, _) = try store.createToken(
                    name: "demo-admin-\(suffix)", role: .admin, clearance: .confidential, as: .commandLine)
                demoToken = secret
            } catch {
                throw CommandError("cannot load the demo dataset: \(error)")
            }
        }
        let service = VigilService(store: store, publicRead: publicRead)
        let cors = corsOrigins.isEmpty ? nil : CORSPolicy(allowedOrigins: Set(corsOrigins))
        let server = HTTPServer(configuration: configuration, handler: service.router(cors: cors))
        do {
            try server.start()
        } catch {
            throw CommandError("cannot listen on \(host):\(port): \(error)")
        }
        do {
            try server.installSignalHandlers()
        } catch {
            throw CommandError("cannot set up SIGTERM and SIGINT handling: \(error)")
        }
        let shownHost = server.boundAddress.contains(":") ? "[\(server.boundAddress)]" : server.boundAddress
        let base = "http://\(shownHost):\(server.boundPort)"
        print("vigil listening on \(base)")
        if let demoToken {
            print("curl -H 'Authorization: Bearer \(demoToken)' \(base)/v1/incidents")
        }
        fflush(nil)
        server.run()
    }
}
