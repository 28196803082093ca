import VigilHTTP
import VigilJSON
import VigilStore

/// `POST /v1/{resource}/import`: CSV or NDJSON, all rows in one transaction by default.
extension VigilService {
    func importRecords(_ kind: ResourceKind, _ request: HTTPRequest, _ caller: Authenticator.Caller) throws
        -> HTTPResponse
    {
        let parameters = QueryParameters(request)
        try parameters.refuseUnknown(allowed: ["mode", "dry_run"])
        let modeName = try parameters.single("mode") ?? "all"
        guard let mode = ImportMode(rawValue: modeName) else {
            throw Problem.badRequest(
                "mode must be all or partial.", errors: [Problem.fieldError("mode", "must be all or partial")])
        }
        let dryRun = try parameters.flag("dry_run")
        let mediaType = RequestBody.mediaType(of: request)
        let rows: [ImportRow]
        do {
            switch mediaType {
            case "text/csv": rows = try ImportParser.csv(request.body, kind: kind)
            case "application/x-ndjson", "application/ndjson": rows = try ImportParser.ndjson(request.body, kind: kind)
            default:
                throw Problem(
                    415, "Unsupported Media Type",
                    "Send text/csv or application/x-ndjson (got \(mediaType.isEmpty ? "no Content-Type" : mediaType)).")
            }
        } catch let error as ImportFileError {
            throw Problem.badRequest("The file cannot be imported: \(error.message).")
        }
        let result = try store.importRecords(kind, rows, mode: mode, dryRun: dryRun, as: caller.context)
        return Responses.json(ImportAnswer.json(result), status: result.refused.isEmpty ? 200 : 422)
    }
}

/// The answer of an import: `{"created": [{"line", "id"}], "refused": [{"line", "errors"}]}`.
public enum ImportAnswer {
    public static func json(_ result: ImportResult) -> JSONValue {
        .object(
            JSONObject([
                (
                    "created",
                    .array(
                        result.created.map { item in
                            .object(
                                JSONObject([
                                    ("line", .int(Int64(item.line))), ("id", item.id.map(JSONValue.string) ?? .null),
                                ]))
                        })
                ),
                (
                    "refused",
                    .array(
                        result.refused.map { item in
                            .object(
                                JSONObject([
                                    ("line", .int(Int64(item.line))),
                                    (
                                        "errors",
                                        .array(item.errors.map { .object(Problem.fieldError($0.field, $0.message)) })
                                    ),
                                ]))
                        })
                ),
            ]))
    }
}
