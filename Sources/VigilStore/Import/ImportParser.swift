import VigilJSON

/// Reads CSV (header names = field names) or NDJSON into rows of records for ``Store/importRecords``.
///
/// CSV cells are typed by the field catalog: numbers, `true`/`false`, lists split on `|`, an
/// empty cell for "not given". A leading `'` that an export put before `=`, `+`, `-`, `@` (formula
/// protection) is removed, so an export imports back as it was.
public enum ImportParser {
    public static func csv(_ bytes: [UInt8], kind: ResourceKind) throws(ImportFileError) -> [ImportRow] {
        let records = try CSVReader.records(bytes)
        guard let header = records.first else { throw ImportFileError(message: "the file is empty: no header row") }
        var seen = Set<String>()
        for name in header {
            guard seen.insert(name).inserted else { throw ImportFileError(message: "column \"\(name)\" appears twice") }
            guard kind.field(named: name) != nil || ImportedColumns.isIgnored(name, kind: kind) else {
                throw ImportFileError(message: "column \"\(name)\" is not a field of \(kind.rawValue)")
            }
        }
        var rows: [ImportRow] = []
        for (offset, cells) in records.dropFirst().enumerated() {
            var object = JSONObject()
            var errors: [FieldError] = []
            if cells.count != header.count {
                errors.append(FieldError("", "has \(cells.count) cells; the header has \(header.count)"))
            }
            for (name, cell) in zip(header, cells) where !cell.isEmpty {
                guard let spec = kind.field(named: name) else { continue }
                switch typed(unprotect(cell), as: spec.type) {
                case .success(let value): object[name] = value
                case .failure(let message): errors.append(FieldError(name, message.text))
                }
            }
            rows.append(ImportRow(line: offset + 1, object: object, errors: errors))
        }
        return rows
    }

    public static func ndjson(_ bytes: [UInt8], kind: ResourceKind) throws(ImportFileError) -> [ImportRow] {
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw ImportFileError(message: "the file is not UTF-8 text")
        }
        var rows: [ImportRow] = []
        var line = 0
        for slice in bytes.split(separator: 10, omittingEmptySubsequences: true) {
            var content = slice
            if content.last == 13 { content = content.dropLast() }
            if content.allSatisfy({ $0 == 32 || $0 == 9 }) { continue }
            line += 1
            do {
                guard case .object(var object) = try JSONValue.parse(Array(content)) else {
                    rows.append(
                        ImportRow(line: line, object: JSONObject(), errors: [FieldError("", "is not a JSON object")]))
                    continue
                }
                for key in object.keys where ImportedColumns.isIgnored(key, kind: kind) { object[key] = nil }
                rows.append(ImportRow(line: line, object: object, errors: []))
            } catch {
                rows.append(
                    ImportRow(
                        line: line, object: JSONObject(),
                        errors: [FieldError("", "is not valid JSON: \(error.message)")]))
            }
        }
        return rows
    }

    static func unprotect(_ cell: String) -> String {
        guard cell.hasPrefix("'"), let second = cell.unicodeScalars.dropFirst().first,
            ["=", "+", "-", "@", "\t", "\r"].contains(second)
        else { return cell }
        return String(cell.dropFirst())
    }

    static func typed(_ cell: String, as type: FieldType) -> Result<JSONValue, Message> {
        switch type {
        case .count:
            guard let number = Int64(cell) else { return .failure("\"\(cell)\" is not a whole number") }
            return .success(.int(number))
        case .coordinate:
            guard let number = Double(cell), number.isFinite else { return .failure("\"\(cell)\" is not a number") }
            return .success(.double(number))
        case .bool:
            switch cell.lowercased() {
            case "true", "1", "yes": return .success(.bool(true))
            case "false", "0", "no": return .success(.bool(false))
            default: return .failure("\"\(cell)\" is not true or false")
            }
        case .codes, .strings, .references:
            return .success(
                .array(cell.split(separator: "|", omittingEmptySubsequences: true).map { .string(String($0)) }))
        case .text, .url, .code, .country, .date, .reference, .level:
            return .success(.string(cell))
        }
    }
}
