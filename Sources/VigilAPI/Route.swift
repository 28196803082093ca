import VigilStore

extension VigilService {
    /// What a route does: the router dispatches on it and the OpenAPI document describes it, so
    /// the two are made from the same table.
    enum Action: Sendable {
        case health, metrics, openAPI, vocabularies, changes, search, facets, timeline
        case list(ResourceKind)
        case get(ResourceKind)
        case create(ResourceKind)
        case update(ResourceKind)
        case delete(ResourceKind)
        case restore(ResourceKind)
        case history(ResourceKind)
        case links, link, unlink
        case importRecords(ResourceKind)
    }
}

extension VigilService.Action {
    var isFacets: Bool {
        if case .facets = self { return true }
        return false
    }
}

extension VigilService {
    /// One route: method, path pattern and action.
    struct Route: Sendable {
        let method: String
        let pattern: String
        let action: Action
        /// The largest body accepted (the server's default of 1 MiB when nil).
        var bodyLimit: Int? = nil

        /// The `{name}` segments of the pattern.
        var pathParameters: [String] {
            pattern.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
        }

        var operationID: String {
            switch action {
            case .health: "health"
            case .metrics: "metrics"
            case .openAPI: "openapi"
            case .vocabularies: "listVocabularies"
            case .changes: "listChanges"
            case .search: "search"
            case .facets: "incident_facets"
            case .timeline: "incident_timeline"
            case .list(let kind): "list_\(kind.rawValue)"
            case .get(let kind): "get_\(kind.singular)"
            case .create(let kind): "create_\(kind.singular)"
            case .update(let kind): "update_\(kind.singular)"
            case .delete(let kind): "delete_\(kind.singular)"
            case .restore(let kind): "restore_\(kind.singular)"
            case .history(let kind): "history_\(kind.singular)"
            case .links: "list_incident_sites"
            case .link: "link_incident_sites"
            case .unlink: "unlink_incident_site"
            case .importRecords(let kind): "import_\(kind.rawValue)"
            }
        }

        var summary: String {
            switch action {
            case .health: "Liveness check (no token needed)."
            case .metrics: "Prometheus text: answers by status class, memory, database size (nothing about records)."
            case .openAPI: "This OpenAPI document."
            case .vocabularies: "Every controlled vocabulary, with a label and a definition per code."
            case .changes: "Every change after a sequence number, in order, clearance applied."
            case .search: "Full-text search across every resource, ranked, with highlighted snippets."
            case .facets: "Counts of incidents per value of each field, over the same filters as the list."
            case .timeline:
                "Counts of incidents per month or year of occurred_earliest, over the same filters as the list."
            case .list(let kind): "List \(kind.rawValue): filters, sort, cursor pagination, count."
            case .get(let kind): "One \(kind.singular), with ETag; include= embeds related records."
            case .create(let kind): "Create one \(kind.singular) (object) or many (array, all or none)."
            case .update(let kind): "JSON Merge Patch of a \(kind.singular); If-Match for optimistic concurrency."
            case .delete(let kind): "Tombstone a \(kind.singular) (admins)."
            case .restore(let kind): "Restore a deleted \(kind.singular) (admins)."
            case .history(let kind): "The \(kind.singular)'s audit entries with before and after."
            case .links: "The sites linked to an incident, with role, period and note."
            case .link: "Link an incident to sites (object or array)."
            case .unlink: "Remove one incident-site link."
            case .importRecords(let kind):
                "Import \(kind.rawValue) from CSV (header = field names) or NDJSON, all or nothing unless mode=partial."
            }
        }
    }

    /// Every route, in matching order: literal paths before `{id}` patterns.
    static let routes: [Route] = {
        var routes = [
            Route(method: "GET", pattern: "/healthz", action: .health),
            Route(method: "GET", pattern: "/metrics", action: .metrics),
            Route(method: "GET", pattern: "/openapi.json", action: .openAPI),
            Route(method: "GET", pattern: "/v1/vocabularies", action: .vocabularies),
            Route(method: "GET", pattern: "/v1/changes", action: .changes),
            Route(method: "GET", pattern: "/v1/search", action: .search),
        ]
        for kind in ResourceKind.allCases {
            let base = "/v1/\(kind.rawValue)"
            routes.append(Route(method: "GET", pattern: base, action: .list(kind)))
            routes.append(Route(method: "POST", pattern: base, action: .create(kind)))
            routes.append(
                Route(
                    method: "POST", pattern: base + "/import", action: .importRecords(kind), bodyLimit: importBodyLimit)
            )
            if kind == .incidents {
                routes.append(Route(method: "GET", pattern: base + "/facets", action: .facets))
                routes.append(Route(method: "GET", pattern: base + "/timeline", action: .timeline))
                routes.append(Route(method: "GET", pattern: base + "/{id}/sites", action: .links))
                routes.append(Route(method: "POST", pattern: base + "/{id}/sites", action: .link))
                routes.append(Route(method: "DELETE", pattern: base + "/{id}/sites/{link_id}", action: .unlink))
            }
            routes.append(Route(method: "GET", pattern: base + "/{id}", action: .get(kind)))
            routes.append(Route(method: "PATCH", pattern: base + "/{id}", action: .update(kind)))
            routes.append(Route(method: "DELETE", pattern: base + "/{id}", action: .delete(kind)))
            routes.append(Route(method: "POST", pattern: base + "/{id}/restore", action: .restore(kind)))
            routes.append(Route(method: "GET", pattern: base + "/{id}/history", action: .history(kind)))
        }
        return routes
    }()
}
