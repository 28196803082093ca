import VigilHTTP
import VigilJSON
import VigilStore

/// List, get, create, patch, delete, restore and history for the six resources.
extension VigilService {
    func list(_ kind: ResourceKind, _ request: HTTPRequest, _ caller: Authenticator.Caller) throws -> HTTPResponse {
        let parameters = QueryParameters(request)
        if let format = try ExportFormat.requested(by: request, parameters: parameters) {
            let query = try parameters.filterQuery(for: kind, extra: ["format"], sortable: true)
            return try RecordExporter(store: store, kind: kind, query: query, context: caller.context, format: format)
                .response()
        }
        let query = try parameters.listQuery(for: kind, extra: ["format"])
        let page = try store.list(kind, query, as: caller.context)
        // {"data":[…],"next_cursor":…,"total":…}, the records copied in as the store encoded them.
        var body: [UInt8] = Array(#"{"data":"#.utf8)
        // The cursor is at most 4 KiB of base64 (Cursor.decode refuses longer ones).
        Responses.append(page.records, into: &body, trailing: 64 + (page.nextCursor?.utf8.count ?? 0))
        body += Array(#","next_cursor":"#.utf8)
        (page.nextCursor.map(JSONValue.string) ?? .null).write(into: &body)
        if let total = page.total {
            body += Array(#","total":"#.utf8)
            JSONWriter.writeInt(Int64(total), into: &body)
        }
        body.append(UInt8(ascii: "}"))
        var headers = HTTPHeaders()
        if let next = page.nextCursor {
            headers.add(
                name: "Link", value: "<\(request.path)?\(parameters.replacingCursor(with: next))>; rel=\"next\"")
        }
        return Responses.json(encoded: body, headers: headers)
    }

    func get(_ kind: ResourceKind, _ request: HTTPRequest, _ caller: Authenticator.Caller) throws -> HTTPResponse {
        let parameters = QueryParameters(request)
        try parameters.refuseUnknown(allowed: ["include"])
        let id = request.pathParameters["id"] ?? ""
        var record = try store.record(kind, id: id, as: caller.context)
        if let header = request.headers["If-None-Match"], ETagList(header, comparison: .weak).matches(record.version) {
            var headers = HTTPHeaders()
            headers.add(name: "ETag", value: record.etag)
            headers.add(name: "Cache-Control", value: "no-store")
            return HTTPResponse(status: 304, headers: headers)
        }
        if let include = try parameters.single("include") {
            let related = RelatedRecords(store: store, context: caller.context)
            for (name, value) in try related.embed(include, into: record) {
                record.append(key: name, json: value)
            }
        }
        return Responses.record(record)
    }

    func create(_ kind: ResourceKind, _ request: HTTPRequest, _ caller: Authenticator.Caller) throws -> HTTPResponse {
        try QueryParameters(request).refuseUnknown(allowed: [])
        let body = try RequestBody.requireJSON(request)
        let inputs: [JSONObject]
        let isBatch: Bool
        switch body {
        case .object(let object):
            inputs = [object]
            isBatch = false
        case .array(let items):
            guard !items.isEmpty else { throw Problem.unprocessable("The array is empty: nothing to create.") }
            guard items.count <= 10_000 else { throw Problem.unprocessable("Send at most 10000 records per request.") }
            var objects: [JSONObject] = []
            var positions: [Int] = []  // each object's index in the array
            var notObjects: [Int] = []
            for (index, item) in items.enumerated() {
                if case .object(let object) = item {
                    objects.append(object)
                    positions.append(index)
                } else {
                    notObjects.append(index)
                }
            }
            if !notObjects.isEmpty {
                // Refused whatever the rest holds; the answer still lists every bad item.
                var byIndex = try store.problems(creating: kind, objects, as: caller.context)
                    .reduce(into: [Int: [FieldError]]()) { $0[positions[$1.key]] = $1.value }
                for index in notObjects { byIndex[index] = [FieldError("", "must be a JSON object")] }
                throw StoreError.batchValidation(byIndex)
            }
            inputs = objects
            isBatch = true
        default:
            throw Problem.unprocessable("The body must be a JSON object or an array of objects.")
        }

        let render: ([Record]) -> StoredAnswer = { records in
            if isBatch {
                var body = Array(#"{"data":"#.utf8)
                Responses.append(records, into: &body)
                body.append(UInt8(ascii: "}"))
                return StoredAnswer(status: 201, headers: ["Content-Type": "application/json"], body: body)
            }
            let record = records[0]
            return StoredAnswer(
                status: 201,
                headers: [
                    "Content-Type": "application/json", "ETag": record.etag,
                    "Location": "/v1/\(kind.rawValue)/\(record.id)",
                ],
                body: record.encoded)
        }
        do {
            if let key = request.headers["Idempotency-Key"] {
                guard !key.isEmpty, key.utf8.count <= 255 else {
                    throw Problem.badRequest("Idempotency-Key must be 1 to 255 characters.")
                }
                let idempotency = IdempotencyKey(
                    tokenID: caller.tokenID ?? "anonymous", key: key,
                    requestHash: Fingerprint.of(method: request.method, path: request.path, body: request.body))
                switch try store.createMany(kind, inputs, as: caller.context, idempotency: idempotency, render: render)
                {
                case .created(let answer): return Responses.stored(answer, replayed: false)
                case .replayed(let first, let current): return try Responses.replay(of: first, current, render: render)
                }
            }
            let records = try store.createMany(kind, inputs, as: caller.context)
            return Responses.stored(render(records), replayed: false)
        } catch StoreError.batchValidation(let byIndex) where !isBatch {
            throw StoreError.validation(byIndex[0] ?? [])
        }
    }

    func update(_ kind: ResourceKind, _ request: HTTPRequest, _ caller: Authenticator.Caller) throws -> HTTPResponse {
        try QueryParameters(request).refuseUnknown(allowed: [])
        let id = request.pathParameters["id"] ?? ""
        let patch = try RequestBody.object(try RequestBody.requireJSON(request, allowMergePatch: true))
        var expected: Int64?
        if let header = request.headers["If-Match"] {
            let list = ETagList(header, comparison: .strong)
            if list.isWildcard {
                expected = nil
            } else if let version = list.versions.first, list.versions.count == 1 {
                expected = version
            } else {
                // Several tags: the current version must be one of them.
                let current = try store.record(kind, id: id, as: caller.context)
                guard list.matches(current.version) else {
                    throw StoreError.versionMismatch(expected: list.versions.first ?? -1, current: current.version)
                }
                expected = current.version
            }
        }
        let record = try store.update(kind, id: id, patch: patch, expectedVersion: expected, as: caller.context)
        return Responses.record(record)
    }

    func delete(_ kind: ResourceKind, _ request: HTTPRequest, _ caller: Authenticator.Caller) throws -> HTTPResponse {
        try QueryParameters(request).refuseUnknown(allowed: [])
        let id = request.pathParameters["id"] ?? ""
        if let header = request.headers["If-Match"] {
            let current = try store.record(kind, id: id, as: caller.context)
            let list = ETagList(header, comparison: .strong)
            guard list.isWildcard || list.matches(current.version) else {
                throw StoreError.versionMismatch(expected: list.versions.first ?? -1, current: current.version)
            }
        }
        return Responses.record(try store.delete(kind, id: id, as: caller.context))
    }

    func restore(_ kind: ResourceKind, _ request: HTTPRequest, _ caller: Authenticator.Caller) throws -> HTTPResponse {
        try QueryParameters(request).refuseUnknown(allowed: [])
        return Responses.record(try store.restore(kind, id: request.pathParameters["id"] ?? "", as: caller.context))
    }

    func history(_ kind: ResourceKind, _ request: HTTPRequest, _ caller: Authenticator.Caller) throws -> HTTPResponse {
        try QueryParameters(request).refuseUnknown(allowed: [])
        let entries = try store.history(kind, id: request.pathParameters["id"] ?? "", as: caller.context)
        return Responses.json(.object(JSONObject([("data", .array(entries.map { .object($0.json) }))])))
    }
}

extension Responses {
    /// A stored (or just stored) create answer; a replay says so in `Idempotent-Replayed`.
    static func stored(_ answer: StoredAnswer, replayed: Bool) -> HTTPResponse {
        var headers = HTTPHeaders()
        for (name, value) in answer.headers.sorted(by: { $0.key < $1.key }) { headers.add(name: name, value: value) }
        headers.replaceOrAdd(name: "Cache-Control", value: "no-store")
        if replayed { headers.add(name: "Idempotent-Replayed", value: "true") }
        return HTTPResponse(status: answer.status, headers: headers, body: .bytes(answer.body))
    }
}

extension Responses {
    /// A retried create, answered as a read of what it created would be answered now (the brief:
    /// a record above a token's clearance is absent from idempotent replays). When every record
    /// is readable: the first answer's status and header fields, with the records as they are now
    /// (fields, version and its `ETag`, computed counts, redaction) in the first answer's shape.
    /// Otherwise a problem with the status a read would get, naming no record (the client may
    /// never have seen the first answer, so a hidden record's id must not reach it here): 404
    /// when any is above the caller's clearance now, else 410 when any was deleted. A batch is
    /// answered whole, as it was created: one record it can no longer read and the replay shows
    /// none.
    static func replay(of first: StoredAnswer, _ current: ReplayedRecords, render: ([Record]) -> StoredAnswer) throws
        -> HTTPResponse
    {
        var replayed = HTTPHeaders()
        replayed.add(name: "Idempotent-Replayed", value: "true")
        switch current {
        case .readable(let records) where !records.isEmpty:
            let now = render(records)
            var headers = first.headers
            headers["ETag"] = now.headers["ETag"]
            return stored(StoredAnswer(status: first.status, headers: headers, body: now.body), replayed: true)
        case .readable, .notFound:
            // `.readable([])`: an answer stored with no record ids (none the API writes).
            throw Problem(
                404, "Not Found",
                "What this Idempotency-Key's request created is not found now, so its answer is not replayed. "
                    + "A new key creates new records.",
                headers: replayed)
        case .gone:
            throw Problem(
                410, "Gone",
                "A record this Idempotency-Key's request created was deleted since, so its answer is not replayed; "
                    + "an admin can restore it. A new key creates new records.",
                headers: replayed)
        }
    }
}

/// A request's fingerprint for idempotency: the same key must come with the same request.
enum Fingerprint {
    static func of(method: String, path: String, body: [UInt8]) -> String {
        StoreHashing.sha256(Array("\(method) \(path)\n".utf8) + body)
    }
}

/// The entity tags of an `If-Match` / `If-None-Match` header: `"3"`, `W/"3"`, lists, or `*`.
struct ETagList {
    /// RFC 9110 §8.8.3.2: `If-Match` compares strongly (a weak tag never matches, since a write
    /// must be based on exactly this version); `If-None-Match` weakly.
    enum Comparison { case strong, weak }

    let isWildcard: Bool
    let versions: [Int64]

    init(_ header: String, comparison: Comparison) {
        var versions: [Int64] = []
        var wildcard = false
        for part in header.split(separator: ",") {
            var tag = part.trimmingBlanks()
            if tag == "*" {
                wildcard = true
                continue
            }
            if tag.hasPrefix("W/") {
                guard comparison == .weak else {
                    versions.append(-1)
                    continue
                }
                tag.removeFirst(2)
            }
            if tag.hasPrefix("\""), tag.hasSuffix("\""), tag.count >= 2 { tag = String(tag.dropFirst().dropLast()) }
            if let version = Int64(tag) { versions.append(version) } else { versions.append(-1) }
        }
        self.isWildcard = wildcard
        self.versions = versions
    }

    func matches(_ version: Int64) -> Bool { isWildcard || versions.contains(version) }
}
