import Dispatch
import Glibc
import Synchronization

extension HTTPServer {
    private static let signalQueue = DispatchQueue(label: "vigil.http.signals")

    /// Makes SIGTERM and SIGINT start a graceful shutdown instead of killing the process.
    /// Opt-in, because a library should not take over a process's signals unasked; the CLI calls it.
    public func installSignalHandlers() {
        signalSources.withLock { sources in
            for signalNumber in [SIGTERM, SIGINT] {
                signal(signalNumber, SIG_IGN)
                // A queue of its own: the global concurrent queue is as wide as the cores and can be
                // fully taken by blocked work (seen in tests), leaving SIGTERM unanswered.
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: Self.signalQueue)
                source.setEventHandler { [weak self] in self?.shutdown() }
                source.resume()
                sources.append(source)
            }
        }
    }
}
