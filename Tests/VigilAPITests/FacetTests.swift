import Foundation
import Testing
import VigilStore

@testable import VigilJSON

/// Facets and timelines count exactly what the caller may see, under every list filter.
@Suite struct FacetTests {
    static let items = [
        #"{"title": "a", "country": "RU", "violation_types": ["torture", "arbitrary_detention"], "occurred": "2017-02", "verification": "confirmed", "confidentiality": "public"}"#,
        #"{"title": "b", "country": "RU", "violation_types": ["torture"], "occurred": "2017-03-05", "confidentiality": "public"}"#,
        #"{"title": "c", "country": "GB", "violation_types": ["arbitrary_detention"], "occurred": "2018", "confidentiality": "public"}"#,
        #"{"title": "d", "country": "RU", "violation_types": ["torture"], "confidentiality": "public"}"#,
        #"{"title": "secret", "country": "XK", "violation_types": ["enforced_disappearance"], "occurred": "2017-02", "confidentiality": "restricted"}"#,
    ]

    @Test func facetsCountValuesUnderFiltersAndClearance() throws {
        let server = try TestServer()
        #expect(
            try server.request("POST", "/v1/incidents", json: "[" + Self.items.joined(separator: ",") + "]").status
                == 201)
        let all = try server.request(
            "GET", "/v1/incidents/facets?fields=violation_types,country,year,verification", token: "reader-public")
        #expect(all.status == 200)
        #expect(all.object["total"] == .int(4))
        let facets = all.object["facets"]?.objectValue ?? JSONObject()
        func counts(_ field: String) -> [String: Int64] {
            var result: [String: Int64] = [:]
            for item in facets[field]?.arrayValue ?? [] {
                if let value = item.objectValue?["value"]?.stringValue {
                    result[value] = item.objectValue?["count"]?.intValue
                }
            }
            return result
        }
        #expect(counts("violation_types") == ["torture": 3, "arbitrary_detention": 2])
        #expect(counts("country") == ["RU": 3, "GB": 1])
        #expect(counts("year") == ["2017": 2, "2018": 1])
        #expect(counts("verification") == ["confirmed": 1, "unverified": 3])
        let leaked = all.text.contains("XK") || all.text.contains("enforced_disappearance")
        #expect(!leaked)
        let filtered = try server.request(
            "GET", "/v1/incidents/facets?fields=violation_types&country=RU&occurred.gte=2017-03", token: "reader-public"
        )
        #expect(filtered.object["total"] == .int(1))
        let restricted = try server.request("GET", "/v1/incidents/facets?fields=country", token: "reader-restricted")
        #expect(restricted.object["total"] == .int(5))
        #expect(try server.request("GET", "/v1/incidents/facets?fields=title").status == 400)
        #expect(try server.request("GET", "/v1/incidents/facets").status == 400)
        #expect(try server.request("GET", "/v1/incidents/facets?fields=country&limit=5").status == 400)
        #expect(try server.request("GET", "/v1/incidents/facets?fields=country&colour=red").status == 400)
    }

    @Test func listFiltersOnCodedListsFollowEveryChange() throws {
        let server = try TestServer()
        try server.request("POST", "/v1/incidents", json: "[" + Self.items.joined(separator: ",") + "]")
        func titles(_ query: String) throws -> [String] {
            try server.request("GET", "/v1/incidents?sort=title&\(query)").data.compactMap { $0["title"]?.stringValue }
        }
        #expect(try titles("violation_types=torture") == ["a", "b", "d"])
        #expect(try titles("violation_types.in=arbitrary_detention,enforced_disappearance") == ["a", "c", "secret"])
        #expect(try titles("violation_types.nin=torture") == ["c", "secret"])
        #expect(try titles("violation_types.ne=torture&country=RU") == [])
        #expect(try titles("targeted_groups.null=true").count == 5)
        let b = try server.request("GET", "/v1/incidents?title=b").data.first?["id"]?.stringValue ?? ""
        try server.request(
            "PATCH", "/v1/incidents/\(b)",
            json: #"{"violation_types": ["extortion"], "targeted_groups": ["journalists"]}"#)
        #expect(try titles("violation_types=torture") == ["a", "d"])
        #expect(try titles("violation_types=extortion") == ["b"])
        #expect(try titles("targeted_groups=journalists") == ["b"])
        try server.request("DELETE", "/v1/incidents/\(b)")
        #expect(try titles("violation_types=extortion") == [])
        let facets = try server.request("GET", "/v1/incidents/facets?fields=targeted_groups")
        #expect(facets.object["facets"]?.objectValue?["targeted_groups"] == .array([]))
    }

    @Test func timelineBucketsByMonthOrYear() throws {
        let server = try TestServer()
        try server.request("POST", "/v1/incidents", json: "[" + Self.items.joined(separator: ",") + "]")
        let months = try server.request("GET", "/v1/incidents/timeline?interval=month", token: "reader-public")
        #expect(months.status == 200)
        let buckets = months.data.map { ($0["bucket"]?.stringValue ?? "", $0["count"]?.intValue ?? 0) }
        #expect(buckets.map(\.0) == ["2017-02", "2017-03", "2018-01"])
        #expect(buckets.map(\.1) == [1, 1, 1])
        #expect(months.object["undated"] == .int(1))
        let years = try server.request(
            "GET", "/v1/incidents/timeline?interval=year&country=RU", token: "reader-restricted")
        #expect(years.data.map { $0["bucket"] } == [.string("2017")])
        #expect(years.data.first?["count"] == .int(2))
        #expect(try server.request("GET", "/v1/incidents/timeline?interval=week").status == 400)
    }
}
