import Foundation

@testable import VigilJSON
@testable import VigilStore

/// A fresh database file in its own temporary folder, removed when the value goes away.
/// Each test makes its own, so tests run in parallel without sharing state.
final class TemporaryStore {
    let directory: URL
    let path: String
    let store: Store

    init(readers: Int = 2, keptForReadBatches: Int = 0) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("vigil.db").path
        store = try Store(path: path, readers: readers, keptForReadBatches: keptForReadBatches)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }
}

/// Access contexts used across tests.
enum Caller {
    static let admin = AccessContext(actor: "admin", role: .admin, clearance: .confidential)
    static let editor = AccessContext(actor: "editor", role: .editor, clearance: .confidential)
    static let restrictedEditor = AccessContext(actor: "editor-r", role: .editor, clearance: .restricted)
    static let publicReader = AccessContext(actor: "reader-p", role: .reader, clearance: .public)
    static let restrictedReader = AccessContext(actor: "reader-r", role: .reader, clearance: .restricted)
    static let confidentialReader = AccessContext(actor: "reader-c", role: .reader, clearance: .confidential)
}

extension JSONObject {
    /// Builds an object from a JSON text literal, for readable test input.
    static func json(_ text: String) throws -> JSONObject {
        guard case .object(let object) = try JSONValue.parse(Array(text.utf8)) else {
            throw TestFailure("not a JSON object: \(text)")
        }
        return object
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Store {
    /// Creates a record from a JSON text, as an admin.
    @discardableResult
    func make(_ kind: ResourceKind, _ json: String, as context: AccessContext = Caller.admin) throws -> Record {
        try create(kind, try JSONObject.json(json), as: context)
    }
}

extension StoreError {
    /// The fields named by a validation error (empty for other errors).
    var fieldNames: [String] {
        switch self {
        case .validation(let errors): errors.map(\.field)
        case .batchValidation(let errors): errors.values.flatMap { $0.map(\.field) }
        default: []
        }
    }
}
