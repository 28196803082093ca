/// RFC 4180 CSV: comma-separated, fields optionally in double quotes (a quote inside doubled),
/// records ended by CRLF or LF. A UTF-8 byte order mark at the start (as spreadsheets write)
/// is skipped.
enum CSVReader {
    /// The records of `bytes`, each a list of fields, and the index of each record's first line
    /// is not needed: records are numbered by position.
    static func records(_ bytes: [UInt8]) throws(ImportFileError) -> [[String]] {
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        guard let text = String(validating: bytes[start...], as: UTF8.self) else {
            throw ImportFileError(message: "the file is not UTF-8 text")
        }
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var atFieldStart = true
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar?
        func next() -> Unicode.Scalar? {
            if let scalar = pending {
                pending = nil
                return scalar
            }
            return iterator.next()
        }
        while let scalar = next() {
            if quoted {
                if scalar == "\"" {
                    if let following = next() {
                        if following == "\"" {
                            field.unicodeScalars.append("\"")
                        } else {
                            quoted = false
                            pending = following
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where atFieldStart:
                quoted = true
                atFieldStart = false
            case ",":
                record.append(field)
                field = ""
                atFieldStart = true
            case "\r":
                // CRLF or a lone CR both end the record.
                if let following = next(), following != "\n" { pending = following }
                record.append(field)
                records.append(record)
                record = []
                field = ""
                atFieldStart = true
            case "\n":
                record.append(field)
                records.append(record)
                record = []
                field = ""
                atFieldStart = true
            default:
                field.unicodeScalars.append(scalar)
                atFieldStart = false
            }
        }
        if quoted { throw ImportFileError(message: "a quoted field is not closed before the end of the file") }
        if !atFieldStart || !field.isEmpty || !record.isEmpty {
            record.append(field)
            records.append(record)
        }
        // Blank lines are not data rows.
        return records.filter { !($0.count == 1 && $0[0].isEmpty) }
    }
}
