import Foundation
import Glibc
import VigilAPI
import VigilHTTP
import VigilStore

@testable import VigilJSON

/// A real Vigil server on 127.0.0.1 (a free port) over a fresh database file, with one token
/// per role and clearance. Shut down when the value goes away.
final class TestServer {
    let directory: URL
    let store: Store
    let server: HTTPServer
    let port: Int
    /// Secrets by name: admin, editor, editor-restricted, reader-public, reader-restricted,
    /// reader-confidential, revoked.
    private(set) var tokens: [String: String] = [:]

    init(
        publicRead: Bool = false, demo: Bool = false, cors: CORSPolicy? = nil,
        queryTimeLimit: Duration = Store.defaultQueryTimeLimit, eventThreads: Int = 4, log: HTTPAccessLog = .disabled
    ) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-api-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try Store(
            path: directory.appendingPathComponent("vigil.db").path, readers: max(2, eventThreads + 2),
            queryTimeLimit: queryTimeLimit)
        if demo { try DemoDataset.load(into: store) }
        let specs: [(String, Role, Confidentiality)] = [
            ("admin", .admin, .confidential), ("editor", .editor, .confidential),
            ("editor-restricted", .editor, .restricted),
            ("reader-public", .reader, .public), ("reader-restricted", .reader, .restricted),
            ("reader-confidential", .reader, .confidential), ("revoked", .admin, .confidential),
        ]
        for (name, role, clearance) in specs {
            tokens[name] = try store.createToken(name: name, role: role, clearance: clearance, as: .commandLine).secret
        }
        _ = try store.revokeToken(name: "revoked", as: .commandLine)
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.workerThreads = eventThreads
        server = HTTPServer(
            configuration: configuration,
            handler: VigilService(store: store, publicRead: publicRead).router(cors: cors),
            log: log)
        try server.start()
        port = server.boundPort
        let running = server
        Thread { running.run() }.start()
    }

    deinit {
        server.shutdownAndWait()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Sends one request and returns the response. `token` names an entry of ``tokens``
    /// (nil: no Authorization header).
    func request(
        _ method: String, _ target: String, token: String? = "admin", json: String? = nil, body: [UInt8]? = nil,
        headers: [(String, String)] = []
    ) throws -> TestResponse {
        var allHeaders = headers
        if let token { allHeaders.append(("Authorization", "Bearer \(tokens[token] ?? token)")) }
        var payload = body ?? []
        if let json {
            payload = Array(json.utf8)
            if !allHeaders.contains(where: { $0.0.lowercased() == "content-type" }) {
                allHeaders.append(("Content-Type", "application/json"))
            }
        }
        return try TestClient.send(port: port, method: method, target: target, headers: allHeaders, body: payload)
    }
}

/// A parsed response.
struct TestResponse {
    let status: Int
    let headers: [(String, String)]
    let body: [UInt8]

    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSONValue? { try? JSONValue.parse(body) }
    var object: JSONObject { json?.objectValue ?? JSONObject() }
    /// `data` of a list answer.
    var data: [JSONObject] { object["data"]?.arrayValue?.compactMap(\.objectValue) ?? [] }
    /// Field names in a problem's `errors`.
    var errorFields: [String] {
        object["errors"]?.arrayValue?.compactMap { $0.objectValue?["field"]?.stringValue } ?? []
    }
}

/// A minimal blocking HTTP/1.1 client: one connection per request, `Connection: close`, the
/// response read to the end. Enough to see exactly what the server sent.
enum TestClient {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static func send(
        port: Int, method: String, target: String, headers: [(String, String)], body: [UInt8]
    ) throws -> TestResponse {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" || method == "PATCH" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        let raw = try exchange(port: port, bytes: Array(head.utf8) + body)
        return try parse(raw, method: method)
    }

    static func exchange(port: Int, bytes: [UInt8]) throws -> [UInt8] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw Failure(description: "connect failed: \(errno)") }
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw Failure(description: "send failed") }
            sent += count
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            response += buffer[0..<count]
        }
        return response
    }

    static func parse(_ raw: [UInt8], method: String) throws -> TestResponse {
        guard
            let end = (0..<max(0, raw.count - 3)).first(where: {
                raw[$0] == 13 && raw[$0 + 1] == 10 && raw[$0 + 2] == 13 && raw[$0 + 3] == 10
            })
        else { throw Failure(description: "no complete response head in \(raw.count) bytes") }
        let lines = String(decoding: raw[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw Failure(description: "bad status line \(lines[0])")
        }
        var headers: [(String, String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append(
                (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var body = Array(raw[(end + 4)...])
        if headers.contains(where: { $0.0.lowercased() == "transfer-encoding" && $0.1.lowercased() == "chunked" }) {
            body = try dechunk(body)
        }
        return TestResponse(status: status, headers: headers, body: body)
    }

    static func dechunk(_ bytes: [UInt8]) throws -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let lineEnd = (index..<bytes.count - 1).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 })
            else { break }
            let sizeText = String(decoding: bytes[index..<lineEnd], as: UTF8.self).split(separator: ";")[0]
            guard let size = Int(sizeText, radix: 16) else { throw Failure(description: "bad chunk size") }
            index = lineEnd + 2
            if size == 0 { break }
            out += bytes[index..<index + size]
            index += size + 2
        }
        return out
    }
}
