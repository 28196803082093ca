import Glibc
import Synchronization
import VigilHTTP

@testable import VigilJSON

/// A real server on 127.0.0.1, port 0, with short timeouts so timeout tests stay fast.
final class TestServer {
    let server: HTTPServer
    private let collector = LogCollector()
    var port: Int { server.boundPort }

    init(
        router: Router = TestServer.defaultRouter(), log: HTTPAccessLog? = nil,
        configure: (inout HTTPServerConfiguration) -> Void = { _ in }
    ) throws {
        TestServer.raiseFileLimit()
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.timeouts.header = .seconds(2)
        configuration.timeouts.bodyIdle = .seconds(1)
        configuration.timeouts.idle = .seconds(3)
        configuration.timeouts.write = .seconds(2)
        configuration.timeouts.linger = .milliseconds(500)
        configuration.timeouts.shutdownGrace = .seconds(3)
        configuration.workerThreads = 4
        configure(&configuration)
        let collector = collector
        server = HTTPServer(
            configuration: configuration, handler: router,
            log: log ?? HTTPAccessLog { line in collector.lines.withLock { $0.append(line) } })
        try server.start()
    }

    var log: [String] { collector.lines.withLock { $0 } }

    deinit { server.shutdownAndWait() }

    func client(receiveTimeout: Double = 5) throws -> RawClient {
        try RawClient(port: port, receiveTimeout: receiveTimeout)
    }

    /// A fresh client still gets a 200: the server survived whatever the test did.
    func assertStillServes() throws -> Int {
        let client = try client()
        try client.send("GET /hello HTTP/1.1\r\nHost: test\r\n\r\n")
        return try client.readResponse().status
    }

    static func defaultRouter() -> Router {
        var router = Router()
        router.add("GET", "/hello") { _ in .text("hello") }
        router.add("POST", "/echo") { request in .json(request.body) }
        router.add("POST", "/import", bodyLimit: 8 * 1024 * 1024) { request in .text("\(request.body.count)") }
        router.add("GET", "/v1/incidents/{id}") { request in .text(request.pathParameters["id"] ?? "") }
        router.add("GET", "/query") { request in
            .text(request.queryItems.map { "\($0.name)=\($0.value)" }.joined(separator: "|"))
        }
        return router
    }

    static func raiseFileLimit() {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < min(limit.rlim_max, 65536) {
            limit.rlim_cur = min(limit.rlim_max, 65536)
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
    }
}

final class LogCollector: Sendable {
    let lines = Mutex<[String]>([])
}

/// Polls `condition` until it holds or `seconds` pass (no fixed sleeps standing in for synchronization).
func eventually(within seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = RawClient.now() + seconds
    while RawClient.now() < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}
