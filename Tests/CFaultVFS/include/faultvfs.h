#ifndef VIGIL_FAULTVFS_H
#define VIGIL_FAULTVFS_H

/// A test VFS wrapping SQLite's default (unix) VFS, for the storage-fault proof suites.
///
/// It does two things to the database and WAL files opened through it, per *domain* (a
/// directory prefix, so tests running in parallel in one process do not see each other's
/// faults):
///
/// - Power cut. It remembers, for each file, what every 4 KiB page held at the file's last
///   xSync (captured on the first write or truncation after it). `vigil_faultvfs_cut_power`
///   makes every later write, sync, truncate and delete fail, as if the machine had stopped;
///   `vigil_faultvfs_durable_image` then writes what a disk would hold after the cut: the
///   synced content, with each page written since the last sync either dropped (reverted) or,
///   in random mode, kept or dropped by a seeded coin, as disks reorder unsynced writes.
/// - Injected faults, sticky until cleared: every xSync fails (SQLITE_IOERR_FSYNC), every
///   xWrite fails (SQLITE_IOERR_WRITE) or every xWrite reports a full disk (SQLITE_FULL).
///
/// Files whose path starts with no registered domain pass straight through.

/// The name to open connections with (`sqlite3_open_v2`'s zVfs).
#define VIGIL_FAULTVFS_NAME "vigil-fault"

enum {
    VIGIL_FAULT_NONE = 0,
    VIGIL_FAULT_SYNC = 1,
    VIGIL_FAULT_WRITE = 2,
    VIGIL_FAULT_FULL = 3,
};

/// Registers the VFS (not as the default). Safe to call more than once. Returns an SQLite code.
int vigil_faultvfs_register(void);

/// Starts tracking files under `prefix` (a directory path ending in '/'). `simulatedSync`: when
/// non-zero xSync does not call fsync: durability is what this VFS models, and rounds run faster.
void vigil_faultvfs_add_domain(const char *prefix, int simulatedSync);
/// Forgets the domain and what it tracked (its files must be closed first).
void vigil_faultvfs_remove_domain(const char *prefix);

/// Sets the domain's sticky fault (VIGIL_FAULT_*); VIGIL_FAULT_NONE clears it.
void vigil_faultvfs_set_fault(const char *prefix, int fault);
/// Operations the domain's fault has failed so far.
int vigil_faultvfs_fault_hits(const char *prefix);

/// From now on every write, sync, truncate and delete in the domain fails with SQLITE_IOERR_*.
void vigil_faultvfs_cut_power(const char *prefix);

/// Arms a cut at the domain's `syncs`-th xSync from now: that sync fails and the power is cut
/// there, so whatever was written since each file's last sync is exactly what is at stake.
void vigil_faultvfs_cut_power_at_sync(const char *prefix, int syncs);
/// Whether the domain's power is cut (by either call).
int vigil_faultvfs_is_cut(const char *prefix);

/// Writes the durable image of the tracked file `path` to `destination` (created or replaced).
/// `randomSeed` 0: every page written since the last sync is dropped; otherwise each is kept or
/// dropped at random from that seed. Returns 0 when written, 1 when the file is not tracked or
/// was deleted (no image: nothing of it would be on disk), -1 on an I/O error. `*keptPages` and
/// `*droppedPages`, when not NULL, receive the counts.
int vigil_faultvfs_durable_image(const char *path, const char *destination, unsigned int randomSeed,
                                 int *keptPages, int *droppedPages);

/// Pages written since their file's last sync, summed over the domain's files.
int vigil_faultvfs_unsynced_pages(const char *prefix);

#endif
