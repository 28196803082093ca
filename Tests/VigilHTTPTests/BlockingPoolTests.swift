import Foundation
import Glibc
import Synchronization
import Testing
import VigilHTTP

/// Handlers that may block and streamed bodies run on the blocking pool: with one event thread,
/// many of them wait at once and other clients are still served meanwhile.
@Suite struct BlockingPoolTests {
    /// A gate the handlers wait at, with a count of how many are waiting.
    final class Gate: Sendable {
        let open = Atomic<Bool>(false)
        let inside = Atomic<Int>(0)

        /// Waits (at most 10 s) for the gate to open; returns how many were inside with it.
        func pass() -> Int {
            let count = inside.wrappingAdd(1, ordering: .relaxed).newValue
            let deadline = RawClient.now() + 10
            while !open.load(ordering: .relaxed) && RawClient.now() < deadline { usleep(2_000) }
            return count
        }
    }

    @Test func blockingHandlersWaitTogetherWithoutHoldingTheEventThread() throws {
        let gate = Gate()
        var router = TestServer.defaultRouter()
        router.add("POST", "/wait") { _ in .text("\(gate.pass())") }  // POST: may block by default
        let server = try TestServer(router: router) { $0.workerThreads = 1 }
        let waiters = try (0..<8).map { _ in try server.client() }
        for client in waiters { try client.send("POST /wait HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n") }
        // All eight are inside their handler at once, which one event thread alone could not do…
        #expect(eventually(within: 5) { gate.inside.load(ordering: .relaxed) == 8 })
        // …and the event thread still serves others meanwhile.
        #expect(try server.assertStillServes() == 200)
        gate.open.store(true, ordering: .relaxed)
        for client in waiters { #expect(try client.readResponse().status == 200) }
    }

    /// A pooled job that waits does not hold up the next one, even when the pool's only idle
    /// thread was just woken for it: another thread is started.
    @Test func aWaitingPooledJobDoesNotHoldUpTheNext() throws {
        let gate = Gate()
        var router = TestServer.defaultRouter()
        router.add("POST", "/wait") { _ in .text("\(gate.pass())") }
        let server = try TestServer(router: router) { $0.workerThreads = 1 }
        let warm = try server.client()
        try warm.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}")
        #expect(try warm.readResponse().status == 200)  // one pool thread exists and is idle
        for _ in 0..<20 {
            let waiting = try server.client()
            let quick = try server.client()
            try waiting.send("POST /wait HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n")
            try quick.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n[]")
            #expect(try quick.readResponse().text == "[]")
            _ = waiting
        }
        gate.open.store(true, ordering: .relaxed)
    }

    @Test func aHeldStreamDoesNotHoldTheEventThread() throws {
        let gate = Gate()
        var router = TestServer.defaultRouter()
        router.add("GET", "/stream") { _ in
            HTTPResponse(
                status: 200,
                body: .stream { writer in
                    try writer.write(Array("first,".utf8))
                    _ = gate.pass()
                    try writer.write(Array("second".utf8))
                })
        }
        let server = try TestServer(router: router) { $0.workerThreads = 1 }
        let streaming = try server.client()
        try streaming.send("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(eventually(within: 5) { gate.inside.load(ordering: .relaxed) == 1 })
        #expect(try server.assertStillServes() == 200)
        gate.open.store(true, ordering: .relaxed)
        let response = try streaming.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "first,second")
    }

    /// Pipelined requests after one that ran on the pool are answered, in order, on the same
    /// connection, which then serves a later request too.
    @Test func pipelinedRequestsAroundAPooledOneStayInOrder() throws {
        let server = try TestServer()
        let client = try server.client()
        try client.send(
            "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n"
                + "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n[1,2,3]"
                + "GET /v1/incidents/inc_1 HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try client.readResponse().text == "hello")
        #expect(try client.readResponse().text == "[1,2,3]")
        #expect(try client.readResponse().text == "inc_1")
        try client.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}")
        #expect(try client.readResponse().text == "{}")
    }

    /// More pipelined bytes than one read takes (64 KiB), with requests for the pool among them:
    /// a pooled request must not leave the rest unread in the socket, where edge-triggered epoll
    /// would never announce it again (the connection stalled after the first 64 KiB before).
    @Test func pipelinedRequestsBeyondOneReadAreAllAnswered() throws {
        let server = try TestServer()
        let client = try server.client()
        let pair =
            "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n"
            + "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]"
        let rounds = 3_000
        let bytes = Array(String(repeating: pair, count: rounds).utf8)
        #expect(bytes.count > 5 * 64 * 1024)
        // Sent from another thread: the answers must be read while the requests are still going out.
        let fd = client.fd
        let sender = Thread {
            var offset = 0
            while offset < bytes.count {
                let sent = bytes[offset...].withUnsafeBytes {
                    Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
                guard sent > 0 else { return }
                offset += sent
            }
        }
        sender.start()
        var answered = 0
        for _ in 0..<rounds {
            guard try client.readResponse().text == "hello", try client.readResponse().text == "[]" else { break }
            answered += 1
        }
        #expect(answered == rounds)
    }

    @Test func routesSayWhichRequestsMayBlock() throws {
        var router = TestServer.defaultRouter()
        router.add("GET", "/slow-read", mayBlock: true) { _ in .text("ok") }
        let head = { (method: String, path: String) throws -> HTTPRequestHead in
            var parser = HTTPRequestParser(limits: HTTPLimits())
            let bytes = Array("\(method) \(path) HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n".utf8)
            guard case .head(let head) = try bytes.withUnsafeBufferPointer({ try parser.parse($0) }).output else {
                throw HTTPParseError.requestTimeout
            }
            return head
        }
        #expect(router.mayBlock(try head("POST", "/echo")))
        #expect(!router.mayBlock(try head("GET", "/hello")))
        #expect(!router.mayBlock(try head("HEAD", "/hello")))
        #expect(router.mayBlock(try head("GET", "/slow-read")))
        #expect(!router.mayBlock(try head("GET", "/nowhere")))
    }
}
