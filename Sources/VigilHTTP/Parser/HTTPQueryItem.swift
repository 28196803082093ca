/// One `name=value` pair of a query string, percent-decoded, with `+` read as a space
/// (the `application/x-www-form-urlencoded` convention browsers and curl use for queries).
public struct HTTPQueryItem: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
