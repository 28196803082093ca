import Foundation
import Testing
import VigilStore

@testable import VigilJSON

/// The changes feed's positions (`next_since`, each entry's `position`, the `Link` header) and the
/// history's entries, as a reader below `confidential` sees them: they must not tell how many
/// hidden writes happened (issue 19, defect 5), `since=` takes only what the feed issued, and
/// paging with them gives every visible entry once, in order.
@Suite struct ChangesFeedPositionTests {
    /// Writes through the HTTP API as the admin, remembering each record's label and ETag.
    final class Writer {
        let server: TestServer
        /// Labels by id, so that two databases' answers can be compared whatever their ids.
        private(set) var labels: [String: String] = [:]
        private var etags: [String: String] = [:]
        private var hiddenCount = 0

        init(_ server: TestServer) { self.server = server }

        @discardableResult
        func make(_ kind: String, _ label: String, _ json: String) throws -> String {
            let response = try server.request("POST", "/v1/\(kind)", json: json)
            #expect(response.status == 201, "\(kind): \(response.text)")
            let id = response.object["id"]?.stringValue ?? ""
            labels[id] = label
            etags[id] = response.header("ETag")
            return id
        }

        func patch(_ kind: String, _ id: String, _ json: String) throws {
            let response = try server.request(
                "PATCH", "/v1/\(kind)/\(id)", json: json, headers: [("If-Match", etags[id] ?? "")])
            #expect(response.status == 200, "PATCH \(kind): \(response.text)")
            etags[id] = response.header("ETag")
        }

        func delete(_ kind: String, _ id: String) throws {
            let response = try server.request("DELETE", "/v1/\(kind)/\(id)", headers: [("If-Match", etags[id] ?? "")])
            #expect(response.status == 200, "DELETE \(kind): \(response.text)")
        }

        func link(incident: String, site: String) throws {
            let response = try server.request(
                "POST", "/v1/incidents/\(incident)/sites", json: #"{"site_id": "\#(site)", "role": "held_at"}"#)
            #expect(response.status == 201, "link: \(response.text)")
            let id = response.object["id"]?.stringValue ?? ""
            labels[id] = "link \(labels[incident] ?? "?") \(labels[site] ?? "?")"
        }

        /// `count` writes a public reader must not see, alternating restricted and confidential
        /// records, creates and updates.
        func hiddenWrites(_ count: Int) throws {
            for _ in 0..<count {
                hiddenCount += 1
                let level = hiddenCount.isMultiple(of: 2) ? "confidential" : "restricted"
                if hiddenCount.isMultiple(of: 3),
                    let last = labels.first(where: { $0.value == "hidden\(hiddenCount - 1)" })
                {
                    try patch("incidents", last.key, #"{"summary": "changed \#(hiddenCount)"}"#)
                    labels[last.key] = "hidden\(hiddenCount)"
                } else {
                    try make(
                        "incidents", "hidden\(hiddenCount)",
                        #"{"title": "Hidden \#(hiddenCount)", "confidentiality": "\#(level)"}"#)
                }
            }
        }
    }

    /// What a reader can observe in an answer, with what differs between two databases for
    /// reasons that have nothing to do with hidden writes put aside: ids become their labels,
    /// times `<time>`, and an opaque position its length and alphabet. A number stays a number:
    /// it is readable, so it is part of what is observed.
    static func observable(_ value: JSONValue, labels: [String: String], key: String? = nil) -> JSONValue {
        switch value {
        case .object(let object):
            return .object(JSONObject(object.map { ($0.key, observable($0.value, labels: labels, key: $0.key)) }))
        case .array(let items):
            return .array(items.map { observable($0, labels: labels, key: key) })
        case .string(let text):
            if ["position", "next_since"].contains(key) { return .string(sealedShape(text)) }
            if let label = labels[text] { return .string("<\(label)>") }
            let characters = Array(text)
            if characters.count >= 20, characters[4] == "-", characters[10] == "T", text.hasSuffix("Z") {
                return .string("<time>")
            }
            return value
        default:
            return value
        }
    }

    static func sealedShape(_ text: String) -> String {
        let urlSafe = text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        return "<sealed \(text.count)\(urlSafe ? "" : " NOT URL-SAFE")>"
    }

    /// The text to send back as `since=`: a position as given, a number as written.
    static func sinceText(_ value: JSONValue?) -> String {
        switch value {
        case .string(let text)?: text
        case .int(let number)?: String(number)
        default: ""
        }
    }

    /// The `since` value of a `Link: <…?since=X&limit=N>; rel="next"` header.
    static func linkSince(_ header: String?) -> String? {
        guard let header, let start = header.range(of: "since=") else { return nil }
        return String(header[start.upperBound...].prefix { $0 != "&" && $0 != ">" })
    }

    /// Everything a public reader can learn from the feed and a history: every page when paging
    /// by two (bodies, `has_more`, the `Link` header's position), the feed resumed from each
    /// entry's position, the answer after the last page, and what a number in `since=` gives.
    static func publicView(of writer: Writer, historyOf record: String) throws -> [JSONValue] {
        let server = writer.server
        func observe(_ response: TestResponse) -> JSONValue {
            var object = JSONObject()
            object["status"] = .int(Int64(response.status))
            object["body"] = observable(response.json ?? .null, labels: writer.labels)
            // A number in the link is readable, so it is observed as it is.
            object["link"] =
                Self.linkSince(response.header("Link")).map { .string(Int($0) == nil ? sealedShape($0) : $0) } ?? .null
            return .object(object)
        }
        var seen: [JSONValue] = []
        var since: String?
        for _ in 0..<50 {
            let page = try server.request(
                "GET", "/v1/changes?limit=2" + (since.map { "&since=\($0)" } ?? ""), token: "reader-public")
            seen.append(observe(page))
            since = sinceText(page.object["next_since"])
            if page.object["has_more"] != .bool(true) { break }
        }
        seen.append(observe(try server.request("GET", "/v1/changes?since=\(since ?? "")", token: "reader-public")))
        let whole = try server.request("GET", "/v1/changes?limit=1000", token: "reader-public")
        seen.append(observe(whole))
        for entry in whole.data {
            let position = sinceText(entry["position"] ?? entry["seq"])
            seen.append(
                observe(try server.request("GET", "/v1/changes?since=\(position)&limit=1000", token: "reader-public")))
        }
        seen.append(observe(try server.request("GET", "/v1/incidents/\(record)/history", token: "reader-public")))
        for number in [0, 1, 3, 7] {
            seen.append(observe(try server.request("GET", "/v1/changes?since=\(number)", token: "reader-public")))
        }
        return seen
    }

    /// The same public writes in two databases, one with hidden writes between them (and after
    /// the last): a public reader's answers are the same once the random sealing is put aside.
    @Test(arguments: [1, 4])
    func aPublicReaderCannotTellHowManyHiddenWritesHappened(hidden: Int) throws {
        var views: [[JSONValue]] = []
        for extra in [0, hidden] {
            let writer = Writer(try TestServer())
            let incident = try writer.make("incidents", "A", #"{"title": "Detentions", "confidentiality": "public"}"#)
            try writer.hiddenWrites(extra)
            let site = try writer.make("sites", "S", #"{"name": "Argun", "confidentiality": "public"}"#)
            try writer.hiddenWrites(extra)
            try writer.patch("incidents", incident, #"{"summary": "More than 100 men"}"#)
            try writer.hiddenWrites(extra)
            try writer.link(incident: incident, site: site)
            try writer.hiddenWrites(extra)
            try writer.make("sources", "N", #"{"name": "Novaya Gazeta", "confidentiality": "public"}"#)
            try writer.hiddenWrites(extra)
            try writer.patch("incidents", incident, #"{"verification": "corroborated"}"#)
            try writer.hiddenWrites(extra)
            views.append(try Self.publicView(of: writer, historyOf: incident))
        }
        let (plain, withHidden) = (views[0], views[1])
        #expect(plain.count == withHidden.count)
        for (index, (expected, actual)) in zip(plain, withHidden).enumerated() where expected != actual {
            Issue.record(
                """
                answer \(index) differs with \(hidden) hidden write(s) between each public one:
                without: \(String(decoding: expected.serialized(sortedKeys: true), as: UTF8.self))
                with:    \(String(decoding: actual.serialized(sortedKeys: true), as: UTF8.self))
                """)
        }
        // A number is not a position: what it would reveal is what positions hide.
        let numbers = withHidden.suffix(4).compactMap { $0.objectValue?["status"]?.intValue }
        #expect(numbers == [400, 400, 400, 400], "since=0, 1, 3, 7")
    }

    /// Every `since` the feed did not issue to this clearance is a 400 that says what to send.
    @Test func aPositionTheFeedDidNotIssueToThisClearanceIsRefused() throws {
        let writer = Writer(try TestServer())
        for index in 0..<3 {
            try writer.make("incidents", "p\(index)", #"{"title": "Public \#(index)", "confidentiality": "public"}"#)
            try writer.make(
                "incidents", "r\(index)", #"{"title": "Restricted \#(index)", "confidentiality": "restricted"}"#)
        }
        let server = writer.server
        let page = try server.request("GET", "/v1/changes?limit=2", token: "reader-public")
        let position = try #require(page.object["next_since"]?.stringValue)
        #expect(try server.request("GET", "/v1/changes?since=\(position)", token: "reader-public").status == 200)
        let entryPosition = try #require(page.data.first?["position"]?.stringValue)
        #expect(try server.request("GET", "/v1/changes?since=\(entryPosition)", token: "reader-public").status == 200)

        var refused: [(String, String, String)] = []  // (why, since, token)
        for number in ["0", "-1", "1", "2", "99999999999"] {
            refused.append(("the number \(number)", number, "reader-public"))
        }
        refused.append(("an empty value", "", "reader-public"))
        refused.append(("text", "abc", "reader-public"))
        refused.append(("characters that are not base64url", "%C3%A9t%C3%A9", "reader-public"))
        let characters = Array(position)
        for index in [0, characters.count / 2, characters.count - 2] {
            var altered = characters
            altered[index] = altered[index] == "A" ? "B" : "A"
            refused.append(("one character changed at \(index)", String(altered), "reader-public"))
        }
        refused.append(("one character short", String(characters.dropLast()), "reader-public"))
        refused.append(("one character more", position + "A", "reader-public"))
        refused.append(("two positions joined", position + entryPosition, "reader-public"))
        let restricted = try #require(
            try server.request("GET", "/v1/changes?limit=2", token: "reader-restricted").object["next_since"]?
                .stringValue)
        let confidential = try #require(
            try server.request("GET", "/v1/changes?limit=2", token: "reader-confidential").object["next_since"]?
                .stringValue)
        refused.append(("a restricted reader's position", restricted, "reader-public"))
        refused.append(("a confidential reader's position", confidential, "reader-public"))
        refused.append(("a confidential reader's position", confidential, "reader-restricted"))
        refused.append(("a public reader's position", position, "reader-restricted"))
        refused.append(("a public reader's position", position, "admin"))
        let cursor = try #require(
            try server.request("GET", "/v1/incidents?limit=1", token: "reader-public").object["next_cursor"]?
                .stringValue)
        refused.append(("a list's cursor", cursor, "reader-public"))
        let elsewhere = Writer(try TestServer())
        try elsewhere.make("incidents", "x", #"{"title": "Elsewhere", "confidentiality": "public"}"#)
        let foreign = try #require(
            try elsewhere.server.request("GET", "/v1/changes", token: "reader-public").object["next_since"]?.stringValue
        )
        refused.append(("another database's position", foreign, "reader-public"))

        for (why, since, token) in refused {
            let response = try server.request("GET", "/v1/changes?since=\(since)", token: token)
            #expect(response.status == 400, "\(why) as \(token): \(response.status) \(response.text)")
            #expect(response.header("Content-Type") == "application/problem+json", "\(why)")
            let detail = response.object["detail"]?.stringValue ?? ""
            #expect(detail.contains("next_since"), "\(why): \(detail)")
            #expect(response.errorFields == ["since"], "\(why)")
        }
        // One message for every refusal, so that it tells nothing about the position either.
        let details = try Set(
            refused.map { why, since, token in
                try server.request("GET", "/v1/changes?since=\(since)", token: token).object["detail"]?.stringValue
                    ?? why
            })
        #expect(details.count == 1, "\(details)")
    }

    /// Paging by two through a feed that grows between pages (visible and hidden writes, a
    /// deletion, links) gives every visible entry exactly once and in order; a position names an
    /// entry, and the feed resumed from it starts with the next one.
    @Test(arguments: ["reader-public", "reader-restricted"])
    func pagingWithNextSinceGivesEveryVisibleEntryOnceInOrder(token: String) throws {
        let writer = Writer(try TestServer())
        let server = writer.server
        func writeRound(_ round: Int) throws {
            let open = try writer.make(
                "incidents", "open\(round)", #"{"title": "Open \#(round)", "confidentiality": "public"}"#)
            try writer.make(
                "incidents", "restricted\(round)", #"{"title": "R \#(round)", "confidentiality": "restricted"}"#)
            let site = try writer.make(
                "sites", "site\(round)", #"{"name": "Site \#(round)", "confidentiality": "public"}"#)
            let secret = try writer.make(
                "sites", "secret\(round)", #"{"name": "Secret \#(round)", "confidentiality": "confidential"}"#)
            try writer.link(incident: open, site: site)
            try writer.link(incident: open, site: secret)
            try writer.patch("incidents", open, #"{"summary": "round \#(round)"}"#)
            try writer.make("sources", "source\(round)", #"{"name": "Source \#(round)", "confidentiality": "public"}"#)
            try writer.delete("sites", site)
        }
        func key(_ entry: JSONObject) -> String {
            let after = entry["after"]?.objectValue
            return [
                entry["action"], entry["kind"], entry["record_id"], after?["version"] ?? .null, after?["id"] ?? .null,
            ]
            .map { String(decoding: ($0 ?? .null).serialized(), as: UTF8.self) }.joined(separator: " ")
        }
        try writeRound(0)

        var paged: [JSONObject] = []
        var since: String?
        var pages = 0
        while pages < 100 {
            let page = try server.request(
                "GET", "/v1/changes?limit=2" + (since.map { "&since=\($0)" } ?? ""), token: token)
            #expect(page.status == 200, "\(page.text)")
            pages += 1
            paged += page.data
            let next = try #require(page.object["next_since"]?.stringValue)
            let more = page.object["has_more"] == .bool(true)
            #expect(Self.linkSince(page.header("Link")) == (more ? next : nil), "the Link header carries next_since")
            since = next
            if pages == 2 { try writeRound(1) }  // between pages: later entries, visible and hidden
            if !more { break }
        }
        #expect(pages > 3)
        // Caught up: nothing more until something is written, then exactly that.
        let caughtUp = try server.request("GET", "/v1/changes?since=\(since ?? "")", token: token)
        #expect(caughtUp.data.isEmpty && caughtUp.object["has_more"] == .bool(false))
        try writer.make("incidents", "restricted-late", #"{"title": "Late R", "confidentiality": "restricted"}"#)
        let late = try writer.make("incidents", "late", #"{"title": "Late", "confidentiality": "public"}"#)
        let after = try server.request("GET", "/v1/changes?since=\(since ?? "")", token: token)
        let expectedLate = token == "reader-public" ? ["late"] : ["restricted-late", "late"]
        #expect(after.data.map { writer.labels[$0["record_id"]?.stringValue ?? ""] ?? "?" } == expectedLate)
        paged += after.data
        #expect(after.data.last?["record_id"]?.stringValue == late)

        let whole = try server.request("GET", "/v1/changes?limit=1000", token: token).data
        #expect(paged.map(key) == whole.map(key), "paged and whole feeds differ")
        #expect(Set(paged.map(key)).count == paged.count, "an entry came twice")
        #expect(whole.contains { $0["kind"] == .string("links") }, "links are in the feed")
        #expect(!whole.contains { writer.labels[$0["record_id"]?.stringValue ?? ""]?.hasPrefix("secret") ?? false })
        #expect(whole.allSatisfy { $0["seq"] == nil }, "no entry shows its place in the whole log")
        // Each entry's position resumes right after it.
        for (index, entry) in whole.enumerated() {
            let position = try #require(entry["position"]?.stringValue)
            let next = try server.request("GET", "/v1/changes?since=\(position)&limit=1", token: token).data
            #expect(next.map(key) == (index + 1 < whole.count ? [key(whole[index + 1])] : []), "after entry \(index)")
        }
        // Two answers for the same place are not the same bytes.
        let first = try server.request("GET", "/v1/changes?limit=1", token: token).object
        let second = try server.request("GET", "/v1/changes?limit=1", token: token).object
        #expect(first["next_since"] != second["next_since"])
        #expect(
            first["data"]?.arrayValue?.first?.objectValue?["position"]
                != second["data"]?.arrayValue?.first?.objectValue?["position"])
        // History entries follow the same rule, and their positions are the feed's.
        let open = try #require(writer.labels.first { $0.value == "open0" }?.key)
        let history = try server.request("GET", "/v1/incidents/\(open)/history", token: token).data
        #expect(history.map { $0["action"]?.stringValue ?? "" } == ["create", "update"])
        #expect(history.allSatisfy { $0["seq"] == nil && $0["position"]?.stringValue != nil })
        let resumed = try server.request(
            "GET", "/v1/changes?since=\(history[0]["position"]?.stringValue ?? "")&limit=1", token: token
        ).data
        let created = try #require(
            whole.firstIndex { $0["record_id"]?.stringValue == open && $0["action"] == .string("create") })
        #expect(resumed.map(key) == [key(whole[created + 1])])
    }
}
