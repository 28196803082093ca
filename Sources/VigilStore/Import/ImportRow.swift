import VigilJSON

/// One data row of an imported file: its number (data rows count from 1, in file order), the
/// record it describes, and whatever was wrong with it before validation (a cell that is not a
/// number, a line that is not JSON).
public struct ImportRow: Sendable {
    public let line: Int
    public let object: JSONObject
    public let errors: [FieldError]
}

/// A file that cannot be imported at all (bad header, not UTF-8, unbalanced quotes).
public struct ImportFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// Columns an export writes that only the server sets: accepted in imports and ignored, so an
/// exported file imports as it is.
enum ImportedColumns {
    static func isIgnored(_ name: String, kind: ResourceKind) -> Bool {
        Catalog.systemFields.contains(name) || kind.computedFields.contains(name)
            || ((name.hasSuffix("_earliest") || name.hasSuffix("_latest")) && kind.field(named: name) == nil)
    }
}
