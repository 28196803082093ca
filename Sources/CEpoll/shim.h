#ifndef VIGIL_CEPOLL_SHIM_H
#define VIGIL_CEPOLL_SHIM_H

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>

#endif
