import CSQLite
import VigilSQLite

/// Everything a store operation can refuse or fail with, in terms the API maps to a status.
///
/// One type for the whole store keeps the mapping to HTTP in one `switch` in the API layer.
public enum StoreError: Error, Sendable, Equatable {
    /// The record does not exist, or exists above the caller's clearance (404: the two are
    /// indistinguishable on purpose).
    case notFound(kind: String, id: String)
    /// The record was deleted (410 for callers who could see it).
    case gone(kind: String, id: String)
    /// The input breaks one or more rules (422), every problem listed.
    case validation([FieldError])
    /// Several records in one request were refused (422), keyed by their index in the request.
    case batchValidation([Int: [FieldError]])
    /// A query parameter names an unknown field or operator, or has a bad value (400).
    case badQuery(parameter: String, message: String)
    /// The caller expected another version of the record (412).
    case versionMismatch(expected: Int64, current: Int64)
    /// The caller's role does not allow the operation (403).
    case forbidden(String)
    /// The operation collides with existing data, e.g. a token name in use (409).
    case conflict(String)
    /// An idempotency key was reused with a different request (422).
    case idempotencyMismatch
    /// An idempotency key's request created a record that was purged since (410): its stored
    /// answer was erased with it, and the request is not run again (that would bring it back).
    case answerPurged(id: String)
    /// The database was written by a newer Vigil; opening it could damage it.
    case databaseTooNew(found: Int, supported: Int)
    /// The database failed its integrity check; Vigil refuses to touch it.
    case corrupt(String)
    /// The file is a database of another program; Vigil refuses to change it.
    case foreign(String)
    /// The database file, its folder, or its `-wal` or `-shm` cannot be read or written by this
    /// process; the text names the path and what to do (found when the store opens).
    case unusableFile(String)
    /// The storage engine failed (disk full, I/O error, interrupted query…).
    case storage(SQLiteError)
    /// A read ran past the read budget of its thread (see ``Store/withinReadBudget(_:_:)``):
    /// not a failure of the request, which is to be run again without the budget.
    case overBudget

    /// Wraps any error thrown inside the store as a `StoreError`.
    static func wrap(_ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? SQLiteError { return .storage(error) }
        return .storage(SQLiteError(extendedCode: 1, message: String(describing: error)))
    }
}

extension StoreError: CustomStringConvertible {
    private static func singular(_ kind: String) -> String { ResourceKind.singular(ofKindNamed: kind) }

    public var description: String {
        switch self {
        case .notFound(let kind, let id): "no \(Self.singular(kind)) \(id)"
        case .gone(let kind, let id): "\(Self.singular(kind)) \(id) was deleted"
        case .validation(let errors): "invalid input: " + errors.map(\.description).joined(separator: "; ")
        case .batchValidation(let errors):
            "invalid items: " + errors.keys.sorted().map { "item \($0)" }.joined(separator: ", ")
        case .badQuery(let parameter, let message): "bad query parameter \(parameter): \(message)"
        case .versionMismatch(let expected, let current): "version \(expected) is stale; the record is at \(current)"
        case .forbidden(let message): message
        case .conflict(let message): message
        case .idempotencyMismatch: "this Idempotency-Key was already used with a different request"
        case .answerPurged(let id): "the record \(id) this request created was purged, and its answer with it"
        case .databaseTooNew(let found, let supported):
            "the database is at schema version \(found), newer than this vigil (\(supported)); use a newer vigil"
        case .corrupt(let message): "the database failed its integrity check: \(message)"
        case .foreign(let message): "not a Vigil database: \(message)"
        case .unusableFile(let message): message
        case .storage(let error): error.description
        case .overBudget: "the read ran past its thread's budget"
        }
    }
}

extension SQLiteError: Equatable {
    public static func == (lhs: SQLiteError, rhs: SQLiteError) -> Bool {
        lhs.extendedCode == rhs.extendedCode && lhs.message == rhs.message
    }
}

/// One rule broken by one field: the shape of the brief's `errors: [{"field", "message"}]`.
public struct FieldError: Sendable, Hashable, CustomStringConvertible {
    /// The field at fault, as the client named it (`lat`, `sites[0].role`).
    public let field: String
    /// What is wrong, for a person.
    public let message: String

    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

/// What a ``StoreError/storage(_:)`` failure means for whoever answers it, without knowing
/// SQLite's codes: whether to ask for a retry, and how soon.
public enum StorageFault: Sendable, Equatable {
    /// Another connection or process holds the lock past the busy timeout.
    case busy
    /// The statement was interrupted at the query time limit (or a read budget).
    case pastTimeLimit
    /// `SQLITE_FULL`: nothing was written; an operator must free space.
    case diskFull
    /// `SQLITE_IOERR`: a read, write or fsync failed; the write was rolled back.
    case diskError
    /// Anything else: a bug or a damaged file.
    case other
}

extension StoreError {
    /// The kind of a storage failure; nil for every other error.
    public var storageFault: StorageFault? {
        guard case .storage(let sqlite) = self else { return nil }
        if sqlite.isBusy { return .busy }
        switch sqlite.code {
        case SQLITE_INTERRUPT: return .pastTimeLimit
        case SQLITE_FULL: return .diskFull
        case SQLITE_IOERR: return .diskError
        default: return .other
        }
    }
}
