/* auth.c — the generic parts of who is calling (auth.h): the platform
 * operator's key, session tokens from the Authorization header or the
 * fc_token cookie (stored as SHA-256 digests: they are random, 256 bits),
 * and keys with their scrypt hashes and a per-worker cache of verified
 * keys. Whose credential it is, the application finds out (fcgi/app.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "auth.h"
#include "config.h"
#include "crypto.h"

/* ---- verified-key cache (per worker) ---------------------------------- */

/* One slot per (prefix, id) hash: 10 000 keys in use must not mean a
 * scrypt per request. 4096 slots of ~210 bytes, touched only when used. */
#define KEY_CACHE 4096
struct key_entry {
    char prefix[8];
    long long id;
    char stored[CRYPTO_HASH_MAX];      /* the hash the key was verified against */
    unsigned char digest[32];          /* SHA-256 of the presented key */
};
static struct key_entry key_cache[KEY_CACHE];

static struct key_entry *key_slot(const char *prefix, long long id)
{
    unsigned long long h = (unsigned long long)id * 0x9E3779B97F4A7C15ULL;
    h ^= (unsigned char)prefix[0];
    return &key_cache[(h >> 20) % KEY_CACHE];
}

int auth_key_verified(const char *prefix, long long id, const char *key, const char *stored)
{
    unsigned char digest[32];
    struct key_entry *e = key_slot(prefix, id);

    crypto_sha256(key, strlen(key), digest);
    if (e->id == id && strcmp(e->prefix, prefix) == 0 && strcmp(e->stored, stored) == 0)
        return crypto_equal(e->digest, digest, sizeof digest);
    if (!crypto_verify_secret(key, stored))
        return 0;
    snprintf(e->prefix, sizeof e->prefix, "%s", prefix);
    e->id = id;
    snprintf(e->stored, sizeof e->stored, "%s", stored);
    memcpy(e->digest, digest, sizeof digest);
    return 1;
}

int auth_key_id(const char *key, const char *prefix, long long *id)
{
    size_t plen = strlen(prefix);
    char *end;
    if (strncmp(key, prefix, plen) != 0 || key[plen] != '_')
        return -1;
    const char *p = key + plen + 1;
    if (*p < '1' || *p > '9')
        return -1;
    long long v = strtoll(p, &end, 10);
    if (*end != '_' || v <= 0 || strlen(end + 1) != 64 || strspn(end + 1, "0123456789abcdef") != 64)
        return -1;
    *id = v;
    return 0;
}

int auth_new_key(const char *prefix, long long id, char *key, char *hash)
{
    char secret[65];
    if (crypto_random_hex(secret, 32) < 0)
        return -1;
    snprintf(key, AUTH_KEY_MAX, "%s_%lld_%s", prefix, id, secret);
    return crypto_hash_secret(key, g_config.scrypt_log_n, hash);
}

const char *auth_dummy_hash(void)
{
    static char hash[CRYPTO_HASH_MAX];
    if (hash[0] == '\0') {
        char secret[33];
        crypto_random_hex(secret, 16);
        crypto_hash_secret(secret, g_config.scrypt_log_n, hash);
    }
    return hash;
}

/* ---- credentials ------------------------------------------------------ */

int auth_admin_key(const char *key)
{
    return g_config.admin_key[0] != '\0' && crypto_str_equal(key, g_config.admin_key);
}

void auth_token_digest(const char *token, char *hex)
{
    unsigned char digest[32];

    crypto_sha256(token, strlen(token), digest);
    memcpy(hex, "\\x", 2);
    crypto_hex(digest, sizeof digest, hex + 2);
}

/* AUTH_OK with token's digest when it has the form of a token */
static enum auth_result session_token(const char *token, char *digest)
{
    if (strlen(token) != 64 || strspn(token, "0123456789abcdef") != 64)
        return AUTH_INVALID;
    auth_token_digest(token, digest);
    return AUTH_OK;
}

enum auth_result auth_session_token(struct request *req, char *digest)
{
    if (req->authorization != NULL && *req->authorization != '\0') {
        if (strncasecmp(req->authorization, "Bearer ", 7) != 0)
            return AUTH_INVALID;
        return session_token(req->authorization + 7, digest);
    }
    const char *cookie = http_cookie(req->pool, req->cookie, AUTH_COOKIE);
    if (cookie != NULL && *cookie != '\0') {
        req->caller.via_cookie = 1;
        return session_token(cookie, digest);
    }
    return AUTH_NONE;
}
