import Foundation
import Glibc
import Testing

@testable import VigilAPI
@testable import VigilJSON
@testable import VigilStore

/// Walks the route table for leaks (issue 19's acceptance item): every read route, in every
/// format it offers, at every clearance (and anonymously under `--public-read`), answers 2xx
/// over seeded data, and no byte of any answer (body, header fields, next-page cursors and feed
/// positions, base64url-decoded, and cursors also opened with the store's key) holds a marker, a
/// coordinate or an id that the reader may not see. A search for a word the reader may not see
/// matches nothing.
///
/// It exists because a hand-listed sweep (``LeakSweepTests``) covers only the routes, formats
/// and fields someone remembered to list. Here the routes come from ``VigilService/routes``: a
/// GET route without a case in ``RouteWalkLeakTests/cases`` fails the test, and so does a case
/// for a route that is gone. The formats, includes, facet fields, intervals and sort keys come
/// from the OpenAPI document, and the data from the catalog (``ResourceKind/fields``): four
/// records per kind (two public, one restricted, one confidential), each with a unique marker
/// in every text, URL and string-list field and a unique coordinate, each place more secret
/// than its record, references to records above and below it, incident–site links between
/// every pair with a note, protected sources with contacts, republication and denial chains,
/// and a public record of each kind that was confidential (with other markers and places)
/// before a patch lowered it. A field added to the catalog is seeded and looked for without
/// anyone listing it.
@Suite struct RouteWalkLeakTests {
    /// Who reads: three tokens on an ordinary server, and no token on a `--public-read` one.
    enum Reader: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case readerPublic = "reader-public"
        case readerRestricted = "reader-restricted"
        case readerConfidential = "reader-confidential"
        case anonymous

        var clearance: Confidentiality {
            switch self {
            case .readerPublic, .anonymous: .public
            case .readerRestricted: .restricted
            case .readerConfidential: .confidential
            }
        }

        /// The token sent (nil: no Authorization header).
        var token: String? { self == .anonymous ? nil : rawValue }
        var testDescription: String { self == .anonymous ? "anonymous (--public-read)" : rawValue }
    }

    /// Every GET route of ``VigilService/routes`` has a case, and every case a route.
    @Test func everyReadRouteHasACase() {
        let patterns = Self.readRoutes.map(\.pattern)
        for route in Self.readRoutes where Self.cases[route.pattern] == nil {
            Issue.record(
                "GET \(route.pattern) (\(route.operationID)) has no case in RouteWalkLeakTests.cases: add the requests that read it"
            )
        }
        for pattern in Self.cases.keys.sorted() where !patterns.contains(pattern) {
            Issue.record("RouteWalkLeakTests.cases names GET \(pattern), which is no longer a route")
        }
    }

    @Test(arguments: Reader.allCases) func nothingAboveTheClearanceAppearsInAnyAnswer(_ reader: Reader) throws {
        let started = ContinuousClock.now
        let server = try TestServer(publicRead: reader == .anonymous)
        let seed = try Seed(server: server)
        let document = try #require(try server.request("GET", "/openapi.json").json?.objectValue)
        let walk = Walk(clearance: reader.clearance, seed: seed, document: document)
        var inspector = Inspector(server: server, reader: reader, secrets: seed.secrets)

        for route in Self.readRoutes {
            guard let build = Self.cases[route.pattern] else {
                Issue.record("GET \(route.pattern) (\(route.operationID)) has no case: it is not walked")
                continue
            }
            let probes = build(walk, route)
            #expect(!probes.isEmpty, "GET \(route.pattern): its case makes no request at \(reader.rawValue)")
            for probe in probes { try inspector.run(probe, route: route) }
        }

        // The walk reached the data: each value the reader may see was in some answer (at
        // `confidential`, every marker, coordinate and id seeded), so the absence of the others
        // means something.
        let visible = seed.secrets.filter { $0.visibleFrom <= reader.clearance }
        let unseen = visible.filter { !inspector.seen.contains($0.text) }
        #expect(
            unseen.isEmpty,
            "\(reader.rawValue): \(unseen.count) of \(visible.count) visible values never appeared: \(unseen.prefix(20).map(\.description))"
        )
        let hidden = seed.secrets.count - visible.count
        if reader.clearance < .confidential { #expect(hidden > 0) }
        print(
            "RouteWalkLeakTests \(reader.rawValue): \(Self.readRoutes.count) GET routes, \(inspector.requests) requests, "
                + "\(hidden) hidden and \(visible.count) visible values checked in each, "
                + "\(inspector.cursorsOpened) cursors opened, \(started.duration(to: .now))")
    }

    // MARK: The route table

    /// The read routes: every GET of the route table.
    static let readRoutes = VigilService.routes.filter { $0.method == "GET" }

    /// The requests that read each GET route, by its pattern: what a new route needs before the
    /// walk passes. Each is built for the reader's clearance from the seeded records it may see
    /// and from what the OpenAPI document says the route takes.
    static let cases: [String: @Sendable (Walk, VigilService.Route) -> [Probe]] = [
        "/healthz": { _, _ in [Probe("/healthz")] },
        "/metrics": { _, _ in [Probe("/metrics", asAdmin: true)] },  // admins only (it shows write activity)
        "/openapi.json": { _, _ in [Probe("/openapi.json")] },
        "/v1/vocabularies": { _, _ in [Probe("/v1/vocabularies")] },
        "/v1/changes": { _, _ in [Probe("/v1/changes"), Probe("/v1/changes?limit=4")] },
        "/v1/search": { walk, _ in walk.searches() },
        "/v1/incidents/facets": { walk, route in walk.facets(route) },
        "/v1/incidents/timeline": { walk, route in walk.timelines(route) },
        "/v1/incidents/{id}/sites": { walk, _ in walk.perRecord(.incidents) { "/v1/incidents/\($0)/sites" } },
        "/v1/incidents": { walk, route in walk.lists(route) },
        "/v1/incidents/{id}": { walk, route in walk.gets(route) },
        "/v1/incidents/{id}/history": { walk, route in walk.histories(route) },
        "/v1/sites": { walk, route in walk.lists(route) },
        "/v1/sites/{id}": { walk, route in walk.gets(route) },
        "/v1/sites/{id}/history": { walk, route in walk.histories(route) },
        "/v1/sources": { walk, route in walk.lists(route) },
        "/v1/sources/{id}": { walk, route in walk.gets(route) },
        "/v1/sources/{id}/history": { walk, route in walk.histories(route) },
        "/v1/actors": { walk, route in walk.lists(route) },
        "/v1/actors/{id}": { walk, route in walk.gets(route) },
        "/v1/actors/{id}/history": { walk, route in walk.histories(route) },
        "/v1/allegations": { walk, route in walk.lists(route) },
        "/v1/allegations/{id}": { walk, route in walk.gets(route) },
        "/v1/allegations/{id}/history": { walk, route in walk.histories(route) },
        "/v1/denials": { walk, route in walk.lists(route) },
        "/v1/denials/{id}": { walk, route in walk.gets(route) },
        "/v1/denials/{id}/history": { walk, route in walk.histories(route) },
    ]

    /// One request of the walk.
    struct Probe: Sendable {
        var target: String
        /// Sent with the admin token whatever the reader (a route only admins may read).
        var asAdmin = false
        var headers: [(String, String)] = []
        /// A search for a word the reader may not see: it must match nothing (no record, a total
        /// of 0), or the answer would say where the word is.
        var expectsNoMatch = false

        init(
            _ target: String, asAdmin: Bool = false, headers: [(String, String)] = [], expectsNoMatch: Bool = false
        ) {
            self.target = target
            self.asAdmin = asAdmin
            self.headers = headers
            self.expectsNoMatch = expectsNoMatch
        }
    }

    /// The word every text field holds besides its marker: a search that matches every record.
    static let commonWord = "walkcommon"

    /// The requests of each kind of route, for one clearance: only records the reader may see
    /// are named in paths (any other would be a 404, not a valid request).
    struct Walk: Sendable {
        let clearance: Confidentiality
        let seed: Seed
        let document: JSONObject

        /// The seeded records of `kind` the reader may see.
        func visible(_ kind: ResourceKind) -> [Seed.Entry] {
            seed.records.filter { $0.kind == kind && $0.level <= clearance }
        }

        /// The `enum` of query parameter `name` of the route, as the OpenAPI document gives it.
        func offered(_ route: VigilService.Route, _ name: String) -> [String] {
            let parameters = document["paths"]?.objectValue?[route.pattern]?.objectValue?["get"]?.objectValue?[
                "parameters"]?.arrayValue
            let parameter = parameters?.compactMap(\.objectValue).first { $0["name"]?.stringValue == name }
            return parameter?["schema"]?.objectValue?["enum"]?.arrayValue?.compactMap(\.stringValue) ?? []
        }

        /// The seeded words of `kind` (nil: every kind's and the links') the reader may not see.
        func hiddenWords(_ kind: ResourceKind?) -> [String] {
            seed.secrets.filter { $0.isWord && $0.visibleFrom > clearance && (kind == nil || $0.kind == kind) }.map(
                \.text)
        }

        func perRecord(_ kind: ResourceKind, _ target: (String) -> String) -> [Probe] {
            visible(kind).map { Probe(target($0.id)) }
        }

        func lists(_ route: VigilService.Route) -> [Probe] {
            guard case .list(let kind) = route.action else { return [] }
            let path = route.pattern
            let formats = offered(route, "format")
            #expect(
                formats.contains("json") && formats.contains("csv") && formats.contains("geojson") == kind.hasPlace,
                "\(path): formats \(formats)")
            var probes = [Probe(path), Probe("\(path)?count=true"), Probe("\(path)?limit=1")]
            var words = [commonWord]
            words += visible(kind).compactMap(\.searchMarker)
            for format in formats {
                probes.append(Probe("\(path)?format=\(format)"))
                probes.append(Probe("\(path)?format=\(format)&q=\(commonWord)"))
                if let type = Self.mediaTypes[format] { probes.append(Probe(path, headers: [("Accept", type)])) }
            }
            for word in words { probes.append(Probe("\(path)?q=\(word)&count=true")) }
            for word in hiddenWords(kind) { probes.append(Probe("\(path)?q=\(word)&count=true", expectsNoMatch: true)) }
            probes.append(Probe("\(path)?q=\(commonWord)&limit=1"))
            // Every sort key, a record a page: each row's sort values pass through a cursor.
            for key in offered(route, "sort") { probes.append(Probe("\(path)?sort=\(key)&limit=1")) }
            return probes
        }

        static let mediaTypes = [
            "json": "application/json", "csv": "text/csv", "ndjson": "application/x-ndjson",
            "geojson": "application/geo+json",
        ]

        func gets(_ route: VigilService.Route) -> [Probe] {
            guard case .get(let kind) = route.action else { return [] }
            let includes = offered(route, "include")
            var probes: [Probe] = []
            for record in visible(kind) {
                let path = "/v1/\(kind.rawValue)/\(record.id)"
                probes.append(Probe(path))
                for include in includes { probes.append(Probe("\(path)?include=\(include)")) }
                if includes.count > 1 { probes.append(Probe("\(path)?include=\(includes.joined(separator: ","))")) }
            }
            return probes
        }

        func histories(_ route: VigilService.Route) -> [Probe] {
            guard case .history(let kind) = route.action else { return [] }
            return perRecord(kind) { "/v1/\(kind.rawValue)/\($0)/history" }
        }

        func facets(_ route: VigilService.Route) -> [Probe] {
            let fields = offered(route, "fields")
            #expect(!fields.isEmpty, "\(route.pattern) offers no fields")
            let all = fields.joined(separator: ",")
            var probes = [
                Probe("\(route.pattern)?fields=\(all)"), Probe("\(route.pattern)?fields=\(all)&q=\(commonWord)"),
            ]
            for field in fields { probes.append(Probe("\(route.pattern)?fields=\(field)")) }
            for word in hiddenWords(.incidents) {
                probes.append(Probe("\(route.pattern)?fields=\(all)&q=\(word)", expectsNoMatch: true))
            }
            return probes
        }

        func timelines(_ route: VigilService.Route) -> [Probe] {
            var probes = [Probe(route.pattern)]
            for interval in offered(route, "interval") {
                probes.append(Probe("\(route.pattern)?interval=\(interval)"))
                probes.append(Probe("\(route.pattern)?interval=\(interval)&q=\(commonWord)"))
            }
            return probes
        }

        func searches() -> [Probe] {
            var probes = [Probe("/v1/search?q=\(commonWord)&limit=100")]
            for record in seed.records where record.level <= clearance {
                if let marker = record.searchMarker { probes.append(Probe("/v1/search?q=\(marker)")) }
            }
            for word in hiddenWords(nil) { probes.append(Probe("/v1/search?q=\(word)", expectsNoMatch: true)) }
            return probes
        }
    }

    // MARK: Looking at every answer

    /// Sends probes, follows their next pages, and searches every answer for what the reader
    /// may not see; records what it may see as seen.
    struct Inspector {
        let server: TestServer
        let reader: Reader
        let hidden: [Seed.Secret]
        let visible: [Seed.Secret]
        var seen = Set<String>()
        var requests = 0
        var cursorsOpened = 0

        init(server: TestServer, reader: Reader, secrets: [Seed.Secret]) {
            self.server = server
            self.reader = reader
            hidden = secrets.filter { $0.visibleFrom > reader.clearance }
            visible = secrets.filter { $0.visibleFrom <= reader.clearance }
        }

        mutating func run(_ probe: Probe, route: VigilService.Route) throws {
            var target: String? = probe.target
            var pages = 0
            while let current = target {
                let response = try server.request(
                    "GET", current, token: probe.asAdmin ? "admin" : reader.token, headers: probe.headers)
                requests += 1
                pages += 1
                let label = "\(reader.rawValue) GET \(current) (route \(route.pattern))"
                #expect(
                    (200..<300).contains(response.status),
                    "\(label): \(response.status) \(String(response.text.prefix(300)))")
                inspect(response, target: current, label)
                if probe.expectsNoMatch {
                    let total = response.object["total"]?.intValue ?? 0
                    #expect(
                        response.data.isEmpty && total == 0,
                        "\(label): a word the reader may not see matches \(response.data.count) (total \(total))")
                }
                if pages == 1 {
                    // HEAD answers as GET does, without the body: its header fields are searched too.
                    let head = try server.request(
                        "HEAD", current, token: probe.asAdmin ? "admin" : reader.token, headers: probe.headers)
                    requests += 1
                    #expect(
                        head.status == response.status && head.body.isEmpty,
                        "\(reader.rawValue) HEAD \(current): \(head.status), \(head.body.count) bytes of body")
                    inspect(head, target: current, "\(reader.rawValue) HEAD \(current) (route \(route.pattern))")
                }
                target = Self.nextPage(response)
                if pages > 100 {
                    Issue.record("\(label): more than 100 pages")
                    break
                }
            }
        }

        /// The `Link: <…>; rel="next"` target, as the server wrote it.
        static func nextPage(_ response: TestResponse) -> String? {
            guard let link = response.header("Link"), link.contains(#"rel="next""#),
                let open = link.firstIndex(of: "<"), let close = link.firstIndex(of: ">")
            else { return nil }
            return String(link[link.index(after: open)..<close])
        }

        mutating func inspect(_ response: TestResponse, target: String, _ label: String) {
            var parts: [(String, [UInt8])] = [("body", response.body)]
            let head = response.headers.map { "\($0.0): \($0.1)\r\n" }.joined()
            parts.append(("header fields", Array(head.utf8)))
            for (name, token) in Self.tokens(in: response) {
                if let bytes = Self.base64URLDecoded(token) { parts.append(("\(name) decoded", bytes)) }
                if name == "next_cursor" {
                    if let plain = openCursor(token, target: target) {
                        parts.append(("\(name) opened", plain))
                        cursorsOpened += 1
                    } else {
                        Issue.record("\(label): its next_cursor does not open with the store's key")
                    }
                }
            }
            let texts = parts.map { ($0.0, Self.searchable($0.1)) }
            for secret in hidden {
                for (name, bytes) in texts where Self.contains(bytes, secret.text) {
                    Issue.record("\(label) leaks \(secret) in its \(name)")
                }
            }
            for secret in visible where !seen.contains(secret.text) {
                if texts.contains(where: { Self.contains($0.1, secret.text) }) { seen.insert(secret.text) }
            }
        }

        /// Opaque tokens the answer carries: the list's `next_cursor`, the feed's `next_since`
        /// and entries' `position`s.
        static func tokens(in response: TestResponse) -> [(String, String)] {
            let object = response.object
            var tokens: [(String, String)] = []
            for name in ["next_cursor", "next_since"] {
                if let text = object[name]?.stringValue { tokens.append((name, text)) }
            }
            for entry in response.data {
                if let position = entry["position"]?.stringValue { tokens.append(("position", position)) }
            }
            return tokens
        }

        /// A cursor's plaintext (the last row's sort values), opened as the store opens it.
        func openCursor(_ cursor: String, target: String) -> [UInt8]? {
            let items = URLComponents(string: target)?.queryItems ?? []
            let sort = items.first { $0.name == "sort" }?.value ?? ""
            let signature = sort + (items.contains { $0.name == "q" } ? "|q" : "")
            for count in 1...40 {
                if let keys = try? Cursor.decode(cursor, sort: signature, keys: count, key: server.store.cursorKey) {
                    return JSONValue.array(keys).serialized()
                }
            }
            return nil
        }

        static func base64URLDecoded(_ text: String) -> [UInt8]? {
            var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
            return Data(base64Encoded: base64).map(Array.init)
        }

        /// `bytes` as one C string for `strstr`, NUL bytes (in decoded cursors) made 0x01.
        static func searchable(_ bytes: [UInt8]) -> [CChar] {
            var text = bytes.map { CChar(bitPattern: $0 == 0 ? 1 : $0) }
            text.append(0)
            return text
        }

        static func contains(_ text: [CChar], _ needle: String) -> Bool {
            text.withUnsafeBufferPointer { strstr($0.baseAddress!, needle) != nil }
        }
    }
}

// MARK: Seeding from the catalog

extension RouteWalkLeakTests {
    /// The seeded data, made through the API by an admin: for every kind (in an order where
    /// what a record refers to exists first) and every variant, one record with every field of
    /// the catalog set. The second public record of each kind is made confidential first, with
    /// other markers and places, and lowered by a patch, so its history and the changes feed
    /// hold a confidential state.
    struct Seed: Sendable {
        /// A value seeded into a record, and the lowest clearance that may see it.
        struct Secret: Sendable, CustomStringConvertible {
            let text: String
            let visibleFrom: Confidentiality
            let origin: String
            /// The kind of record that holds it (nil: a link).
            var kind: ResourceKind? = nil
            /// A marker in a text, URL or string-list field: one word to full-text search.
            var isWord = false

            var description: String { "\(text) (\(origin); \(visibleFrom.name) and above)" }
        }

        /// Which record of a kind: its level, and whether it is the public one that was lowered.
        struct Variant: Hashable, Sendable {
            let level: Confidentiality
            var lowered = false

            /// The word in its markers (`old` in the lowered one's first state).
            var word: String { lowered ? "low" : String(level.name.prefix(3)) }
            var name: String { lowered ? "lowered public" : level.name }
        }

        /// Two public records (so that public pages have a next one), then one per level.
        static let variants = [
            Variant(level: .public), Variant(level: .public, lowered: true), Variant(level: .restricted),
            Variant(level: .confidential),
        ]

        /// One seeded record.
        struct Entry: Sendable {
            let kind: ResourceKind
            let variant: Variant
            let id: String
            /// The marker of its first text field everyone who sees the record sees (for `q=`).
            let searchMarker: String?

            var level: Confidentiality { variant.level }
        }

        private(set) var records: [Entry] = []
        private(set) var secrets: [Secret] = []
        private var ids: [ResourceKind: [Variant: String]] = [:]
        private var coordinates = 0

        init(server: TestServer) throws {
            for kind in Self.creationOrder() {
                for variant in Self.variants { try make(kind, variant, server) }
            }
            // The links, with their ids (each seen by whoever sees both ends).
            for incident in records where incident.kind == .incidents {
                let links = try server.request("GET", "/v1/incidents/\(incident.id)/sites").data
                #expect(links.count == Self.variants.count, "links of \(incident.id)")
                for link in links {
                    guard let id = link["id"]?.stringValue, let siteID = link["site_id"]?.stringValue,
                        let site = records.first(where: { $0.id == siteID })
                    else { continue }
                    secrets.append(
                        Secret(
                            text: id, visibleFrom: max(incident.level, site.level),
                            origin: "id of the link \(incident.variant.name) incident – \(site.variant.name) site"))
                }
            }
            // Each value is unique and none holds another, so finding one names it.
            let texts = secrets.map(\.text)
            #expect(Set(texts).count == texts.count, "seeded values repeat")
            for text in texts {
                let holders = texts.filter { $0 != text && $0.contains(text) }
                #expect(holders.isEmpty, "\(text) is inside \(holders)")
            }
        }

        /// Every kind, each after the kinds its references and links name.
        static func creationOrder() -> [ResourceKind] {
            func needs(_ kind: ResourceKind) -> Set<ResourceKind> {
                var targets: Set<ResourceKind> = kind == .incidents ? [.sites] : []  // `sites` links on create
                for spec in kind.fields {
                    switch spec.type {
                    case .reference(let target), .references(let target): targets.insert(target)
                    default: break
                    }
                }
                targets.remove(kind)
                return targets
            }
            var order: [ResourceKind] = []
            while order.count < ResourceKind.allCases.count {
                let ready = ResourceKind.allCases.filter { !order.contains($0) && needs($0).isSubset(of: order) }
                precondition(!ready.isEmpty, "references make a cycle")
                order += ready
            }
            return order
        }

        /// A marker: letters only (one word to the full-text tokenizer), unique, none inside
        /// another (each starts with `MkQ` and ends at its first `Q`).
        static func marker(_ kind: String, _ state: String, _ field: String) -> String {
            "MkQ" + kind + state + letters(field) + "Q"
        }

        /// A name in lowercase letters, digits spelt out (`admin1` and `admin2` differ).
        static func letters(_ name: String) -> String {
            let digits = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
            return name.lowercased().map { $0.isLetter ? String($0) : $0.wholeNumberValue.map { digits[$0] } ?? "" }
                .joined()
        }

        /// The level of a record's place, above its own where there is a level above: the next
        /// one for incidents, `confidential` for the lowered incident and for every other kind.
        static func locationLevel(_ kind: ResourceKind, _ variant: Variant) -> Confidentiality {
            guard kind == .incidents, !variant.lowered else { return .confidential }
            return Confidentiality(rawValue: variant.level.rawValue + 1) ?? .confidential
        }

        /// Whether the record's identity is protected: every source's but the plain public one's.
        static func isProtected(_ variant: Variant) -> Bool { variant != Variant(level: .public) }

        /// The record that the `index`th reference field of a record names, alternating between
        /// two levels: the plain public record names records above it only (a visible record
        /// naming hidden ones), the others also records below them (hidden records attached to
        /// visible ones: a restricted allegation of the public incident, a confidential denial
        /// of a public allegation), and the lowered one also the plain public record (so that
        /// includes at `public` embed something).
        static func referenced(_ variant: Variant, _ index: Int) -> Variant {
            let choices: [Confidentiality]
            switch (variant.level, variant.lowered) {
            case (.public, false): choices = [.restricted, .confidential]
            case (.public, true): choices = [.public, .confidential]
            case (.restricted, _): choices = [.confidential, .public]
            case (.confidential, _): choices = [.public, .restricted]
            }
            return Variant(level: choices[index % choices.count])
        }

        private mutating func make(_ kind: ResourceKind, _ variant: Variant, _ server: TestServer) throws {
            // The body as created: for the lowered record, its confidential first state.
            let first = variant.lowered ? "old" : variant.word
            let (created, createdSecrets) = body(
                kind, variant, state: first, readAt: variant.lowered ? .confidential : variant.level)
            let answer = try server.request(
                "POST", "/v1/\(kind.rawValue)", json: JSONValue.object(created).serializedString)
            try #require(answer.status == 201, "seeding \(kind.rawValue) \(first): \(answer.text)")
            let id = try #require(answer.object["id"]?.stringValue)
            secrets += createdSecrets
            if variant.lowered {
                let (now, nowSecrets) = body(
                    kind, variant, state: variant.word, readAt: variant.level, withLinks: false)
                var patch = JSONObject()
                for (key, value) in now where created[key] != value { patch[key] = value }
                let etag = try #require(answer.header("ETag"))
                let patched = try server.request(
                    "PATCH", "/v1/\(kind.rawValue)/\(id)", json: JSONValue.object(patch).serializedString,
                    headers: [("If-Match", etag)])
                try #require(patched.status == 200, "lowering \(kind.rawValue): \(patched.text)")
                secrets += nowSecrets
            }
            secrets.append(
                Secret(text: id, visibleFrom: variant.level, origin: "id of the \(variant.name) \(kind.singular)"))
            let searchable = kind.fields.first { spec in
                if case .text = spec.type { return spec.visibility == .always }
                return false
            }
            records.append(
                Entry(
                    kind: kind, variant: variant, id: id,
                    searchMarker: searchable.map { Self.marker(Self.word(kind), variant.word, $0.name) }))
            ids[kind, default: [:]][variant] = id
        }

        /// The kind's word in markers: its id prefix's letters.
        static func word(_ kind: ResourceKind) -> String { kind.idPrefix.filter(\.isLetter) }

        /// A record of `kind` with every catalog field set, and the values it carries with the
        /// lowest clearance that may see each. `state` names the markers; `readAt` is the level
        /// the record has in this state.
        private mutating func body(
            _ kind: ResourceKind, _ variant: Variant, state: String, readAt: Confidentiality, withLinks: Bool = true
        ) -> (JSONObject, [Secret]) {
            var object = JSONObject()
            var secrets: [Secret] = []
            let level = variant.level
            let placeLevel = max(readAt, Self.locationLevel(kind, variant))
            coordinates += 1
            let coordinate = coordinates
            var referenceIndex = 0
            let record =
                state == "old" ? "the lowered public record's confidential first state" : "the \(variant.name) record"
            for spec in kind.fields {
                let marker = Self.marker(Self.word(kind), state, spec.name)
                let visibleFrom: Confidentiality
                switch spec.visibility {
                // Levels, a precision and a flag hold no marker: shown with the record.
                case .always, .recordLevel, .placeLevel, .placePrecision, .identityGuard: visibleFrom = readAt
                case .exactPlace: visibleFrom = placeLevel
                case .confidentialOnly: visibleFrom = .confidential
                case .protectedName: visibleFrom = Self.isProtected(variant) ? .confidential : readAt
                }
                let origin = "\(kind.rawValue).\(spec.name) of \(record)"
                func secret(_ text: String, isWord: Bool = true) {
                    secrets.append(
                        Secret(text: text, visibleFrom: visibleFrom, origin: origin, kind: kind, isWord: isWord))
                }
                switch spec.type {
                case .text(let maxLength):
                    let text = marker + " " + RouteWalkLeakTests.commonWord
                    object[spec.name] = .string(text.count <= maxLength ? text : marker)
                    secret(marker)
                case .url:
                    object[spec.name] = .string("https://example.org/\(marker)")
                    secret(marker)
                case .strings:
                    object[spec.name] = .array([.string(marker), .string(RouteWalkLeakTests.commonWord)])
                    secret(marker)
                case .coordinate:
                    // Unique, and in a form no timestamp, id or count holds: -2N.617283, 1NN.382716.
                    let text = spec.name == "lat" ? "-\(20 + coordinate).617283" : "\(100 + coordinate).382716"
                    let number = Double(text) ?? 0
                    #expect(number.description == text, "coordinate \(text) does not print as written")
                    object[spec.name] = .double(number)
                    secret(text, isWord: false)
                case .count:
                    object[spec.name] = .int(spec.name.hasSuffix("_max") ? 7 : 2)
                case .bool:
                    object[spec.name] = .bool(Self.isProtected(variant))
                case .code(let vocabulary):
                    object[spec.name] = .string(spec.name == "geo_precision" ? "exact" : vocabulary.codes[0])
                case .codes(let vocabulary):
                    object[spec.name] = .array([.string(vocabulary.codes[0])])
                case .country:
                    object[spec.name] = .string("RU")
                case .date:
                    object[spec.name] = .string("2017-0\(level.rawValue + 2)")
                case .reference(let target) where target == kind:
                    // A republication is never more public than what it repeats: the level below.
                    if let below = Confidentiality(rawValue: level.rawValue - 1),
                        let id = ids[kind]?[Variant(level: below)]
                    {
                        object[spec.name] = .string(id)
                    }
                case .reference(let target):
                    object[spec.name] = ids[target]?[Self.referenced(variant, referenceIndex)].map(JSONValue.string)
                    referenceIndex += 1
                case .references(let target):
                    object[spec.name] = .array(Self.variants.compactMap { ids[target]?[$0] }.map(JSONValue.string))
                case .level:
                    object[spec.name] = .string(
                        spec.name == "confidentiality" ? readAt.name : Self.locationLevel(kind, variant).name)
                }
            }
            if kind == .incidents, withLinks {
                // A link to every site, each with a note only who sees both ends may read.
                var links: [JSONValue] = []
                for site in records where site.kind == .sites {
                    let note = Self.marker("lnk", state + site.variant.word, "note")
                    links.append(
                        .object(
                            JSONObject([
                                ("site_id", .string(site.id)), ("role", .string("held_at")),
                                ("period", .string("2017-03")),
                                ("note", .string(note + " " + RouteWalkLeakTests.commonWord)),
                            ])))
                    secrets.append(
                        Secret(
                            text: note, visibleFrom: max(level, site.level),
                            origin: "note of the link \(variant.name) incident – \(site.variant.name) site",
                            isWord: true))
                }
                object["sites"] = .array(links)
            }
            return (object, secrets)
        }
    }
}
