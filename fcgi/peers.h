/* peers.h — the allow-list of FastCGI peers on a TCP socket
 * (FACECLOCK_ALLOWED_PEERS): parsed from "addr,addr,..." (IPv4 or IPv6
 * literals, whole addresses) and matched against an accepted connection's
 * peer. Pure: no I/O, no allocation. */
#ifndef FC_PEERS_H
#define FC_PEERS_H

#include <netinet/in.h>
#include <sys/socket.h>

#define PEERS_MAX 16

struct peer_list {
    int n;
    struct in6_addr addr[PEERS_MAX];    /* IPv4 kept as IPv4-mapped IPv6 */
};

/* Parse a comma-separated list (spaces around items allowed). 0, or -1
 * for an empty list, an item that is not an address, or more than
 * PEERS_MAX items. */
int peers_parse(const char *list, struct peer_list *out);

/* 1 when sa (AF_INET or AF_INET6; IPv4-mapped IPv6 counts as IPv4) is
 * in the list, else 0 (other families too). */
int peers_allowed(const struct peer_list *l, const struct sockaddr *sa);

#endif
