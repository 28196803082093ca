/// A value bound to, or read from, a statement parameter: SQLite's five storage classes.
///
/// Queries built at run time (filters, cursors) collect their arguments as `SQLValue`s next to a
/// SQL text made only of `?` placeholders, so no value ever becomes part of the SQL.
package enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

extension SQLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    package init(stringLiteral value: String) { self = .text(value) }
    package init(integerLiteral value: Int64) { self = .integer(value) }
    package init(nilLiteral: ()) { self = .null }
}

extension SQLValue {
    /// An optional string, as `.null` when absent.
    package static func text(_ value: String?) -> SQLValue { value.map { .text($0) } ?? .null }
    /// An optional integer, as `.null` when absent.
    package static func integer(_ value: Int64?) -> SQLValue { value.map { .integer($0) } ?? .null }
    /// A boolean as SQLite stores it: 0 or 1.
    package static func bool(_ value: Bool) -> SQLValue { .integer(value ? 1 : 0) }
}
