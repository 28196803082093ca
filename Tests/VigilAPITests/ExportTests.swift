import Foundation
import Testing
import VigilStore

@testable import VigilAPI
@testable import VigilJSON

/// Exports stream every matching row the caller may see, in CSV, NDJSON and GeoJSON.
@Suite struct ExportTests {
    static func seed(_ server: TestServer, count: Int) throws {
        var items: [String] = []
        for index in 0..<count {
            let place = index % 3 == 0 ? #", "lat": \#(Double(index) / 100), "lon": 45.5"# : ""
            items.append(
                #"{"title": "incident \#(index)", "country": "RU", "violation_types": ["torture", "arbitrary_detention"], "confidentiality": "public"\#(place)}"#
            )
        }
        var start = 0
        while start < items.count {
            let chunk = items[start..<min(start + 500, items.count)]
            #expect(
                try server.request("POST", "/v1/incidents", json: "[" + chunk.joined(separator: ",") + "]").status
                    == 201)
            start += 500
        }
    }

    @Test func ndjsonStreamsEveryMatchingRowAcrossPages() throws {
        let server = try TestServer()
        try Self.seed(server, count: 1_203)
        try server.request(
            "POST", "/v1/incidents", json: #"{"title": "Hidden export", "confidentiality": "restricted"}"#)
        let response = try server.request("GET", "/v1/incidents?format=ndjson", token: "reader-public")
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/x-ndjson")
        #expect(response.header("Transfer-Encoding") == "chunked")
        let lines = response.text.split(separator: "\n")
        #expect(lines.count == 1_203)
        let ids = Set(lines.compactMap { try? JSONValue.parse(Array($0.utf8)).objectValue?["id"]?.stringValue })
        #expect(ids.count == 1_203)
        #expect(!response.text.contains("Hidden export"))
        let total = try server.request("GET", "/v1/incidents?count=true&limit=1", token: "reader-public").object[
            "total"]
        #expect(total == .int(Int64(lines.count)))
        let accepted = try server.request(
            "GET", "/v1/incidents?title.contains=incident%201", headers: [("Accept", "application/x-ndjson")])
        #expect(accepted.header("Content-Type") == "application/x-ndjson")
        #expect(accepted.text.split(separator: "\n").count == 1 + 10 + 100 + 203)  // 1, 10-19, 100-199, 1000-1202
    }

    @Test(arguments: [
        ("text/csv", "text/csv"), ("text/csv;q=0, application/json", "json"),
        ("application/x-ndjson;q=0.9, text/csv", "text/csv"),
        ("application/json;q=0.5, application/x-ndjson", "application/x-ndjson"), ("*/*", "json"), ("", "json"),
        ("text/html", "json"), ("application/geo+json;q=0.2, text/csv;q=0.1", "application/geo+json"),
    ])
    func acceptIsNegotiatedByQuality(_ accept: String, _ expected: String) {
        let format = ExportFormat.preferred(accept: accept)
        #expect((format.map { String($0.mediaType.prefix { $0 != ";" }) } ?? "json") == expected)
    }

    @Test func csvHasAHeaderQuotingJoinedListsAndNoFormulas() throws {
        let server = try TestServer()
        try server.request(
            "POST", "/v1/incidents",
            json: #"""
                [{"title": "=HYPERLINK(\"http://evil\")", "summary": "line one\nline \"two\", with comma", "violation_types": ["torture", "extortion"], "victims_min": 3, "lat": -12.5, "lon": 44, "confidentiality": "public"},
                 {"title": "@SUM(1)", "tags": ["-x", "+y"], "confidentiality": "public"}]
                """#)
        let response = try server.request("GET", "/v1/incidents?format=csv&sort=created_at")
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/csv; charset=utf-8")
        let text = response.text
        let header = text.components(separatedBy: "\r\n")[0]
        #expect(header.hasPrefix("id,title,summary,occurred,occurred_earliest,occurred_latest,country"))
        #expect(header.contains("allegation_count"))
        #expect(text.contains(#"'=HYPERLINK(""http://evil"")"#))
        #expect(text.contains("\"line one\nline \"\"two\"\", with comma\""))
        #expect(text.contains(",torture|extortion,"))
        #expect(text.contains(",-12.5,44,") || text.contains(",-12.5,44.0,"))
        #expect(text.contains("'@SUM(1)"))
        #expect(text.contains("'-x|+y"))
        #expect(
            text.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 3,
            "header + 2 rows, CRLF-terminated (a quoted LF stays inside its cell)")
    }

    @Test func geojsonHoldsEveryRecordWithPointsOnlyWhereVisible() throws {
        let server = try TestServer(demo: true)
        let open = try server.request(
            "POST", "/v1/incidents",
            json: #"{"title": "open place", "lat": 10, "lon": 20, "confidentiality": "public"}"#)
        let demo = try server.request("GET", "/v1/incidents?title.contains=Chechnya", token: "reader-public").data
            .first?["id"]
        let publicView = try server.request("GET", "/v1/incidents?format=geojson", token: "reader-public")
        #expect(publicView.status == 200)
        #expect(publicView.header("Content-Type") == "application/geo+json")
        let collection = try #require(publicView.json?.objectValue)
        #expect(collection["type"] == .string("FeatureCollection"))
        let features = (collection["features"]?.arrayValue ?? []).compactMap(\.objectValue)
        #expect(features.count == 2, "every public incident, located or not")
        let located = features.first { $0["id"] == open.object["id"] }
        #expect(located?["geometry"]?.objectValue?["coordinates"] == .array([.double(20), .double(10)]))
        // The demo incident's place is restricted: a feature without a geometry, and no coordinates anywhere.
        let hidden = features.first { $0["id"] == demo }
        #expect(hidden?["geometry"] == .null)
        #expect(hidden?["properties"]?.objectValue?["lat"] == nil)
        let restrictedView = try server.request("GET", "/v1/incidents?format=geojson", token: "reader-restricted")
        let restrictedFeatures =
            restrictedView.json?.objectValue?["features"]?.arrayValue?.compactMap(\.objectValue) ?? []
        #expect(restrictedFeatures.filter { $0["geometry"] != .null }.count == 2)
        #expect(try server.request("GET", "/v1/actors?format=geojson").status == 400)
        #expect(try server.request("GET", "/v1/incidents?format=xml").status == 400)
        #expect(try server.request("GET", "/v1/incidents?format=csv&limit=5").status == 400)
        #expect(try server.request("GET", "/v1/incidents?format=csv&colour=red").status == 400)
    }
}
