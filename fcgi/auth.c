/* auth.c — the generic parts of who is calling (auth.h): the platform
 * operator's key, session tokens from the Authorization header or the
 * fc_token cookie (stored as SHA-256 digests: they are random, 256 bits),
 * and keys with their keyed hashes (HMAC-SHA-256 under a key derived from
 * FACECLOCK_KEY_HASH_KEY, by default FACECLOCK_DATA_KEY), including the bounded path that checks and
 * re-hashes a key still stored with scrypt. Whose credential it is, the
 * application finds out (fcgi/app.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "auth.h"
#include "config.h"
#include "crypto.h"

/* ---- keys ------------------------------------------------------------- */

static const char key_label[] = "faceclock api keys v1";

int auth_key_derive(const unsigned char base_key[32], unsigned char hkey[32])
{
    return crypto_subkey(base_key, key_label, hkey);
}

int auth_key_hash_with(const unsigned char hkey[32], const char *key, char *out)
{
    unsigned char mac[32];

    out[0] = '\0';
    if (crypto_hmac_sha256_kept(hkey, key, strlen(key), mac) != 0)
        return -1;
    memcpy(out, AUTH_KEY_HASH_PREFIX, sizeof AUTH_KEY_HASH_PREFIX - 1);
    crypto_hex(mac, sizeof mac, out + sizeof AUTH_KEY_HASH_PREFIX - 1);
    return 0;
}

int auth_legacy_take(struct auth_legacy_budget *b, long long now)
{
    if (b->second != now) {
        b->second = now;
        b->used = 0;
    }
    if (b->used >= AUTH_LEGACY_PER_SECOND)
        return 0;
    b->used++;
    return 1;
}

enum auth_key_check auth_key_check_with(const unsigned char hkey[32], const char *key,
                                        const char *stored, struct auth_legacy_budget *budget,
                                        long long now, char *rehash)
{
    char mine[AUTH_KEY_HASH_MAX];

    rehash[0] = '\0';
    if (key == NULL || stored == NULL || key[0] == '\0')
        return AUTH_KEY_BAD;
    if (strncmp(stored, AUTH_KEY_HASH_PREFIX, sizeof AUTH_KEY_HASH_PREFIX - 1) == 0)
        return auth_key_hash_with(hkey, key, mine) == 0 && crypto_str_equal(mine, stored)
            ? AUTH_KEY_GOOD : AUTH_KEY_BAD;
    /* a key made before keyed hashes: scrypt, at most a few a second */
    if (strncmp(stored, "$scrypt$", 8) != 0 || !auth_legacy_take(budget, now) ||
        !crypto_verify_secret(key, stored))
        return AUTH_KEY_BAD;
    return auth_key_hash_with(hkey, key, rehash) == 0 ? AUTH_KEY_REHASH : AUTH_KEY_BAD;
}

/* This process's key hashing key, derived once from the data key (from
 * 32 zero bytes without one, see auth.h). NULL if libgcrypt fails. */
static const unsigned char *process_key(void)
{
    static unsigned char hkey[32];
    static int ready;
    static const unsigned char none[32];

    if (!ready && auth_key_derive(g_config.has_hash_key ? g_config.hash_key : none, hkey) == 0)
        ready = 1;
    return ready ? hkey : NULL;
}

enum auth_key_check auth_key_check(const char *key, const char *stored, char *rehash)
{
    static struct auth_legacy_budget budget;
    const unsigned char *hkey = process_key();

    rehash[0] = '\0';
    if (hkey == NULL)
        return AUTH_KEY_BAD;
    return auth_key_check_with(hkey, key, stored, &budget, (long long)time(NULL), rehash);
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
    const unsigned char *hkey = process_key();
    char secret[65];

    if (hkey == NULL || crypto_random_hex(secret, 32) < 0)
        return -1;
    snprintf(key, AUTH_KEY_MAX, "%s_%lld_%s", prefix, id, secret);
    return auth_key_hash_with(hkey, key, hash);
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
