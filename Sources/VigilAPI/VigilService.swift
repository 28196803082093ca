import Glibc
import VigilHTTP
import VigilJSON
import VigilStore

/// The REST API: every route of the brief's HTTP interface, on top of the store.
///
/// Handlers authenticate, read parameters, call one store operation (which applies clearance
/// and role) and render JSON. Every error becomes an `application/problem+json` response.
///
/// ```swift
/// let service = VigilService(store: try Store(path: "vigil.db"), publicRead: false)
/// let server = HTTPServer(configuration: .init(port: 8080), handler: service.router())
/// ```
public struct VigilService: Sendable {
    public let store: Store
    let authenticator: Authenticator
    let metrics = Metrics()
    /// Largest body for imports (CSV, NDJSON).
    public static let importBodyLimit = 64 * 1024 * 1024

    public init(store: Store, publicRead: Bool) {
        self.store = store
        self.authenticator = Authenticator(store: store, publicRead: publicRead)
    }

    /// The router for ``routes``; `cors` lets browser pages of other origins read the answers.
    public func router(cors: CORSPolicy? = nil) -> Router {
        var router = Router()
        router.cors = cors
        for route in Self.routes {
            router.add(route.method, route.pattern, bodyLimit: route.bodyLimit, handler(for: route.action))
        }
        let store = store
        router.batch = { body in store.readBatch(body) }
        router.costlyRead = Self.isCostlyRead
        router.loggedQueryNames = Self.loggedQueryNames
        router.willWait = { store.endReadBatch() }
        return router
    }

    private func handler(for action: Action) -> Router.Handler {
        switch action {
        case .health: return { _ in health() }
        case .openAPI: return endpoint { _, _ in Responses.json(OpenAPIDocument.document) }
        case .metrics: return endpoint { request, caller in try metricsText(request, caller) }
        case .vocabularies: return endpoint { request, _ in try vocabularies(request) }
        case .changes: return endpoint { request, caller in try changes(request, caller) }
        case .search: return endpoint { request, caller in try search(request, caller) }
        case .facets: return endpoint { request, caller in try facets(request, caller) }
        case .timeline: return endpoint { request, caller in try timeline(request, caller) }
        case .list(let kind): return endpoint { request, caller in try list(kind, request, caller) }
        case .get(let kind): return endpoint { request, caller in try get(kind, request, caller) }
        case .create(let kind): return endpoint { request, caller in try create(kind, request, caller) }
        case .update(let kind): return endpoint { request, caller in try update(kind, request, caller) }
        case .delete(let kind): return endpoint { request, caller in try delete(kind, request, caller) }
        case .restore(let kind): return endpoint { request, caller in try restore(kind, request, caller) }
        case .history(let kind): return endpoint { request, caller in try history(kind, request, caller) }
        case .links: return endpoint { request, caller in try links(request, caller) }
        case .link: return endpoint { request, caller in try link(request, caller) }
        case .unlink: return endpoint { request, caller in try unlink(request, caller) }
        case .importRecords(let kind): return endpoint { request, caller in try importRecords(kind, request, caller) }
        }
    }

    /// Wraps a handler: authenticate, run, turn any error into a problem response.
    func endpoint(
        _ body: @escaping @Sendable (HTTPRequest, Authenticator.Caller) throws -> HTTPResponse
    ) -> Router.Handler {
        let authenticator = self.authenticator
        let store = self.store
        let metrics = self.metrics
        @Sendable func answer(_ request: HTTPRequest) -> HTTPResponse {
            do {
                let run = { try body(request, try authenticator.authenticate(request)) }
                // A read request makes all its reads, authentication included, in one session.
                guard request.method == "GET" || request.method == "HEAD" else { return try run() }
                guard request.onEventThread else { return try store.readSession(run) }
                do {
                    return try store.withinReadBudget(Self.eventThreadReadBudget) { try store.readSession(run) }
                } catch StoreError.overBudget {
                    return .runOnBlockingPool
                }
            } catch {
                var problem = Problem.from(error)
                if problem.status == 403, !Authenticator.hasCredentials(request) { problem = Authenticator.missing }
                if problem.status >= 500 {
                    // The method and path only: no query values, headers or body reach the log.
                    HTTPAccessLog.event("vigil: \(request.method) \(request.path) failed: \(String(describing: error))")
                }
                return problem.response
            }
        }
        return { request in
            let response = answer(request)
            if !response.isRunOnBlockingPool { metrics.count(status: response.status) }
            return response
        }
    }

    /// How long the reads of one request may take on an event thread, which serves other
    /// connections meanwhile, before the request is moved to the blocking pool and run again
    /// there (see ``Store/withinReadBudget(_:_:)``): what an unforeseen costly read (a scan of
    /// every row) can delay a cheap one by. A page of 50 incidents takes about 0.2 ms.
    static let eventThreadReadBudget: Duration = .milliseconds(5)

    /// Reads known to be costly from their head alone, sent straight to the blocking pool rather
    /// than tried on an event thread first: full-text searches (bm25 scores every match, and
    /// each hit gets a snippet) and pages of more than 100 records.
    @Sendable static func isCostlyRead(_ head: HTTPRequestHead) -> Bool {
        if head.rawPath == "/v1/search" { return true }
        guard head.rawQuery != nil else { return false }
        for item in head.queryItems {
            if item.name == "q" { return true }
            if item.name == "limit", let limit = Int(item.value), limit > 100 { return true }
        }
        return false
    }

    /// `GET /metrics`: see ``Metrics``. Admins only: request counts and the database's growth
    /// show when records are written, hidden ones included.
    func metricsText(_ request: HTTPRequest, _ caller: Authenticator.Caller) throws -> HTTPResponse {
        try caller.context.require(.admin, to: "reading metrics")
        try QueryParameters(request).refuseUnknown(allowed: [])
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")
        headers.replaceOrAdd(name: "Cache-Control", value: "no-store")
        return HTTPResponse(status: 200, headers: headers, body: .bytes(Array(metrics.text(store: store).utf8)))
    }

    func health() -> HTTPResponse {
        Responses.json(.object(JSONObject([("status", .string("ok"))])))
    }
}

/// JSON responses.
enum Responses {
    static func json(_ value: JSONValue, status: Int = 200, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        json(encoded: value.serialized(), status: status, headers: headers)
    }

    /// A body already encoded as JSON text.
    static func json(encoded body: [UInt8], status: Int = 200, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var headers = headers
        headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        headers.replaceOrAdd(name: "Cache-Control", value: "no-store")
        return HTTPResponse(status: status, headers: headers, body: .bytes(body))
    }

    /// `[record,record,…]` as JSON text, each record copied in as the store encoded it.
    static func array(_ records: [Record]) -> [UInt8] {
        var out: [UInt8] = []
        append(records, into: &out)
        return out
    }

    /// Appends `[record,record,…]` to `out`, room made once for all of them and for `trailing`
    /// bytes the caller adds after: a page of 50 is about 52 KB, and growing the buffer as it
    /// went copied it about twice over.
    static func append(_ records: [Record], into out: inout [UInt8], trailing: Int = 1) {
        out.reserveCapacity(out.count + records.reduce(2 + trailing) { $0 + $1.encodedByteCount + 1 })
        out.append(UInt8(ascii: "["))
        for (index, record) in records.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            record.write(into: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    /// One record with its ETag.
    static func record(_ record: Record, status: Int = 200, extraHeaders: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var headers = extraHeaders
        headers.replaceOrAdd(name: "ETag", value: record.etag)
        return json(encoded: record.encoded, status: status, headers: headers)
    }
}
