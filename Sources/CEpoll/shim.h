#ifndef VIGIL_CEPOLL_SHIM_H
#define VIGIL_CEPOLL_SHIM_H

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>

struct sockaddr;

// accept4 is only declared under _GNU_SOURCE, which Swift's Glibc module does not set.
extern int accept4(int fd, struct sockaddr *address, unsigned int *length, int flags);

/// Accepts a connection that is already nonblocking and close-on-exec (one system call, not three).
/// 04000 and 02000000 are Linux's SOCK_NONBLOCK and SOCK_CLOEXEC (not including <sys/socket.h>
/// here keeps its declarations owned by Glibc).
static inline int vigil_accept_nonblocking(int fd) {
    return accept4(fd, 0, 0, 04000 | 02000000);
}

/// glibc's mallopt, for the server's allocator settings (see HTTPServer.tuneAllocator).
#include <malloc.h>
static inline void vigil_tune_malloc(int arenas, int trim_threshold, int mmap_threshold) {
    mallopt(M_ARENA_MAX, arenas);
    mallopt(M_TRIM_THRESHOLD, trim_threshold);
    mallopt(M_MMAP_THRESHOLD, mmap_threshold);
}

/// glibc's mallinfo2: bytes the program holds (arenas and mmapped blocks) and bytes freed but kept.
static inline void vigil_heap_bytes(size_t *in_use, size_t *kept_free) {
    struct mallinfo2 info = mallinfo2();
    *in_use = info.uordblks + info.hblkhd;
    *kept_free = info.fordblks;
}

#endif
