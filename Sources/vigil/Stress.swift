import ArgumentParser
import Foundation
import VigilJSON
import VigilStore

/// `vigil stress`: create incidents as fast as possible from several threads, printing each id
/// once its commit has returned. Hidden: it exists so the durability tests can SIGKILL a process
/// in the middle of real writes and check that every printed id survived.
struct Stress: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write incidents continuously, printing each id after its commit (for durability tests).",
        shouldDisplay: false)

    @OptionGroup var database: DatabaseOption
    @Option(help: "Writer threads.") var writers: Int = 4
    @Option(help: "Incidents per writer (0: until killed).") var count: Int = 0

    func run() throws {
        let store = try database.openStore()
        defer { store.close() }
        let context = AccessContext(actor: "stress", role: .admin, clearance: .confidential)
        let output = FileHandle.standardOutput
        let outputLock = NSLock()
        let done = DispatchGroup()
        let perWriter = count
        for writer in 0..<max(1, writers) {
            done.enter()
            Thread {
                var index = 0
                while perWriter == 0 || index < perWriter {
                    index += 1
                    let input = JSONObject([
                        ("title", .string("stress \(writer)-\(index)")), ("confidentiality", .string("public")),
                    ])
                    guard let record = try? store.create(.incidents, input, as: context) else { continue }
                    outputLock.lock()
                    output.write(Data((record.id + "\n").utf8))
                    outputLock.unlock()
                }
                done.leave()
            }.start()
        }
        done.wait()
    }
}
