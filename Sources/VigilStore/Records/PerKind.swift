/// One value per resource kind, built once and read without hashing a key or copying the value:
/// the tables every request reads (codecs, encoders) are shared by all threads, and copying one
/// bounces the reference counts of its arrays and strings between cores.
struct PerKind<Value: Sendable>: Sendable {
    private let incidents: Value
    private let sites: Value
    private let sources: Value
    private let actors: Value
    private let allegations: Value
    private let denials: Value

    init(_ make: (ResourceKind) -> Value) {
        incidents = make(.incidents)
        sites = make(.sites)
        sources = make(.sources)
        actors = make(.actors)
        allegations = make(.allegations)
        denials = make(.denials)
    }

    /// Inlined, so that the accessor's frame is on the caller's stack: called through, the
    /// coroutine's frame was allocated with malloc on every read (two per by-id request).
    @inline(__always)
    subscript(kind: ResourceKind) -> Value {
        _read {
            switch kind {
            case .incidents: yield incidents
            case .sites: yield sites
            case .sources: yield sources
            case .actors: yield actors
            case .allegations: yield allegations
            case .denials: yield denials
            }
        }
    }
}
