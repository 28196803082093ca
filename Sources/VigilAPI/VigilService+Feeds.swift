import VigilHTTP
import VigilJSON
import VigilStore

/// Links, the changes feed and the vocabularies.
extension VigilService {
    func links(_ request: HTTPRequest, _ caller: Authenticator.Caller) throws -> HTTPResponse {
        try QueryParameters(request).refuseUnknown(allowed: [])
        let links = try store.links(ofIncident: request.pathParameters["id"] ?? "", as: caller.context)
        return Responses.json(.object(JSONObject([("data", .array(links.map(JSONValue.object)))])))
    }

    func link(_ request: HTTPRequest, _ caller: Authenticator.Caller) throws -> HTTPResponse {
        try QueryParameters(request).refuseUnknown(allowed: [])
        let body = try RequestBody.requireJSON(request)
        let incidentID = request.pathParameters["id"] ?? ""
        let created = try store.link(incidentID: incidentID, body, as: caller.context)
        if case .object = body, let link = created.first {
            var headers = HTTPHeaders()
            headers.add(name: "Location", value: "/v1/incidents/\(incidentID)/sites/\(link["id"]?.stringValue ?? "")")
            return Responses.json(.object(link), status: 201, headers: headers)
        }
        return Responses.json(.object(JSONObject([("data", .array(created.map(JSONValue.object)))])), status: 201)
    }

    func unlink(_ request: HTTPRequest, _ caller: Authenticator.Caller) throws -> HTTPResponse {
        try QueryParameters(request).refuseUnknown(allowed: [])
        try store.unlink(
            incidentID: request.pathParameters["id"] ?? "", linkID: request.pathParameters["link_id"] ?? "",
            as: caller.context)
        return HTTPResponse(status: 204, headers: ["Cache-Control": "no-store"])
    }

    /// `GET /v1/changes`: `since` is passed to the store as given, which opens it or refuses it
    /// (a number included: positions are sealed, see `FeedPosition`); the `Link` header carries
    /// the sealed `next_since`, base64url, so it needs no escaping.
    func changes(_ request: HTTPRequest, _ caller: Authenticator.Caller) throws -> HTTPResponse {
        let parameters = QueryParameters(request)
        try parameters.refuseUnknown(allowed: ["since", "limit"])
        let since = try parameters.single("since")
        let limit = try parameters.integer("limit", in: 1...ListQuery.maximumLimit) ?? 100
        let page = try store.changes(since: since, limit: limit, as: caller.context)
        var body = JSONObject()
        body["data"] = .array(page.entries.map { .object($0.json) })
        body["next_since"] = .string(page.nextSince)
        body["has_more"] = .bool(page.hasMore)
        var headers = HTTPHeaders()
        if page.hasMore {
            headers.add(name: "Link", value: "</v1/changes?since=\(page.nextSince)&limit=\(limit)>; rel=\"next\"")
        }
        return Responses.json(.object(body), headers: headers)
    }

    func search(_ request: HTTPRequest, _ caller: Authenticator.Caller) throws -> HTTPResponse {
        let parameters = QueryParameters(request)
        try parameters.refuseUnknown(allowed: ["q", "limit"])
        guard let text = try parameters.single("q") else {
            throw Problem.badRequest("Give the words to search for in q.")
        }
        let limit = try parameters.integer("limit", in: 1...100) ?? 20
        let hits = try store.search(text, limit: limit, as: caller.context)
        let data: [JSONValue] = hits.map { hit in
            .object(
                JSONObject([
                    ("kind", .string(hit.kind.rawValue)), ("id", .string(hit.id)), ("label", .string(hit.label)),
                    ("snippet", .string(hit.snippet)),
                ]))
        }
        return Responses.json(.object(JSONObject([("data", .array(data))])))
    }

    func facets(_ request: HTTPRequest, _ caller: Authenticator.Caller) throws -> HTTPResponse {
        let parameters = QueryParameters(request)
        let query = try parameters.filterQuery(for: .incidents, extra: ["fields"])
        guard let fields = try parameters.single("fields") else {
            throw Problem.badRequest(
                "Name the fields to count in fields=, from \(Store.facetFields.joined(separator: ", ")).")
        }
        let (facets, total) = try store.facets(
            query, fields: fields.split(separator: ",").map(String.init), as: caller.context)
        var body = JSONObject()
        var object = JSONObject()
        for (field, counts) in facets {
            object[field] = .array(
                counts.map { .object(JSONObject([("value", $0.value), ("count", .int(Int64($0.count)))])) })
        }
        body["facets"] = .object(object)
        body["total"] = .int(Int64(total))
        return Responses.json(.object(body))
    }

    func timeline(_ request: HTTPRequest, _ caller: Authenticator.Caller) throws -> HTTPResponse {
        let parameters = QueryParameters(request)
        let query = try parameters.filterQuery(for: .incidents, extra: ["interval"])
        let name = try parameters.single("interval") ?? "month"
        guard let interval = TimelineInterval(rawValue: name) else {
            throw Problem.badRequest(
                "interval must be month or year.", errors: [Problem.fieldError("interval", "must be month or year")])
        }
        let (buckets, undated) = try store.timeline(query, interval: interval, as: caller.context)
        var body = JSONObject()
        body["interval"] = .string(interval.rawValue)
        body["data"] = .array(
            buckets.map { .object(JSONObject([("bucket", .string($0.0)), ("count", .int(Int64($0.1)))])) })
        body["undated"] = .int(Int64(undated))
        return Responses.json(.object(body))
    }

    func vocabularies(_ request: HTTPRequest) throws -> HTTPResponse {
        try QueryParameters(request).refuseUnknown(allowed: [])
        var body = JSONObject()
        for vocabulary in Vocabularies.all {
            body[vocabulary.name] = .array(
                vocabulary.terms.map { term in
                    .object(
                        JSONObject([
                            ("code", .string(term.code)), ("label", .string(term.label)),
                            ("definition", .string(term.definition)),
                        ]))
                })
        }
        return Responses.json(.object(body))
    }
}
