/* auth.h — identifying the caller from its credential: the system
 * administrator key, a user's bearer token (header or cookie), a kiosk key
 * or an edge-device key. Keys are checked against their slow hashes; a
 * worker remembers a verified key (as a SHA-256 of it, keyed to the stored
 * hash) so a kiosk's next scan costs one indexed lookup, not a scrypt. */
#ifndef FC_AUTH_H
#define FC_AUTH_H

#include "request.h"

#define AUTH_COOKIE "fc_token"

enum auth_result { AUTH_NONE = 0, AUTH_OK, AUTH_INVALID, AUTH_DB_DOWN };

/* Fill req->caller. AUTH_NONE: no credential presented; AUTH_INVALID: a
 * credential that is wrong, expired or revoked; AUTH_DB_DOWN: could not
 * check. */
enum auth_result auth_identify(struct request *req);

/* Make a random key "<prefix>_<id>_<64 hex>" for a kiosk or device row id,
 * and its slow hash. key must hold AUTH_KEY_MAX bytes, hash
 * CRYPTO_HASH_MAX. Returns 0 or -1. */
#define AUTH_KEY_MAX 128
int auth_new_key(const char *prefix, long long id, char *key, char *hash);

/* A slow hash of a random secret, made once per worker, that unknown users
 * and unknown provisioning tokens are checked against so that they cost
 * the same as known ones. Static storage; do not free. */
const char *auth_dummy_hash(void);

/* Fill a user caller from columns 0..5 of a result row: user id, user
 * name, role, hotel id, hotel slug, staff id. */
struct pg_result;
void auth_user_from_row(struct caller *c, const struct pg_result *r, int row);

/* "staff"/"manager"/"hr"/"admin" -> ROLE_*, else 0 */
int auth_role_from_name(const char *name);

/* ROLE_* -> its name, "" for anything else */
const char *auth_role_name(int role);

/* Parse "<prefix>_<id>_<hex>" → id; 0 or -1. */
int auth_key_id(const char *key, const char *prefix, long long *id);

#endif
