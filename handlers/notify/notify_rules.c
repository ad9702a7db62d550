/* notify_rules.c — owns the notifications' decisions (notify_rules.h):
 * webhook URL, email address and event pattern checks, the back-off, the
 * signature and the mail's text. Pure: no I/O. */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crypto.h"
#include "notify/notify_rules.h"

/* docs/api.md "Live events", and the route's test */
static const char *const catalogue[] = {
    "clock.in", "clock.out", "clock.unrostered", "clock.forced", "clock.approved", "clock.rejected",
    "clock.bulk", "face.registered", "face.revoked", "face.bulk", "device.status",
    "alert.raised", "alert.acknowledged", "alert.resolved", "notification.test", NULL,
};

int notify_addr_private(int family, const void *addr)
{
    if (family == AF_INET) {
        const unsigned char *b = addr;
        return b[0] == 127 || b[0] == 0 || (b[0] == 169 && b[1] == 254);
    }
    if (family == AF_INET6) {
        const struct in6_addr *a = addr;
        if (IN6_IS_ADDR_V4MAPPED(a))
            return notify_addr_private(AF_INET, &a->s6_addr[12]);
        return IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_UNSPECIFIED(a) || IN6_IS_ADDR_LINKLOCAL(a);
    }
    return 0;
}

static int has_prefix_ci(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* 1 when a resolver would read name as a number (its last label is
 * digits, or 0x...), so that only a dotted quad is let through */
static int numeric_host(const char *name, size_t n)
{
    while (n > 0 && name[n - 1] == '.')
        n--;
    size_t start = n;
    while (start > 0 && name[start - 1] != '.')
        start--;
    const char *l = name + start;
    size_t ln = n - start;
    if (ln == 0)
        return 0;
    if (ln > 2 && l[0] == '0' && (l[1] == 'x' || l[1] == 'X'))
        return 1;
    for (size_t i = 0; i < ln; i++)
        if (!isdigit((unsigned char)l[i]))
            return 0;
    return 1;
}

static int localhost_name(const char *name, size_t n)
{
    static const char lh[] = "localhost";
    const size_t k = sizeof lh - 1;
    while (n > 0 && name[n - 1] == '.')
        n--;
    if (n < k || strncasecmp(name + n - k, lh, k) != 0)
        return 0;
    return n == k || name[n - k - 1] == '.';
}

#define PRIVATE_WHY "must not point at this server or a loopback or link-local address"

int notify_url_check(const char *url, int allow_private, int (*own)(int family, const void *addr),
                     const char **why)
{
    size_t len = url != NULL ? strlen(url) : 0;
    unsigned char addr[16];
    char host[256];
    int family = 0;

    if (len == 0 || len > NOTIFY_URL_MAX) {
        *why = "must be 1 to 2000 characters";
        return -1;
    }
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)url[i] <= 0x20 || (unsigned char)url[i] == 0x7f) {
            *why = "must not contain spaces or control characters";
            return -1;
        }
    const char *a;
    if (has_prefix_ci(url, "http://"))
        a = url + 7;
    else if (has_prefix_ci(url, "https://"))
        a = url + 8;
    else {
        *why = "must begin http:// or https://";
        return -1;
    }
    size_t alen = strcspn(a, "/?#");
    if (memchr(a, '@', alen) != NULL) {
        *why = "must not carry a user name or password";
        return -1;
    }
    if (alen == 0) {
        *why = "must name a host";
        return -1;
    }
    const char *hs, *port = NULL;
    size_t hlen;
    if (a[0] == '[') {
        const char *close = memchr(a, ']', alen);
        if (close == NULL) {
            *why = "has an invalid IPv6 address";
            return -1;
        }
        hs = a + 1;
        hlen = (size_t)(close - hs);
        size_t rest = alen - (size_t)(close + 1 - a);
        if (rest > 0) {
            if (close[1] != ':') {
                *why = "has an invalid IPv6 address";
                return -1;
            }
            port = close + 2;
        }
        if (hlen == 0 || hlen >= sizeof host) {
            *why = "has an invalid IPv6 address";
            return -1;
        }
        memcpy(host, hs, hlen);
        host[hlen] = '\0';
        if (inet_pton(AF_INET6, host, addr) != 1) {
            *why = "has an invalid IPv6 address";
            return -1;
        }
        family = AF_INET6;
    } else {
        const char *colon = memchr(a, ':', alen);
        hs = a;
        hlen = colon != NULL ? (size_t)(colon - a) : alen;
        if (colon != NULL)
            port = colon + 1;
        if (hlen == 0) {
            *why = "must name a host";
            return -1;
        }
        if (hlen > 253) {
            *why = "has an invalid host";
            return -1;
        }
        for (size_t i = 0; i < hlen; i++)
            if (!isalnum((unsigned char)hs[i]) && hs[i] != '.' && hs[i] != '-' && hs[i] != '_') {
                *why = "has an invalid host";
                return -1;
            }
        memcpy(host, hs, hlen);
        host[hlen] = '\0';
        if (numeric_host(host, hlen)) {
            if (inet_pton(AF_INET, host, addr) != 1) {
                *why = "has an invalid IPv4 address";
                return -1;
            }
            family = AF_INET;
        }
    }
    if (port != NULL) {
        size_t plen = alen - (size_t)(port - a);
        long v = 0;
        int ok = plen >= 1 && plen <= 5;
        for (size_t i = 0; ok && i < plen; i++) {
            if (!isdigit((unsigned char)port[i]))
                ok = 0;
            else
                v = v * 10 + (port[i] - '0');
        }
        if (!ok || v < 1 || v > 65535) {
            *why = "has a port out of range (1-65535)";
            return -1;
        }
    }
    if (!allow_private) {
        if (family != 0 && (notify_addr_private(family, addr) || (own != NULL && own(family, addr)))) {
            *why = PRIVATE_WHY;
            return -1;
        }
        if (family == 0 && localhost_name(host, hlen)) {
            *why = PRIVATE_WHY;
            return -1;
        }
    }
    return 0;
}

static int atom_char(int c)
{
    return isalnum(c) || (c != 0 && strchr("!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

int notify_email_valid(const char *s)
{
    size_t n = s != NULL ? strlen(s) : 0;
    const char *at = s != NULL ? strchr(s, '@') : NULL;

    if (n == 0 || n > NOTIFY_EMAIL_MAX || at == NULL || strchr(at + 1, '@') != NULL)
        return 0;
    size_t ln = (size_t)(at - s);
    if (ln == 0 || ln > 64 || s[0] == '.' || s[ln - 1] == '.')
        return 0;
    for (size_t i = 0; i < ln; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.' ? s[i + 1] == '.' : !atom_char(c))
            return 0;
    }
    const char *d = at + 1;
    int labels = 0;
    while (1) {
        size_t k = strcspn(d, ".");
        if (k == 0 || k > 63 || d[0] == '-' || d[k - 1] == '-')
            return 0;
        for (size_t i = 0; i < k; i++)
            if (!isalnum((unsigned char)d[i]) && d[i] != '-')
                return 0;
        labels++;
        if (d[k] == '\0')
            break;
        d += k + 1;
    }
    return labels >= 2;
}

int notify_pattern_valid(const char *p)
{
    if (p == NULL)
        return 0;
    if (strcmp(p, "*") == 0)
        return 1;
    size_t n = strlen(p);
    if (n > 2 && strcmp(p + n - 2, ".*") == 0) {
        for (int i = 0; catalogue[i] != NULL; i++)
            if (strncmp(catalogue[i], p, n - 1) == 0)
                return 1;
        return 0;
    }
    for (int i = 0; catalogue[i] != NULL; i++)
        if (strcmp(catalogue[i], p) == 0)
            return 1;
    return 0;
}

long long notify_backoff_ms(int attempts, int scale_pct)
{
    const long long cap = 30LL * 60 * 1000;
    long long ms = 30000;
    for (int i = 1; i < attempts && ms < cap; i++)
        ms *= 2;
    if (ms > cap)
        ms = cap;
    if (scale_pct < 1)
        scale_pct = 1;
    if (scale_pct > 100)
        scale_pct = 100;
    ms = ms * scale_pct / 100;
    return ms < 1 ? 1 : ms;
}

int notify_is_dead(int attempts)
{
    return attempts >= NOTIFY_MAX_ATTEMPTS;
}

int notify_signature(const char *secret, long long timestamp, const char *body, char *out)
{
    char ts[24];
    int tn = snprintf(ts, sizeof ts, "%lld.", timestamp);
    size_t bn = strlen(body);
    unsigned char mac[32];
    char *msg = malloc((size_t)tn + bn + 1);

    if (msg == NULL)
        return -1;
    memcpy(msg, ts, (size_t)tn);
    memcpy(msg + tn, body, bn + 1);
    int rc = crypto_hmac_sha256(secret, strlen(secret), msg, (size_t)tn + bn, mac);
    free(msg);
    if (rc < 0)
        return -1;
    memcpy(out, "sha256=", 7);
    crypto_hex(mac, sizeof mac, out + 7);
    return 0;
}

#define MAIL_WRAP 76

char *notify_mail_text(const char *from, const char *to, const char *hotel, const char *type,
                       long long event_id, const char *created_at, const char *data_json,
                       const char *date_rfc5322)
{
    const char *domain = strchr(from, '@');
    size_t dn = data_json != NULL ? strlen(data_json) : 0;
    size_t cap = 2048 + strlen(hotel) * 2 + strlen(type) * 2 + dn + (dn / MAIL_WRAP + 1) * 2;
    char *m = malloc(cap);
    if (m == NULL)
        return NULL;
    int n = snprintf(m, cap,
                     "From: %s\r\nTo: %s\r\nSubject: [faceclock %s] %s\r\nDate: %s\r\n"
                     "Message-ID: <event-%lld.%s@%s>\r\nMIME-Version: 1.0\r\n"
                     "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
                     "\r\n"
                     "Event: %s\r\nHotel: %s\r\nEvent id: %lld\r\nAt: %s\r\nData:\r\n",
                     from, to, hotel, type, date_rfc5322, event_id, hotel, domain != NULL ? domain + 1 : "localhost",
                     type, hotel, event_id, created_at != NULL ? created_at : "");
    if (n < 0 || (size_t)n >= cap) {
        free(m);
        return NULL;
    }
    size_t at = (size_t)n;
    for (size_t i = 0; i < dn; i += MAIL_WRAP) {
        size_t k = dn - i < MAIL_WRAP ? dn - i : MAIL_WRAP;
        memcpy(m + at, data_json + i, k);
        at += k;
        memcpy(m + at, "\r\n", 2);
        at += 2;
    }
    n = snprintf(m + at, cap - at, "\r\n-- \r\nfaceclock notifications: one message per event id.\r\n");
    if (n < 0 || (size_t)n >= cap - at) {
        free(m);
        return NULL;
    }
    return m;
}
