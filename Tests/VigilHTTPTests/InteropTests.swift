import Foundation
import Testing
import VigilHTTP

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Real clients against the server: curl, Python's http.client, URLSession and wrk.
@Suite struct InteropTests {
    @Test func curlGetPostChunkedAndKeepAlive() throws {
        let server = try TestServer()
        let base = "http://127.0.0.1:\(server.port)"
        #expect(
            try runTool("/usr/bin/env", ["curl", "-sS", "--fail", "\(base)/hello", "\(base)/hello"]) == "hellohello")
        #expect(
            try runTool("/usr/bin/env", ["curl", "-sS", "--fail", "--data-binary", "{\"a\":1}", "\(base)/echo"])
                == "{\"a\":1}")
        let chunked = try runTool(
            "/usr/bin/env",
            ["curl", "-sS", "--fail", "-H", "Transfer-Encoding: chunked", "--data-binary", "abc", "\(base)/echo"])
        #expect(chunked == "abc")
        let status = try runTool(
            "/usr/bin/env", ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "\(base)/missing"])
        #expect(status == "404")
    }

    @Test func pythonHTTPClient() throws {
        let server = try TestServer()
        let script = """
            import http.client, sys
            c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5)
            out = []
            for i in range(3):
                c.request("GET", "/v1/incidents/%d" % i)
                r = c.getresponse(); out.append(r.read().decode())
            c.request("POST", "/echo", body=b"xyz", headers={"Content-Type": "application/json"})
            r = c.getresponse(); out.append(r.read().decode())
            c.request("HEAD", "/hello")
            r = c.getresponse(); out.append(str(r.status) + ":" + r.getheader("Content-Length")); r.read()
            print(",".join(out), end="")
            """
        #expect(try runTool("/usr/bin/env", ["python3", "-c", script, "\(server.port)"]) == "0,1,2,xyz,200:5")
    }

    @Test func urlSession() async throws {
        let server = try TestServer()
        let url = try #require(URL(string: "http://127.0.0.1:\(server.port)/echo"))
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = Data("hi there".utf8)
        let (data, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: data, as: UTF8.self) == "hi there")
        let helloURL = try #require(URL(string: "http://127.0.0.1:\(server.port)/hello"))
        let (hello, _) = try await URLSession.shared.data(from: helloURL)
        #expect(String(decoding: hello, as: UTF8.self) == "hello")
    }

    @Test func wrk() throws {
        let server = try TestServer()
        let output = try runTool(
            "/usr/bin/env", ["wrk", "-t1", "-c8", "-d1s", "http://127.0.0.1:\(server.port)/hello"])
        #expect(output.contains("requests in"))
        #expect(!output.contains("Non-2xx"))
        #expect(!output.contains("Socket errors"))
    }
}
