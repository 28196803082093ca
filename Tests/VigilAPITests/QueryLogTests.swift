import Foundation
import Glibc
import Testing
import VigilHTTP

/// Issue 19: "No query text that is not a declared parameter name reaches a log line." Before
/// the fix the access log wrote every query name as sent, so a token pasted as a bare query word
/// (`/v1/incidents?vgl_…`, no `=`) or as a name was written to the log as it was.
@Suite struct QueryLogTests {
    @Test("the access log shows declared query names only: no bare word, unknown name or value reaches it")
    func onlyDeclaredQueryNamesAreLogged() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-log-\(UUID().uuidString)").path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try #require(descriptor >= 0)
        defer {
            close(descriptor)
            unlink(path)
        }
        let log = HTTPAccessLog.writing(toDescriptor: descriptor)
        let server = try TestServer(log: log)
        let targets = [
            "/v1/incidents?vgl_SECRETMARKER",  // a token pasted as a bare word
            "/v1/incidents?x=vgl_SECRET2",  // an unknown name with a secret value
            "/v1/incidents?vgl_SECRET3=1",  // a secret as a name
            "/v1/incidents?limit=5&vgl_SECRET4",  // among declared names
            "/v1/incidents?%76gl_SECRET5",  // percent-encoded
            "/v1/incidents?limit=vgl_SECRET6",  // a declared name's value
            "/v1/incidents?limit=5&sort=-occurred",
            "/v1/incidents?occurred.gte=2017-03&country=RU",
        ]
        var statuses: [Int] = []
        for target in targets { statuses.append(try server.request("GET", target).status) }
        #expect(statuses == [400, 400, 400, 400, 400, 400, 200, 200])
        #expect(log.drain(timeout: .seconds(5)))
        let bytes = [UInt8](FileManager.default.contents(atPath: path) ?? Data())
        let text = String(decoding: bytes, as: UTF8.self)
        print("the access log:\n\(text)")
        #expect(!text.contains("SECRET"))
        #expect(!text.contains("vgl_"))
        // Declared names still appear, and every other piece is a `*`.
        #expect(text.contains("GET /v1/incidents?* 400 "))
        #expect(text.contains("GET /v1/incidents?limit=&* 400 "))
        #expect(text.contains("GET /v1/incidents?limit= 400 "))
        #expect(text.contains("GET /v1/incidents?limit=&sort= 200 "))
        #expect(text.contains("GET /v1/incidents?occurred.gte=&country= 200 "))
    }
}
