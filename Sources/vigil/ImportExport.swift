import ArgumentParser
import Foundation
import VigilAPI
import VigilJSON
import VigilStore

/// `vigil import KIND FILE`: the same import as `POST /v1/{kind}/import`, from the command line.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import records from CSV (header = field names) or NDJSON; prints {created, refused}.",
        discussion: "All rows in one transaction unless --mode partial. Exits non-zero when any row is refused.")

    @OptionGroup var database: DatabaseOption
    @Argument(help: "incidents, sites, sources, actors, allegations or denials.") var kind: String
    @Argument(help: "The file to read (- for standard input).") var file: String
    @Option(help: "csv or ndjson (default: from the file name, else csv).") var format: String?
    @Option(help: "all (one bad row and nothing is created) or partial.") var mode: String = "all"
    @Flag(help: "Validate only; write nothing.") var dryRun = false

    func run() throws {
        guard let resource = ResourceKind(rawValue: kind) else { throw CommandError("unknown kind \"\(kind)\"") }
        guard let importMode = ImportMode(rawValue: mode) else { throw CommandError("--mode must be all or partial") }
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw CommandError("cannot read \(file)")
            }
            data = contents
        }
        let name = format ?? (file.hasSuffix(".ndjson") || file.hasSuffix(".jsonl") ? "ndjson" : "csv")
        let store = try database.openStore()
        defer { store.close() }
        let rows: [ImportRow]
        do {
            switch name {
            case "csv": rows = try ImportParser.csv([UInt8](data), kind: resource)
            case "ndjson": rows = try ImportParser.ndjson([UInt8](data), kind: resource)
            default: throw CommandError("--format must be csv or ndjson")
            }
        } catch let error as ImportFileError {
            throw CommandError("\(file): \(error.message)")
        }
        let result: ImportResult
        do {
            result = try store.importRecords(resource, rows, mode: importMode, dryRun: dryRun, as: .commandLine)
        } catch {
            throw CommandError("import failed: \(error)")
        }
        print(String(decoding: ImportAnswer.json(result).serialized(), as: UTF8.self))
        if !result.refused.isEmpty {
            printError(
                "\(result.refused.count) row(s) refused; \(importMode == .all ? "nothing was created" : "the others were kept")"
            )
            throw ExitCode.failure
        }
    }
}

/// `vigil export KIND`: every record of a kind, streamed to standard output or a file.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export records as CSV, NDJSON or GeoJSON, streamed with constant memory.")

    @OptionGroup var database: DatabaseOption
    @Argument(help: "incidents, sites, sources, actors, allegations or denials.") var kind: String
    @Option(help: "csv, ndjson or geojson.") var format: String = "csv"
    @Option(name: .shortAndLong, help: "The file to write (default: standard output).") var output: String?
    @Option(name: .customLong("filter"), help: "A list filter, e.g. country=RU or occurred.gte=2017 (repeatable).")
    var filters: [String] = []

    func run() throws {
        guard let resource = ResourceKind(rawValue: kind) else { throw CommandError("unknown kind \"\(kind)\"") }
        var query = ListQuery()
        for text in filters {
            guard let equals = text.firstIndex(of: "=") else {
                throw CommandError("--filter \(text): use field=value or field.op=value")
            }
            let name = String(text[..<equals])
            let value = String(text[text.index(after: equals)...])
            guard let filter = Filter(parameter: name, value: value) else {
                throw CommandError("--filter \(text): unknown operator")
            }
            query.filters.append(filter)
        }
        let store = try database.openStore(mustExist: true)
        defer { store.close() }
        let handle: FileHandle
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: nil),
                let file = FileHandle(forWritingAtPath: output)
            else {
                throw CommandError("cannot write \(output)")
            }
            handle = file
        } else {
            handle = FileHandle.standardOutput
        }
        do {
            let exporter = try RecordExporter(
                store: store, kind: resource, query: query, context: .commandLine, formatName: format)
            try exporter.write { handle.write(Data($0)) }
        } catch {
            throw CommandError("export failed: \(error)")
        }
    }
}
