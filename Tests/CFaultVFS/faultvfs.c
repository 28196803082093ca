// The storage-fault test VFS: see include/faultvfs.h. Modelled on SQLite's own test_vfs.c and
// the crash simulation of test6.c, reduced to what Vigil's proof suites need.
//
// One global mutex guards every table here: the VFS is for tests, where clarity beats speed.

#include "faultvfs.h"

#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAGE 4096

/// What one page of a file held at the file's last sync: `length` bytes (fewer than PAGE where
/// the synced file ended inside the page, 0 where it ended before it).
typedef struct SyncedPage {
    sqlite3_int64 index;
    int length;
    unsigned char *data;
} SyncedPage;

typedef struct Domain Domain;

/// One database or WAL file, shared by every connection that opens it (a sync through one file
/// descriptor makes the inode's data durable, whoever wrote it).
typedef struct Tracked {
    char *path;
    Domain *domain;
    sqlite3_int64 syncedSize;
    int deleted;
    SyncedPage *pages;
    int pageCount;
    int pageCapacity;
    struct Tracked *next;
} Tracked;

struct Domain {
    char *prefix;
    int simulatedSync;
    int fault;
    int hits;
    int cut;
    int cutAtSync;
    Tracked *files;
    Domain *next;
};

typedef struct FaultFile {
    sqlite3_file base;
    Tracked *tracked;  // NULL: passed through untouched
    sqlite3_file *real;
} FaultFile;

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static Domain *domains = NULL;
static sqlite3_vfs *root = NULL;
static sqlite3_vfs faultVFS;
static sqlite3_io_methods faultMethods;

// MARK: Domains

static Domain *domainNamed(const char *prefix) {
    for (Domain *domain = domains; domain; domain = domain->next) {
        if (strcmp(domain->prefix, prefix) == 0) return domain;
    }
    return NULL;
}

static Domain *domainOf(const char *path) {
    Domain *best = NULL;
    size_t bestLength = 0;
    for (Domain *domain = domains; domain; domain = domain->next) {
        size_t length = strlen(domain->prefix);
        if (length > bestLength && strncmp(domain->prefix, path, length) == 0) {
            best = domain;
            bestLength = length;
        }
    }
    return best;
}

static void forgetPages(Tracked *tracked) {
    for (int i = 0; i < tracked->pageCount; i++) free(tracked->pages[i].data);
    tracked->pageCount = 0;
}

static Tracked *trackedFile(Domain *domain, const char *path) {
    for (Tracked *tracked = domain->files; tracked; tracked = tracked->next) {
        if (strcmp(tracked->path, path) == 0) return tracked;
    }
    return NULL;
}

void vigil_faultvfs_add_domain(const char *prefix, int simulatedSync) {
    pthread_mutex_lock(&mutex);
    if (!domainNamed(prefix)) {
        Domain *domain = calloc(1, sizeof(Domain));
        domain->prefix = strdup(prefix);
        domain->simulatedSync = simulatedSync;
        domain->next = domains;
        domains = domain;
    }
    pthread_mutex_unlock(&mutex);
}

void vigil_faultvfs_remove_domain(const char *prefix) {
    pthread_mutex_lock(&mutex);
    for (Domain **link = &domains; *link; link = &(*link)->next) {
        Domain *domain = *link;
        if (strcmp(domain->prefix, prefix) != 0) continue;
        *link = domain->next;
        Tracked *tracked = domain->files;
        while (tracked) {
            Tracked *next = tracked->next;
            forgetPages(tracked);
            free(tracked->pages);
            free(tracked->path);
            free(tracked);
            tracked = next;
        }
        free(domain->prefix);
        free(domain);
        break;
    }
    pthread_mutex_unlock(&mutex);
}

void vigil_faultvfs_set_fault(const char *prefix, int fault) {
    pthread_mutex_lock(&mutex);
    Domain *domain = domainNamed(prefix);
    if (domain) domain->fault = fault;
    pthread_mutex_unlock(&mutex);
}

int vigil_faultvfs_fault_hits(const char *prefix) {
    pthread_mutex_lock(&mutex);
    Domain *domain = domainNamed(prefix);
    int hits = domain ? domain->hits : 0;
    pthread_mutex_unlock(&mutex);
    return hits;
}

void vigil_faultvfs_cut_power(const char *prefix) {
    pthread_mutex_lock(&mutex);
    Domain *domain = domainNamed(prefix);
    if (domain) domain->cut = 1;
    pthread_mutex_unlock(&mutex);
}

void vigil_faultvfs_cut_power_at_sync(const char *prefix, int syncs) {
    pthread_mutex_lock(&mutex);
    Domain *domain = domainNamed(prefix);
    if (domain) domain->cutAtSync = syncs;
    pthread_mutex_unlock(&mutex);
}

int vigil_faultvfs_is_cut(const char *prefix) {
    pthread_mutex_lock(&mutex);
    Domain *domain = domainNamed(prefix);
    int cut = domain ? domain->cut : 0;
    pthread_mutex_unlock(&mutex);
    return cut;
}

int vigil_faultvfs_unsynced_pages(const char *prefix) {
    pthread_mutex_lock(&mutex);
    int count = 0;
    Domain *domain = domainNamed(prefix);
    for (Tracked *tracked = domain ? domain->files : NULL; tracked; tracked = tracked->next) count += tracked->pageCount;
    pthread_mutex_unlock(&mutex);
    return count;
}

// MARK: Remembering synced pages

static SyncedPage *findPage(Tracked *tracked, sqlite3_int64 index) {
    for (int i = 0; i < tracked->pageCount; i++) {
        if (tracked->pages[i].index == index) return &tracked->pages[i];
    }
    return NULL;
}

/// Remembers what page `index` held at the last sync, unless already remembered. Called (under
/// the mutex) before the page is first changed since that sync, so the file still holds it.
static int rememberPage(Tracked *tracked, sqlite3_file *real, sqlite3_int64 index) {
    if (findPage(tracked, index)) return SQLITE_OK;
    sqlite3_int64 start = index * PAGE;
    sqlite3_int64 length = tracked->syncedSize - start;
    if (length < 0) length = 0;
    if (length > PAGE) length = PAGE;
    unsigned char *data = malloc(PAGE);
    if (!data) return SQLITE_NOMEM;
    memset(data, 0, PAGE);
    if (length > 0) {
        int rc = real->pMethods->xRead(real, data, (int)length, start);
        if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) {
            free(data);
            return rc;
        }
    }
    if (tracked->pageCount == tracked->pageCapacity) {
        int capacity = tracked->pageCapacity ? tracked->pageCapacity * 2 : 64;
        SyncedPage *pages = realloc(tracked->pages, sizeof(SyncedPage) * (size_t)capacity);
        if (!pages) {
            free(data);
            return SQLITE_NOMEM;
        }
        tracked->pages = pages;
        tracked->pageCapacity = capacity;
    }
    tracked->pages[tracked->pageCount++] = (SyncedPage){index, (int)length, data};
    return SQLITE_OK;
}

static int rememberRange(Tracked *tracked, sqlite3_file *real, sqlite3_int64 offset, sqlite3_int64 length) {
    if (length <= 0) return SQLITE_OK;
    for (sqlite3_int64 index = offset / PAGE; index <= (offset + length - 1) / PAGE; index++) {
        int rc = rememberPage(tracked, real, index);
        if (rc != SQLITE_OK) return rc;
    }
    return SQLITE_OK;
}

// MARK: File methods

static int faultClose(sqlite3_file *file) {
    FaultFile *fault = (FaultFile *)file;
    int rc = fault->real->pMethods ? fault->real->pMethods->xClose(fault->real) : SQLITE_OK;
    fault->tracked = NULL;
    return rc;
}

static int faultRead(sqlite3_file *file, void *buffer, int amount, sqlite3_int64 offset) {
    FaultFile *fault = (FaultFile *)file;
    return fault->real->pMethods->xRead(fault->real, buffer, amount, offset);
}

static int faultWrite(sqlite3_file *file, const void *buffer, int amount, sqlite3_int64 offset) {
    FaultFile *fault = (FaultFile *)file;
    Tracked *tracked = fault->tracked;
    if (!tracked) return fault->real->pMethods->xWrite(fault->real, buffer, amount, offset);
    pthread_mutex_lock(&mutex);
    Domain *domain = tracked->domain;
    int rc = SQLITE_OK;
    if (domain->cut) {
        rc = SQLITE_IOERR_WRITE;
    } else if (domain->fault == VIGIL_FAULT_WRITE) {
        domain->hits++;
        rc = SQLITE_IOERR_WRITE;
    } else if (domain->fault == VIGIL_FAULT_FULL) {
        domain->hits++;
        rc = SQLITE_FULL;
    } else {
        rc = rememberRange(tracked, fault->real, offset, amount);
        if (rc == SQLITE_OK) rc = fault->real->pMethods->xWrite(fault->real, buffer, amount, offset);
    }
    pthread_mutex_unlock(&mutex);
    return rc;
}

static int faultTruncate(sqlite3_file *file, sqlite3_int64 size) {
    FaultFile *fault = (FaultFile *)file;
    Tracked *tracked = fault->tracked;
    if (!tracked) return fault->real->pMethods->xTruncate(fault->real, size);
    pthread_mutex_lock(&mutex);
    int rc = SQLITE_OK;
    if (tracked->domain->cut) {
        rc = SQLITE_IOERR_TRUNCATE;
    } else {
        sqlite3_int64 current = 0;
        rc = fault->real->pMethods->xFileSize(fault->real, &current);
        if (rc == SQLITE_OK && current > size) rc = rememberRange(tracked, fault->real, size, current - size);
        if (rc == SQLITE_OK) rc = fault->real->pMethods->xTruncate(fault->real, size);
    }
    pthread_mutex_unlock(&mutex);
    return rc;
}

static int faultSync(sqlite3_file *file, int flags) {
    FaultFile *fault = (FaultFile *)file;
    Tracked *tracked = fault->tracked;
    if (!tracked) return fault->real->pMethods->xSync(fault->real, flags);
    pthread_mutex_lock(&mutex);
    Domain *domain = tracked->domain;
    int rc = SQLITE_OK;
    if (domain->cutAtSync > 0 && --domain->cutAtSync == 0) domain->cut = 1;
    if (domain->cut) {
        rc = SQLITE_IOERR_FSYNC;
    } else if (domain->fault == VIGIL_FAULT_SYNC) {
        domain->hits++;
        rc = SQLITE_IOERR_FSYNC;
    } else {
        if (!domain->simulatedSync) rc = fault->real->pMethods->xSync(fault->real, flags);
        if (rc == SQLITE_OK) {
            sqlite3_int64 size = 0;
            rc = fault->real->pMethods->xFileSize(fault->real, &size);
            if (rc == SQLITE_OK) {
                tracked->syncedSize = size;
                forgetPages(tracked);
            }
        }
    }
    pthread_mutex_unlock(&mutex);
    return rc;
}

static int faultFileSize(sqlite3_file *file, sqlite3_int64 *size) {
    FaultFile *fault = (FaultFile *)file;
    return fault->real->pMethods->xFileSize(fault->real, size);
}

static int faultLock(sqlite3_file *file, int level) {
    FaultFile *fault = (FaultFile *)file;
    return fault->real->pMethods->xLock(fault->real, level);
}

static int faultUnlock(sqlite3_file *file, int level) {
    FaultFile *fault = (FaultFile *)file;
    return fault->real->pMethods->xUnlock(fault->real, level);
}

static int faultCheckReservedLock(sqlite3_file *file, int *out) {
    FaultFile *fault = (FaultFile *)file;
    return fault->real->pMethods->xCheckReservedLock(fault->real, out);
}

static int faultFileControl(sqlite3_file *file, int op, void *argument) {
    FaultFile *fault = (FaultFile *)file;
    return fault->real->pMethods->xFileControl(fault->real, op, argument);
}

static int faultSectorSize(sqlite3_file *file) {
    FaultFile *fault = (FaultFile *)file;
    return fault->real->pMethods->xSectorSize(fault->real);
}

static int faultDeviceCharacteristics(sqlite3_file *file) {
    FaultFile *fault = (FaultFile *)file;
    return fault->real->pMethods->xDeviceCharacteristics(fault->real);
}

static int faultShmMap(sqlite3_file *file, int region, int size, int extend, void volatile **out) {
    FaultFile *fault = (FaultFile *)file;
    return fault->real->pMethods->xShmMap(fault->real, region, size, extend, out);
}

static int faultShmLock(sqlite3_file *file, int offset, int count, int flags) {
    FaultFile *fault = (FaultFile *)file;
    return fault->real->pMethods->xShmLock(fault->real, offset, count, flags);
}

static void faultShmBarrier(sqlite3_file *file) {
    FaultFile *fault = (FaultFile *)file;
    fault->real->pMethods->xShmBarrier(fault->real);
}

static int faultShmUnmap(sqlite3_file *file, int deleteFlag) {
    FaultFile *fault = (FaultFile *)file;
    return fault->real->pMethods->xShmUnmap(fault->real, deleteFlag);
}

static int faultFetch(sqlite3_file *file, sqlite3_int64 offset, int amount, void **out) {
    // No memory-mapped reads: every read goes through xRead (Vigil does not set mmap_size).
    (void)file; (void)offset; (void)amount;
    *out = NULL;
    return SQLITE_OK;
}

static int faultUnfetch(sqlite3_file *file, sqlite3_int64 offset, void *pointer) {
    (void)file; (void)offset; (void)pointer;
    return SQLITE_OK;
}

// MARK: VFS methods

static int faultOpen(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *outFlags) {
    (void)vfs;
    FaultFile *fault = (FaultFile *)file;
    fault->real = (sqlite3_file *)&fault[1];
    fault->tracked = NULL;
    int rc = root->xOpen(root, name, fault->real, flags, outFlags);
    if (rc != SQLITE_OK) {
        file->pMethods = NULL;
        return rc;
    }
    file->pMethods = &faultMethods;
    if (!name || !(flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL))) return SQLITE_OK;
    pthread_mutex_lock(&mutex);
    Domain *domain = domainOf(name);
    if (domain) {
        Tracked *tracked = trackedFile(domain, name);
        if (!tracked) {
            tracked = calloc(1, sizeof(Tracked));
            tracked->path = strdup(name);
            tracked->domain = domain;
            tracked->deleted = 1;  // set below, from the file as it is now
            tracked->next = domain->files;
            domain->files = tracked;
        }
        if (tracked->deleted) {
            // A file met for the first time (or made again after a delete) is taken as durable
            // as it is now: a new file is empty, and an existing one was written before the domain.
            sqlite3_int64 size = 0;
            fault->real->pMethods->xFileSize(fault->real, &size);
            tracked->syncedSize = size;
            tracked->deleted = 0;
            forgetPages(tracked);
        }
        fault->tracked = tracked;
    }
    pthread_mutex_unlock(&mutex);
    return SQLITE_OK;
}

static int faultDelete(sqlite3_vfs *vfs, const char *name, int syncDirectory) {
    (void)vfs;
    pthread_mutex_lock(&mutex);
    Domain *domain = domainOf(name);
    if (domain && domain->cut) {
        pthread_mutex_unlock(&mutex);
        return SQLITE_IOERR_DELETE;
    }
    Tracked *tracked = domain ? trackedFile(domain, name) : NULL;
    int rc = root->xDelete(root, name, syncDirectory);
    if (rc == SQLITE_OK && tracked) {
        tracked->deleted = 1;
        forgetPages(tracked);
    }
    pthread_mutex_unlock(&mutex);
    return rc;
}

static int faultAccess(sqlite3_vfs *vfs, const char *name, int flags, int *out) {
    (void)vfs;
    return root->xAccess(root, name, flags, out);
}

static int faultFullPathname(sqlite3_vfs *vfs, const char *name, int size, char *out) {
    (void)vfs;
    return root->xFullPathname(root, name, size, out);
}

static void *faultDlOpen(sqlite3_vfs *vfs, const char *name) { (void)vfs; return root->xDlOpen(root, name); }
static void faultDlError(sqlite3_vfs *vfs, int size, char *out) { (void)vfs; root->xDlError(root, size, out); }
static void (*faultDlSym(sqlite3_vfs *vfs, void *handle, const char *symbol))(void) {
    (void)vfs;
    return root->xDlSym(root, handle, symbol);
}
static void faultDlClose(sqlite3_vfs *vfs, void *handle) { (void)vfs; root->xDlClose(root, handle); }
static int faultRandomness(sqlite3_vfs *vfs, int size, char *out) { (void)vfs; return root->xRandomness(root, size, out); }
static int faultSleep(sqlite3_vfs *vfs, int microseconds) { (void)vfs; return root->xSleep(root, microseconds); }
static int faultCurrentTime(sqlite3_vfs *vfs, double *out) { (void)vfs; return root->xCurrentTime(root, out); }
static int faultGetLastError(sqlite3_vfs *vfs, int size, char *out) { (void)vfs; return root->xGetLastError(root, size, out); }
static int faultCurrentTimeInt64(sqlite3_vfs *vfs, sqlite3_int64 *out) {
    (void)vfs;
    return root->xCurrentTimeInt64(root, out);
}

int vigil_faultvfs_register(void) {
    pthread_mutex_lock(&mutex);
    int rc = SQLITE_OK;
    if (!root) {
        sqlite3_vfs *base = sqlite3_vfs_find(NULL);
        if (!base) {
            pthread_mutex_unlock(&mutex);
            return SQLITE_ERROR;
        }
        faultMethods = (sqlite3_io_methods){
            .iVersion = 3,
            .xClose = faultClose,
            .xRead = faultRead,
            .xWrite = faultWrite,
            .xTruncate = faultTruncate,
            .xSync = faultSync,
            .xFileSize = faultFileSize,
            .xLock = faultLock,
            .xUnlock = faultUnlock,
            .xCheckReservedLock = faultCheckReservedLock,
            .xFileControl = faultFileControl,
            .xSectorSize = faultSectorSize,
            .xDeviceCharacteristics = faultDeviceCharacteristics,
            .xShmMap = faultShmMap,
            .xShmLock = faultShmLock,
            .xShmBarrier = faultShmBarrier,
            .xShmUnmap = faultShmUnmap,
            .xFetch = faultFetch,
            .xUnfetch = faultUnfetch,
        };
        faultVFS = (sqlite3_vfs){
            .iVersion = 2,
            .szOsFile = (int)sizeof(FaultFile) + base->szOsFile,
            .mxPathname = base->mxPathname,
            .zName = VIGIL_FAULTVFS_NAME,
            .xOpen = faultOpen,
            .xDelete = faultDelete,
            .xAccess = faultAccess,
            .xFullPathname = faultFullPathname,
            .xDlOpen = faultDlOpen,
            .xDlError = faultDlError,
            .xDlSym = faultDlSym,
            .xDlClose = faultDlClose,
            .xRandomness = faultRandomness,
            .xSleep = faultSleep,
            .xCurrentTime = faultCurrentTime,
            .xGetLastError = faultGetLastError,
            .xCurrentTimeInt64 = faultCurrentTimeInt64,
        };
        rc = sqlite3_vfs_register(&faultVFS, 0);
        if (rc == SQLITE_OK) root = base;
    }
    pthread_mutex_unlock(&mutex);
    return rc;
}

// MARK: Durable images

/// A small deterministic generator (xorshift32), so a seed printed by a failing round replays it.
static unsigned int nextRandom(unsigned int *state) {
    unsigned int x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

static int copyFile(const char *from, int to, sqlite3_int64 *copied) {
    int source = open(from, O_RDONLY | O_CLOEXEC);
    if (source < 0) return -1;
    unsigned char buffer[65536];
    sqlite3_int64 total = 0;
    for (;;) {
        ssize_t count = read(source, buffer, sizeof buffer);
        if (count < 0) {
            close(source);
            return -1;
        }
        if (count == 0) break;
        if (pwrite(to, buffer, (size_t)count, total) != count) {
            close(source);
            return -1;
        }
        total += count;
    }
    close(source);
    *copied = total;
    return 0;
}

int vigil_faultvfs_durable_image(const char *path, const char *destination, unsigned int randomSeed,
                                 int *keptPages, int *droppedPages) {
    pthread_mutex_lock(&mutex);
    Domain *domain = domainOf(path);
    Tracked *tracked = domain ? trackedFile(domain, path) : NULL;
    if (!tracked || tracked->deleted) {
        pthread_mutex_unlock(&mutex);
        return 1;
    }
    int result = -1;
    int kept = 0, dropped = 0;
    int out = open(destination, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    sqlite3_int64 current = 0;
    if (out >= 0 && copyFile(path, out, &current) == 0) {
        sqlite3_int64 size = tracked->syncedSize;
        unsigned int state = randomSeed ? randomSeed : 1;
        result = 0;
        for (int i = 0; i < tracked->pageCount && result == 0; i++) {
            SyncedPage *page = &tracked->pages[i];
            sqlite3_int64 start = page->index * PAGE;
            // A page the file no longer reaches was truncated since the sync: the truncation is
            // not durable, so the page comes back whatever the coin says.
            int keep = randomSeed != 0 && start + PAGE <= current && (nextRandom(&state) & 1);
            if (keep) {
                kept++;
                if (start + PAGE > size) size = start + PAGE;
            } else {
                dropped++;
                // The whole page: past the synced length it reads as zeros (what was appended
                // there never arrived), not as the data written since; the final truncation cuts
                // whatever lies past the durable size.
                if (pwrite(out, page->data, PAGE, start) != PAGE) result = -1;
            }
        }
        if (size > current && randomSeed != 0) {
            // Kept pages never reach past what was written.
            sqlite3_int64 synced = tracked->syncedSize;
            size = current > synced ? current : synced;
        }
        if (result == 0 && ftruncate(out, size) != 0) result = -1;
        if (result == 0 && fsync(out) != 0) result = -1;
    }
    if (out >= 0) close(out);
    pthread_mutex_unlock(&mutex);
    if (keptPages) *keptPages = kept;
    if (droppedPages) *droppedPages = dropped;
    return result;
}
