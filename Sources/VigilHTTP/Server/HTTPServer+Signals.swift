import Glibc
import Synchronization
import VigilThreads

extension HTTPServer {
    /// Makes SIGTERM and SIGINT start a graceful shutdown instead of killing the process.
    /// Opt-in, because a library should not take over a process's signals unasked; the CLI calls it.
    ///
    /// A plain signal handler writes a byte to a pipe, and a thread of its own reads it and shuts
    /// the servers down. Dispatch's signal sources were used before: on Linux they read a
    /// signalfd, which only receives a signal that the thread it is sent to has blocked, and they
    /// block it in one thread only; a SIGTERM sent to the process could reach another thread and,
    /// with the SIG_IGN they need, be discarded (a stop was now and then lost in `SignalTests`).
    /// A handler runs in whichever thread the kernel picks among those that do not block it.
    public func installSignalHandlers() throws(SocketError) {
        try SignalRelay.shared.install()
        SignalRelay.shared.servers.withLock { servers in
            servers.removeAll { $0.server == nil }
            servers.append(WeakServer(server: self))
        }
    }
}

private struct WeakServer: @unchecked Sendable {
    weak var server: HTTPServer?
}

/// The file descriptor the handler writes to; set once, before the handler is installed, and
/// read only by the handler afterwards.
nonisolated(unsafe) private var signalPipeWriteFD: Int32 = -1

private final class SignalRelay: Sendable {
    static let shared = SignalRelay()

    let servers = Mutex<[WeakServer]>([])
    private let installed = Mutex(false)

    func install() throws(SocketError) {
        try installed.withLock { (installed: inout Bool) throws(SocketError) in
            guard !installed else { return }
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else { throw .system(call: "pipe", code: errno) }
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            let readFD = fds[0]
            // The handler must never block: a full pipe already holds a pending stop.
            _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
            do throws(SocketError) {
                do throws(SystemThread.StartError) {
                    try SystemThread.start { [self] in relay(from: readFD) }
                } catch {
                    throw .system(call: "pthread_create", code: error.code)
                }
            } catch {
                for fd in fds { close(fd) }
                throw error
            }
            signalPipeWriteFD = fds[1]
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { _ in
                let saved = errno
                var byte: UInt8 = 1
                _ = write(signalPipeWriteFD, &byte, 1)
                errno = saved
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            var signals = sigset_t()
            sigemptyset(&signals)
            for signalNumber in [SIGTERM, SIGINT] {
                sigaction(signalNumber, &action, nil)
                sigaddset(&signals, signalNumber)
            }
            // A process can start with them blocked (Foundation's `Process` passes on the mask of
            // the thread that spawns it), and then no handler would ever run: the calling thread
            // takes them, and the kernel hands a process's signal to a thread that does not block it.
            pthread_sigmask(SIG_UNBLOCK, &signals, nil)
            installed = true
        }
    }

    /// Each byte read is one signal: every registered server starts its graceful shutdown.
    private func relay(from readFD: Int32) {
        var byte: UInt8 = 0
        while true {
            let count = read(readFD, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            guard count == 1 else { return }
            for entry in servers.withLock({ $0 }) { entry.server?.shutdown() }
        }
    }
}
