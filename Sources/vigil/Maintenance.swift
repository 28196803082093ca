import ArgumentParser
import Foundation
import VigilStore

/// `vigil purge ID`: erase one record for good.
struct Purge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Erase a record for good, leaving only a hash in the audit log.",
        discussion: "For when erasing is the safety measure. Deleting (a tombstone, restorable) is the normal way.")

    @OptionGroup var database: DatabaseOption
    @Argument(help: "The id of the record (inc_…, site_…, src_…, act_…, alg_…, den_…) or link (lnk_…).") var id: String

    func run() throws {
        let store = try database.openStore(mustExist: true)
        defer { store.close() }
        let report: Store.PurgeReport
        do {
            report = try store.purge(id: id, as: .commandLine)
        } catch {
            throw CommandError("cannot purge \(id): \(error)")
        }
        print("purged \(id)")
        if report.linksErased > 0 {
            print("erased the history of \(report.linksErased) link(s) that had joined it, removed ones included")
        }
        if report.answersErased > 0 {
            print("erased \(report.answersErased) stored idempotency answer(s) that held it")
        }
        if !report.walCleared {
            printError(
                "warning: other connections were reading, so \(database.path)-wal still holds copies of the pages as they "
                    + "were before the purge; they are removed when every Vigil process using the database has stopped")
        }
    }
}

/// `vigil backup DEST`: a consistent single-file copy.
struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a consistent copy of the database to DEST (safe while vigil serve runs).")

    @OptionGroup var database: DatabaseOption
    @Argument(help: "The file to create; it must not exist.") var destination: String

    func run() throws {
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw CommandError("\(destination) already exists; choose a new file")
        }
        let store = try database.openStore(mustExist: true)
        defer { store.close() }
        do {
            try store.backup(to: destination)
        } catch {
            throw CommandError("backup failed: \(error)")
        }
        print("backed up \(database.path) to \(destination)")
    }
}
