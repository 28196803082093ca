import Foundation
import Testing

@testable import VigilJSON
@testable import VigilStore

/// Walks the catalog against the access policy (issue 19's acceptance): for every kind × field ×
/// clearance, what ``AccessPolicy/decision(for:clearance:protection:)`` says a reader is shown of
/// the field is what every output path shows it — the record's JSON (alone and in a list), the
/// CSV, NDJSON and GeoJSON exports, search hits and `q=` lists, the record's history and the
/// changes feed — and a record above the reader's clearance is in none of them.
///
/// Why it exists: the rules are stated once, in the policy, but executed in many places (the
/// row encoder's decision table, SQL expressions for filters and search labels, audit
/// snapshots with their protection floor, the exporters' columns and geometry, the per-level
/// search indexes). Each of those could drift from the decision without any of the example-based
/// tests noticing a field it does not name. This test names none: the records, their values and
/// the expectations are derived from `kind.fields` and their ``FieldVisibility``, so a new field,
/// kind or protected part is walked without editing it, and it fails when a visibility, or a
/// decision, was never exercised.
@Suite struct CatalogPolicyWalkTests {
    @Test func everyOutputShowsEachFieldAsThePolicyDecides() throws {
        let started = ContinuousClock.now
        let walk = Walk(server: try TestServer())
        try walk.createRecords()
        try walk.readReferences()
        // Confidential first: it is the stored state, and it tells which fields search finds.
        for reader in Walk.readers { try walk.visit(reader) }
        walk.checkCoverage()
        let summary = walk.checks.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
        print(
            "catalog walk: \(walk.records.count) records of \(Set(walk.records.map(\.kind)).count) kinds, "
                + "\(walk.requests) requests, field checks \(summary.joined(separator: ", ")); "
                + "found by search: \(walk.searchable.sorted().joined(separator: ", ")); "
                + "\(ContinuousClock.now - started)")
    }
}

private typealias Decision = AccessPolicy.Decision

/// How one record is protected when created, and what its PATCH raises.
private struct Plan: CustomStringConvertible {
    enum Precision {
        /// A precision finer than the region (coarsened when the place is hidden).
        case fine
        /// One that says no more than the region (kept when the place is hidden).
        case regional
        /// None given.
        case none
    }

    var level: Confidentiality
    /// `location_confidentiality` as given (nil: none).
    var placeLevel: Confidentiality? = nil
    var precision = Precision.fine
    var identityProtected = false
    /// Set by the PATCH: the place's level raised to this.
    var raisedPlaceLevel: Confidentiality? = nil
    /// Set by the PATCH: the names protected.
    var raisesIdentity = false

    var description: String {
        var parts = ["level \(level.name)"]
        if let placeLevel { parts.append("place \(placeLevel.name)") }
        if precision == .regional { parts.append("regional precision") }
        if precision == .none { parts.append("no precision") }
        if identityProtected { parts.append("protected") }
        if let raisedPlaceLevel { parts.append("place raised to \(raisedPlaceLevel.name)") }
        if raisesIdentity { parts.append("protected by the patch") }
        return parts.joined(separator: ", ")
    }

    /// The records a kind gets: every protection its catalog entry can give (a place hidden
    /// above each clearance, or not; names protected or not), at every record level. The first
    /// is public and unprotected: the one other records refer to, visible to every reader.
    static func plans(for kind: ResourceKind) -> [Plan] {
        let visibilities = Set(kind.fields.map(\.visibility))
        var plans: [Plan] = []
        if visibilities.contains(.placeLevel) {
            plans += [
                Plan(level: .public),
                Plan(level: .public, placeLevel: .restricted),
                Plan(level: .public, placeLevel: .confidential),
                Plan(level: .public, placeLevel: .restricted, precision: .regional),
                Plan(level: .public, placeLevel: .restricted, precision: .none),
                Plan(level: .restricted),
                Plan(level: .restricted, placeLevel: .confidential, precision: .regional),
                // Below the record's own level: the place is as secret as the record.
                Plan(level: .restricted, placeLevel: .public),
                Plan(level: .confidential),
                Plan(level: .public, raisedPlaceLevel: .confidential),
            ]
        }
        if visibilities.contains(.identityGuard) {
            plans += [
                Plan(level: .public),
                Plan(level: .public, identityProtected: true),
                Plan(level: .restricted, identityProtected: true),
                Plan(level: .restricted),
                Plan(level: .confidential, identityProtected: true),
                Plan(level: .public, raisesIdentity: true),
            ]
        }
        if plans.isEmpty { plans = Confidentiality.allCases.map { Plan(level: $0) } }
        return plans
    }
}

/// One record of the walk, and what the confidential reader sees of it.
private final class WalkRecord {
    let kind: ResourceKind
    let plan: Plan
    let serial: Int
    var id = ""
    /// What it was created with, and what the PATCH changed.
    var sent = JSONObject()
    var patch = JSONObject()
    /// The create's answer (to an admin: nothing hidden): the state before the PATCH.
    var created = JSONObject()
    /// The confidential reader's GET after the PATCH: the stored state.
    var stored = JSONObject()
    /// The confidential reader's history: the stored snapshots.
    var history: [JSONObject] = []
    /// Every word-like marker it held: in which field, and whether the current state holds it.
    var markers: [(field: String, marker: String, current: Bool)] = []

    init(kind: ResourceKind, plan: Plan, serial: Int) {
        self.kind = kind
        self.plan = plan
        self.serial = serial
    }

    var policy: AccessPolicy { AccessPolicy(kind) }
    var protection: AccessPolicy.Protection { policy.protection(of: stored) }
    var name: String { "\(kind.rawValue) \(id) (\(plan))" }

    /// The states a reader at `clearance` is shown of the record, each with the protection it is
    /// shown with: the current one, and each audit snapshot with the stricter of its own and the
    /// record's current protection (see ``snapshotProtection(_:at:)``).
    func states(at clearance: Confidentiality) -> [(state: JSONObject, protection: AccessPolicy.Protection)] {
        var states = [(stored, protection)]
        for entry in history {
            for side in ["before", "after"] {
                guard let snapshot = entry[side]?.objectValue else { continue }
                states.append((snapshot, snapshotProtection(snapshot, at: clearance)))
            }
        }
        return states
    }

    /// A snapshot's protection at `clearance`: the stricter of its own and the record's current
    /// one (`AccessPolicy.Protection`: raising it later hides earlier states too). The store
    /// applies that floor below confidential only (`SnapshotReader.entry`: at full clearance
    /// nothing is hidden), so the one visible difference is `location_confidentiality` in a
    /// snapshot from before a raise: its own level at confidential, the raised one below.
    func snapshotProtection(_ snapshot: JSONObject, at clearance: Confidentiality) -> AccessPolicy.Protection {
        let own = policy.protection(of: snapshot)
        return clearance < .confidential ? own.atLeast(protection) : own
    }
}

/// How an output shows one record.
private enum View {
    case json(JSONObject)
    /// A CSV row, by column name.
    case csv([String: String])
    /// A GeoJSON feature: its properties, and its geometry (null when unlocated).
    case feature(properties: JSONObject, geometry: JSONValue)
}

private final class Walk {
    static let readers: [(clearance: Confidentiality, token: String)] = [
        (.confidential, "reader-confidential"), (.restricted, "reader-restricted"), (.public, "reader-public"),
    ]

    let server: TestServer
    var records: [WalkRecord] = []
    /// Field checks made, by output path.
    var checks: [String: Int] = [:]
    var requests = 0
    /// The decisions the walk met, by visibility.
    var seen: [FieldVisibility: Set<Decision>] = [:]
    /// `kind.field` of the text fields search finds a record by, learnt at confidential.
    var searchable: Set<String> = []
    private var markerCount = 0

    init(server: TestServer) { self.server = server }

    // MARK: Records

    /// Kinds in an order where every kind comes after the kinds it refers to.
    static var creationOrder: [ResourceKind] {
        var order: [ResourceKind] = []
        var visiting: Set<ResourceKind> = []
        func visit(_ kind: ResourceKind) {
            guard !order.contains(kind), visiting.insert(kind).inserted else { return }
            for spec in kind.fields {
                switch spec.type {
                case .reference(let target), .references(let target): if target != kind { visit(target) }
                default: break
                }
            }
            order.append(kind)
        }
        for kind in ResourceKind.allCases { visit(kind) }
        return order
    }

    /// A word no other field of any record holds: letters only, so search finds it whole.
    func newMarker() -> String {
        var digits = ""
        var rest = markerCount
        for _ in 0..<5 {
            digits = String(UnicodeScalar(UInt8(ascii: "a") + UInt8(rest % 26))) + digits
            rest /= 26
        }
        markerCount += 1
        return "qzx" + digits
    }

    /// The parts of a value that no other record or field holds: markers and coordinates.
    static func uniqueTokens(_ value: JSONValue?) -> Set<String> {
        switch value {
        case .string(let text)?:
            var tokens = Set<String>()
            var rest = Substring(text)
            while let range = rest.range(of: "qzx") {
                tokens.insert(String(rest[range.lowerBound...].prefix(8)))
                rest = rest[range.upperBound...]
            }
            return tokens
        case .double?: return [Self.text(value)]
        case .array(let items)?: return items.reduce(into: []) { $0.formUnion(uniqueTokens($1)) }
        default: return []
        }
    }

    /// A value as JSON text, for messages and for coordinates in bodies.
    static func text(_ value: JSONValue?) -> String {
        value.map { String(decoding: $0.serialized(), as: UTF8.self) } ?? "(absent)"
    }

    /// The value a new record gets for `spec`, following its plan (nil: left out).
    func value(for spec: FieldSpec, of record: WalkRecord, anchors: [ResourceKind: String]) -> JSONValue? {
        let plan = record.plan
        switch spec.visibility {
        case .recordLevel: return .string(plan.level.name)
        case .placeLevel: return plan.placeLevel.map { .string($0.name) }
        case .identityGuard: return .bool(plan.identityProtected)
        case .placePrecision:
            guard case .code(let vocabulary) = spec.type else { return nil }
            let codes = vocabulary.terms.map(\.code)
            let regional = codes.filter { AccessPolicy.regionalPrecisions.contains($0) }
            let fine = codes.filter { !AccessPolicy.regionalPrecisions.contains($0) }
            switch plan.precision {
            case .fine: return .string(fine[record.serial % fine.count])
            case .regional: return .string(regional[record.serial % regional.count])
            case .none: return nil
            }
        case .always, .exactPlace, .confidentialOnly, .protectedName: break
        }
        switch spec.type {
        case .text: return .string(newMarker())
        case .url: return .string("https://example.org/" + newMarker())
        case .count: return .int(spec.name.hasSuffix("_max") ? 7 : 3)
        case .coordinate(let limit):
            // Unique per record, and not a substring of another: whole part by serial and range.
            let whole = Int(limit) / 9 + record.serial
            return .double(Double("\(whole).\(limit > 90 ? "8765" : "4321")")!)
        case .bool: return .bool(true)
        case .code(let vocabulary): return .string(vocabulary.terms.last!.code)
        case .codes(let vocabulary): return .array([.string(vocabulary.terms.last!.code)])
        case .strings: return .array([.string(newMarker())])
        case .country: return .string("RU")
        case .date: return .string("2017-03")
        case .reference(let target): return anchors[target].map(JSONValue.string)
        case .references(let target): return anchors[target].map { .array([.string($0)]) }
        case .level: return .string(plan.level.name)
        }
    }

    /// Creates every kind's records over HTTP (each referring to the first record of the kinds
    /// it names), then PATCHes each: a new label, and the raise its plan asks for.
    func createRecords() throws {
        var anchors: [ResourceKind: String] = [:]
        for kind in Self.creationOrder {
            for plan in Plan.plans(for: kind) {
                let record = WalkRecord(kind: kind, plan: plan, serial: records.count)
                for spec in kind.fields {
                    if let value = value(for: spec, of: record, anchors: anchors) { record.sent[spec.name] = value }
                }
                let response = try server.request(
                    "POST", "/v1/\(kind.rawValue)", json: Self.text(.object(record.sent)))
                requests += 1
                #expect(response.status == 201, "create \(kind.rawValue) (\(plan)): \(response.text)")
                record.id = response.object["id"]?.stringValue ?? ""
                record.created = response.object
                if anchors[kind] == nil { anchors[kind] = record.id }
                records.append(record)
            }
        }
        for record in records {
            let kind = record.kind
            record.patch[kind.labelField] = .string(newMarker())
            for spec in kind.fields {
                if spec.visibility == .placeLevel, let raised = record.plan.raisedPlaceLevel {
                    record.patch[spec.name] = .string(raised.name)
                }
                if spec.visibility == .identityGuard, record.plan.raisesIdentity {
                    record.patch[spec.name] = .bool(true)
                }
            }
            let response = try server.request(
                "PATCH", "/v1/\(kind.rawValue)/\(record.id)", json: Self.text(.object(record.patch)),
                headers: [("If-Match", "\"\(record.created["version"]?.intValue ?? 0)\"")])
            requests += 1
            #expect(response.status == 200, "patch \(record.name): \(response.text)")
            for spec in kind.fields {
                let held = record.patch[spec.name] ?? record.sent[spec.name]
                for token in Self.uniqueTokens(held) where token.hasPrefix("qzx") {
                    record.markers.append((spec.name, token, true))
                }
                if record.patch[spec.name] != nil {
                    for token in Self.uniqueTokens(record.sent[spec.name]) where token.hasPrefix("qzx") {
                        record.markers.append((spec.name, token, false))
                    }
                }
            }
        }
    }

    /// Reads what the confidential reader is shown of each record (its current state and its
    /// history), which the walk takes as stored, after checking it is what was written.
    func readReferences() throws {
        for record in records {
            let path = "/v1/\(record.kind.rawValue)/\(record.id)"
            let response = try server.request("GET", path, token: "reader-confidential")
            requests += 1
            #expect(response.status == 200, "\(path): \(response.status)")
            record.stored = response.object
            for spec in record.kind.fields {
                guard var written = record.patch[spec.name] ?? record.sent[spec.name] else { continue }
                if spec.visibility == .placeLevel {
                    let level = Confidentiality(name: written.stringValue ?? "") ?? .confidential
                    written = .string(AccessPolicy.placeLevel(own: record.plan.level, declared: level).name)
                }
                #expect(
                    record.stored[spec.name] == written,
                    "\(record.name): \(spec.name) stored as \(Self.text(record.stored[spec.name])), written \(Self.text(written))"
                )
            }
            let history = try server.request("GET", path + "/history", token: "reader-confidential")
            requests += 1
            record.history = history.data
            #expect(
                record.history.map { $0["action"]?.stringValue ?? "" } == ["create", "update"],
                "\(record.name): history \(history.text)")
            guard record.history.count == 2 else { continue }
            #expect(record.history[0]["before"] == .null)
            let snapshots = [
                (record.history[0]["after"], record.created), (record.history[1]["before"], record.created),
                (record.history[1]["after"], record.stored),
            ]
            // Snapshots hold the fields alone (no date bounds, an unset field left out rather
            // than null): the same values in another shape.
            for (snapshot, state) in snapshots {
                for spec in record.kind.fields {
                    let kept = snapshot?.objectValue?[spec.name] ?? .null
                    #expect(
                        kept == state[spec.name] ?? .null,
                        "\(record.name): confidential snapshot's \(spec.name) is \(Self.text(kept)), the record's \(Self.text(state[spec.name]))"
                    )
                }
            }
        }
    }

    // MARK: The decision, and the checks

    /// What the policy says `clearance` is shown of `column` (a field's or its date bounds') of
    /// `state`: nil for a key left out.
    func expected(
        _ spec: FieldSpec, column: String, in state: JSONObject, decision: Decision,
        protection: AccessPolicy.Protection
    ) -> JSONValue? {
        let stored = state[column]
        switch decision {
        case .shown: return stored
        case .omitted: return nil
        case .label: return column == spec.name ? .string(AccessPolicy.protectedNameLabel) : stored
        case .coarsened: return column == spec.name ? .string(AccessPolicy.coarsened(stored?.stringValue)) : stored
        case .placeLevel: return column == spec.name ? .string(protection.placeLevel.name) : stored
        }
    }

    /// Checks every catalog field of `view` against the decision for `state` with `protection`.
    func agree(
        _ view: View, state: JSONObject, protection: AccessPolicy.Protection, of record: WalkRecord,
        at clearance: Confidentiality, path: String
    ) {
        for spec in record.kind.fields {
            let decision = record.policy.decision(for: spec, clearance: clearance, protection: protection)
            seen[spec.visibility, default: []].insert(decision)
            for column in spec.columns {
                let want = expected(spec, column: column, in: state, decision: decision, protection: protection)
                let place = "\(path) at \(clearance.name), \(record.name): \(column) (\(decision))"
                checks[path, default: 0] += 1
                switch view {
                case .json(let object):
                    #expect(
                        object[column] == want,
                        "\(place) shows \(Self.text(object[column])), expected \(Self.text(want))")
                case .csv(let row):
                    #expect(row[column] != nil, "\(place): no such column")
                    #expect(
                        row[column] == Self.csvCell(want),
                        "\(place) shows \(row[column] ?? "nothing"), expected \(Self.csvCell(want))")
                case .feature(let properties, let geometry):
                    if case .coordinate(let limit) = spec.type {
                        // GeoJSON positions are [lon, lat]; the coordinates are never properties.
                        let position = geometry.objectValue?["coordinates"]?.arrayValue?[limit > 90 ? 0 : 1]
                        let shown = position.map { JSONValue.double($0.doubleValue ?? .nan) }
                        let wanted: JSONValue? = want?.isNull == true ? nil : want
                        #expect(
                            shown == wanted, "\(place) geometry has \(Self.text(shown)), expected \(Self.text(wanted))")
                        #expect(properties[column] == nil, "\(place) is a property")
                    } else {
                        #expect(
                            properties[column] == want,
                            "\(place) shows \(Self.text(properties[column])), expected \(Self.text(want))")
                    }
                }
            }
        }
    }

    /// A value as the CSV export writes it (RecordExporter's cell rules, restated).
    static func csvCell(_ value: JSONValue?) -> String {
        let text: String
        switch value {
        case nil, .null?: return ""
        case .bool(let flag)?: return flag ? "true" : "false"
        case .int(let number)?: return String(number)
        case .double?, .object?: return Self.text(value)
        case .string(let string)?: text = string
        case .array(let items)?: text = items.map { $0.stringValue ?? Self.text($0) }.joined(separator: "|")
        }
        if let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { return "'" + text }
        return text
    }

    static func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var cell = ""
        var quoted = false
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if quoted {
                if character == "\"" {
                    if index + 1 < characters.count, characters[index + 1] == "\"" {
                        cell.append("\"")
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    cell.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                row.append(cell)
                cell = ""
            } else if character == "\r\n" || character == "\n" {
                row.append(cell)
                rows.append(row)
                row = []
                cell = ""
            } else {
                cell.append(character)
            }
            index += 1
        }
        if !cell.isEmpty || !row.isEmpty {
            row.append(cell)
            rows.append(row)
        }
        return rows
    }

    // MARK: One clearance

    /// Every output path at one clearance, for every record.
    func visit(_ reader: (clearance: Confidentiality, token: String)) throws {
        let clearance = reader.clearance
        /// Every answer at this clearance; `named`: the record id its request named (a 404 may
        /// say which id it did not find: the caller's own words, not a leak).
        var bodies: [(path: String, text: String, named: String?)] = []
        func get(_ path: String, status: Int = 200, naming id: String? = nil) throws -> TestResponse {
            let response = try server.request("GET", path, token: reader.token)
            requests += 1
            #expect(response.status == status, "GET \(path) at \(clearance.name): \(response.status) \(response.text)")
            bodies.append((path, response.text, id))
            return response
        }
        for kind in Self.creationOrder {
            let base = "/v1/\(kind.rawValue)"
            let list = try get(base + "?limit=1000")
            #expect(list.object["next_cursor"] == .null)
            let listed = Dictionary(
                list.data.map { ($0["id"]?.stringValue ?? "", $0) }, uniquingKeysWith: { a, _ in a })
            let ndjson = try get(base + "?format=ndjson").text.split(separator: "\n").compactMap {
                try? JSONValue.parse(Array($0.utf8)).objectValue
            }
            let lines = Dictionary(ndjson.map { ($0["id"]?.stringValue ?? "", $0) }, uniquingKeysWith: { a, _ in a })
            let table = Self.parseCSV(try get(base + "?format=csv").text)
            let header = table.first ?? []
            let rows = Dictionary(
                table.dropFirst().map { cells in
                    (cells.first ?? "", Dictionary(zip(header, cells), uniquingKeysWith: { a, _ in a }))
                }, uniquingKeysWith: { a, _ in a })
            var features: [String: JSONObject] = [:]
            if kind.hasPlace {
                let collection = try get(base + "?format=geojson").object
                for feature in collection["features"]?.arrayValue?.compactMap(\.objectValue) ?? [] {
                    features[feature["id"]?.stringValue ?? ""] = feature
                }
            }
            for record in records where record.kind == kind {
                let path = "\(base)/\(record.id)"
                guard record.plan.level <= clearance else {
                    _ = try get(path, status: 404, naming: record.id)
                    _ = try get(path + "/history", status: 404, naming: record.id)
                    for (output, ids) in [
                        ("list", Set(listed.keys)), ("NDJSON", Set(lines.keys)), ("CSV", Set(rows.keys)),
                        ("GeoJSON", Set(features.keys)),
                    ] {
                        #expect(!ids.contains(record.id), "\(output) at \(clearance.name) holds \(record.name)")
                    }
                    continue
                }
                let protection = record.protection
                let single = try get(path)
                agree(
                    .json(single.object), state: record.stored, protection: protection, of: record, at: clearance,
                    path: "JSON GET")
                for (output, found) in [("JSON list", listed[record.id]), ("NDJSON", lines[record.id])] {
                    #expect(found != nil, "\(output) at \(clearance.name) lacks \(record.name)")
                    if let found {
                        agree(
                            .json(found), state: record.stored, protection: protection, of: record, at: clearance,
                            path: output)
                    }
                }
                #expect(rows[record.id] != nil, "CSV at \(clearance.name) lacks \(record.name)")
                if let row = rows[record.id] {
                    agree(
                        .csv(row), state: record.stored, protection: protection, of: record, at: clearance, path: "CSV")
                }
                if kind.hasPlace {
                    #expect(features[record.id] != nil, "GeoJSON at \(clearance.name) lacks \(record.name)")
                    if let feature = features[record.id] {
                        agree(
                            .feature(
                                properties: feature["properties"]?.objectValue ?? JSONObject(),
                                geometry: feature["geometry"] ?? .null),
                            state: record.stored, protection: protection, of: record, at: clearance, path: "GeoJSON")
                    }
                }
                let history = try get(path + "/history")
                agreeEntries(history.data, of: record, at: clearance, path: "history")
            }
        }
        try visitFeed(at: clearance) { try get($0, status: $1) }
        try visitSearch(at: clearance) { try get($0, status: $1) }
        // Nothing hidden appears anywhere at this clearance: no value the policy hides from it in
        // every state it is shown, and nothing of a record above it (nor its id).
        for record in records {
            var hidden: Set<String>
            if record.plan.level > clearance {
                hidden = [record.id]
                for (state, _) in record.states(at: .confidential) {
                    for spec in record.kind.fields {
                        for column in spec.columns { hidden.formUnion(Self.uniqueTokens(state[column])) }
                    }
                }
            } else {
                hidden = []
                var shown = Set<String>()
                for (state, protection) in record.states(at: clearance) {
                    for spec in record.kind.fields {
                        let decision = record.policy.decision(for: spec, clearance: clearance, protection: protection)
                        for column in spec.columns {
                            if decision == .omitted || decision == .label {
                                hidden.formUnion(Self.uniqueTokens(state[column]))
                            } else {
                                shown.formUnion(Self.uniqueTokens(state[column]))
                            }
                        }
                    }
                }
                hidden.subtract(shown)
            }
            for token in hidden {
                for body in bodies where body.text.contains(token) && !(token == record.id && body.named == token) {
                    Issue.record("\(body.path) at \(clearance.name) shows \(token), hidden from it, of \(record.name)")
                }
            }
            checks["hidden values absent (value × body)", default: 0] += hidden.count * bodies.count
        }
    }

    /// A record's audit entries (history or feed) as `clearance` sees them, against the stored
    /// snapshots.
    func agreeEntries(_ entries: [JSONObject], of record: WalkRecord, at clearance: Confidentiality, path: String) {
        #expect(
            entries.count == record.history.count,
            "\(path) at \(clearance.name): \(entries.count) entries of \(record.name), \(record.history.count) stored")
        for (entry, stored) in zip(entries, record.history) {
            #expect(entry["action"] == stored["action"] && entry["at"] == stored["at"], "\(path) of \(record.name)")
            for side in ["before", "after"] {
                guard let snapshot = stored[side]?.objectValue else {
                    #expect(entry[side] == .null, "\(path) at \(clearance.name): \(side) of \(record.name)")
                    continue
                }
                guard let shown = entry[side]?.objectValue else {
                    Issue.record("\(path) at \(clearance.name): no \(side) snapshot of \(record.name)")
                    continue
                }
                agree(
                    .json(shown), state: snapshot, protection: record.snapshotProtection(snapshot, at: clearance),
                    of: record, at: clearance, path: path)
            }
        }
    }

    /// The changes feed, every page: each record's entries agree, and none of a hidden record.
    func visitFeed(at clearance: Confidentiality, get: (String, Int) throws -> TestResponse) throws {
        var entries: [JSONObject] = []
        var since: String?
        var pages = 0
        repeat {
            let page = try get("/v1/changes?limit=1000" + (since.map { "&since=\($0)" } ?? ""), 200)
            entries += page.data
            since = page.object["has_more"] == .bool(true) ? page.object["next_since"]?.stringValue : nil
            pages += 1
        } while since != nil && pages < 100
        var byRecord: [String: [JSONObject]] = [:]
        for entry in entries { byRecord[entry["record_id"]?.stringValue ?? "", default: []].append(entry) }
        for record in records {
            let mine = byRecord[record.id] ?? []
            if record.plan.level > clearance {
                #expect(mine.isEmpty, "the feed at \(clearance.name) holds \(mine.count) entries of \(record.name)")
            } else {
                agreeEntries(mine, of: record, at: clearance, path: "feed")
            }
        }
    }

    /// Search across kinds and each kind's `q=` list, for every marker a record ever held.
    ///
    /// The indexes hold a kind's searchable text fields (learnt here at confidential, where the
    /// policy shows every field) for the records a clearance may see; a marker is found exactly
    /// where the policy shows its field, and never where it is omitted or labelled. The one rule
    /// the indexes add: a protected source's name is indexed at no level, confidential included
    /// (migrations/0016), so it is never found by its name, even where the policy shows it.
    func visitSearch(at clearance: Confidentiality, get: (String, Int) throws -> TestResponse) throws {
        var observations:
            [(
                record: WalkRecord, field: String, marker: String, current: Bool, hits: [JSONObject],
                listed: [JSONObject]
            )] = []
        for record in records {
            for (field, marker, current) in record.markers {
                let hits = try get("/v1/search?q=\(marker)&limit=100", 200).data
                let listed = try get("/v1/\(record.kind.rawValue)?q=\(marker)&limit=100", 200).data
                observations.append((record, field, marker, current, hits, listed))
            }
        }
        if clearance == .confidential {
            for observation in observations where !observation.hits.isEmpty {
                searchable.insert("\(observation.record.kind.rawValue).\(observation.field)")
            }
            for kind in ResourceKind.allCases {
                #expect(
                    searchable.contains("\(kind.rawValue).\(kind.labelField)"),
                    "\(kind.rawValue) is not found by its label")
            }
        }
        for (record, field, marker, current, hits, listed) in observations {
            guard let spec = record.kind.field(named: field) else { continue }
            let protection = record.protection
            let decision = record.policy.decision(for: spec, clearance: clearance, protection: protection)
            let indexed =
                searchable.contains("\(record.kind.rawValue).\(field)")
                && !(spec.visibility == .protectedName && protection.identityProtected)
            let findable = record.plan.level <= clearance && current && decision == .shown && indexed
            let what =
                "search for \(marker) (\(field), \(current ? "current" : "patched away"), \(decision)) at \(clearance.name), \(record.name)"
            checks["search hits", default: 0] += 1
            checks["search list q=", default: 0] += 1
            #expect(
                hits.allSatisfy { $0["id"]?.stringValue == record.id },
                "\(what): hits \(hits.map { Self.text($0["id"]) })")
            #expect(listed.allSatisfy { $0["id"]?.stringValue == record.id }, "\(what): listed \(listed.count)")
            #expect(hits.count == (findable ? 1 : 0), "\(what): \(hits.count) hits")
            #expect(listed.count == (findable ? 1 : 0), "\(what): \(listed.count) records listed")
            if let hit = hits.first, hit["id"]?.stringValue == record.id,
                let labelSpec = record.kind.field(named: record.kind.labelField)
            {
                let labelDecision = record.policy.decision(for: labelSpec, clearance: clearance, protection: protection)
                let label = expected(
                    labelSpec, column: labelSpec.name, in: record.stored, decision: labelDecision,
                    protection: protection)
                checks["search hits", default: 0] += 1
                #expect(hit["kind"] == .string(record.kind.rawValue), "\(what): kind \(Self.text(hit["kind"]))")
                #expect(
                    hit["label"] == (label ?? .string("")),
                    "\(what): label \(Self.text(hit["label"])), expected \(Self.text(label))")
                #expect(
                    hit["snippet"]?.stringValue?.contains("<mark>\(marker)</mark>") == true,
                    "\(what): snippet \(Self.text(hit["snippet"]))")
            }
            if let found = listed.first, found["id"]?.stringValue == record.id {
                agree(
                    .json(found), state: record.stored, protection: protection, of: record, at: clearance,
                    path: "search list q=")
                #expect(found["snippet"]?.stringValue?.contains("<mark>\(marker)</mark>") == true, "\(what): snippet")
            }
        }
    }

    // MARK: Coverage

    /// Every visibility the catalog uses, and every decision, was met: a walk that never hid a
    /// place, say, would pass without checking anything that matters.
    func checkCoverage() {
        let everyVisibility: [FieldVisibility] = [
            .always, .recordLevel, .placeLevel, .exactPlace, .placePrecision, .confidentialOnly, .protectedName,
            .identityGuard,
        ]
        /// The decisions the walk must have met for each visibility: a new visibility does not
        /// compile until it is named here.
        func mustSee(_ visibility: FieldVisibility) -> Set<Decision> {
            switch visibility {
            case .always, .recordLevel, .identityGuard: [.shown]
            case .placeLevel: [.placeLevel]
            case .exactPlace, .confidentialOnly: [.shown, .omitted]
            case .placePrecision: [.shown, .coarsened]
            case .protectedName: [.shown, .label]
            }
        }
        let used = Set(ResourceKind.allCases.flatMap { $0.fields.map(\.visibility) })
        for visibility in used {
            #expect(everyVisibility.contains(visibility), "\(visibility) is not walked")
            #expect(
                mustSee(visibility).isSubset(of: seen[visibility] ?? []),
                "\(visibility): met \(seen[visibility] ?? []), must meet \(mustSee(visibility))")
        }
        for visibility in everyVisibility {
            #expect(used.contains(visibility), "no field of the catalog is \(visibility)")
        }
        let met = seen.values.reduce(into: Set<Decision>()) { $0.formUnion($1) }
        #expect(met == Set(Decision.allCases), "decisions met: \(met)")
        for kind in ResourceKind.allCases {
            #expect(records.contains { $0.kind == kind }, "no \(kind.rawValue) walked")
        }
    }
}
