import Glibc
import Synchronization
import Testing
import VigilHTTP

@Suite struct BurstTests {
    /// 8 threads open 100 connections each at once; every one is accepted and answered (the
    /// listen backlog absorbs the burst instead of refusing connections).
    @Test func burstOfConnectionsIsNotDropped() throws {
        let server = try TestServer()
        let port = server.port
        let answered = Atomic<Int>(0)
        let failed = Atomic<Int>(0)
        let finishedThreads = Atomic<Int>(0)
        var threads: [ThreadForTest] = []
        for _ in 0..<8 {
            threads.append(
                try ThreadForTest {
                    var clients: [RawClient] = []
                    for _ in 0..<100 {
                        if let client = try? RawClient(port: port) {
                            clients.append(client)
                        } else {
                            failed.add(1, ordering: .relaxed)
                        }
                    }
                    for client in clients {
                        let ok =
                            (try? client.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n")) != nil
                            && (try? client.readResponse().status) == 200
                        if ok { answered.add(1, ordering: .relaxed) } else { failed.add(1, ordering: .relaxed) }
                    }
                    finishedThreads.add(1, ordering: .relaxed)
                })
        }
        #expect(eventually(within: 20) { finishedThreads.load(ordering: .relaxed) == 8 })
        #expect(answered.load(ordering: .relaxed) == 800)
        #expect(failed.load(ordering: .relaxed) == 0)
        _ = threads
    }
}
