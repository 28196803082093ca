/// Why a streamed body could not be written; producers see it from ``HTTPBodyWriter/write(_:)``.
public enum HTTPBodyWriterError: Error, Sendable, Equatable {
    /// The client closed the connection or reset it.
    case clientGone
    /// The client stopped reading for longer than the write timeout.
    case writeTimeout
}
