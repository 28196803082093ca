import Synchronization

/// What every event thread shares: configuration, handler, log and counters.
final class ServerContext: Sendable {
    let configuration: HTTPServerConfiguration
    let handler: any HTTPHandler
    let accessLog: HTTPAccessLog
    let openConnections = Atomic<Int>(0)
    let stopping = Atomic<Bool>(false)

    init(configuration: HTTPServerConfiguration, handler: any HTTPHandler, accessLog: HTTPAccessLog) {
        self.configuration = configuration
        self.handler = handler
        self.accessLog = accessLog.showing(handler.loggedQueryNames)
    }

    var isStopping: Bool { stopping.load(ordering: .relaxed) }
}
