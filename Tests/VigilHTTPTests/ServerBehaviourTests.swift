import Glibc
import Synchronization
import Testing
import VigilHTTP

@testable import VigilJSON

@Suite struct ServerBehaviourTests {
    @Test func hundredPipelinedRequestsAnsweredInOrder() throws {
        let server = try TestServer()
        let client = try server.client()
        try client.send((0..<100).map { "GET /v1/incidents/\($0) HTTP/1.1\r\nHost: a\r\n\r\n" }.joined())
        for index in 0..<100 {
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "\(index)")
        }
    }

    @Test func keepAliveServesSequentialRequestsAndConnectionCloseCloses() throws {
        let server = try TestServer()
        let client = try server.client()
        for _ in 0..<5 {
            try client.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.headers["date"] != nil)
            #expect(response.headers["content-length"] == "5")
        }
        try client.send("GET /hello HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        let last = try client.readResponse()
        #expect(last.headers["connection"] == "close")
        #expect(client.closedByPeer(within: 2))
    }

    @Test func headHasHeadersButNoBody() throws {
        let server = try TestServer()
        let client = try server.client()
        try client.send("HEAD /hello HTTP/1.1\r\nHost: a\r\n\r\nGET /hello HTTP/1.1\r\nHost: a\r\n\r\n")
        let head = try client.readResponse(head: true)
        #expect(head.status == 200)
        #expect(head.headers["content-length"] == "5")
        let get = try client.readResponse()
        #expect(get.text == "hello")  // nothing of a HEAD body leaked in between
    }

    /// Bodies of 8 KiB and more go out beside their head in one sendmsg. Every size around that
    /// line, pipelined, read slowly enough that the socket fills (so the rest is sent later from
    /// the pending bytes), and under HEAD, arrives whole, in order, byte for byte.
    @Test func largeBodiesSentBesideTheirHeadArriveWhole() throws {
        let sizes = [8191, 8192, 8193, 70_000, 16 * 1024 * 1024]
        let source = (0..<sizes.max()!).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        @Sendable func pattern(_ count: Int) -> [UInt8] { Array(source[..<count]) }
        var router = Router()
        router.add("GET", "/bytes/{count}") { request in
            .json(pattern(Int(request.pathParameters["count"] ?? "") ?? 0))
        }
        let server = try TestServer(router: router)
        let client = try server.client()
        try client.send(
            sizes.map { "GET /bytes/\($0) HTTP/1.1\r\nHost: a\r\n\r\n" }.joined()
                + "HEAD /bytes/70000 HTTP/1.1\r\nHost: a\r\n\r\nGET /bytes/5 HTTP/1.1\r\nHost: a\r\n\r\n")
        usleep(300_000)  // let the socket buffers fill: the 16 MiB body cannot go out at once
        for size in sizes {
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.headers["content-length"] == "\(size)")
            let intact = response.body == pattern(size)  // not compared inside #expect: it would print 16 MiB
            #expect(intact, "body of \(size) bytes (got \(response.body.count))")
        }
        let head = try client.readResponse(head: true)
        #expect(head.headers["content-length"] == "70000")
        let last = try client.readResponse()
        #expect(last.body == pattern(5))
    }

    @Test func expectContinueGets100ThenTheResponse() throws {
        let server = try TestServer()
        let client = try server.client()
        try client.send("POST /echo HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
        #expect(try client.readResponse().status == 100)
        try client.send("ping")
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "ping")
    }

    @Test func chunkedRequestBodyWithTrailers() throws {
        let server = try TestServer()
        let client = try server.client()
        try client.send(
            "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nX-T: 1\r\n\r\n"
        )
        #expect(try client.readResponse().text == "abcde")
    }

    @Test func routerGives404And405WithAllow() throws {
        let server = try TestServer()
        let client = try server.client()
        try client.send("GET /nope HTTP/1.1\r\nHost: a\r\n\r\nDELETE /hello HTTP/1.1\r\nHost: a\r\n\r\n")
        let notFound = try client.readResponse()
        #expect(notFound.status == 404)
        #expect(notFound.headers["content-type"] == "application/problem+json")
        let notAllowed = try client.readResponse()
        #expect(notAllowed.status == 405)
        #expect(notAllowed.headers["allow"] == "GET, HEAD")
    }

    @Test func pathParametersAndQueryItemsAreDecoded() throws {
        let server = try TestServer()
        let client = try server.client()
        try client.send(
            "GET /v1/incidents/a%2Fb%20c HTTP/1.1\r\nHost: a\r\n\r\nGET /query?a=1&b=x+y&a=%C3%A9 HTTP/1.1\r\nHost: a\r\n\r\n"
        )
        #expect(try client.readResponse().text == "a/b c")
        #expect(try client.readResponse().text == "a=1|b=x y|a=é")
    }

    @Test func accessLogHasNoQueryValuesAuthorizationOrBody() throws {
        // Only names the router declares are shown; `secret` is not one.
        var router = TestServer.defaultRouter()
        router.loggedQueryNames = LoggedQueryNames(["limit"])
        let server = try TestServer(router: router)
        let client = try server.client()
        try client.send(
            "POST /echo?secret=hunter2&limit=5 HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer TOPSECRET\r\nContent-Length: 9\r\n\r\nbodyvalue"
        )
        #expect(try client.readResponse().status == 200)
        #expect(eventually(within: 2) { !server.log.isEmpty })
        let line = try #require(server.log.first)
        #expect(line.hasPrefix("POST /echo?*&limit= 200 9 "), "no client address before the method: \(line)")
        #expect(
            !line.contains("secret") && !line.contains("hunter2") && !line.contains("TOPSECRET")
                && !line.contains("bodyvalue"))
    }

    @Test func streamedBodyIsChunkedAndComplete() throws {
        var router = Router()
        router.add("GET", "/export") { _ in
            HTTPResponse(
                status: 200, headers: ["Content-Type": "text/csv"],
                body: .stream { writer in
                    for row in 0..<10_000 { try writer.write("row \(row)\n") }
                })
        }
        let server = try TestServer(router: router)
        let client = try server.client()
        try client.send("GET /export HTTP/1.1\r\nHost: a\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.headers["transfer-encoding"] == "chunked")
        #expect(response.text.split(separator: "\n").count == 10_000)
        try client.send("GET /export HTTP/1.1\r\nHost: a\r\n\r\n")  // keep-alive survives a stream
        #expect(try client.readResponse().status == 200)
    }

    @Test func streamStopsWhenTheClientGoesAway() throws {
        let rows = Atomic<Int>(0)
        let finished = Atomic<Bool>(false)
        var router = TestServer.defaultRouter()
        router.add("GET", "/export") { _ in
            HTTPResponse(
                status: 200,
                body: .stream { writer in
                    defer { finished.store(true, ordering: .relaxed) }
                    let row = [UInt8](repeating: 0x78, count: 1000)
                    for _ in 0..<1_000_000 {
                        try writer.write(row)
                        rows.add(1, ordering: .relaxed)
                    }
                })
        }
        let server = try TestServer(router: router)
        do {
            let client = try server.client()
            try client.send("GET /export HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(eventually(within: 5) { rows.load(ordering: .relaxed) > 100 })
        }  // client closes here, with unread data: the server sees a reset
        #expect(eventually(within: 5) { finished.load(ordering: .relaxed) })
        #expect(rows.load(ordering: .relaxed) < 1_000_000)
        #expect(try server.assertStillServes() == 200)
    }

    @Test func slowHandlerDoesNotBlockOtherRequests() throws {
        let release = Atomic<Bool>(false)
        var router = TestServer.defaultRouter()
        router.add("GET", "/slow") { _ in
            while !release.load(ordering: .relaxed) { usleep(1000) }
            return .text("slow")
        }
        let server = try TestServer(router: router)
        defer { release.store(true, ordering: .relaxed) }
        let slow = try server.client()
        try slow.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n")
        let start = RawClient.now()
        for _ in 0..<20 { #expect(try server.assertStillServes() == 200) }
        #expect(RawClient.now() - start < 2)
        release.store(true, ordering: .relaxed)
        #expect(try slow.readResponse().text == "slow")
    }

    @Test func gracefulShutdownFinishesInFlightRequests() throws {
        let entered = Atomic<Bool>(false)
        let release = Atomic<Bool>(false)
        var router = TestServer.defaultRouter()
        router.add("GET", "/slow") { _ in
            entered.store(true, ordering: .relaxed)
            while !release.load(ordering: .relaxed) { usleep(1000) }
            return .text("finished")
        }
        let server = try TestServer(router: router)
        let idle = try server.client()
        let busy = try server.client()
        try busy.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(eventually(within: 2) { entered.load(ordering: .relaxed) })
        server.server.shutdown()
        #expect(idle.closedByPeer(within: 2))  // idle keep-alive connections are closed at once
        #expect(throws: (any Error).self) { _ = try server.client() }  // no longer accepting
        release.store(true, ordering: .relaxed)
        let response = try busy.readResponse()
        #expect(response.text == "finished")
        #expect(response.headers["connection"] == "close")
        server.server.run()  // returns once everything has stopped
    }

    @Test func idleKeepAliveConnectionsAreClosedAfterTheTimeout() throws {
        let server = try TestServer { $0.timeouts.idle = .milliseconds(300) }
        let client = try server.client()
        try client.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try client.readResponse().status == 200)
        #expect(client.closedByPeer(within: 2))
    }

    @Test func listensOnIPv6AndAnyPort() throws {
        var configuration = HTTPServerConfiguration(host: "::1", port: 0)
        configuration.workerThreads = 2
        let server = HTTPServer(configuration: configuration, handler: TestServer.defaultRouter(), log: .disabled)
        try server.start()
        defer { server.shutdownAndWait() }
        #expect(server.boundPort > 0)
        #expect(server.boundAddress == "::1")
        let output = try runTool("/usr/bin/env", ["curl", "-s", "-g", "http://[::1]:\(server.boundPort)/hello"])
        #expect(output == "hello")
    }

    @Test func anyAddressListensOnIPv6AndIPv4() throws {
        var configuration = HTTPServerConfiguration(host: "::", port: 0)
        configuration.workerThreads = 2
        let server = HTTPServer(configuration: configuration, handler: TestServer.defaultRouter(), log: .disabled)
        try server.start()
        defer { server.shutdownAndWait() }
        let port = server.boundPort
        #expect(try runTool("/usr/bin/env", ["curl", "-s", "-g", "http://[::1]:\(port)/hello"]) == "hello")
        let client = try RawClient(port: port)  // 127.0.0.1 through the dual-stack socket
        try client.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try client.readResponse().text == "hello")
    }
}

@Suite struct WriteTimeoutTests {
    /// A client that stops reading a large response is dropped after the write timeout, without
    /// holding a thread meanwhile, and the producer of a stream is told to stop.
    @Test func clientThatStopsReadingIsDropped() throws {
        let streamStopped = Atomic<Bool>(false)
        var router = TestServer.defaultRouter()
        router.add("GET", "/big") { _ in .json([UInt8](repeating: 0x20, count: 16 * 1024 * 1024)) }
        router.add("GET", "/stream") { _ in
            HTTPResponse(
                status: 200,
                body: .stream { writer in
                    defer { streamStopped.store(true, ordering: .relaxed) }
                    let block = [UInt8](repeating: 0x20, count: 64 * 1024)
                    for _ in 0..<1024 { try writer.write(block) }
                })
        }
        let server = try TestServer(router: router) { $0.timeouts.write = .milliseconds(500) }
        let big = try server.client()
        try big.send("GET /big HTTP/1.1\r\nHost: a\r\n\r\n")
        let stream = try server.client()
        try stream.send("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try server.assertStillServes() == 200)  // neither stalled client holds up others
        #expect(eventually(within: 5) { streamStopped.load(ordering: .relaxed) })
        // Only the probe's own connection may remain (it is idle until its timeout).
        #expect(eventually(within: 5) { server.server.openConnections <= 1 })
        _ = (big, stream)
    }
}
