/// Routes requests by method and path pattern (`/v1/incidents/{id}`).
///
/// No matching path is a 404 problem; a matching path without the method is a 405 problem with an
/// `Allow` header; HEAD is served by the GET route (the server drops the body). Segments are
/// matched after percent-decoding each one separately, so `%2F` inside an id stays in the id.
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

        /// Reads the route in place, by index: the routes are shared by every thread, and copying
        /// them (as `zip` or `for route in routes` do) bounces their reference counts between cores.
        func match(_ pathSegments: [String]) -> [String: String]? {
            guard pathSegments.count == segments.count else { return nil }
            return segments.withUnsafeBufferPointer { segments -> [String: String]? in
                for index in segments.indices {
                    if case .literal(let literal) = segments[index], literal != pathSegments[index] { return nil }
                }
                var parameters: [String: String] = [:]
                for index in segments.indices {
                    guard case .parameter(let name) = segments[index] else { continue }
                    if pathSegments[index].isEmpty { return nil }
                    parameters[name] = pathSegments[index]
                }
                return parameters
            }
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
        routes.append(Route(method: method, segments: segments, bodyLimit: bodyLimit, mayBlock: blocks, handler: handler))
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        guard let pathSegments = Router.decodedSegments(request.rawPath) else {
            return .problem(status: 400, title: "Bad Request", detail: "Invalid percent-encoding in the path.")
        }
        switch lookup(method: request.method, pathSegments: pathSegments) {
        case .found(let route, let parameters):
            var request = request
            request.pathParameters = parameters
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
              case .found(let route, _) = lookup(method: head.method, pathSegments: segments)
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
        if !readsMayBlock && (head.method == "GET" || head.method == "HEAD") { return false }
        guard let segments = Router.decodedSegments(head.rawPath),
              case .found(let route, _) = lookup(method: head.method, pathSegments: segments)
        else { return false }
        return route.mayBlock
    }

    enum Lookup {
        case found(Route, [String: String])
        case methodNotAllowed([String])
        case notFound
    }

    func lookup(method: String, pathSegments: [String]) -> Lookup {
        var allowed: Set<String> = []
        let found = routes.withUnsafeBufferPointer { routes -> Lookup? in
            for index in routes.indices {
                guard let parameters = routes[index].match(pathSegments) else { continue }
                let routeMethod = routes[index].method
                if routeMethod == method || (method == "HEAD" && routeMethod == "GET") {
                    return .found(routes[index], parameters)
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
    static func decodedSegments(_ rawPath: String) -> [String]? {
        let bytes = Array(rawPath.utf8)
        var segments: [String] = []
        segments.reserveCapacity(4)
        guard var start = bytes.firstIndex(of: UInt8(ascii: "/")) else { return [] }
        start += 1
        var index = start
        while true {
            if index == bytes.count || bytes[index] == UInt8(ascii: "/") {
                guard let decoded = PercentDecoding.decode(bytes[start..<index], plusAsSpace: false) else { return nil }
                segments.append(decoded)
                if index == bytes.count { return segments }
                start = index + 1
            }
            index += 1
        }
    }
}
