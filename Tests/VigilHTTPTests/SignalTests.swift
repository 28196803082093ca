import Glibc
import Synchronization
import Testing
import VigilHTTP

@Suite struct SignalTests {
    /// SIGTERM after `installSignalHandlers()` starts a graceful shutdown and `run()` returns.
    @Test func sigtermStopsTheServerGracefully() throws {
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.timeouts.shutdownGrace = .seconds(2)
        let server = HTTPServer(configuration: configuration, handler: TestServer.defaultRouter(), log: .disabled)
        try server.start()
        try server.installSignalHandlers()
        let client = try RawClient(port: server.boundPort)
        try client.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try client.readResponse().status == 200)

        let returned = Atomic<Bool>(false)
        let start = RawClient.now()
        kill(getpid(), SIGTERM)
        let waiter = try ThreadForTest {
            server.run()
            returned.store(true, ordering: .relaxed)
        }
        #expect(eventually(within: 5) { returned.load(ordering: .relaxed) })
        #expect(RawClient.now() - start < 5)
        #expect(client.closedByPeer(within: 1))
        _ = waiter
    }
}

/// Runs a closure on a new POSIX thread (so a blocking `run()` can be waited for with a deadline).
final class ThreadForTest {
    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    init(_ body: @escaping @Sendable () -> Void) throws {
        var thread = pthread_t()
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        let result = pthread_create(
            &thread, nil,
            { raw in
                guard let raw else { return nil }
                Unmanaged<Box>.fromOpaque(raw).takeRetainedValue().body()
                return nil
            }, box)
        guard result == 0 else { throw RawClient.ClientError.connect(result) }
        pthread_detach(thread)
    }
}
