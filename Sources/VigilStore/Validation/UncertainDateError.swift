/// Why a date string was refused; the message names the input and is shown to the client as a
/// 422 field error.
public struct UncertainDateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A human-readable explanation that quotes the offending text.
    public let message: String

    /// Creates an error with a message for the client.
    public init(_ message: String) {
        self.message = message
    }

    /// The message, for logs and interpolation.
    public var description: String { message }
}
