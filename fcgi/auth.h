/* auth.h — the generic parts of identifying a caller, which know nothing
 * of whom the credentials belong to: the platform operator's key, session
 * tokens (an Authorization: Bearer header or the fc_token cookie, stored
 * as SHA-256 digests), and keys "<prefix>_<id>_<64 hex>" stored as
 * "$hmac-sha256$<64 hex>": HMAC-SHA-256 of the whole key under a key
 * derived from FACECLOCK_KEY_HASH_KEY (by default FACECLOCK_DATA_KEY:
 * config.h). A key is 256 random bits, so a fast
 * keyed hash is as safe as a slow one and a wrong key costs microseconds,
 * not a 16 MiB scrypt. Keys made before keyed hashes still have a scrypt
 * hash: such a key is checked by scrypt at most AUTH_LEGACY_PER_SECOND
 * times a second per worker, and re-hashed on its first success. The
 * application looks them up (fcgi/app.h: app_identify). */
#ifndef FC_AUTH_H
#define FC_AUTH_H

#include "request.h"

#define AUTH_COOKIE "fc_token"

enum auth_result { AUTH_NONE = 0, AUTH_OK, AUTH_INVALID, AUTH_DB_DOWN };

/* 1 when key is the platform operator's (FACECLOCK_ADMIN_KEY, when set),
 * compared in constant time; 0 otherwise. */
int auth_admin_key(const char *key);

/* The session token the request presents (Authorization: Bearer, else
 * the fc_token cookie): AUTH_NONE when neither is there, AUTH_INVALID for
 * another Authorization scheme or a token that is not 64 hex digits, else
 * AUTH_OK with its digest in digest (TOKEN_DIGEST_HEX bytes) for the
 * application to look up, and to copy to req->caller.token_digest once it
 * has found the session. Sets req->caller.via_cookie when the token came
 * from the cookie. */
enum auth_result auth_session_token(struct request *req, char *digest);

/* The digest a session token is stored and looked up as: "\\x" + the hex
 * SHA-256 of token, into hex (TOKEN_DIGEST_HEX bytes). */
void auth_token_digest(const char *token, char *hex);

/* Make a random key "<prefix>_<id>_<64 hex>" for a row id, and the hash
 * to store (auth_key_hash_with under this process's key). key must hold
 * AUTH_KEY_MAX bytes, hash AUTH_KEY_HASH_MAX. Returns 0 or -1. */
#define AUTH_KEY_MAX 128
int auth_new_key(const char *prefix, long long id, char *key, char *hash);

/* Parse "<prefix>_<id>_<hex>" → id; 0 or -1. */
int auth_key_id(const char *key, const char *prefix, long long *id);

/* The key hashing key from g_config.hash_key (32 bytes each): HMAC-SHA-256
 * of a fixed label. Without one the process uses 32 zero bytes (a keyed
 * hash then is no weaker than SHA-256 of a 256-bit random key). Changing
 * FACECLOCK_KEY_HASH_KEY voids every stored key hash; rotating the data
 * key alone does not (docs/operations.md).
 * 0 or -1. Pure. */
int auth_key_derive(const unsigned char base_key[32], unsigned char hkey[32]);

/* The stored form of key: AUTH_KEY_HASH_PREFIX + the hex HMAC-SHA-256 of
 * key under hkey, into out (AUTH_KEY_HASH_MAX bytes). 0 or -1. Pure. */
#define AUTH_KEY_HASH_PREFIX "$hmac-sha256$"
#define AUTH_KEY_HASH_MAX (sizeof AUTH_KEY_HASH_PREFIX - 1 + 64 + 1)
int auth_key_hash_with(const unsigned char hkey[32], const char *key, char *out);

/* How many scrypt checks of keys stored before keyed hashes one worker
 * runs in a second, whatever their outcome; past that a key with a scrypt
 * hash is refused (its kiosk or device retries a second later). */
#define AUTH_LEGACY_PER_SECOND 2
struct auth_legacy_budget {
    long long second;          /* the second counted, time(NULL) */
    int used;                  /* scrypt checks in it */
};

/* 1 and counts one check when budget allows one more at now (seconds);
 * 0 otherwise. Pure. */
int auth_legacy_take(struct auth_legacy_budget *b, long long now);

enum auth_key_check {
    AUTH_KEY_BAD = 0,          /* wrong key, malformed hash, or no scrypt budget left */
    AUTH_KEY_GOOD,             /* matches a keyed hash */
    AUTH_KEY_REHASH            /* matches a scrypt hash: store rehash instead */
};

/* Check key against its stored hash: a keyed hash by one HMAC and a
 * constant-time comparison; a scrypt hash ("$scrypt$...") only when budget
 * allows it at now, then with the keyed hash to store into rehash
 * (AUTH_KEY_HASH_MAX bytes; "" unless AUTH_KEY_REHASH). Pure. */
enum auth_key_check auth_key_check_with(const unsigned char hkey[32], const char *key,
                                        const char *stored, struct auth_legacy_budget *budget,
                                        long long now, char *rehash);

/* auth_key_check_with under this process's key, budget and clock. */
enum auth_key_check auth_key_check(const char *key, const char *stored, char *rehash);

/* A slow hash of a random secret, made once per worker, that unknown users
 * and unknown provisioning tokens are checked against so that they cost
 * the same as known ones. Static storage; do not free. */
const char *auth_dummy_hash(void);

#endif
