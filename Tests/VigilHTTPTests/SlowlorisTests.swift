import Glibc
import Testing
import VigilHTTP

/// Thousands of idle or trickling connections must not keep a new client from being served.
@Suite struct SlowlorisTests {
    @Test func newClientServedWithin1sWhile2000ConnectionsIdleOrTrickle() throws {
        let server = try TestServer {
            $0.timeouts.idle = .seconds(1)
            $0.timeouts.header = .seconds(2)
        }
        var idle: [RawClient] = []
        var trickling: [RawClient] = []
        for index in 0..<2000 {
            let client = try server.client()
            if index % 2 == 0 {
                idle.append(client)
            } else {
                try client.send("GET /hello HTTP/1.1\r\nHo")
                trickling.append(client)
            }
        }
        #expect(eventually(within: 5) { server.server.openConnections >= 2000 })
        for client in trickling.prefix(500) { try? client.send("s") }

        let start = RawClient.now()
        #expect(try server.assertStillServes() == 200)
        let elapsed = RawClient.now() - start
        #expect(elapsed < 1, "answered in \(elapsed) s")
        print("slowloris: 2000 idle/trickling connections, new client answered in \(Int(elapsed * 1000)) ms")

        // Idle ones are closed after the idle timeout, trickling ones after the header deadline.
        let closeStart = RawClient.now()
        #expect(eventually(within: 5) { server.server.openConnections == 0 })
        print(
            "slowloris: all 2000 closed \(Int((RawClient.now() - closeStart) * 1000)) ms after the probe (idle timeout 1 s, header deadline 2 s)"
        )
        #expect(idle[0].closedByPeer(within: 1))
        #expect(trickling[0].closedByPeer(within: 1))
    }
}
