// A minimal server for the benchmark: serves the same small JSON body nginx serves from a file.
// Built by benchmarks/http/run.sh together with the VigilHTTP sources.
import Glibc

@main
struct BenchServer {
    static func main() throws {
        let arguments = CommandLine.arguments
        let port = arguments.count > 1 ? Int(arguments[1]) ?? 0 : 0
        let bodyPath = arguments.count > 2 ? arguments[2] : "benchmarks/http/body.json"
        let threads = arguments.count > 3 ? Int(arguments[3]) ?? 4 : 4
        guard let file = fopen(bodyPath, "rb") else { throw SocketError.invalidAddress(bodyPath) }
        var body: [UInt8] = []
        var byte = fgetc(file)
        while byte != EOF {
            body.append(UInt8(byte))
            byte = fgetc(file)
        }
        fclose(file)
        let payload = body
        var router = Router()
        router.add("GET", "/body.json") { _ in .json(payload) }
        // A streamed export of `rows` rows, to check constant memory and stopping on disconnect.
        router.add("GET", "/export") { request in
            let rows = request.queryValue("rows").flatMap { Int($0) } ?? 1_000_000
            return HTTPResponse(status: 200, headers: ["Content-Type": "application/x-ndjson"], body: .stream { writer in
                for row in 0..<rows {
                    try writer.write("{\"id\":\(row),\"country\":\"FR\",\"kind\":\"detention\",\"verified\":true}\n")
                }
            })
        }
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: port)
        configuration.workerThreads = threads
        let server = HTTPServer(configuration: configuration, handler: router, log: .disabled)
        try server.start()
        server.installSignalHandlers()
        print("listening on \(server.boundPort)")
        fflush(nil)
        server.run()
    }
}
