/* auth.h — the generic parts of identifying a caller, which know nothing
 * of whom the credentials belong to: the platform operator's key, session
 * tokens (an Authorization: Bearer header or the fc_token cookie, stored
 * as SHA-256 digests), and keys "<prefix>_<id>_<64 hex>" checked against
 * their slow hashes, with a per-worker cache of verified keys so that a
 * key's next use costs one indexed lookup, not a scrypt. The application
 * looks them up (fcgi/app.h: app_identify). */
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

/* Make a random key "<prefix>_<id>_<64 hex>" for a row id, and its slow
 * hash. key must hold AUTH_KEY_MAX bytes, hash CRYPTO_HASH_MAX. Returns 0
 * or -1. */
#define AUTH_KEY_MAX 128
int auth_new_key(const char *prefix, long long id, char *key, char *hash);

/* Parse "<prefix>_<id>_<hex>" → id; 0 or -1. */
int auth_key_id(const char *key, const char *prefix, long long *id);

/* 1 when key (of row id, with its prefix) verifies against the stored
 * slow hash: from this worker's cache of verified keys, else by scrypt
 * (then remembered). 0 otherwise. */
int auth_key_verified(const char *prefix, long long id, const char *key, const char *stored);

/* A slow hash of a random secret, made once per worker, that unknown users
 * and unknown provisioning tokens are checked against so that they cost
 * the same as known ones. Static storage; do not free. */
const char *auth_dummy_hash(void);

#endif
