import VigilJSON

/// One audit log entry as a caller may see it: snapshots above the caller's clearance are
/// nil, and the other fields redacted as in any output.
public struct AuditEntry: Sendable {
    /// Position in the whole log. Never shown: it counts every write, hidden ones included
    /// (see ``FeedPosition``); answers carry ``position`` instead.
    let seq: Int64
    /// The sealed changes-feed position just after this entry, for the caller's clearance:
    /// `since=` with it resumes the feed after this entry.
    public let position: String
    /// When the change was committed.
    public let at: String
    /// The token name (or `cli`) that made the change; nil for callers who are not admins.
    public let actor: String?
    /// `create`, `update`, `delete`, `restore`, `link`, `unlink`, `purge`.
    public let action: String
    /// The resource (`incidents`, …, or `links`).
    public let kind: String
    /// The record the change was made to.
    public let recordID: String
    /// The record before the change, when there was one and the caller may see it.
    public let before: JSONObject?
    /// The record after the change, when there is one and the caller may see it.
    public let after: JSONObject?

    /// The entry as JSON, for history and changes answers.
    public var json: JSONObject {
        var object = JSONObject()
        object["position"] = .string(position)
        object["at"] = .string(at)
        if let actor { object["actor"] = .string(actor) }
        object["action"] = .string(action)
        object["kind"] = .string(kind)
        object["record_id"] = .string(recordID)
        object["before"] = before.map(JSONValue.object) ?? .null
        object["after"] = after.map(JSONValue.object) ?? .null
        return object
    }
}

/// A page of the changes feed.
public struct ChangesPage: Sendable {
    public let entries: [AuditEntry]
    /// The sealed `since` for the next request: after the last entry when more wait, otherwise
    /// after everything scanned (hidden entries included, which the seal keeps from showing).
    public let nextSince: String
    /// True when more entries wait beyond this page.
    public let hasMore: Bool
}
