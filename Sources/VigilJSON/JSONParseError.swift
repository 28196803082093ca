/// Why a JSON text was refused, and where.
///
/// Returned to clients in 400/422 problem details, so the message is written for a person
/// ("duplicate key \"title\" at byte 23") and `offset` points at the byte that made the
/// input invalid (counted from 0).
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset from the start of the input at which the problem was found.
    public let offset: Int
    /// A human-readable explanation that already mentions the offset.
    public let message: String

    /// Creates an error; `message` should read well on its own.
    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    /// The message, for logs and string interpolation.
    public var description: String { message }
}
