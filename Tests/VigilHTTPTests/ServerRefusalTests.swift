import Glibc
import Testing
import VigilHTTP

/// Every limit and refusal over a real socket: the right status, a problem+json body, the
/// connection closed, and the next client still served.
@Suite struct ServerRefusalTests {
    @Test(arguments: RefusalCase.all)
    func refusedWithStatusAndServerSurvives(_ refusal: RefusalCase) throws {
        let server = try TestServer()
        let client = try server.client()
        try client.send(refusal.request)
        let response = try client.readResponse()
        #expect(response.status == refusal.status)
        #expect(response.headers["content-type"] == "application/problem+json")
        #expect(response.text.contains("\"status\":\(refusal.status)"))
        #expect(response.headers["connection"] == "close")
        #expect(client.closedByPeer(within: 2))
        #expect(try server.assertStillServes() == 200)
    }

    @Test func bodyOverRouteLimitIsRefusedBeforeItIsSent() throws {
        let server = try TestServer()
        let client = try server.client()
        // Only the head is sent: the 413 must not wait for a body.
        try client.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: \(2 * 1024 * 1024)\r\n\r\n")
        #expect(try client.readResponse().status == 413)
        #expect(try server.assertStillServes() == 200)
    }

    @Test func importRouteHasALargerLimit() throws {
        let server = try TestServer()
        let client = try server.client()
        let body = [UInt8](repeating: 0x61, count: 3 * 1024 * 1024)
        try client.send("POST /import HTTP/1.1\r\nHost: a\r\nContent-Length: \(body.count)\r\n\r\n")
        try client.send(body)
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "\(body.count)")
    }

    @Test func chunkedBodyOverLimitIs413() throws {
        let server = try TestServer()
        let client = try server.client()
        let chunk = String(repeating: "x", count: 600 * 1024)
        try client.send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")
        try? client.send(String(chunk.utf8.count, radix: 16) + "\r\n" + chunk + "\r\n")
        try? client.send(String(chunk.utf8.count, radix: 16) + "\r\n" + chunk + "\r\n")
        #expect(try client.readResponse().status == 413)
        #expect(try server.assertStillServes() == 200)
    }

    @Test func slowHeadersGet408() throws {
        let server = try TestServer { $0.timeouts.header = .milliseconds(500) }
        let client = try server.client()
        try client.send("GET / HTTP/1.1\r\nHo")
        let start = RawClient.now()
        #expect(try client.readResponse().status == 408)
        #expect(RawClient.now() - start < 2)
        #expect(try server.assertStillServes() == 200)
    }

    @Test func trickledHeadersStillHitTheTotalDeadline() throws {
        let server = try TestServer { $0.timeouts.header = .milliseconds(600) }
        let client = try server.client()
        let start = RawClient.now()
        var status = 0
        for byte in "GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ".utf8 {
            guard (try? client.send([byte])) != nil else { break }
            usleep(50_000)  // the trickle itself is the behaviour under test
            if RawClient.now() - start > 1.5 { break }
        }
        status = (try? client.readResponse().status) ?? 0
        #expect(status == 408)
        #expect(try server.assertStillServes() == 200)
    }

    @Test func slowBodyGets408() throws {
        let server = try TestServer { $0.timeouts.bodyIdle = .milliseconds(400) }
        let client = try server.client()
        try client.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nabc")
        #expect(try client.readResponse().status == 408)
        #expect(try server.assertStillServes() == 200)
    }

    @Test func connectionCapAnswers503() throws {
        let server = try TestServer { $0.maxConnections = 2 }
        let first = try server.client()
        let second = try server.client()
        #expect(eventually(within: 2) { server.server.openConnections == 2 })
        let third = try server.client()
        try? third.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try third.readResponse().status == 503)
        _ = first
        try second.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try second.readResponse().status == 200)
    }
}
