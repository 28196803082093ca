import Foundation
import Testing

@testable import VigilJSON
@testable import VigilStore

/// Issue 19: a purge erases everything that belonged to the record, the links that ever joined
/// it included, removed ones too (a link's snapshots hold both its ends and its note). Before
/// the fix, a link unlinked before the purge kept its note in its `link` and `unlink` entries,
/// and the changes feed still showed those entries naming the purged id.
@Suite struct PurgeLinkHistoryTests {
    /// One word each, unlike any other in the database (the full-text index keeps words
    /// lowercased, so they are lowercase already).
    static let incidentTitle = "qzinctitlemarkvw"
    static let incidentSummary = "qzincsummarymarkrt"
    static let siteName = "qzsitenamemarkpl"
    static let siteDescription = "qzsitedescmarkhb"
    static let firstNote = "qzfirstnotemarkjd"
    static let secondNote = "qzsecondnotemarkcu"

    @Test(
        "after a purge no feed entry names the record but its purge entry, no byte of its text or its links' notes is in the file, and the chain verifies",
        arguments: [ResourceKind.incidents, .sites])
    func purgeErasesTheHistoryOfEveryLinkThatJoinedTheRecord(_ purged: ResourceKind) throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let incident = try store.make(
            .incidents,
            """
            {"title": "\(Self.incidentTitle)", "summary": "\(Self.incidentSummary)", "confidentiality": "restricted"}
            """)
        let site = try store.make(
            .sites,
            """
            {"name": "\(Self.siteName)", "description": "\(Self.siteDescription)", "confidentiality": "restricted"}
            """)
        // Linked with a note, unlinked, linked again: two links, one removed before the purge.
        let first = try store.link(
            incidentID: incident.id,
            .object(try .json(#"{"site_id": "\#(site.id)", "role": "held_at", "note": "\#(Self.firstNote)"}"#)),
            as: Caller.editor)
        let firstID = try #require(first.first?["id"]?.stringValue)
        try store.unlink(incidentID: incident.id, linkID: firstID, as: Caller.editor)
        _ = try store.link(
            incidentID: incident.id,
            .object(try .json(#"{"site_id": "\#(site.id)", "role": "held_at", "note": "\#(Self.secondNote)"}"#)),
            as: Caller.editor)
        // Later writes, so that the record's words sit in an older index segment.
        for index in 0..<10 { try store.make(.actors, #"{"name": "Later \#(index)"}"#) }

        let id = purged == .incidents ? incident.id : site.id
        let kept = purged == .incidents ? site.id : incident.id
        try store.purge(id: id, as: Caller.admin)

        // (a) The feed at full clearance: no link or unlink entry, and nothing but the purge
        // entry, names the purged id; no marker anywhere.
        let feed = try store.changes(limit: 1000, as: Caller.confidentialReader)
        #expect(!feed.hasMore)
        let markers =
            purged == .incidents
            ? [Self.incidentTitle, Self.incidentSummary, Self.firstNote, Self.secondNote]
            : [Self.siteName, Self.siteDescription, Self.firstNote, Self.secondNote]
        for entry in feed.entries {
            let text = JSONValue.object(entry.json).serializedString
            if entry.action == "link" || entry.action == "unlink" {
                #expect(!text.contains(id), "a \(entry.action) entry still names \(id): \(text)")
            }
            if text.contains(id) {
                #expect(
                    entry.action == "purge" && entry.recordID == id, "entry \(entry.seq) still names \(id): \(text)")
            }
            for marker in markers {
                #expect(!text.contains(marker), "entry \(entry.seq) still holds \(marker): \(text)")
            }
        }
        let purgeEntries = feed.entries.filter { $0.action == "purge" && $0.recordID == id }
        #expect(purgeEntries.count == 1, "a syncing client must learn that \(id) is gone")
        // The record that stays keeps its own history.
        #expect(feed.entries.contains { $0.recordID == kept && $0.action == "create" })

        // (b) No byte of the record's text or of its links' notes in the file or its WAL (the
        // purge checkpointed and truncated it).
        for file in [temporary.path, temporary.path + "-wal"] {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            let bytes = [UInt8](data)
            for marker in markers {
                // The index may share a word's prefix with the word before it: its end is
                // always there if any of it is.
                for needle in [marker, String(marker.suffix(8))].map({ Array($0.utf8) }) {
                    let found = Self.contains(bytes, needle)  // not in the expectation: it would print the file
                    #expect(!found, "\(String(decoding: needle, as: UTF8.self)) still in \(file)")
                }
            }
        }

        // (c) The chain still verifies.
        let report = try store.verify()
        #expect(report.isIntact, "\(report.problems)")
    }

    @Test("a purge entry is shown to the readers who could see the record, without its digest below full clearance")
    func purgeEntryShownToThoseWhoCouldSeeTheRecord() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let restricted = try store.make(.actors, #"{"name": "Officer Plwz", "confidentiality": "restricted"}"#)
        let confidential = try store.make(.actors, #"{"name": "Officer Qmxr", "confidentiality": "confidential"}"#)
        try store.purge(id: restricted.id, as: Caller.admin)
        try store.purge(id: confidential.id, as: Caller.admin)

        func purges(_ context: AccessContext) throws -> [String: JSONObject?] {
            var found: [String: JSONObject?] = [:]
            for entry in try store.changes(limit: 1000, as: context).entries where entry.action == "purge" {
                found[entry.recordID] = entry.before
            }
            return found
        }
        let full = try purges(Caller.confidentialReader)
        #expect(full.count == 2)
        #expect(full[restricted.id]??["purged_sha256"]?.stringValue?.count == 64)
        let below = try purges(Caller.restrictedReader)
        #expect(below.count == 1)
        #expect(below[restricted.id] == JSONObject([("purged", .bool(true))]))
        #expect(try purges(Caller.publicReader).isEmpty)
        // Nothing else of either record is left in the feed, for anyone.
        for context in [Caller.confidentialReader, Caller.restrictedReader, Caller.publicReader] {
            let others = try store.changes(limit: 1000, as: context).entries.filter { $0.action != "purge" }
            #expect(others.isEmpty, "\(others.map { "\($0.action) \($0.recordID)" })")
        }
        #expect(try store.verify().isIntact)
    }

    @Test("purging a link leaves its purge entry to the readers who could see both its ends")
    func purgingALinkAlone() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let incident = try store.make(.incidents, #"{"title": "t", "confidentiality": "public"}"#)
        let site = try store.make(.sites, #"{"name": "s", "confidentiality": "restricted"}"#)
        let link = try store.link(
            incidentID: incident.id,
            .object(try .json(#"{"site_id": "\#(site.id)", "role": "held_at", "note": "qzlinknotemarkfo"}"#)),
            as: Caller.editor)
        let linkID = try #require(link.first?["id"]?.stringValue)
        try store.purge(id: linkID, as: Caller.admin)
        let shown = try store.changes(limit: 1000, as: Caller.restrictedReader).entries.filter { $0.recordID == linkID }
        #expect(shown.map(\.action) == ["purge"])
        #expect(try store.changes(limit: 1000, as: Caller.publicReader).entries.allSatisfy { $0.recordID != linkID })
        #expect(try store.verify().isIntact)
    }

    static func contains(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, bytes.count >= needle.count else { return false }
        return bytes.indices.dropLast(needle.count - 1).contains { start in
            bytes[start] == first && bytes[start..<start + needle.count].elementsEqual(needle)
        }
    }
}
