import Foundation
import Testing
import VigilStore

@testable import VigilJSON

/// Every read endpoint, in every format, at every clearance below `confidential`, searched for the
/// ids and words of what that clearance must not see: confidential records named by public ones,
/// a place above its record's level, a protected source's name. Next-page cursors are decoded and
/// searched too, since they carry the last row's sort values.
@Suite struct LeakSweepTests {
    @Test func nothingHiddenAppearsInAnyAnswer() throws {
        let server = try TestServer()
        func make(_ kind: String, _ json: String) throws -> String {
            let response = try server.request("POST", "/v1/\(kind)", json: json)
            #expect(response.status == 201, "\(kind): \(response.text)")
            return response.object["id"]?.stringValue ?? ""
        }
        let insider = try make("sources", #"{"name": "Insider Zqx", "confidentiality": "confidential"}"#)
        let paper = try make("sources", #"{"name": "Paper", "confidentiality": "public"}"#)
        _ = try make(
            "sources",
            #"{"name": "Survivor Qqv", "protected_identity": true, "contact": "+0 999", "confidentiality": "public"}"#)
        let officer = try make("actors", #"{"name": "Officer Kkq", "confidentiality": "confidential"}"#)
        let head = try make("actors", #"{"name": "Head", "confidentiality": "public"}"#)
        let site = try make(
            "sites",
            #"""
            {"name": "Argun stadium", "confidentiality": "public", "locality": "Secretville", "lat": 43.123, "lon": 45.456,
             "admin2": "Hiddenrayon", "location_confidentiality": "confidential", "operator_id": "\#(officer)"}
            """#)
        _ = try make("sites", #"{"name": "Open stadium", "confidentiality": "public", "lat": 10.5, "lon": 10.5}"#)
        let incident = try make(
            "incidents",
            #"""
            {"title": "Detentions at the stadium", "summary": "stadium", "confidentiality": "public", "country": "RU",
             "perpetrator_ids": ["\#(officer)", "\#(head)"], "violation_types": ["torture"],
             "sites": [{"site_id": "\#(site)", "role": "held_at"}]}
            """#)
        let allegation = try make(
            "allegations",
            #"""
            {"source_id": "\#(insider)", "incident_id": "\#(incident)", "site_id": "\#(site)", "claim": "Men held at the stadium",
             "confidentiality": "public"}
            """#)
        _ = try make(
            "allegations",
            #"{"source_id": "\#(paper)", "incident_id": "\#(incident)", "claim": "Second", "confidentiality": "public"}"#
        )
        let denial = try make(
            "denials",
            #"""
            {"statement": "No stadium", "incident_id": "\#(incident)", "allegation_id": "\#(allegation)", "actor_id": "\#(officer)",
             "source_id": "\#(insider)", "confidentiality": "public"}
            """#)
        let hidden = [
            insider, officer, "Insider Zqx", "Officer Kkq", "Secretville", "Hiddenrayon", "43.123", "45.456",
            "Survivor Qqv", "+0 999",
        ]

        var paths = [
            "/v1/changes", "/v1/search?q=stadium", "/v1/incidents/facets?fields=violation_types,country,verification",
            "/v1/incidents/timeline?interval=year", "/v1/incidents/\(incident)/sites",
            "/v1/incidents/\(incident)?include=allegations,denials,sites,sources",
            "/v1/sites/\(site)?include=allegations,denials,sources",
            "/v1/denials/\(denial)?include=allegations,sources",
        ]
        for kind in ResourceKind.allCases.map(\.rawValue) {
            paths += [
                "/v1/\(kind)", "/v1/\(kind)?format=csv", "/v1/\(kind)?format=ndjson", "/v1/\(kind)?q=stadium",
                "/v1/\(kind)?limit=1",
            ]
            if kind == "incidents" || kind == "sites" { paths.append("/v1/\(kind)?format=geojson") }
        }
        for (kind, id) in [("incidents", incident), ("sites", site), ("allegations", allegation), ("denials", denial)] {
            paths += ["/v1/\(kind)/\(id)", "/v1/\(kind)/\(id)/history"]
        }
        for sort in ["lat", "-lat", "locality", "-locality", "admin2"] {
            paths.append("/v1/sites?sort=\(sort)&limit=1")
        }
        for sort in ["name", "-name"] { paths.append("/v1/sources?sort=\(sort)&limit=1") }

        var checked = 0
        for token in ["reader-public", "reader-restricted"] {
            for path in paths {
                let response = try server.request("GET", path, token: token)
                #expect(response.status < 500, "\(path): \(response.status)")
                var texts = [response.text]
                if let cursor = response.object["next_cursor"]?.stringValue {
                    var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(
                        of: "_", with: "/")
                    base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
                    texts.append(Data(base64Encoded: base64).map { String(decoding: $0, as: UTF8.self) } ?? cursor)
                }
                for text in texts {
                    for secret in hidden { #expect(!text.contains(secret), "\(token) \(path) shows \(secret)") }
                }
                checked += 1
            }
        }
        #expect(checked == paths.count * 2)
        // The sweep would see them: at full clearance they are there.
        let full = try server.request("GET", "/v1/denials/\(denial)", token: "reader-confidential").text
        #expect(full.contains(officer) && full.contains(insider))
        #expect(
            try server.request("GET", "/v1/sites/\(site)", token: "reader-confidential").text.contains("Secretville"))
    }
}
