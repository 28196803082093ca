import VigilHTTP
import VigilJSON
import VigilStore

/// An RFC 9457 problem: the one shape every error takes on the wire.
///
/// Errors render themselves: each knows its status, and field errors travel in `errors`.
/// Nothing internal (SQL, a stack, a path on disk) ever goes into `detail`.
struct Problem: Error, CustomStringConvertible {
    var description: String { detail }

    let status: Int
    let title: String
    let detail: String
    var errors: [JSONObject] = []
    var headers: HTTPHeaders = HTTPHeaders()

    init(
        _ status: Int, _ title: String, _ detail: String, errors: [JSONObject] = [],
        headers: HTTPHeaders = HTTPHeaders()
    ) {
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers
    }

    /// The response: `application/problem+json` with `type`, `title`, `status`, `detail`
    /// and, for validation, `errors`.
    var response: HTTPResponse {
        .problem(status: status, title: title, detail: detail, errors: errors, headers: headers)
    }

    static func badRequest(_ detail: String, errors: [JSONObject] = []) -> Problem {
        Problem(400, "Bad Request", detail, errors: errors)
    }

    static func unprocessable(_ detail: String, errors: [JSONObject] = []) -> Problem {
        Problem(422, "Unprocessable Content", detail, errors: errors)
    }

    static func fieldError(_ field: String, _ message: String, index: Int? = nil) -> JSONObject {
        var object = JSONObject()
        if let index { object["index"] = .int(Int64(index)) }
        object["field"] = .string(field)
        object["message"] = .string(message)
        return object
    }

    /// The problem for any error a handler met; unknown errors become a logged 500 whose
    /// detail reveals nothing.
    static func from(_ error: any Error) -> Problem {
        if let problem = error as? Problem { return problem }
        if let error = error as? StoreError { return from(error) }
        return Problem(500, "Internal Server Error", "The server could not answer; the error was logged.")
    }

    static func from(_ error: StoreError) -> Problem {
        switch error {
        case .notFound(let kind, let id):
            return Problem(404, "Not Found", "No \(singular(kind)) \(id).")
        case .gone(let kind, let id):
            return Problem(410, "Gone", "The \(singular(kind)) \(id) was deleted.")
        case .validation(let errors):
            return .unprocessable(
                "The record is not valid: " + errors.map(\.description).joined(separator: "; "),
                errors: errors.map { fieldError($0.field, $0.message) })
        case .batchValidation(let byIndex):
            let items = byIndex.keys.sorted()
            return .unprocessable(
                "No record was created: item(s) \(items.map(String.init).joined(separator: ", ")) are not valid.",
                errors: items.flatMap { index in
                    (byIndex[index] ?? []).map { fieldError($0.field, $0.message, index: index) }
                })
        case .badQuery(let parameter, let message):
            return .badRequest("Query parameter \(parameter): \(message).", errors: [fieldError(parameter, message)])
        case .versionMismatch(let expected, let current):
            return Problem(
                412, "Precondition Failed",
                "The record is at version \(current), not \(expected): fetch it again and reapply your change.")
        case .forbidden(let message):
            return Problem(403, "Forbidden", message.prefix(1).uppercased() + message.dropFirst() + ".")
        case .conflict(let message):
            return Problem(409, "Conflict", message.prefix(1).uppercased() + message.dropFirst() + ".")
        case .idempotencyMismatch:
            return .unprocessable("This Idempotency-Key was already used with a different request.")
        case .answerPurged(let id):
            return Problem(
                410, "Gone",
                "This Idempotency-Key's request created \(id), which was purged; its answer was erased with it.")
        case .overBudget:  // caught by the endpoint, which runs the request again off the event thread
            return Problem(
                503, "Service Unavailable", "The server is busy; retry shortly.", headers: ["Retry-After": "1"])
        case .storage:
            switch error.storageFault {
            case .busy:
                return Problem(
                    503, "Service Unavailable", "The database is busy; retry shortly.", headers: ["Retry-After": "1"])
            case .pastTimeLimit:
                return Problem(
                    503, "Service Unavailable",
                    "The query ran past the server's time limit; narrow it with filters or a smaller limit.")
            case .diskFull:
                return Problem(507, "Insufficient Storage", "The disk is full; nothing was written.")
            case .diskError:
                // A write's transaction was rolled back and the writer goes on (docs/reliability.md,
                // "Storage faults"): the disk may recover, so this is a retryable 503, not a 500.
                // Reads meet the same error, hence words true of both.
                return Problem(
                    503, "Service Unavailable",
                    "The database's disk failed to read or write; nothing was written. Retry shortly.",
                    headers: ["Retry-After": "5"])
            case .other, nil:
                return Problem(500, "Internal Server Error", "The server could not answer; the error was logged.")
            }
        case .databaseTooNew, .corrupt, .foreign, .unusableFile:
            return Problem(500, "Internal Server Error", "The server could not answer; the error was logged.")
        }
    }

    private static func singular(_ kind: String) -> String { ResourceKind.singular(ofKindNamed: kind) }
}
