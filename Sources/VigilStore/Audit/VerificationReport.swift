/// What `vigil verify` found.
public struct VerificationReport: Sendable {
    /// Audit entries whose chain was checked.
    public let entries: Int
    /// Live rows (records and links) compared with their last audited state.
    public let records: Int
    /// Every fault found, in the order found; the first names the earliest entry or record at fault.
    public let problems: [String]

    /// True when the chain and the data check out.
    public var isIntact: Bool { problems.isEmpty }
}
