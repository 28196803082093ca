import VigilJSON
import VigilStore

/// The OpenAPI `links` of the document's success responses: how the answer of one operation
/// feeds the next (a created record's id into its GET, PATCH, DELETE and history; its ETag into
/// If-Match). Clients can follow them, and schemathesis' stateful phase chains requests along
/// them, so the fuzzer reaches records it created and the versions it just read rather than
/// random ids that are all 404s.
enum OpenAPILinks {
    private static func object(_ pairs: [(String, JSONValue)]) -> JSONValue { .object(JSONObject(pairs)) }

    /// One link: the target operation and its parameters as runtime expressions.
    private static func link(_ operationID: String, _ parameters: [(String, String)]) -> JSONValue {
        object([
            ("operationId", .string(operationID)),
            ("parameters", object(parameters.map { ($0.0, JSONValue.string($0.1)) })),
        ])
    }

    /// `incident` → `Incident`, for link names.
    private static func title(_ kind: ResourceKind) -> String {
        kind.singular.prefix(1).uppercased() + kind.singular.dropFirst()
    }

    /// The links of `route`'s success response, keyed by link name (empty when it has none).
    static func links(_ route: VigilService.Route) -> [(String, JSONValue)] {
        let id = ("path.id", "$response.body#/id")
        let etag = ("header.If-Match", "$response.header.ETag")
        func record(_ kind: ResourceKind, withETag: Bool) -> [(String, JSONValue)] {
            let name = title(kind)
            var result: [(String, JSONValue)] = [
                ("Get\(name)", link("get_\(kind.singular)", [id])),
                ("History\(name)", link("history_\(kind.singular)", [id])),
                ("Update\(name)", link("update_\(kind.singular)", withETag ? [id, etag] : [id])),
                ("Delete\(name)", link("delete_\(kind.singular)", withETag ? [id, etag] : [id])),
            ]
            if kind == .incidents {
                result.append(("List\(name)Sites", link("list_incident_sites", [id])))
                result.append(("Link\(name)Sites", link("link_incident_sites", [id])))
            }
            return result
        }
        switch route.action {
        case .create(let kind), .get(let kind), .update(let kind), .restore(let kind):
            // A batch create answers {"data": [...]}: #/id does not resolve and the link is not followed.
            return record(kind, withETag: true)
        case .delete(let kind):
            let name = title(kind)
            return [
                ("Restore\(name)", link("restore_\(kind.singular)", [id])),
                ("Get\(name)", link("get_\(kind.singular)", [id])),
                ("History\(name)", link("history_\(kind.singular)", [id])),
            ]
        case .list(let kind):
            let first = ("path.id", "$response.body#/data/0/id")
            let name = title(kind)
            return [
                ("GetFirst\(name)", link("get_\(kind.singular)", [first])),
                ("HistoryOfFirst\(name)", link("history_\(kind.singular)", [first])),
            ]
        case .link:
            let incident = ("path.id", "$response.body#/incident_id")
            return [
                ("ListIncidentSites", link("list_incident_sites", [incident])),
                (
                    "UnlinkIncidentSite",
                    link("unlink_incident_site", [incident, ("path.link_id", "$response.body#/id")])
                ),
            ]
        case .links:
            return [
                (
                    "UnlinkFirstSite",
                    link(
                        "unlink_incident_site",
                        [
                            ("path.id", "$response.body#/data/0/incident_id"),
                            ("path.link_id", "$response.body#/data/0/id"),
                        ])
                )
            ]
        default:
            return []
        }
    }
}
