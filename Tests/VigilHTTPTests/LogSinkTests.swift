import Glibc
import Testing
import VigilHTTP

/// Writing the log never stalls serving. Found from outside: `vigil serve` with its log going to
/// a fifo nobody read answered about 2,300 requests, then every thread blocked on the log's
/// write, `/healthz` included, until the pipe was drained.
@Suite struct LogSinkTests {
    @Test func aLogNobodyReadsCostsLinesNotTheServer() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer {
            close(fds[0])
            close(fds[1])
        }
        let log = HTTPAccessLog.writing(toDescriptor: fds[1], capacity: 64 * 1024)
        let server = try TestServer(log: log)
        let client = try server.client()
        // About 30 bytes a line: 6,000 requests are three times what the pipe and the buffer hold.
        for batch in 0..<60 {
            try client.send((0..<100).map { _ in "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n" }.joined())
            for _ in 0..<100 {
                #expect(try client.readResponse().status == 200, "batch \(batch)")
            }
        }
        let started = MonotonicTime.now()
        #expect(try server.assertStillServes() == 200)
        #expect(MonotonicTime.seconds(since: started) < 1)
        #expect(log.droppedLines > 0, "the log held every line: the test did not fill the pipe")
        print("lines dropped while nobody read the log: \(log.droppedLines)")

        // Once the reader reads again, the lines kept arrive and a line says how many were lost.
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let flags = fcntl(fds[0], F_GETFL)
        _ = fcntl(fds[0], F_SETFL, flags | O_NONBLOCK)
        let deadline = MonotonicTime.now() + 5_000_000_000
        while MonotonicTime.now() < deadline && !String(decoding: received, as: UTF8.self).contains("dropped") {
            let count = read(fds[0], &buffer, buffer.count)
            if count > 0 { received += buffer[0..<count] } else { usleep(20_000) }
            _ = server.assertStillServesQuietly()
        }
        let text = String(decoding: received, as: UTF8.self)
        #expect(text.contains("GET /hello 200"))
        #expect(text.contains("log line(s) dropped: the log's reader did not keep up"))
    }

    @Test func aCostlyReadRunsOffTheEventThread() throws {
        var router = Router()
        router.add("GET", "/where") { request in .text(request.onEventThread ? "event thread" : "blocking pool") }
        router.add("GET", "/grows") { request in
            request.onEventThread ? .runOnBlockingPool : .text("moved to the blocking pool")
        }
        router.costlyRead = { head in head.queryItems.contains { $0.name == "costly" } }
        let server = try TestServer(router: router)
        let client = try server.client()
        try client.send(
            "GET /where HTTP/1.1\r\nHost: a\r\n\r\nGET /where?costly=1 HTTP/1.1\r\nHost: a\r\n\r\n"
                + "GET /grows HTTP/1.1\r\nHost: a\r\n\r\nGET /where HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try client.readResponse().text == "event thread")
        #expect(try client.readResponse().text == "blocking pool")
        #expect(try client.readResponse().text == "moved to the blocking pool")
        #expect(try client.readResponse().text == "event thread")
    }
}

enum MonotonicTime {
    static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    static func seconds(since start: UInt64) -> Double { Double(now() - start) / 1e9 }
}

extension TestServer {
    /// One request on a new connection; its status, or 0 when it failed.
    func assertStillServesQuietly() -> Int { (try? assertStillServes()) ?? 0 }
}
