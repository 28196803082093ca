import Testing
@testable import VigilStore

/// Reads encode rows straight to JSON text; writes (and the audit log) decode them into
/// objects and redact those. Both must give the same bytes for every record and clearance.
@Suite struct RecordEncoderTests {
    @Test func encoderMatchesDecodeRedactSerialize() throws {
        let fixture = try ConfidentialityTests.Case()
        let store = fixture.store
        // More shapes: NULL dates, coordinates, escapes, unicode, tombstones, empty lists.
        try store.make(.incidents, #"""
            {"title": "Quote \" backslash \\ tab \t newline \n — Задержания", "confidentiality": "confidential",
             "lat": 1e-7, "lon": -179.999999, "geo_precision": "country", "violation_types": ["torture", "threats"]}
            """#)
        let gone = try store.make(.incidents, #"{"title": "To be deleted", "occurred": "2017?", "confidentiality": "public"}"#)
        _ = try store.delete(.incidents, id: gone.id, as: Caller.admin)
        try store.make(.sites, #"{"name": "Exact", "lat": 43.1, "lon": 45.2, "geo_precision": "exact", "confidentiality": "restricted"}"#)

        var compared = 0
        for kind in ResourceKind.allCases {
            let codec = RecordCodec(kind: kind)
            let encoder = RecordEncoder(kind: kind)
            for clearance in Confidentiality.allCases {
                let pairs: [([UInt8], [UInt8], String)] = try store.read { db in
                    var pairs: [([UInt8], [UInt8], String)] = []
                    let sql = "SELECT \(codec.selectList(withComputedFor: clearance)) FROM \(kind.table) r\(codec.countsJoin(for: clearance))"
                    try db.makeStatement(sql).forEachRow { row in
                        let encoded = encoder.encode(row, for: clearance)
                        let expected = JSONValue.object(codec.decode(row).render(for: clearance).json).serialized()
                        pairs.append((encoded.encoded, expected, encoded.id))
                    }
                    return pairs
                }
                for (encoded, expected, id) in pairs {
                    #expect(encoded == expected, "\(kind.rawValue) \(id) at \(clearance.name):\n\(String(decoding: encoded, as: UTF8.self))\n\(String(decoding: expected, as: UTF8.self))")
                    compared += 1
                }
            }
        }
        #expect(compared > 40)
    }

    @Test func encodedRecordsStillGiveTheirFields() throws {
        let fixture = try ConfidentialityTests.Case()
        let record = try fixture.store.record(.incidents, id: fixture.incident.id, as: Caller.publicReader)
        #expect(record.json["title"] == .string("Mass detention"))
        #expect(record.json["lat"] == nil, "hidden below the location level")
        var withSnippet = record
        withSnippet.append(key: "snippet", json: Array(#""a""#.utf8))
        #expect(withSnippet.json["snippet"] == .string("a"))
        #expect(withSnippet.json["title"] == .string("Mass detention"))
    }
}
