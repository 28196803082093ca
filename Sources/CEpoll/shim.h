#ifndef VIGIL_CEPOLL_SHIM_H
#define VIGIL_CEPOLL_SHIM_H

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/socket.h>

// accept4 is only declared under _GNU_SOURCE, which Swift's Glibc module does not set.
extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);

/// Accepts a connection that is already nonblocking and close-on-exec (one system call, not three).
static inline int vigil_accept_nonblocking(int fd) {
    return accept4(fd, 0, 0, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

#endif
