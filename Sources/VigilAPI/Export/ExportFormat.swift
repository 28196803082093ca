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
                    "format must be json, csv, ndjson or geojson.",
                    errors: [Problem.fieldError("format", "unknown format \(name)")])
            }
            return format
        }
        return preferred(accept: request.headers["Accept"] ?? "")
    }

    /// The format an `Accept` header prefers (RFC 9110 §12.5.1): the acceptable type with the
    /// highest `q` (1 when absent), the first listed among equals; `q=0` means "not this one".
    /// nil means JSON: asked for, acceptable through a wildcard, or nothing else acceptable.
    static func preferred(accept: String) -> ExportFormat? {
        var best: (format: ExportFormat?, quality: Double)?
        for part in accept.lowercased().split(separator: ",") {
            let pieces = part.split(separator: ";")
            let type = pieces.first?.trimmingBlanks() ?? ""
            var quality = 1.0
            for parameter in pieces.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0].trimmingBlanks() == "q" { quality = Double(pair[1].trimmingBlanks()) ?? 0 }
            }
            let format: ExportFormat?
            switch type {
            case "text/csv": format = .csv
            case "application/x-ndjson", "application/ndjson": format = .ndjson
            case "application/geo+json": format = .geojson
            case "application/json", "*/*", "application/*": format = nil
            default: continue
            }
            guard quality > 0 else { continue }
            if quality > (best?.quality ?? 0) { best = (format, quality) }
        }
        return best?.format ?? nil
    }
}
