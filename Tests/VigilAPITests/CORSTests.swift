import Testing
import VigilHTTP

/// Browser pages of configured origins may call the API: preflights are answered for them,
/// answers name them; other origins get nothing to read, and without configuration there is no
/// CORS at all.
@Suite struct CORSTests {
    static let dashboard = "https://dashboard.example.org"

    @Test func aConfiguredOriginGetsPreflightsAndReadableAnswers() throws {
        let server = try TestServer(cors: CORSPolicy(allowedOrigins: [Self.dashboard]))
        let preflight = try server.request(
            "OPTIONS", "/v1/incidents", token: nil,
            headers: [
                ("Origin", Self.dashboard), ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "authorization, content-type"),
            ])
        #expect(preflight.status == 204)
        #expect(preflight.header("Access-Control-Allow-Origin") == Self.dashboard)
        #expect(preflight.header("Access-Control-Allow-Methods")?.contains("POST") == true)
        #expect(preflight.header("Access-Control-Allow-Headers")?.contains("Authorization") == true)
        #expect(preflight.header("Vary") == "Origin")

        let list = try server.request("GET", "/v1/incidents", headers: [("Origin", Self.dashboard)])
        #expect(list.status == 200)
        #expect(list.header("Access-Control-Allow-Origin") == Self.dashboard)
        #expect(list.header("Access-Control-Expose-Headers")?.contains("ETag") == true)
        // A token is still needed: CORS only lets the page read what its request got.
        let anonymous = try server.request("GET", "/v1/incidents", token: nil, headers: [("Origin", Self.dashboard)])
        #expect(anonymous.status == 401)
        #expect(anonymous.header("Access-Control-Allow-Origin") == Self.dashboard)
    }

    @Test func anotherOriginIsRefusedAndGetsNoCORSHeaders() throws {
        let server = try TestServer(cors: CORSPolicy(allowedOrigins: [Self.dashboard]))
        let preflight = try server.request(
            "OPTIONS", "/v1/incidents", token: nil,
            headers: [
                ("Origin", "https://evil.example"), ("Access-Control-Request-Method", "GET"),
            ])
        #expect(preflight.status == 403)
        #expect(preflight.header("Access-Control-Allow-Origin") == nil)
        let list = try server.request("GET", "/v1/incidents", headers: [("Origin", "https://evil.example")])
        #expect(list.status == 200)
        #expect(list.header("Access-Control-Allow-Origin") == nil)
        #expect(list.header("Vary") == "Origin")
        let unknownPath = try server.request(
            "OPTIONS", "/v1/nothing", token: nil,
            headers: [
                ("Origin", Self.dashboard), ("Access-Control-Request-Method", "GET"),
            ])
        #expect(unknownPath.status == 404)
    }

    @Test func withoutConfigurationThereIsNoCORS() throws {
        let server = try TestServer()
        let preflight = try server.request(
            "OPTIONS", "/v1/incidents", token: nil,
            headers: [
                ("Origin", Self.dashboard), ("Access-Control-Request-Method", "GET"),
            ])
        #expect(preflight.status == 405)
        let list = try server.request("GET", "/v1/incidents", headers: [("Origin", Self.dashboard)])
        #expect(list.header("Access-Control-Allow-Origin") == nil)
    }

    @Test(arguments: [
        ("https://dashboard.example.org", true), ("http://localhost:3000", true), ("*", false),
        ("https://x.org/path", false), ("ftp://x.org", false), ("https://X.org", false), ("https://", false),
    ])
    func originsAreCheckedWhenConfigured(_ origin: String, _ accepted: Bool) {
        #expect((CORSPolicy.problem(with: origin) == nil) == accepted)
    }
}
