/* peers.c — owns the FastCGI peer allow-list's grammar and its match
 * (peers.h). Pure. */
#include <arpa/inet.h>
#include <string.h>
#include "peers.h"

/* One address literal into its IPv6 form. 0 or -1. */
static int parse_one(const char *s, size_t len, struct in6_addr *out)
{
    char buf[INET6_ADDRSTRLEN];
    struct in_addr v4;

    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (inet_pton(AF_INET, buf, &v4) == 1) {
        memset(out, 0, sizeof *out);
        out->s6_addr[10] = 0xff;
        out->s6_addr[11] = 0xff;
        memcpy(&out->s6_addr[12], &v4, 4);
        return 0;
    }
    return inet_pton(AF_INET6, buf, out) == 1 ? 0 : -1;
}

int peers_parse(const char *list, struct peer_list *out)
{
    const char *p = list;

    out->n = 0;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len > 0 && *p == ' ')
            p++, len--;
        while (len > 0 && p[len - 1] == ' ')
            len--;
        if (out->n == PEERS_MAX || parse_one(p, len, &out->addr[out->n]) < 0)
            return -1;
        out->n++;
        if (end == NULL)
            return 0;
        p = end + 1;
    }
}

int peers_allowed(const struct peer_list *l, const struct sockaddr *sa)
{
    struct in6_addr a;

    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        memset(&a, 0, sizeof a);
        a.s6_addr[10] = 0xff;
        a.s6_addr[11] = 0xff;
        memcpy(&a.s6_addr[12], &in->sin_addr, 4);
    } else if (sa->sa_family == AF_INET6) {
        a = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
    } else {
        return 0;
    }
    for (int i = 0; i < l->n; i++)
        if (memcmp(&l->addr[i], &a, sizeof a) == 0)
            return 1;
    return 0;
}
