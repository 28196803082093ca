import Foundation
import Testing
import VigilStore

/// A created record's audit entry is built from the values bound to its INSERT, not from a
/// read-back of the row (the writer thread skips a SELECT per record). `verify` compares every
/// record as stored with the state its last audit entry holds, so any field the bound values
/// would render differently from the stored row (a number's type, a boolean, a list, a date's
/// bounds, a default) shows up here as a problem.
@Suite struct AuditStateTests {
    @Test func createdRecordsOfEveryKindMatchTheirAuditEntries() throws {
        let server = try TestServer(demo: true)
        // Edge values on top of the demo data: whole-number and negative coordinates, every
        // date form, empty and filled lists, a protected source, counts of zero.
        let incident = try server.request(
            "POST", "/v1/incidents",
            json: """
                {"title": "Edge values", "summary": "Zoë's café: naïve — “quoted” ☃", "occurred": "2019-02/2019-03~",
                 "country": "XC", "admin1": "North", "admin2": "District", "locality": "Town", "lat": 12, "lon": -0.5,
                 "geo_precision": "exact", "location_confidentiality": "confidential", "violation_types": ["torture", "arbitrary_detention"],
                 "targeted_groups": [], "victims_min": 0, "victims_max": 2, "deaths_min": 0, "deaths_max": 0,
                 "verification": "confirmed", "confidentiality": "restricted", "tags": ["a", "b c"]}
                """)
        #expect(incident.status == 201, "\(incident.text)")
        let source = try server.request(
            "POST", "/v1/sources",
            json: """
                {"name": "Witness W", "source_type": "witness", "protected_identity": true, "contact": "+0 000"}
                """)
        #expect(source.status == 201, "\(source.text)")
        let open = try server.request(
            "POST", "/v1/incidents", json: #"{"title": "Open interval", "occurred": "../2017"}"#)
        #expect(open.status == 201, "\(open.text)")
        let report = try server.store.verify()
        #expect(report.isIntact, "\(report.problems)")
    }
}
