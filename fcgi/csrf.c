/* csrf.c — owns the dashboard's CSRF tokens: the key derived from the data
 * key, a session's token, and the check of X-CSRF-Token on cookie writes. */
#include <string.h>
#include "config.h"
#include "crypto.h"
#include "csrf.h"
#include "log.h"

static const char key_label[] = "faceclock csrf tokens v1";

int csrf_derive_key(const unsigned char base_key[32], unsigned char key[32])
{
    return crypto_subkey(base_key, key_label, key);
}

static int hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int csrf_token_for(const unsigned char key[32], const char *token_digest, char *out)
{
    unsigned char digest[32], mac[32];

    out[0] = '\0';
    if (token_digest == NULL || strncmp(token_digest, "\\x", 2) != 0 || strlen(token_digest) != 66)
        return -1;
    for (int i = 0; i < 32; i++) {
        int hi = hex_value((unsigned char)token_digest[2 + 2 * i]);
        int lo = hex_value((unsigned char)token_digest[3 + 2 * i]);
        if (hi < 0 || lo < 0)
            return -1;
        digest[i] = (unsigned char)(hi << 4 | lo);
    }
    if (crypto_hmac_sha256(key, 32, digest, sizeof digest, mac) != 0)
        return -1;
    crypto_hex(mac, sizeof mac, out);
    return 0;
}

int csrf_token_ok(const unsigned char key[32], const char *token_digest, const char *presented)
{
    char want[CSRF_TOKEN_HEX];

    if (presented == NULL || csrf_token_for(key, token_digest, want) < 0)
        return 0;
    /* time depends only on the lengths, never on where they differ */
    return crypto_str_equal(presented, want);
}

int csrf_required(const char *method, const struct caller *c)
{
    if (!c->via_cookie)
        return 0;
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

/* The key of this process, derived once from the key hashing key; NULL without one. */
static const unsigned char *process_key(void)
{
    static unsigned char key[32];
    static int ready;
    if (!ready && g_config.has_hash_key && csrf_derive_key(g_config.hash_key, key) == 0)
        ready = 1;
    return ready ? key : NULL;
}

int csrf_token_of(const struct caller *c, char *out)
{
    const unsigned char *key = process_key();

    out[0] = '\0';
    if (c->token_digest[0] == '\0')
        return -1;
    if (key == NULL) {
        log_error("no CSRF key: neither FACECLOCK_KEY_HASH_KEY nor FACECLOCK_DATA_KEY is set, cookie writes are refused");
        return -1;
    }
    return csrf_token_for(key, c->token_digest, out);
}

int csrf_request_ok(const struct request *req)
{
    const unsigned char *key;

    if (!csrf_required(req->method, &req->caller))
        return 1;
    if ((key = process_key()) == NULL) {
        log_error("no CSRF key: neither FACECLOCK_KEY_HASH_KEY nor FACECLOCK_DATA_KEY is set, cookie writes are refused");
        return 0;
    }
    return csrf_token_ok(key, req->caller.token_digest, req->csrf_token);
}
