import Dispatch
import Glibc
import Synchronization

extension HTTPServer {
    /// Makes SIGTERM and SIGINT start a graceful shutdown instead of killing the process.
    /// Opt-in, because a library should not take over a process's signals unasked; the CLI calls it.
    public func installSignalHandlers() {
        signalSources.withLock { sources in
            for signalNumber in [SIGTERM, SIGINT] {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                source.setEventHandler { [weak self] in self?.shutdown() }
                source.resume()
                sources.append(source)
            }
        }
    }
}
