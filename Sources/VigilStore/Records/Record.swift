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
    /// The whole record: stored fields (redacted), date bounds, computed counts, system fields.
    public var json: JSONObject

    /// The strong ETag for this version: `"<version>"`.
    public var etag: String { "\"\(version)\"" }
}

extension StoredRecord {
    /// Renders the record for `clearance`: field order as in the catalog, missing fields as
    /// null, redacted fields left out.
    func render(for clearance: Confidentiality) -> Record {
        var visible = state
        let removed = Redaction.apply(to: &visible, kind: kind, clearance: clearance)
        var output = JSONObject()
        output["id"] = .string(id)
        for spec in kind.fields where !removed.contains(spec.name) {
            output[spec.name] = visible[spec.name] ?? .null
            if case .date = spec.type {
                output[spec.name + "_earliest"] = bounds[spec.name + "_earliest"] ?? .null
                output[spec.name + "_latest"] = bounds[spec.name + "_latest"] ?? .null
            }
        }
        for (name, value) in computed { output[name] = value }
        output["version"] = .int(version)
        output["created_at"] = state["created_at"] ?? .null
        output["updated_at"] = state["updated_at"] ?? .null
        if let deleted = state["deleted_at"] { output["deleted_at"] = deleted }
        return Record(kind: kind, id: id, version: version, isDeleted: isDeleted, json: output)
    }
}
