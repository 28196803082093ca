import VigilJSON

/// A record as one caller may see it, ready to be written as JSON.
///
/// Built only by the store, after redaction, so that whatever the API does with it cannot show
/// more than the caller's clearance allows.
public struct Record: Sendable {
    /// Which resource it is.
    public let kind: ResourceKind
    /// The record's id.
    public let id: String
    /// The version, also the ETag.
    public let version: Int64
    /// True for a tombstone.
    public let isDeleted: Bool

    /// Reads encode records straight from the row into JSON text (``RecordEncoder``); writes
    /// build them as objects. Either form gives the other on demand, so a response that only
    /// sends the record never builds an object, and code that needs fields can still read them.
    private enum Body: Sendable {
        case object(JSONObject)
        case encoded([UInt8])
    }
    private var body: Body

    init(kind: ResourceKind, id: String, version: Int64, isDeleted: Bool, json: JSONObject) {
        self.kind = kind
        self.id = id
        self.version = version
        self.isDeleted = isDeleted
        body = .object(json)
    }

    init(kind: ResourceKind, id: String, version: Int64, isDeleted: Bool, encoded: [UInt8]) {
        self.kind = kind
        self.id = id
        self.version = version
        self.isDeleted = isDeleted
        body = .encoded(encoded)
    }

    /// The whole record: stored fields (redacted), date bounds, computed counts, system fields.
    /// A record read from the store is encoded text, and each access parses it: read it once
    /// into a local when several fields are needed.
    public var json: JSONObject {
        get {
            switch body {
            case .object(let object): return object
            case .encoded(let bytes):
                guard case .object(let object)? = try? JSONValue.parse(bytes) else { return JSONObject() }
                return object
            }
        }
        set { body = .object(newValue) }
    }

    /// The size of the encoded form, or an estimate for a record held as an object (to reserve
    /// room before copying records into a response).
    public var encodedByteCount: Int {
        switch body {
        case .object: 512
        case .encoded(let bytes): bytes.count
        }
    }

    /// The record as compact JSON text: what responses and exports send.
    public var encoded: [UInt8] {
        switch body {
        case .object(let object): JSONValue.object(object).serialized()
        case .encoded(let bytes): bytes
        }
    }

    /// Appends the record's JSON text to `buffer`.
    public func write(into buffer: inout [UInt8]) {
        switch body {
        case .object(let object): JSONValue.object(object).write(into: &buffer)
        case .encoded(let bytes): buffer.append(contentsOf: bytes)
        }
    }

    /// Adds a key the record does not have (a snippet, an included list) at the end, keeping
    /// the encoded form when there is one. `value` is JSON text.
    public mutating func append(key: String, json value: [UInt8]) {
        switch body {
        case .object(var object):
            object[key] = (try? JSONValue.parse(value)) ?? .null
            body = .object(object)
        case .encoded(var bytes):
            guard bytes.last == UInt8(ascii: "}") else { return }
            bytes.removeLast()
            if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
            JSONWriter.writeKey(key, into: &bytes)
            bytes.append(contentsOf: value)
            bytes.append(UInt8(ascii: "}"))
            body = .encoded(bytes)
        }
    }

    /// The strong ETag for this version: `"<version>"`.
    public var etag: String { "\"\(version)\"" }
}

extension StoredRecord {
    /// Renders the record for `clearance`: field order as in the catalog, missing fields as
    /// null, redacted fields left out.
    ///
    /// Written straight into JSON text, the form a response sends, rather than built as an object
    /// of some forty keys and serialized in a second pass. The text is the same as
    /// `JSONValue.object(_:).serialized()` of the object the same keys and values would make
    /// (`RecordEncoderTests.encoderMatchesDecodeRedactSerialize` compares the two, and both with
    /// the read path's encoder).
    ///
    /// A record above `clearance` is not found, as on every read: a state read for an audit
    /// entry or a check cannot leave the store as an answer by mistake.
    func render(for clearance: Confidentiality) throws(StoreError) -> Record {
        guard confidentiality <= clearance else { throw .notFound(kind: kind.rawValue, id: id) }
        var visible = state
        let removed = AccessPolicy(kind).redact(&visible, for: clearance)
        var text: [UInt8] = []
        text.reserveCapacity(1024)
        text.append(UInt8(ascii: "{"))
        // Every key below is distinct by construction (the kind's field names, their date bounds,
        // its computed names and the bookkeeping fields), so none is searched for before it is
        // written; debug builds check that.
        #if DEBUG
            var written = Set<String>()
        #endif
        func add(_ key: String, _ value: JSONValue?) {
            #if DEBUG
                assert(written.insert(key).inserted, "\(key) twice in a \(kind.rawValue) record")
            #endif
            if text.count > 1 { text.append(UInt8(ascii: ",")) }
            JSONWriter.writeKey(key, into: &text)
            (value ?? .null).write(into: &text)
        }
        add("id", .string(id))
        for spec in kind.fields where !removed.contains(spec.name) {
            add(spec.name, visible[spec.name])
            if let bounds = spec.boundNames {
                add(bounds.earliest, self.bounds[bounds.earliest])
                add(bounds.latest, self.bounds[bounds.latest])
            }
        }
        for entry in computed.entries { add(entry.key, entry.value) }
        add("version", .int(version))
        add("created_at", state["created_at"])
        add("updated_at", state["updated_at"])
        if let deleted = state["deleted_at"] { add("deleted_at", deleted) }
        text.append(UInt8(ascii: "}"))
        return Record(kind: kind, id: id, version: version, isDeleted: isDeleted, encoded: text)
    }
}
