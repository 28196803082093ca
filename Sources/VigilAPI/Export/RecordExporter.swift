import VigilHTTP
import VigilJSON
import VigilStore

/// Streams every record matching a list query in CSV, NDJSON or GeoJSON.
///
/// Records are fetched a page at a time (keyset pagination, one short read transaction each) and
/// written as they come, so memory stays flat whatever the number of rows, no reader connection
/// is held while a slow client reads, and the export stops as soon as the client goes away
/// (the body writer throws).
public struct RecordExporter: Sendable {
    let store: Store
    let kind: ResourceKind
    let query: ListQuery
    let context: AccessContext
    let format: ExportFormat

    static let pageSize = 500

    func response() throws -> HTTPResponse {
        if format == .geojson, !kind.hasPlace {
            throw Problem.badRequest("GeoJSON is available for incidents and sites, which have coordinates.")
        }
        // Fail before the first byte when the query itself is wrong.
        var probe = query
        probe.limit = 1
        _ = try store.list(kind, probe, as: context)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: format.mediaType)
        headers.add(
            name: "Content-Disposition", value: "attachment; filename=\"\(kind.rawValue).\(format.fileExtension)\"")
        headers.add(name: "Cache-Control", value: "no-store")
        let exporter = self
        return HTTPResponse(
            status: 200, headers: headers, body: .stream { writer in try exporter.write { try writer.write($0) } })
    }

    /// An exporter for the command line (`vigil export`).
    public init(store: Store, kind: ResourceKind, query: ListQuery, context: AccessContext, formatName: String) throws {
        guard let format = ExportFormat(rawValue: formatName) else {
            throw Problem.badRequest("format must be csv, ndjson or geojson")
        }
        if format == .geojson, !kind.hasPlace {
            throw Problem.badRequest("GeoJSON is available for incidents and sites")
        }
        self.init(store: store, kind: kind, query: query, context: context, format: format)
    }

    init(store: Store, kind: ResourceKind, query: ListQuery, context: AccessContext, format: ExportFormat) {
        self.store = store
        self.kind = kind
        self.query = query
        self.context = context
        self.format = format
    }

    /// Writes the whole export to `sink` in chunks of about 32 KiB.
    public func write(to sink: ([UInt8]) throws -> Void) throws {
        let writer = sink
        let columns = CSVEncoder.columns(for: kind)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(64 * 1024)
        switch format {
        case .csv: CSVEncoder.writeRow(columns.map(JSONValue.string), into: &buffer, plain: true)
        case .geojson: buffer += Array(#"{"type":"FeatureCollection","features":["#.utf8)
        case .ndjson: break
        }
        var first = true
        var page = query
        page.limit = Self.pageSize
        page.includeTotal = false
        repeat {
            let result = try store.list(kind, page, as: context)
            for record in result.records {
                switch format {
                case .csv:
                    let fields = record.json  // parsed once: the store hands out encoded records
                    CSVEncoder.writeRow(columns.map { fields[$0] ?? .null }, into: &buffer, plain: false)
                case .ndjson:
                    record.write(into: &buffer)
                    buffer.append(10)
                case .geojson:
                    if !first { buffer.append(UInt8(ascii: ",")) }
                    GeoJSON.feature(record).write(into: &buffer)
                    first = false
                }
                if buffer.count >= 32 * 1024 {
                    try writer(buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            page.cursor = result.nextCursor
        } while page.cursor != nil
        if format == .geojson { buffer += Array("]}".utf8) }
        if !buffer.isEmpty { try writer(buffer) }
    }
}

/// RFC 4180 CSV with a header row, CRLF line ends, lists joined with `|` in one cell, and
/// formula-injection protection: a text cell starting with `=`, `+`, `-`, `@`, tab or CR is
/// prefixed with `'` so spreadsheets show it instead of running it.
enum CSVEncoder {
    /// The columns of an export: every field of the kind in output order (date bounds and
    /// computed counts included), so rows line up even where a field is hidden from the caller.
    static func columns(for kind: ResourceKind) -> [String] {
        var columns = ["id"]
        for spec in kind.fields {
            columns.append(spec.name)
            if case .date = spec.type { columns += [spec.name + "_earliest", spec.name + "_latest"] }
        }
        return columns + kind.computedFields + ["version", "created_at", "updated_at"]
    }

    static func writeRow(_ values: [JSONValue], into buffer: inout [UInt8], plain: Bool) {
        for (index, value) in values.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: ",")) }
            writeCell(value, into: &buffer, plain: plain)
        }
        buffer += [13, 10]
    }

    static func writeCell(_ value: JSONValue, into buffer: inout [UInt8], plain: Bool) {
        let text: String
        var isText = false
        switch value {
        case .null: return
        case .bool(let flag): text = flag ? "true" : "false"
        case .int(let number): text = String(number)
        case .double(let number): text = String(decoding: JSONValue.double(number).serialized(), as: UTF8.self)
        case .string(let string):
            text = string
            isText = true
        case .array(let items):
            text = items.map { $0.stringValue ?? String(decoding: $0.serialized(), as: UTF8.self) }.joined(
                separator: "|")
            isText = true
        case .object:
            text = String(decoding: value.serialized(), as: UTF8.self)
            isText = true
        }
        var cell = text
        if isText, !plain, let first = cell.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) {
            cell = "'" + cell
        }
        if cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
            buffer.append(UInt8(ascii: "\""))
            for byte in cell.utf8 {
                if byte == UInt8(ascii: "\"") { buffer.append(byte) }
                buffer.append(byte)
            }
            buffer.append(UInt8(ascii: "\""))
        } else {
            buffer += Array(cell.utf8)
        }
    }
}

/// GeoJSON features (RFC 7946), one per matching record, as every export holds every matching
/// row: a point where the caller may see the coordinates, a null geometry (an unlocated feature,
/// RFC 7946 §3.2) where there are none or they are hidden from it.
enum GeoJSON {
    static func feature(_ record: Record) -> JSONValue {
        var properties = record.json
        var geometry = JSONValue.null
        if let lat = properties["lat"]?.doubleValue, let lon = properties["lon"]?.doubleValue {
            geometry = .object(
                JSONObject([("type", .string("Point")), ("coordinates", .array([.double(lon), .double(lat)]))]))
        }
        properties["lat"] = nil
        properties["lon"] = nil
        return .object(
            JSONObject([
                ("type", .string("Feature")),
                ("id", .string(record.id)),
                ("geometry", geometry),
                ("properties", .object(properties)),
            ]))
    }
}
