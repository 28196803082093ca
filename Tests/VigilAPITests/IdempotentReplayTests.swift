import Testing
import VigilStore

@testable import VigilJSON

/// Issue 19: a replay (a retried POST with the same `Idempotency-Key`) answers as a read of what
/// it created would be answered now. Before the fix it sent the stored bytes, so a record
/// raised above the caller's clearance since, or a source protected since, still reached a
/// token that may no longer see it.
@Suite struct IdempotentReplayTests {
    /// A PATCH as the admin token, based on the record's current version.
    static func patch(_ server: TestServer, _ path: String, _ json: String) throws {
        let current = try server.request("GET", path)
        let etag = try #require(current.header("ETag"))
        let patched = try server.request("PATCH", path, json: json, headers: [("If-Match", etag)])
        #expect(patched.status == 200, "\(patched.text)")
    }

    @Test("a replay of a record raised above the caller's clearance since shows none of it, with the status a GET gets")
    func replayOfARaisedRecordIsNotFound() throws {
        let server = try TestServer()
        let body =
            #"{"title": "Held at qzraisedtitlemark", "summary": "Witness qzraisedsummarymark", "confidentiality": "restricted"}"#
        let key = [("Idempotency-Key", "raise-1")]
        let first = try server.request("POST", "/v1/incidents", token: "editor-restricted", json: body, headers: key)
        #expect(first.status == 201)
        let id = try #require(first.object["id"]?.stringValue)
        try Self.patch(server, "/v1/incidents/\(id)", #"{"confidentiality": "confidential"}"#)

        let read = try server.request("GET", "/v1/incidents/\(id)", token: "editor-restricted")
        let replay = try server.request("POST", "/v1/incidents", token: "editor-restricted", json: body, headers: key)
        print("replay after the raise: \(replay.status) \(replay.text)")
        #expect(replay.status == read.status)
        #expect(replay.status == 404)
        for marker in ["qzraisedtitlemark", "qzraisedsummarymark", id] {
            #expect(!replay.text.contains(marker), "the replay shows \(marker)")
            #expect(!replay.headers.contains { $0.1.contains(marker) }, "a header of the replay shows \(marker)")
        }
        // Nothing was created again.
        #expect(try server.request("GET", "/v1/incidents?count=true").object["total"] == .int(1))
        // The same key with another body is still a 422.
        let other = try server.request(
            "POST", "/v1/incidents", token: "editor-restricted", json: #"{"title": "other"}"#, headers: key)
        #expect(other.status == 422)
    }

    @Test("a replay after a harmless change shows the record as it is now, with the first answer's status and Location")
    func replayShowsTheRecordAsItIsNow() throws {
        let server = try TestServer()
        let body = #"{"title": "First title", "confidentiality": "restricted"}"#
        let key = [("Idempotency-Key", "edit-1")]
        let first = try server.request("POST", "/v1/incidents", token: "editor-restricted", json: body, headers: key)
        let id = try #require(first.object["id"]?.stringValue)
        let location = try #require(first.header("Location"))
        // Right away, the replay is the first answer.
        let same = try server.request("POST", "/v1/incidents", token: "editor-restricted", json: body, headers: key)
        #expect(same.status == 201)
        #expect(same.body == first.body)

        try Self.patch(server, "/v1/incidents/\(id)", #"{"title": "Second title"}"#)
        let replay = try server.request("POST", "/v1/incidents", token: "editor-restricted", json: body, headers: key)
        let read = try server.request("GET", "/v1/incidents/\(id)", token: "editor-restricted")
        #expect(replay.status == 201)
        #expect(replay.header("Location") == location)
        #expect(replay.header("Idempotent-Replayed") == "true")
        #expect(replay.header("ETag") == read.header("ETag"))
        #expect(replay.object["title"] == .string("Second title"))
        #expect(replay.object["version"] == .int(2))
        #expect(replay.body == read.body)
    }

    @Test("a replay shows a source protected since as a read does: its name hidden below full clearance")
    func replayOfASourceProtectedSince() throws {
        let server = try TestServer()
        let body = #"{"name": "Survivor qzprotectedname", "source_type": "survivor", "confidentiality": "restricted"}"#
        let key = [("Idempotency-Key", "protect-1")]
        let first = try server.request("POST", "/v1/sources", token: "editor-restricted", json: body, headers: key)
        #expect(first.status == 201)
        let id = try #require(first.object["id"]?.stringValue)
        try Self.patch(server, "/v1/sources/\(id)", #"{"protected_identity": true}"#)
        let replay = try server.request("POST", "/v1/sources", token: "editor-restricted", json: body, headers: key)
        let read = try server.request("GET", "/v1/sources/\(id)", token: "editor-restricted")
        #expect(replay.status == 201)
        #expect(!replay.text.contains("qzprotectedname"))
        #expect(replay.body == read.body)
    }

    @Test("a batch replays whole: one record raised above the caller and it is a 404; one deleted and it is a 410")
    func batchReplays() throws {
        let server = try TestServer()
        let body =
            #"[{"title": "qzbatchonemark", "confidentiality": "restricted"}, {"title": "qzbatchtwomark", "confidentiality": "restricted"}]"#
        let key = [("Idempotency-Key", "batch-1")]
        let first = try server.request("POST", "/v1/incidents", token: "editor-restricted", json: body, headers: key)
        #expect(first.status == 201)
        let ids = first.data.compactMap { $0["id"]?.stringValue }
        #expect(ids.count == 2)

        try Self.patch(server, "/v1/incidents/\(ids[1])", #"{"title": "qzbatchtwoedited"}"#)
        let edited = try server.request("POST", "/v1/incidents", token: "editor-restricted", json: body, headers: key)
        #expect(edited.status == 201)
        #expect(edited.data.compactMap { $0["id"]?.stringValue } == ids)
        #expect(edited.data.last?["title"] == .string("qzbatchtwoedited"))

        let deleted = try server.request("GET", "/v1/incidents/\(ids[0])")
        #expect(
            try server.request(
                "DELETE", "/v1/incidents/\(ids[0])", headers: [("If-Match", deleted.header("ETag") ?? "")]
            ).status == 200)
        let gone = try server.request("POST", "/v1/incidents", token: "editor-restricted", json: body, headers: key)
        #expect(gone.status == 410)
        #expect(!gone.text.contains("qzbatch"))

        try Self.patch(server, "/v1/incidents/\(ids[1])", #"{"confidentiality": "confidential"}"#)
        let hidden = try server.request("POST", "/v1/incidents", token: "editor-restricted", json: body, headers: key)
        #expect(hidden.status == 404)
        for marker in ["qzbatch"] + ids { #expect(!hidden.text.contains(marker)) }
        // Nothing was created again: one record live, one deleted.
        #expect(try server.request("GET", "/v1/incidents?count=true").object["total"] == .int(1))
    }
}
