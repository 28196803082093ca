import VigilHTTP
import VigilJSON
import VigilStore

/// `include=allegations,denials,sites,sources` on a single GET: related records embedded in
/// the answer, each through the store so clearance applies to them as to any read.
/// Embedded lists are ordered by their date (`alleged_on`, `stated_on`, `period`), then id.
struct RelatedRecords {
    let store: Store
    let context: AccessContext

    /// What each kind can embed.
    static let allowed: [ResourceKind: [String]] = [
        .incidents: ["allegations", "denials", "sites", "sources"],
        .sites: ["allegations", "denials", "sources"],
        .allegations: ["denials", "sources"],
        .denials: ["allegations", "sources"],
        .sources: [],
        .actors: [],
    ]

    /// The embedded lists by name, each as JSON text (records keep the form the store encoded).
    func embed(_ include: String, into record: Record) throws -> [(String, [UInt8])] {
        let names = include.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let allowed = Self.allowed[record.kind] ?? []
        for name in names where !allowed.contains(name) {
            throw Problem.badRequest(
                "include=\(name) is not available for \(record.kind.rawValue); use \(allowed.isEmpty ? "nothing" : allowed.joined(separator: ", ")).",
                errors: [Problem.fieldError("include", "unknown include \(name)")])
        }
        var result: [(String, [UInt8])] = []
        var allegations: [Record]?
        func allegationsOfRecord() throws -> [Record] {
            if let allegations { return allegations }
            let found: [Record]
            switch record.kind {
            case .incidents: found = try list(.allegations, "incident_id", [record.id], sort: "alleged_on")
            case .sites: found = try list(.allegations, "site_id", [record.id], sort: "alleged_on")
            case .denials:
                found =
                    try record.json["allegation_id"]?.stringValue.map {
                        try list(.allegations, "id", [$0], sort: "alleged_on")
                    } ?? []
            default: found = []
            }
            allegations = found
            return found
        }
        for name in names {
            switch name {
            case "allegations":
                result.append((name, Responses.array(try allegationsOfRecord())))
            case "denials":
                var denials: [Record]
                switch record.kind {
                case .incidents:
                    let direct = try list(.denials, "incident_id", [record.id], sort: "stated_on")
                    let viaAllegations = try list(
                        .denials, "allegation_id", try allegationsOfRecord().map(\.id), sort: "stated_on")
                    var seen = Set<String>()
                    denials = (direct + viaAllegations).filter { seen.insert($0.id).inserted }
                case .sites: denials = try list(.denials, "site_id", [record.id], sort: "stated_on")
                case .allegations: denials = try list(.denials, "allegation_id", [record.id], sort: "stated_on")
                default: denials = []
                }
                // Each record's date read once (reading a field parses the record), then sorted.
                denials =
                    denials
                    .map { ($0.json["stated_on_earliest"]?.stringValue ?? "", $0) }
                    .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1.id < $1.1.id }
                    .map(\.1)
                result.append((name, Responses.array(denials)))
            case "sources":
                var ids: [String] = []
                if let own = record.json["source_id"]?.stringValue { ids.append(own) }
                if record.kind != .allegations {
                    ids += try allegationsOfRecord().compactMap { $0.json["source_id"]?.stringValue }
                }
                var seen = Set<String>()
                ids = ids.filter { seen.insert($0).inserted }
                result.append((name, Responses.array(try list(.sources, "id", ids, sort: "id"))))
            case "sites":
                let links = try store.links(ofIncident: record.id, as: context)
                let sites = try list(.sites, "id", links.compactMap { $0["site_id"]?.stringValue }, sort: "id")
                let byID = Dictionary(sites.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                let embedded: [JSONValue] = links.compactMap { link in
                    guard let id = link["site_id"]?.stringValue, var site = byID[id]?.json else { return nil }
                    var linkObject = JSONObject()
                    for key in ["id", "role", "period", "period_earliest", "period_latest", "note"] {
                        linkObject[key] = link[key] ?? .null
                    }
                    site["link"] = .object(linkObject)
                    return .object(site)
                }
                result.append((name, JSONValue.array(embedded).serialized()))
            default:
                break
            }
        }
        return result
    }

    /// Live records of `kind` whose `field` is one of `values`, visible to the caller.
    private func list(_ kind: ResourceKind, _ field: String, _ values: [String], sort: String) throws -> [Record] {
        var records: [Record] = []
        var start = 0
        while start < values.count {
            let chunk = values[start..<min(start + 100, values.count)]
            start += 100
            var query = ListQuery()
            query.filters = [Filter(field: field, op: .in, value: chunk.joined(separator: ","))]
            query.sort = [SortKey(field: sort, descending: false)]
            query.limit = ListQuery.maximumLimit
            var cursor: String?
            repeat {
                query.cursor = cursor
                let page = try store.list(kind, query, as: context)
                records += page.records
                cursor = page.nextCursor
            } while cursor != nil
        }
        return records
    }
}
