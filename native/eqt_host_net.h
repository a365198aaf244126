/*
 * eqt_host_net.h: the rendezvous socket c10d's TCPStore serves on, bound to one address.
 */
#ifndef EQT_HOST_NET_H
#define EQT_HOST_NET_H

#include "eqt_host_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A listening TCP socket bound to `addr` (a host name or address) and `port` only, for c10d's TCPStore, which
 * otherwise listens on every interface: the store takes the descriptor through masterListenFd. Returns the
 * descriptor, or -1 and eqt_host_last_error() says why.
 */
int eqt_host_listen(const char* addr, int port, int backlog);

#ifdef __cplusplus
}
#endif

#ifdef EQT_HOST_IMPLEMENTATION
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int eqt_host_listen(const char* addr, int port, int backlog) {
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    int rc = getaddrinfo(addr, service, &hints, &res);
    if (rc != 0) {
        snprintf(eqt_host_error, sizeof eqt_host_error, "%s: %s", addr, gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    for (struct addrinfo* a = res; a; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, backlog) == 0) break;
        snprintf(eqt_host_error, sizeof eqt_host_error, "%s:%d: %s", addr, port, strerror(errno));
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}
#endif

#endif /* EQT_HOST_NET_H */
