import Testing

@testable import VigilJSON
@testable import VigilSQLite
@testable import VigilStore

/// Reads encode rows straight to JSON text; writes (and the audit log) decode them into
/// objects and redact those. Both must give the same bytes for every record and clearance.
@Suite struct RecordEncoderTests {
    @Test func encoderMatchesDecodeRedactSerialize() throws {
        let fixture = try ConfidentialityTests.Case()
        let store = fixture.store
        // More shapes: NULL dates, coordinates, escapes, unicode, tombstones, empty lists.
        try store.make(
            .incidents,
            #"""
            {"title": "Quote \" backslash \\ tab \t newline \n — Задержания", "confidentiality": "confidential",
             "lat": 1e-7, "lon": -179.999999, "geo_precision": "country", "violation_types": ["torture", "threats"]}
            """#)
        let gone = try store.make(
            .incidents, #"{"title": "To be deleted", "occurred": "2017?", "confidentiality": "public"}"#)
        _ = try store.delete(.incidents, id: gone.id, as: Caller.admin)
        try store.make(
            .sites,
            #"{"name": "Exact", "lat": 43.1, "lon": 45.2, "geo_precision": "exact", "confidentiality": "restricted"}"#)

        var compared = 0
        for kind in ResourceKind.allCases {
            let codec = RecordCodec(kind: kind)
            let encoder = RecordEncoder(kind: kind)
            for clearance in Confidentiality.allCases {
                let pairs: [([UInt8], [UInt8], String)] = try store.read { db in
                    var pairs: [([UInt8], [UInt8], String)] = []
                    let sql =
                        "SELECT \(codec.selectList(withComputedFor: clearance)) FROM \(kind.table) r\(codec.outputJoins(for: clearance))"
                        + " WHERE " + AccessPolicy.recordVisible("r", clearance: clearance)
                    try db.makeStatement(sql).forEachRow { row in
                        let encoded = encoder.encode(row, for: clearance)
                        let stored = codec.decode(row)
                        guard let rendered = try? stored.render(for: clearance).encoded else {
                            Issue.record(
                                "\(kind.rawValue) \(encoded.id) at \(clearance.name): a shown row would not render")
                            return
                        }
                        // The render writes text directly; the object it stands for, built key
                        // by key and serialized, must give the same bytes.
                        let object = JSONValue.object(Self.renderedObject(stored, for: clearance)).serialized()
                        #expect(
                            rendered == object,
                            "\(kind.rawValue) \(encoded.id) at \(clearance.name): rendered text and object differ")
                        pairs.append((encoded.encoded, rendered, encoded.id))
                    }
                    return pairs
                }
                for (encoded, expected, id) in pairs {
                    #expect(
                        encoded == expected,
                        "\(kind.rawValue) \(id) at \(clearance.name):\n\(String(decoding: encoded, as: UTF8.self))\n\(String(decoding: expected, as: UTF8.self))"
                    )
                    compared += 1
                }
            }
        }
        #expect(compared > 30)
    }

    /// The record `render(for:)` stands for, as an object: the catalog's fields (redacted ones
    /// left out, missing ones null) with each date's bounds, the computed counts, then version,
    /// timestamps and `deleted_at` of a tombstone.
    static func renderedObject(_ stored: StoredRecord, for clearance: Confidentiality) -> JSONObject {
        var visible = stored.state
        let removed = AccessPolicy(stored.kind).redact(&visible, for: clearance)
        var output = JSONObject()
        output["id"] = .string(stored.id)
        for spec in stored.kind.fields where !removed.contains(spec.name) {
            output[spec.name] = visible[spec.name] ?? .null
            if case .date = spec.type {
                output[spec.name + "_earliest"] = stored.bounds[spec.name + "_earliest"] ?? .null
                output[spec.name + "_latest"] = stored.bounds[spec.name + "_latest"] ?? .null
            }
        }
        for (name, value) in stored.computed { output[name] = value }
        output["version"] = .int(stored.version)
        output["created_at"] = stored.state["created_at"] ?? .null
        output["updated_at"] = stored.state["updated_at"] ?? .null
        if let deleted = stored.state["deleted_at"] { output["deleted_at"] = deleted }
        return output
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
