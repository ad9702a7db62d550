/* tests/fuzz/ctoken.c — libFuzzer target: confirmation tokens
 * (ctoken_check, handlers/attendance/ctoken_rules.c) on any text. Asserts
 * that a token accepted is exactly the canonical spelling of its fields
 * with the HMAC of the fixed key, that it is refused for another hotel,
 * one second after it expires, and with any one byte changed; and that a
 * token ctoken_make writes for ids and an expiry the input picks
 * round-trips. The seeds hold tokens signed with KEY (bytes 1..32) for
 * hotel 7, so the accepting path is reached. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attendance/ctoken_rules.h"
#include "crypto.h"

#define HOTEL 7
#define NOW 1764493080LL            /* 2025-11-30T09:38:00Z */

static unsigned char KEY[32];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (crypto_init() != 0)
        abort();
    for (int i = 0; i < 32; i++)
        KEY[i] = (unsigned char)(i + 1);
    return 0;
}

static int check(const char *tok, long long hotel, long long now, long long *sid, long long *exp,
                 char nonce[33])
{
    return ctoken_check(KEY, tok, hotel, now, sid, exp, nonce);
}

/* tok was accepted for HOTEL at NOW with these fields: prove it */
static void accepted(const char *tok, long long sid, long long exp, const char *nonce)
{
    char canon[CTOKEN_MAX + 64], mac_hex[65], copy[CTOKEN_MAX];
    unsigned char mac[32];
    long long s2, e2;
    char n2[33];
    int n = snprintf(canon, sizeof canon, "%d.%lld.%lld.%s", HOTEL, sid, exp, nonce);

    if (sid <= 0 || exp < NOW || strlen(nonce) != 32 || n <= 0)
        abort();
    if (strncmp(tok, canon, (size_t)n) != 0 || tok[n] != '.' || strlen(tok + n + 1) != 64)
        abort();
    if (crypto_hmac_sha256(KEY, sizeof KEY, canon, (size_t)n, mac) != 0)
        abort();
    crypto_hex(mac, sizeof mac, mac_hex);
    if (strcmp(tok + n + 1, mac_hex) != 0)
        abort();
    if (check(tok, HOTEL + 1, NOW, &s2, &e2, n2) == 0 || s2 != 0 || e2 != 0 || n2[0] != '\0')
        abort();
    if (exp < INT64_MAX && check(tok, HOTEL, exp + 1, &s2, &e2, n2) == 0)
        abort();
    if (check(tok, HOTEL, exp, &s2, &e2, n2) != 0)      /* the last second still counts */
        abort();
    /* any one byte changed: refused */
    size_t len = strlen(tok);
    for (size_t i = 0; i < len; i++) {
        memcpy(copy, tok, len + 1);
        copy[i] ^= (char)(1 + (i % 7));
        if (copy[i] == '\0')
            copy[i] = 'x';
        if (check(copy, HOTEL, NOW, &s2, &e2, n2) == 0)
            abort();
    }
}

static long long field(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return (long long)(v & INT64_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *tok = malloc(size + 1), made[CTOKEN_MAX], nonce[33];
    long long sid = -1, exp = -1;

    memcpy(tok, data, size);
    tok[size] = '\0';
    memset(nonce, 'Z', sizeof nonce);
    if (check(tok, HOTEL, NOW, &sid, &exp, nonce) == 0)
        accepted(tok, sid, exp, nonce);
    else if (sid != 0 || exp != 0 || nonce[0] != '\0')     /* outputs zeroed */
        abort();
    free(tok);

    /* round trip of a token made for fields the input picks */
    if (size >= 24) {
        long long h = field(data), s = field(data + 8), e = field(data + 16);
        int rc = ctoken_make(KEY, h, s, e, made);

        if ((rc == 0) != (h > 0 && s > 0))
            abort();
        if (rc == 0) {
            if (strlen(made) >= CTOKEN_MAX || ctoken_check(KEY, made, h, e, &sid, &exp, nonce) != 0 ||
                sid != s || exp != e)
                abort();
            if (ctoken_check(KEY, made, h == 1 ? 2 : h - 1, e, &sid, &exp, nonce) == 0)
                abort();
        }
    }
    return 0;
}
