import VigilHTTP
import VigilJSON
import VigilStore

/// Reads a JSON request body: the media type must say JSON (415 otherwise), the bytes must
/// parse (400 otherwise).
enum RequestBody {
    /// The request's media type without parameters, lowercased (`text/csv; charset=utf-8` → `text/csv`).
    static func mediaType(of request: HTTPRequest) -> String {
        let value = request.headers["Content-Type"] ?? ""
        // The usual header, as curl and clients send it, without splitting and Unicode lowercasing
        // (about 1% of a POST's instructions).
        if value == "application/json" { return value }
        return value.split(separator: ";", maxSplits: 1).first.map { $0.trimmingBlanks().lowercased() } ?? ""
    }

    /// The body as JSON, refused unless sent as `application/json` (PATCH also takes
    /// `application/merge-patch+json`).
    static func requireJSON(_ request: HTTPRequest, allowMergePatch: Bool = false) throws -> JSONValue {
        let mediaType = mediaType(of: request)
        let accepted = allowMergePatch ? ["application/json", "application/merge-patch+json"] : ["application/json"]
        guard accepted.contains(mediaType) else {
            var headers = HTTPHeaders()
            if allowMergePatch {
                headers.add(name: "Accept-Patch", value: "application/merge-patch+json, application/json")
            }
            let got = mediaType.isEmpty ? "no Content-Type" : mediaType
            throw Problem(
                415, "Unsupported Media Type", "Send the body as \(accepted.joined(separator: " or ")) (got \(got)).",
                headers: headers)
        }
        guard !request.body.isEmpty else {
            throw Problem.badRequest("The request body is empty; send a JSON document.")
        }
        do {
            return try JSONValue.parse(request.body)
        } catch {
            throw Problem.badRequest("The body is not valid JSON: \(error.message) (byte \(error.offset)).")
        }
    }

    /// A body that must be one object (a patch, a single link).
    static func object(_ value: JSONValue) throws -> JSONObject {
        guard case .object(let object) = value else {
            throw Problem.unprocessable("The body must be a JSON object.")
        }
        return object
    }
}
