import Glibc

/// Why a database path cannot be used, said as what is wrong and what to do, before SQLite sees it.
///
/// SQLite opens a write-protected file read-only without a word (`SQLITE_OPEN_READWRITE` falls
/// back to reading), so a server started on it answered every read and failed every write with
/// "SQLite error 8"; a missing or read-only folder failed with "SQLite error 14: unable to open
/// database file", which names neither the folder nor the fix. Every command opens the store,
/// and every store keeps a writer (migrations, pending full-text rows, the final checkpoint), so
/// every command needs the same things: a folder it can write (SQLite makes `-wal` and `-shm`
/// beside the file), and the file and those two, when present, readable and writable.
///
/// The checks use `access(2)`, which sees permissions, ACLs and read-only mounts as the process
/// will; ``Store`` also asks SQLite afterwards whether it opened the file read-only, in case
/// something slipped between the check and the open.
package enum DatabaseFileAccess {
    /// The first reason `path` cannot be opened for reading and writing, or nil when it can.
    package static func problem(with path: String) -> String? {
        let folder = folderShown(for: path)
        var status = stat()
        if stat(path, &status) != 0 {
            let missing = errno
            guard missing == ENOENT else { return describe(path, errno: missing, folder: folder) }
            // A new database: the folder must exist and take new files.
            return folderProblem(folder, for: path)
        }
        if (status.st_mode & S_IFMT) == S_IFDIR {
            return
                "cannot open \(path): it is a folder, not a database file (give the path of a file, e.g. \(path)/vigil.db)"
        }
        if (status.st_mode & S_IFMT) != S_IFREG {
            return "cannot open \(path): it is not a regular file (give the path of a database file)"
        }
        if let problem = fileProblem(path) { return problem }
        if let problem = folderProblem(folder, for: path) { return problem }
        for companion in [path + "-wal", path + "-shm"] where access(companion, F_OK) == 0 {
            if let problem = fileProblem(companion) { return problem }
        }
        return nil
    }

    /// The reason for a connection SQLite opened read-only although it was asked to write.
    package static func openedReadOnly(_ path: String) -> String {
        problem(with: path)
            ?? "cannot write \(path): SQLite could only open it read-only (check the permissions of the file, "
            + "its -wal and -shm files and its folder)"
    }

    /// An existing file that this process cannot read or write.
    private static func fileProblem(_ path: String) -> String? {
        if access(path, R_OK) != 0 {
            let error = errno
            if error == EACCES {
                return "cannot read \(path): permission denied (chmod u+rw \(path), or run vigil as its owner)"
            }
            return describe(path, errno: error, folder: folderShown(for: path))
        }
        if access(path, W_OK) != 0 {
            let error = errno
            switch error {
            case EACCES, EPERM:
                return "cannot write \(path): the file is read-only (chmod u+w \(path), or run vigil as its owner)"
            case EROFS:
                return "cannot write \(path): it is on a read-only file system (remount it read-write, "
                    + "or copy the database to a writable place)"
            default:
                return describe(path, errno: error, folder: folderShown(for: path))
            }
        }
        return nil
    }

    /// A folder that does not exist, is not a folder, or does not take new files.
    private static func folderProblem(_ folder: String, for path: String) -> String? {
        var status = stat()
        guard stat(folder, &status) == 0 else {
            let error = errno
            if error == ENOENT {
                return "cannot open \(path): the folder \(folder) does not exist (create it, or choose another --db)"
            }
            if error == ENOTDIR { return "cannot open \(path): \(folder) is not a folder (choose another --db)" }
            return describe(path, errno: error, folder: folder)
        }
        guard (status.st_mode & S_IFMT) == S_IFDIR else {
            return "cannot open \(path): \(folder) is not a folder (choose another --db)"
        }
        guard access(folder, W_OK | X_OK) != 0 else { return nil }
        let error = errno
        switch error {
        case EROFS:
            return "cannot write \(path): the folder \(folder) is on a read-only file system (remount it read-write, "
                + "or copy the database to a writable place)"
        case EACCES, EPERM:
            return
                "cannot write \(path): the folder \(folder) is not writable, and SQLite keeps its -wal and -shm files "
                + "beside the database (chmod u+wx \(folder), or run vigil as its owner)"
        default:
            return describe(path, errno: error, folder: folder)
        }
    }

    /// Any other failure of the file system, with its own words.
    private static func describe(_ path: String, errno error: Int32, folder: String) -> String {
        switch error {
        case ENOTDIR: return "cannot open \(path): part of the path is not a folder (choose another --db)"
        case EACCES:
            return "cannot open \(path): permission denied on the folder \(folder) or above it "
                + "(chmod u+x on each, or run vigil as their owner)"
        case ELOOP: return "cannot open \(path): too many symbolic links (check where \(path) points)"
        default: return "cannot open \(path): \(String(cString: strerror(error)))"
        }
    }

    /// The folder holding `path`, absolute when `path` is relative (`vigil.db` is in the current
    /// folder, which a message should name).
    private static func folderShown(for path: String) -> String {
        let folder: String
        if let slash = path.lastIndex(of: "/") {
            folder = slash == path.startIndex ? "/" : String(path[..<slash])
        } else {
            folder = "."
        }
        guard !folder.hasPrefix("/") else { return folder }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return folder }
        let current = String(cString: buffer)
        if folder == "." { return current }
        return (current == "/" ? "" : current) + "/" + folder
    }
}
