/* cursor.c — owns the keyset cursor token (cursor.h): its bytes, their
 * HMAC tag under a key derived from the key hashing key, and the strict
 * parse of a token back into a position. */
#include <string.h>
#include "crypto.h"
#include "cursor.h"

#define CURSOR_BODY 17          /* direction, timestamp, id */
#define CURSOR_TAG (CURSOR_BYTES - CURSOR_BODY)

static const char key_label[] = "faceclock list cursors v1";

int cursor_derive_key(const unsigned char base_key[32], unsigned char key[32])
{
    return crypto_subkey(base_key, key_label, key);
}

static void put_be64(unsigned char *p, long long v)
{
    unsigned long long u = (unsigned long long)v;
    for (int i = 7; i >= 0; i--, u >>= 8)
        p[i] = (unsigned char)(u & 0xff);
}

static long long get_be64(const unsigned char *p)
{
    unsigned long long u = 0;
    for (int i = 0; i < 8; i++)
        u = u << 8 | p[i];
    return (long long)u;
}

/* HMAC-SHA-256(key, scope NUL body) */
static int tag_of(const unsigned char key[32], const char *scope, const unsigned char body[CURSOR_BODY],
                  unsigned char mac[32])
{
    unsigned char msg[256 + CURSOR_BODY];
    size_t n = strlen(scope);

    if (n >= 256)
        return -1;
    memcpy(msg, scope, n + 1);
    memcpy(msg + n + 1, body, CURSOR_BODY);
    return crypto_hmac_sha256(key, 32, msg, n + 1 + CURSOR_BODY, mac);
}

int cursor_encode(const unsigned char key[32], const char *scope, const struct cursor *c, char *out)
{
    unsigned char b[CURSOR_BYTES], mac[32];

    out[0] = '\0';
    if (c->dir != CURSOR_NEXT && c->dir != CURSOR_PREV)
        return -1;
    b[0] = (unsigned char)c->dir;
    put_be64(b + 1, c->ts_us);
    put_be64(b + 9, c->id);
    if (tag_of(key, scope, b, mac) != 0)
        return -1;
    memcpy(b + CURSOR_BODY, mac, CURSOR_TAG);
    crypto_hex(b, sizeof b, out);
    return 0;
}

static int hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int cursor_decode(const unsigned char key[32], const char *scope, const char *text, struct cursor *c)
{
    unsigned char b[CURSOR_BYTES], mac[32];

    if (text == NULL || strlen(text) != 2 * CURSOR_BYTES)
        return -1;
    for (int i = 0; i < CURSOR_BYTES; i++) {
        int hi = hex_value((unsigned char)text[2 * i]), lo = hex_value((unsigned char)text[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        b[i] = (unsigned char)(hi << 4 | lo);
    }
    if (tag_of(key, scope, b, mac) != 0 || !crypto_equal(mac, b + CURSOR_BODY, CURSOR_TAG))
        return -1;
    if (b[0] != CURSOR_NEXT && b[0] != CURSOR_PREV)
        return -1;
    c->dir = (enum cursor_dir)b[0];
    c->ts_us = get_be64(b + 1);
    c->id = get_be64(b + 9);
    return 0;
}
