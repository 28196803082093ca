import Foundation
import Testing

@testable import VigilJSON
@testable import VigilStore

/// A reader's search answers are the same whatever the database holds beyond what it may see:
/// bm25's statistics (row count, average length, how many rows hold each word) come only from
/// visible rows, so the order of two visible hits cannot tell whether hidden records use a word.
///
/// Two databases hold the same public records; one also holds many confidential incidents and
/// allegations and public tombstones, all full of "ember". The two public incidents that match
/// "ember quarry" hold one word twice and the other once: with "quarry" common among the public
/// records and "ember" rare, the ember-heavy one ranks first; counting the hidden rows, "ember"
/// becomes the common word and the order flips. So any answer computed over hidden rows
/// differs between the two databases.
@Suite struct SearchVisibleStatisticsTests {
    /// The records both databases hold, made in the same order.
    static func addPublicRecords(to store: Store) throws {
        let source = try store.make(.sources, #"{"name": "Radio Vaska", "confidentiality": "public"}"#)
        let first = try store.make(
            .incidents,
            """
            {"title": "Ember ember quarry report", "summary": "Seen near the camp.", "country": "XC",
             "confidentiality": "public"}
            """)
        try store.make(
            .incidents,
            """
            {"title": "Quarry quarry ember report", "summary": "Seen near the camp.", "country": "XC",
             "confidentiality": "public"}
            """)
        for number in 0..<3 {
            try store.make(
                .incidents, #"{"title": "Quarry notes \#(number)", "country": "XC", "confidentiality": "public"}"#)
            try store.make(
                .incidents, #"{"title": "Unrelated notes \#(number)", "country": "XC", "confidentiality": "public"}"#)
        }
        try store.make(
            .allegations,
            """
            {"source_id": "\(source.id)", "incident_id": "\(first.id)", "claim": "An ember quarry claim",
             "confidentiality": "public"}
            """)
    }

    /// What only the second database holds: nothing a public or restricted reader may see.
    static func addHiddenRecords(to store: Store) throws {
        let source = try store.make(.sources, #"{"name": "Ember desk", "confidentiality": "confidential"}"#)
        let incidents = try store.createMany(
            .incidents,
            (0..<200).map { number in
                JSONObject([
                    ("title", .string("Ember ember ember \(number)")), ("summary", .string("ember everywhere ember")),
                    ("country", .string("XC")), ("confidentiality", .string("confidential")),
                ])
            }, as: Caller.admin)
        _ = try store.createMany(
            .allegations,
            incidents.prefix(50).map { incident in
                JSONObject([
                    ("source_id", .string(source.id)), ("incident_id", .string(incident.id)),
                    ("claim", .string("ember ember ember")), ("confidentiality", .string("confidential")),
                ])
            }, as: Caller.admin)
        // Tombstones are hidden from every search too.
        let doomed = try store.createMany(
            .incidents,
            (0..<50).map { number in
                JSONObject([
                    ("title", .string("Ember ember tombstone \(number)")), ("confidentiality", .string("public")),
                ])
            }, as: Caller.admin)
        for incident in doomed { _ = try store.delete(.incidents, id: incident.id, as: Caller.admin) }
    }

    /// Everything a search tells `reader`, without ids (the two databases make their own).
    static func answers(of store: Store, as reader: AccessContext) throws -> [String] {
        var lines: [String] = []
        func describe(_ page: Page, _ name: String) {
            for record in page.records {
                let json = record.json
                lines.append("\(name): \(Self.text(json["title"])) | \(Self.text(json["snippet"]))")
            }
            if let total = page.total { lines.append("\(name) total: \(total)") }
        }
        var plain = ListQuery()
        plain.search = "ember quarry"
        plain.includeTotal = true
        describe(try store.list(.incidents, plain, as: reader), "plain")
        // One record per page, through the cursors (the plain path continues from a bm25 score).
        var paged = ListQuery()
        paged.search = "ember quarry"
        paged.limit = 1
        while true {
            let page = try store.list(.incidents, paged, as: reader)
            describe(page, "paged")
            guard let next = page.nextCursor else { break }
            paged.cursor = next
        }
        // With a filter, the general query ranks (bm25 in its ORDER BY) and counts.
        var filtered = plain
        filtered.filters = [Filter(field: "country", op: .eq, value: "XC")]
        describe(try store.list(.incidents, filtered, as: reader), "filtered")
        var claims = ListQuery()
        claims.search = "ember"
        claims.includeTotal = true
        describe(try store.list(.allegations, claims, as: reader), "allegations")
        for hit in try store.search("ember quarry", as: reader) {
            lines.append("search: \(hit.kind.rawValue) \(hit.label) | \(hit.snippet)")
        }
        for hit in try store.search("ember", as: reader) {
            lines.append("search ember: \(hit.kind.rawValue) \(hit.label) | \(hit.snippet)")
        }
        return lines
    }

    /// A string field's text, or a mark that it is missing.
    static func text(_ value: JSONValue?) -> String {
        if case .string(let text)? = value { return text }
        return "<\(value.map { String(describing: $0) } ?? "absent")>"
    }

    @Test(arguments: [Caller.publicReader, Caller.restrictedReader])
    func searchAnswersIgnoreRecordsHiddenFromTheReader(reader: AccessContext) throws {
        let plain = try TemporaryStore()
        let crowded = try TemporaryStore()
        try Self.addPublicRecords(to: plain.store)
        try Self.addPublicRecords(to: crowded.store)
        try Self.addHiddenRecords(to: crowded.store)

        let expected = try Self.answers(of: plain.store, as: reader)
        #expect(expected.first?.hasPrefix("plain: Ember ember quarry report | ") == true)
        let answers = try Self.answers(of: crowded.store, as: reader)
        let differing = zip(expected, answers).filter { $0 != $1 }.map { "expected \($0)\n     got \($1)" }
        #expect(answers == expected, "\(differing.count) answers differ:\n\(differing.joined(separator: "\n"))")
    }

    /// The data is such that the hidden rows do change bm25's order where they are visible, so
    /// the test above would see it if they counted.
    @Test func hiddenRowsChangeTheOrderForThoseWhoSeeThem() throws {
        let plain = try TemporaryStore()
        let crowded = try TemporaryStore()
        try Self.addPublicRecords(to: plain.store)
        try Self.addPublicRecords(to: crowded.store)
        try Self.addHiddenRecords(to: crowded.store)
        func firstTwo(_ store: Store) throws -> [String] {
            var query = ListQuery()
            query.search = "ember quarry"
            return try store.list(.incidents, query, as: Caller.confidentialReader).records.map {
                Self.text($0.json["title"])
            }
        }
        #expect(try firstTwo(plain.store) == ["Ember ember quarry report", "Quarry quarry ember report"])
        #expect(try firstTwo(crowded.store) == ["Quarry quarry ember report", "Ember ember quarry report"])
    }
}
