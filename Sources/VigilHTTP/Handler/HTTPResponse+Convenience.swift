import VigilJSON

extension HTTPResponse {
    /// A JSON response with `Content-Type: application/json`.
    public static func json(status: Int = 200, _ bytes: [UInt8], headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var headers = headers
        headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        return HTTPResponse(status: status, headers: headers, body: .bytes(bytes))
    }

    /// A plain-text response.
    public static func text(status: Int = 200, _ text: String, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var headers = headers
        headers.replaceOrAdd(name: "Content-Type", value: "text/plain; charset=utf-8")
        return HTTPResponse(status: status, headers: headers, body: .bytes(Array(text.utf8)))
    }

    /// An RFC 9457 problem document (`application/problem+json`) with `type`, `title`, `status`,
    /// `detail` and, when there are any, `errors` (one object per field at fault): the one error
    /// shape of every answer, whether the server refused the request or a handler did. Never
    /// cached: an error can depend on who asked.
    public static func problem(
        status: Int, title: String, detail: String, type: String = "about:blank", errors: [JSONObject] = [],
        headers: HTTPHeaders = HTTPHeaders()
    ) -> HTTPResponse {
        var object = JSONObject()
        object["type"] = .string(type)
        object["title"] = .string(title)
        object["status"] = .int(Int64(status))
        object["detail"] = .string(detail)
        if !errors.isEmpty { object["errors"] = .array(errors.map(JSONValue.object)) }
        var headers = headers
        headers.replaceOrAdd(name: "Content-Type", value: "application/problem+json")
        headers.replaceOrAdd(name: "Cache-Control", value: "no-store")
        return HTTPResponse(status: status, headers: headers, body: .bytes(JSONValue.object(object).serialized()))
    }

    /// The problem response for a request refused by the parser or the connection.
    public static func problem(for error: HTTPParseError) -> HTTPResponse {
        problem(status: error.status, title: error.title, detail: error.detail)
    }
}
