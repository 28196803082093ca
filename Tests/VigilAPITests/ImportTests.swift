import Foundation
import Testing
import VigilStore

@testable import VigilJSON

/// Imports: every row validated as a POST would be; refused rows named by line; all or nothing
/// unless partial; dry runs write nothing; an export imports back to the same records.
@Suite struct ImportTests {
    static let csv = """
        title,occurred,country,violation_types,victims_min,lat,lon,confidentiality
        First,2017-02/2017-03,RU,torture|arbitrary_detention,100,43.3,45.9,public
        Second,2017-13,RU,,5,,,public
        Third,2018,UK,torture,many,,,public
        "Fourth, quoted","2019",GB,,,,,restricted
        Fifth,,XK,bogus,,91,10,public
        """

    static func importing(_ server: TestServer, _ target: String, csv: String) throws -> TestResponse {
        try server.request("POST", target, body: Array(csv.utf8), headers: [("Content-Type", "text/csv")])
    }

    @Test func badRowsAreRefusedWithTheirLineNumbersAndNothingIsCreated() throws {
        let server = try TestServer()
        let response = try Self.importing(server, "/v1/incidents/import", csv: Self.csv)
        #expect(response.status == 422)
        let refused = response.object["refused"]?.arrayValue?.compactMap(\.objectValue) ?? []
        #expect(refused.map { $0["line"] } == [.int(2), .int(3), .int(5)])
        let fields = refused.map {
            ($0["errors"]?.arrayValue ?? []).compactMap { $0.objectValue?["field"]?.stringValue }
        }
        #expect(fields[0] == ["occurred"])
        #expect(Set(fields[1]) == ["victims_min", "country"])
        #expect(Set(fields[2]) == ["violation_types", "lat"])
        #expect(response.object["created"] == .array([]))
        #expect(try server.request("GET", "/v1/incidents?count=true").object["total"] == .int(0))
    }

    @Test func partialKeepsTheGoodRowsAndDryRunWritesNothing() throws {
        let server = try TestServer()
        let dry = try Self.importing(server, "/v1/incidents/import?mode=partial&dry_run=true", csv: Self.csv)
        #expect(dry.status == 422)
        #expect(dry.object["created"]?.arrayValue?.count == 2)
        #expect(try server.request("GET", "/v1/incidents?count=true").object["total"] == .int(0))
        let partial = try Self.importing(server, "/v1/incidents/import?mode=partial", csv: Self.csv)
        #expect(partial.status == 422)
        let created = partial.object["created"]?.arrayValue?.compactMap(\.objectValue) ?? []
        #expect(created.map { $0["line"] } == [.int(1), .int(4)])
        let first = try server.request("GET", "/v1/incidents/\(created[0]["id"]?.stringValue ?? "")")
        #expect(first.object["violation_types"] == .array([.string("torture"), .string("arbitrary_detention")]))
        #expect(first.object["lat"] == .double(43.3))
        #expect(first.object["occurred_earliest"] == .string("2017-02-01"))
        #expect(
            try server.request("GET", "/v1/incidents/\(created[1]["id"]?.stringValue ?? "")").object["title"]
                == .string("Fourth, quoted"))
        #expect(
            try server.request("GET", "/v1/incidents/\(created[0]["id"]?.stringValue ?? "")/history").data.count == 1)
    }

    @Test func errorsOfTheFileAndTheRequest() throws {
        let server = try TestServer()
        #expect(try Self.importing(server, "/v1/incidents/import", csv: "title,colour\nx,red\n").status == 400)
        #expect(try Self.importing(server, "/v1/incidents/import", csv: "title\n\"open\n").status == 400)
        #expect(try Self.importing(server, "/v1/incidents/import?mode=some", csv: "title\nx\n").status == 400)
        #expect(try server.request("POST", "/v1/incidents/import", json: #"{"title": "x"}"#).status == 415)
        #expect(try Self.importing(server, "/v1/incidents/import", csv: "title\nx\n").status == 200)
        #expect(
            try server.request(
                "POST", "/v1/incidents/import", token: "reader-confidential", body: Array("title\nx\n".utf8),
                headers: [("Content-Type", "text/csv")]
            ).status == 403)
        let ndjson = try server.request(
            "POST", "/v1/actors/import", body: Array("{\"name\": \"a\"}\n\n{\"nam\": 1}\nnot json\n".utf8),
            headers: [("Content-Type", "application/x-ndjson")])
        #expect(ndjson.status == 422)
        #expect(ndjson.object["refused"]?.arrayValue?.compactMap { $0.objectValue?["line"] } == [.int(2), .int(3)])
    }

    @Test(arguments: ["csv", "ndjson"])
    func anExportImportsBackAsTheSameRecords(_ format: String) throws {
        let source = try TestServer(demo: true)
        try source.request(
            "POST", "/v1/incidents",
            json: #"""
                [{"title": "=formula? no", "summary": "line\nbreak, \"quoted\"", "tags": ["-minus", "a b"], "victims_min": 0, "lat": -1.5, "lon": 2, "occurred": "2016~"},
                 {"title": "Задержания", "targeted_groups": ["lgbtiq", "journalists"], "deaths_min": 2, "deaths_max": 3, "confidentiality": "confidential", "location_confidentiality": "confidential"}]
                """#)
        let export = try source.request("GET", "/v1/incidents?format=\(format)&sort=created_at")
        #expect(export.status == 200)
        let target = try TestServer()
        let imported = try target.request(
            "POST", "/v1/incidents/import", body: export.body,
            headers: [("Content-Type", format == "csv" ? "text/csv" : "application/x-ndjson")])
        #expect(imported.status == 200, "\(imported.text.prefix(500))")
        let before = try source.request("GET", "/v1/incidents?sort=created_at&limit=1000").data
        let after = try target.request("GET", "/v1/incidents?sort=created_at&limit=1000").data
        #expect(before.count == 3)
        #expect(after.count == before.count)
        let ignored: Set<String> = [
            "id", "created_at", "updated_at", "version", "allegation_count", "independent_source_count",
            "denial_count", "undenied_allegations",
        ]
        for (old, new) in zip(before, after) {
            for (key, value) in old where !ignored.contains(key) {
                #expect(new[key] == value, "\(format): \(key) \(value) → \(String(describing: new[key]))")
            }
        }
    }
}
