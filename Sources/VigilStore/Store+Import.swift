import VigilSQLite

/// How an import treats refused rows.
public enum ImportMode: String, Sendable {
    /// All rows in one transaction: one refused row and nothing is created.
    case all
    /// Keep the good rows, report the refused ones.
    case partial
}

/// What an import did (or, in a dry run, would do).
public struct ImportResult: Sendable {
    /// Created rows with their new ids (nil in a dry run or when nothing was kept).
    public let created: [(line: Int, id: String?)]
    /// Refused rows with every problem found.
    public let refused: [(line: Int, errors: [FieldError])]
}

extension Store {
    /// Creates records from imported rows in one transaction: every row validated exactly as a
    /// POST would be, references checked, audit entries written. In `.all` mode one refused row
    /// rolls everything back; a dry run always rolls back.
    public func importRecords(
        _ kind: ResourceKind, _ rows: [ImportRow], mode: ImportMode, dryRun: Bool, as context: AccessContext
    ) throws(StoreError) -> ImportResult {
        try context.require(.editor, to: "importing records")
        let (prepared, failures) = Store.prepare(kind, rows.map(\.object), clearance: context.clearance)
        var refused = failures
        for (index, row) in rows.enumerated() where !row.errors.isEmpty {
            refused[index] = row.errors + (refused[index] ?? [])
        }
        let good = prepared.filter { refused[$0.index] == nil }
        do {
            return try writer.write(
                sequenced: { Store.sequence(kind, count: good.count) },
                commitIf: { (result: ImportResult) in !dryRun && (mode == .partial || result.refused.isEmpty) }
            ) { db, sequenced in
                let (created, referenceFailures) = try Store.insert(
                    kind, good, sequenced, snapshots: nil, in: db, context: context)
                for (index, errors) in referenceFailures { refused[index] = errors }
                let keeps = !dryRun && (mode == .partial || refused.isEmpty)
                return ImportResult(
                    created: keeps
                        ? created.map { (rows[$0.index].line, $0.id) }
                        : (refused.isEmpty || mode == .partial ? created.map { (rows[$0.index].line, nil) } : []),
                    refused: refused.keys.sorted().map { (rows[$0].line, refused[$0] ?? []) })
            }
        } catch {
            throw StoreError.wrap(error)
        }
    }
}
