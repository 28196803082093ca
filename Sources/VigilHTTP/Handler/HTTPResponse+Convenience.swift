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

    /// An RFC 9457 problem document (`application/problem+json`) with `type`, `title`, `status`
    /// and `detail`, the one error shape the service uses.
    public static func problem(
        status: Int, title: String, detail: String, type: String = "about:blank",
        headers: HTTPHeaders = HTTPHeaders()
    ) -> HTTPResponse {
        var headers = headers
        headers.replaceOrAdd(name: "Content-Type", value: "application/problem+json")
        let json =
            "{\"type\":\(JSONString.quote(type)),\"title\":\(JSONString.quote(title)),"
            + "\"status\":\(status),\"detail\":\(JSONString.quote(detail))}"
        return HTTPResponse(status: status, headers: headers, body: .bytes(Array(json.utf8)))
    }

    /// The problem response for a request refused by the parser or the connection.
    public static func problem(for error: HTTPParseError) -> HTTPResponse {
        problem(status: error.status, title: error.title, detail: error.detail)
    }
}
