/// Routes requests by method and path pattern (`/v1/incidents/{id}`).
///
/// No matching path is a 404 problem; a matching path without the method is a 405 problem with an
/// `Allow` header; HEAD is served by the GET route (the server drops the body). Segments are
/// matched after percent-decoding each one separately, so `%2F` inside an id stays in the id.
///
/// A literal segment wins over a parameter in the same place: `/v1/incidents/facets` is the
/// facets route only, never `/v1/incidents/{id}` (whose PATCH and DELETE its `Allow` once
/// offered). Routes are kept most literal first, so the first route that matches a path has its
/// shape, and only routes of that shape answer it.
public struct Router: HTTPHandler {
    /// The closure that answers a matched request.
    public typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse

    struct Route: Sendable {
        enum Segment: Sendable, Equatable {
            case literal(String)
            case parameter(String)
        }

        let method: String
        let segments: [Segment]
        let bodyLimit: Int?
        let mayBlock: Bool
        let handler: Handler

        /// Whether `self` is more literal than `other`: at the first place where one has a literal
        /// and the other a parameter, the one with the literal.
        func isMoreLiteral(than other: Route) -> Bool {
            for (mine, theirs) in zip(segments, other.segments) {
                switch (mine, theirs) {
                case (.literal, .parameter): return true
                case (.parameter, .literal): return false
                default: continue
                }
            }
            return false
        }

        /// Whether both routes have a literal, or both a parameter, at every place.
        func hasShape(of other: Route) -> Bool {
            guard segments.count == other.segments.count else { return false }
            for index in segments.indices {
                switch (segments[index], other.segments[index]) {
                case (.literal, .literal), (.parameter, .parameter): continue
                default: return false
                }
            }
            return true
        }

        /// Reads the route in place, by index: the routes are shared by every thread, and copying
        /// them (as `zip` or `for route in routes` do) bounces their reference counts between cores.
        func matches(_ pathSegments: [String]) -> Bool {
            guard pathSegments.count == segments.count else { return false }
            return segments.withUnsafeBufferPointer { segments -> Bool in
                for index in segments.indices {
                    switch segments[index] {
                    case .literal(let literal): if literal != pathSegments[index] { return false }
                    case .parameter: if pathSegments[index].isEmpty { return false }
                    }
                }
                return true
            }
        }

        /// The parameters of a path that ``matches(_:)``, by name: made only for the request the
        /// route answers (the body limit and blocking checks need the route alone).
        func parameters(_ pathSegments: [String]) -> [String: String] {
            var parameters: [String: String] = [:]
            for index in segments.indices {
                if case .parameter(let name) = segments[index] { parameters[name] = pathSegments[index] }
            }
            return parameters
        }
    }

    private var routes: [Route] = []
    /// Whether any GET route may block: when none does, a read is answered inline without a
    /// second route lookup.
    private var readsMayBlock = false
    /// Body limit for routes that do not set their own.
    public var defaultBodyLimit: Int
    /// Wraps each event-thread batch (see ``HTTPHandler/eventBatch(_:)``); nil runs it as it is.
    public var batch: (@Sendable (() -> Void) -> Void)?
    /// Called when an event thread is about to wait (see ``HTTPHandler/eventThreadWillWait()``).
    public var willWait: (@Sendable () -> Void)?
    /// Cross-origin access for browser pages (none when nil: no CORS headers, `OPTIONS` is 405).
    public var cors: CORSPolicy?
    /// Reads known from their head alone to be costly (a full-text search, say): they go
    /// straight to the blocking pool, so that they never hold an event thread's other
    /// connections. Asked before any route lookup, so it must be cheap.
    public var costlyRead: (@Sendable (HTTPRequestHead) -> Bool)?
    /// The query parameter names the access log may show (see ``LoggedQueryNames``): the
    /// application's declared names; none by default.
    public var loggedQueryNames = LoggedQueryNames.none

    public init(defaultBodyLimit: Int = HTTPLimits.defaultBodyLimit) {
        self.defaultBodyLimit = defaultBodyLimit
    }

    /// Adds a route. `bodyLimit` overrides the default for this route (e.g. larger for imports);
    /// `mayBlock` (see ``HTTPHandler/mayBlock(_:)``) defaults to true for every method but GET
    /// and HEAD: changes wait for a durable commit.
    public mutating func add(
        _ method: String, _ pattern: String, bodyLimit: Int? = nil, mayBlock: Bool? = nil, _ handler: @escaping Handler
    ) {
        let segments = Router.split(pattern).map { segment -> Route.Segment in
            if segment.hasPrefix("{") && segment.hasSuffix("}") && segment.count > 2 {
                return .parameter(String(segment.dropFirst().dropLast()))
            }
            return .literal(segment)
        }
        let blocks = mayBlock ?? (method != "GET" && method != "HEAD")
        if blocks && method == "GET" { readsMayBlock = true }
        let route = Route(method: method, segments: segments, bodyLimit: bodyLimit, mayBlock: blocks, handler: handler)
        // Before the first route it is more literal than, after all others: the order of routes
        // of one shape is the order they were added in.
        routes.insert(route, at: routes.firstIndex { route.isMoreLiteral(than: $0) } ?? routes.endIndex)
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        guard let cors else { return route(request) }
        let origin = request.headers["Origin"]
        if let origin, request.method == "OPTIONS", request.headers.contains("Access-Control-Request-Method") {
            return preflight(request, origin: origin, allowed: cors.allowedOrigins.contains(origin), cors: cors)
        }
        var response = route(request)
        // Every answer says it depends on Origin, so a cache never serves one origin's answer to another.
        response.headers.add(name: "Vary", value: "Origin")
        if let origin, cors.allowedOrigins.contains(origin) {
            for (name, value) in cors.answerHeaders(for: origin) {
                response.headers.replaceOrAdd(name: name, value: value)
            }
        }
        return response
    }

    /// A browser's preflight (`OPTIONS` with `Access-Control-Request-Method`): 204 with the methods
    /// of the path for an allowed origin; 403 for another origin, 404 for a path with no route.
    private func preflight(_ request: HTTPRequest, origin: String, allowed: Bool, cors: CORSPolicy) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add(name: "Vary", value: "Origin")
        guard allowed else {
            return .problem(
                status: 403, title: "Forbidden", detail: "The origin \(origin) is not allowed to call this API.",
                headers: headers)
        }
        guard let pathSegments = Router.decodedSegments(request.rawPath) else {
            return .problem(
                status: 400, title: "Bad Request", detail: "Invalid percent-encoding in the path.", headers: headers)
        }
        let methods: [String]
        switch lookup(method: "OPTIONS", pathSegments: pathSegments) {
        case .methodNotAllowed(let allowedMethods): methods = allowedMethods
        case .found(let route): methods = [route.method]
        case .notFound:
            return .problem(status: 404, title: "Not Found", detail: "No resource at this path.", headers: headers)
        }
        for (name, value) in cors.preflightHeaders(for: origin, methods: methods) {
            headers.add(name: name, value: value)
        }
        return HTTPResponse(status: 204, headers: headers)
    }

    private func route(_ request: HTTPRequest) -> HTTPResponse {
        guard let pathSegments = Router.decodedSegments(request.rawPath) else {
            return .problem(status: 400, title: "Bad Request", detail: "Invalid percent-encoding in the path.")
        }
        switch lookup(method: request.method, pathSegments: pathSegments) {
        case .found(let route):
            var request = request
            request.pathParameters = route.parameters(pathSegments)
            return route.handler(request)
        case .methodNotAllowed(let allowed):
            return .problem(
                status: 405, title: "Method Not Allowed",
                detail: "\(request.method) is not allowed here.",
                headers: ["Allow": allowed.joined(separator: ", ")]
            )
        case .notFound:
            return .problem(status: 404, title: "Not Found", detail: "No resource at this path.")
        }
    }

    public func bodyLimit(for head: HTTPRequestHead) -> Int {
        guard let segments = Router.decodedSegments(head.rawPath),
            case .found(let route) = lookup(method: head.method, pathSegments: segments)
        else { return defaultBodyLimit }
        return route.bodyLimit ?? defaultBodyLimit
    }

    public func eventBatch(_ body: () -> Void) {
        if let batch { batch(body) } else { body() }
    }

    public func eventThreadWillWait() {
        willWait?()
    }

    public func mayBlock(_ head: HTTPRequestHead) -> Bool {
        if head.method == "GET" || head.method == "HEAD" {
            if let costlyRead, costlyRead(head) { return true }
            if !readsMayBlock { return false }
        }
        guard let segments = Router.decodedSegments(head.rawPath),
            case .found(let route) = lookup(method: head.method, pathSegments: segments)
        else { return false }
        return route.mayBlock
    }

    enum Lookup {
        case found(Route)
        case methodNotAllowed([String])
        case notFound
    }

    func lookup(method: String, pathSegments: [String]) -> Lookup {
        var allowed: Set<String> = []
        let found = routes.withUnsafeBufferPointer { routes -> Lookup? in
            var shape: Int?  // the index of the first route that matched: only its shape answers
            for index in routes.indices {
                guard routes[index].matches(pathSegments) else { continue }
                if let shape {
                    guard routes[index].hasShape(of: routes[shape]) else { continue }
                } else {
                    shape = index
                }
                let routeMethod = routes[index].method
                if routeMethod == method || (method == "HEAD" && routeMethod == "GET") {
                    return .found(routes[index])
                }
                allowed.insert(routeMethod)
                if routeMethod == "GET" { allowed.insert("HEAD") }
            }
            return nil
        }
        if let found { return found }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed.sorted())
    }

    static func split(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
    }

    /// The path's segments after the leading `/`, each percent-decoded on its own.
    /// Read from the path's contiguous UTF-8; a segment without `%` is its own text.
    static func decodedSegments(_ rawPath: String) -> [String]? {
        var rawPath = rawPath
        return rawPath.withUTF8 { bytes -> [String]? in
            var segments: [String] = []
            segments.reserveCapacity(4)
            guard var start = bytes.firstIndex(of: UInt8(ascii: "/")) else { return [] }
            start += 1
            var index = start
            var hasPercent = false
            while true {
                if index == bytes.count || bytes[index] == UInt8(ascii: "/") {
                    let segment = UnsafeBufferPointer(rebasing: bytes[start..<index])
                    if hasPercent {
                        guard let decoded = PercentDecoding.decode(ArraySlice(segment), plusAsSpace: false) else {
                            return nil
                        }
                        segments.append(decoded)
                    } else {
                        // Without `%` a segment decodes to itself; the bytes come from a String, so they are UTF-8.
                        segments.append(String(decoding: segment, as: UTF8.self))
                    }
                    if index == bytes.count { return segments }
                    start = index + 1
                    hasPercent = false
                } else if bytes[index] == UInt8(ascii: "%") {
                    hasPercent = true
                }
                index += 1
            }
        }
    }
}
