#ifndef VIGIL_CSQLITE_SHIM_H
#define VIGIL_CSQLITE_SHIM_H

#include <sqlite3.h>

/// Swift cannot call C variadic functions, so the few `sqlite3_db_config` calls Vigil needs
/// are wrapped here as plain inline functions.
static inline int vigil_sqlite3_db_config_int(sqlite3 *db, int op, int value, int *result) {
    return sqlite3_db_config(db, op, value, result);
}

/// Turns off SQLite's global memory statistics before the library initialises. With them on,
/// every allocation of every connection takes one process-wide mutex: readers on two cores
/// spent their time queueing for it (FTS5 allocates per match). Vigil never reads the figures.
/// Returns SQLITE_MISUSE, harmlessly, when SQLite was already initialised.
static inline int vigil_sqlite3_disable_memstatus(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/// Sets how large a statement or savepoint journal grows in memory before SQLite moves it to a
/// temporary file (SQLite's default: 64 KiB). Before the library initialises; SQLITE_MISUSE after.
static inline int vigil_sqlite3_set_statement_journal_spill(int bytes) {
    return sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, bytes);
}

/// Swift cannot import the SQLITE_TRANSIENT macro (a cast of -1 to a function pointer).
static inline sqlite3_destructor_type vigil_sqlite3_transient(void) {
    return SQLITE_TRANSIENT;
}

#endif
