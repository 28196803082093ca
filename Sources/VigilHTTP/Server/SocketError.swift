/// A failed system call while setting up or serving sockets.
public enum SocketError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `call` failed with errno `code`.
    case system(call: String, code: Int32)
    /// The host could not be resolved to a numeric address.
    case invalidAddress(String)

    public var description: String {
        switch self {
        case .system(let call, let code): "\(call) failed with errno \(code)"
        case .invalidAddress(let host): "cannot listen on host '\(host)'"
        }
    }
}
