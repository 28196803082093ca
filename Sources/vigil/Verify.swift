import ArgumentParser
import VigilStore

/// `vigil verify`: recompute the audit chain and compare the data with it.
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the audit chain and that every record matches its last audited state.",
        discussion:
            "Exits non-zero, naming the first entry or record at fault, when anything was changed behind Vigil's back.")

    @OptionGroup var database: DatabaseOption

    func run() throws {
        let store = try database.openStore(mustExist: true)
        defer { store.close() }
        let report: VerificationReport
        do {
            report = try store.verify()
        } catch {
            throw CommandError("verify failed: \(error)")
        }
        if report.isIntact {
            print("ok: \(report.entries) audit entries chained, \(report.records) records match the log")
            return
        }
        // One line on standard error, the first fault; every fault on standard output.
        for problem in report.problems { print("fault: \(problem)") }
        printError("Error: verification failed: \(report.problems[0]) (\(report.problems.count) problem(s) in all)")
        throw ExitCode.failure
    }
}
