/// How the storage-fault proof suites open a store; never a user option (package access only).
///
/// The suites must show two things a normal open cannot: that acknowledged writes survive a
/// power cut (through a VFS that models one), and that they would catch a build that skipped an
/// fsync (the same scenario with `synchronous` weakened must be seen losing writes).
package struct StorageTestOptions: Sendable {
    /// The registered SQLite VFS every connection opens the file through; nil: the default.
    package var vfs: String?
    /// The writer's `PRAGMA synchronous`. Anything but `.full` loses acknowledged writes on a
    /// power cut; it exists so that a test can prove the power-cut suite notices.
    package var synchronous: Synchronous

    /// `PRAGMA synchronous` levels, by the number SQLite reports.
    package enum Synchronous: Int64, Sendable {
        case off = 0
        case normal = 1
        case full = 2
    }

    package init(vfs: String? = nil, synchronous: Synchronous = .full) {
        self.vfs = vfs
        self.synchronous = synchronous
    }

    /// What ``Store/init(path:readers:walSizeLimit:)`` uses.
    package static let standard = StorageTestOptions()
}
