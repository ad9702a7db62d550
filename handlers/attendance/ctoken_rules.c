/* ctoken_rules.c — owns the confirmation tokens of the unrostered flow
 * (contract 5.5, 5.6): making them (HMAC-SHA-256 over
 * "<hotel>.<staff>.<expires>.<nonce>") and checking them strictly. Pure
 * apart from the nonce's randomness; single use is the database's. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "ctoken_rules.h"

#define KEY_LEN 32
#define NONCE_BYTES 16
#define NONCE_HEX (2 * NONCE_BYTES)     /* 32 */
#define MAC_HEX 64
#define NUM_MAX_DIGITS 19               /* LLONG_MAX has 19 */

/* mac_hex (MAC_HEX + 1) = hex HMAC of the n bytes of msg; 0 or -1 */
static int
sign(const unsigned char *key, const char *msg, size_t n, char *mac_hex)
{
    unsigned char mac[32];

    if (crypto_hmac_sha256(key, KEY_LEN, msg, n, mac) == -1)
        return -1;
    crypto_hex(mac, sizeof(mac), mac_hex);
    return 0;
}

int
ctoken_make(const unsigned char *key, long long hotel_id, long long staff_id,
            long long expires, char *out)
{
    char nonce[NONCE_HEX + 1];
    int n;

    if (key == NULL || out == NULL || hotel_id <= 0 || staff_id <= 0 || expires < 0)
        return -1;
    if (crypto_random_hex(nonce, NONCE_BYTES) == -1)
        return -1;
    n = snprintf(out, CTOKEN_MAX, "%lld.%lld.%lld.%s.", hotel_id, staff_id, expires, nonce);
    if (n < 0 || (size_t)n + MAC_HEX >= CTOKEN_MAX)
        return -1;
    /* the MAC covers everything before the last '.' */
    if (sign(key, out, (size_t)n - 1, out + n) == -1) {
        out[0] = '\0';
        return -1;
    }
    return 0;
}

/* A decimal number at *p up to the next '.': digits only, no sign, no
 * leading zero (the one canonical spelling), no overflow. Advances *p past
 * the '.'. 0 or -1. */
static int
take_number(const char **p, long long *out)
{
    const char *s = *p;
    long long v = 0;
    int nd = 0;

    if (s[0] == '0' && s[1] != '.')
        return -1;
    for (; *s >= '0' && *s <= '9'; s++, nd++) {
        if (nd == NUM_MAX_DIGITS || v > (LLONG_MAX - (*s - '0')) / 10)
            return -1;
        v = v * 10 + (*s - '0');
    }
    if (nd == 0 || *s != '.')
        return -1;
    *out = v;
    *p = s + 1;
    return 0;
}

/* exactly n lowercase hex digits at s followed by end */
static int
is_lower_hex(const char *s, size_t n, char end)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return s[n] == end;
}

int
ctoken_check(const unsigned char *key, const char *token, long long hotel_id,
             long long now, long long *staff_id, long long *expires, char *nonce)
{
    const char *p = token, *nonce_at, *mac_at;
    long long hid, sid, exp;
    char want[MAC_HEX + 1];
    int ok;

    if (staff_id != NULL)
        *staff_id = 0;
    if (expires != NULL)
        *expires = 0;
    if (nonce != NULL)
        nonce[0] = '\0';
    if (key == NULL || token == NULL || strnlen(token, CTOKEN_MAX) >= CTOKEN_MAX)
        return -1;
    if (take_number(&p, &hid) == -1 || take_number(&p, &sid) == -1 ||
        take_number(&p, &exp) == -1 || hid <= 0 || sid <= 0)
        return -1;
    nonce_at = p;
    if (!is_lower_hex(nonce_at, NONCE_HEX, '.'))
        return -1;
    mac_at = nonce_at + NONCE_HEX + 1;
    if (!is_lower_hex(mac_at, MAC_HEX, '\0'))
        return -1;

    if (sign(key, token, (size_t)(mac_at - 1 - token), want) == -1)
        return -1;
    ok = crypto_equal(want, mac_at, MAC_HEX);
    memset(want, 0, sizeof(want));
    if (!ok || hid != hotel_id || now > exp)
        return -1;

    if (staff_id != NULL)
        *staff_id = sid;
    if (expires != NULL)
        *expires = exp;
    if (nonce != NULL) {
        memcpy(nonce, nonce_at, NONCE_HEX);
        nonce[NONCE_HEX] = '\0';
    }
    return 0;
}
