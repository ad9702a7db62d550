/* tests/fuzz/peers.c — libFuzzer target: the FastCGI peer allow-list
 * (fcgi/peers.c): parsing FACECLOCK_ALLOWED_PEERS and matching a peer.
 * Input: the list, then a NUL byte, then a peer: a family byte and 16
 * address bytes. Checks: a parsed list has 1 .. PEERS_MAX addresses,
 * each of which is allowed (as IPv6, and as IPv4 when IPv4-mapped);
 * an AF_UNIX peer never is. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "peers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, '\0', size);
    size_t llen = nul ? (size_t)(nul - data) : size;
    char *list = malloc(llen + 1);
    memcpy(list, data, llen);
    list[llen] = '\0';

    struct peer_list l;
    if (peers_parse(list, &l) == 0) {
        if (l.n < 1 || l.n > PEERS_MAX)
            abort();
        for (int i = 0; i < l.n; i++) {
            struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_addr = l.addr[i]};
            if (!peers_allowed(&l, (struct sockaddr *)&s6))
                abort();
            if (memcmp(l.addr[i].s6_addr, mapped, 12) == 0) {
                struct sockaddr_in s4 = {.sin_family = AF_INET};
                memcpy(&s4.sin_addr, &l.addr[i].s6_addr[12], 4);
                if (!peers_allowed(&l, (struct sockaddr *)&s4))
                    abort();
            }
        }
        struct sockaddr_un su = {.sun_family = AF_UNIX};
        if (peers_allowed(&l, (struct sockaddr *)&su))
            abort();
        if (nul != NULL && size - llen - 1 >= 17) {
            const uint8_t *p = nul + 1;
            struct sockaddr_in6 s6 = {.sin6_family = AF_INET6};
            struct sockaddr_in s4 = {.sin_family = AF_INET};
            memcpy(&s6.sin6_addr, p + 1, 16);
            memcpy(&s4.sin_addr, p + 1, 4);
            (void)peers_allowed(&l, p[0] & 1 ? (struct sockaddr *)&s6 : (struct sockaddr *)&s4);
        }
    }
    free(list);
    return 0;
}
