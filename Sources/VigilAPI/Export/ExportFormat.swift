import VigilHTTP
import VigilStore

/// The file formats a list can be exported in, chosen by `format=` or the `Accept` header.
enum ExportFormat: String, CaseIterable {
    case csv, ndjson, geojson

    var mediaType: String {
        switch self {
        case .csv: "text/csv; charset=utf-8"
        case .ndjson: "application/x-ndjson"
        case .geojson: "application/geo+json"
        }
    }

    var fileExtension: String {
        switch self {
        case .csv: "csv"
        case .ndjson: "ndjson"
        case .geojson: "geojson"
        }
    }

    /// The format a request asks for, or nil for an ordinary JSON page.
    static func requested(by request: HTTPRequest, parameters: QueryParameters) throws -> ExportFormat? {
        if let name = try parameters.single("format") {
            if name == "json" { return nil }
            guard let format = ExportFormat(rawValue: name) else {
                throw Problem.badRequest(
                    "format must be json, csv, ndjson or geojson.", errors: [Problem.fieldError("format", "unknown format \(name)")])
            }
            return format
        }
        let accept = (request.headers["Accept"] ?? "").lowercased()
        for part in accept.split(separator: ",") {
            let type = part.split(separator: ";").first?.trimmingBlanks() ?? ""
            switch type {
            case "text/csv": return .csv
            case "application/x-ndjson", "application/ndjson": return .ndjson
            case "application/geo+json": return .geojson
            case "application/json", "*/*", "application/*": return nil
            default: continue
            }
        }
        return nil
    }
}
